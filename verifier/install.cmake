# `cmake --install` for the verifier: headers, both libraries, a CMake package
# (find_package(licensor_verify) -> licensor::verify, licensor::verify_shared) and
# licensor_verify.pc for pkg-config users. Two components, as Debian splits a library:
# licensor_verify_runtime is the shared library apps load (liblicensor_verify.so.0 and its
# versioned file), licensor_verify everything a build needs (headers, the static archive, the
# unversioned .so link, the CMake package, the .pc). Installing the verifier alone:
#   cmake --install build --component licensor_verify_runtime
#   cmake --install build --component licensor_verify
include(CMakePackageConfigHelpers)

set(licensor_verify_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/licensor_verify)

install(TARGETS licensor_verify licensor_verify_shared
  EXPORT licensor_verify_targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT licensor_verify
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT licensor_verify_runtime
    NAMELINK_COMPONENT licensor_verify
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT licensor_verify_runtime)
# Consumers see the installed targets under the names the build tree uses.
set_target_properties(licensor_verify PROPERTIES EXPORT_NAME verify)
set_target_properties(licensor_verify_shared PROPERTIES EXPORT_NAME verify_shared)

install(FILES
  include/licensor/verifier.h
  include/licensor/verifier.hpp
  include/licensor/verify_export.h
  # The C++ header names shared's claims and key types; these are all it includes.
  ${PROJECT_SOURCE_DIR}/shared/include/licensor/claims.hpp
  ${PROJECT_SOURCE_DIR}/shared/include/licensor/error.hpp
  ${PROJECT_SOURCE_DIR}/shared/include/licensor/key_types.hpp
  ${PROJECT_SOURCE_DIR}/shared/include/licensor/license_token.hpp
  ${PROJECT_SOURCE_DIR}/shared/include/licensor/result.hpp
  ${PROJECT_SOURCE_DIR}/shared/include/licensor/rfc3339.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/licensor
  COMPONENT licensor_verify)

install(EXPORT licensor_verify_targets
  NAMESPACE licensor::
  FILE licensor_verify_targets.cmake
  DESTINATION ${licensor_verify_cmake_dir}
  COMPONENT licensor_verify)

configure_package_config_file(cmake/licensor_verify-config.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/licensor_verify-config.cmake
  INSTALL_DESTINATION ${licensor_verify_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/licensor_verify-config-version.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/licensor_verify-config.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/licensor_verify-config-version.cmake
  DESTINATION ${licensor_verify_cmake_dir}
  COMPONENT licensor_verify)

# The .pc file finds its prefix relative to itself, so the install stays relocatable.
file(RELATIVE_PATH licensor_verify_pc_to_prefix
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/licensor_verify.pc.in ${CMAKE_CURRENT_BINARY_DIR}/licensor_verify.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/licensor_verify.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT licensor_verify)
