/* Marks the verifier's public symbols. The library is built with -fvisibility=hidden, so only
   what carries this attribute is exported from licensor_verify.so. Shared by the C and C++
   headers; valid C and C++. */
#ifndef LICENSOR_VERIFY_EXPORT_H
#define LICENSOR_VERIFY_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define LICENSOR_VERIFY_API __attribute__((visibility("default")))
#else
#define LICENSOR_VERIFY_API
#endif

#endif /* LICENSOR_VERIFY_EXPORT_H */
