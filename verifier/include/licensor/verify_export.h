/* Marks the verifier's public symbols and results that must not be ignored. The library is
   built with -fvisibility=hidden, so only what carries LICENSOR_VERIFY_API is exported from
   liblicensor_verify.so. Shared by the C and C++ headers; valid C and C++. */
#ifndef LICENSOR_VERIFY_EXPORT_H
#define LICENSOR_VERIFY_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define LICENSOR_VERIFY_API __attribute__((visibility("default")))
/* C's spelling of [[nodiscard]]: ignoring a verification result is a bug. */
#define LICENSOR_VERIFY_NODISCARD __attribute__((warn_unused_result))
#else
#define LICENSOR_VERIFY_API
#define LICENSOR_VERIFY_NODISCARD
#endif

#endif /* LICENSOR_VERIFY_EXPORT_H */
