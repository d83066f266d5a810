// PASERK parsing: k4.public, k4.secret, k4.pid shape, k4.secret-pw unwrap.
// Unwrap runs Argon2id with the cost written in the input (capped at 4 GiB / 64 passes by the
// library), so only cheap parameter sets reach it here: the fuzzer must not spend seconds or
// gigabytes per input. Everything before the Argon2id call (prefix, base64url, length, the
// parameter checks) still runs for every input through the early-return path.
#include "fuzz_common.hpp"
#include "licensor/base64url.hpp"

namespace {

constexpr std::string_view pw_prefix = "k4.secret-pw.";
constexpr std::size_t wrapped_bytes = 16 + 16 + 24 + 64 + 32;
constexpr std::uint64_t fuzz_max_memlimit = 64 * 1024;
constexpr std::uint32_t fuzz_max_opslimit = 2;

std::uint64_t big_endian(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// True when unwrapping `text` would be cheap (or fail before Argon2id).
bool unwrap_is_cheap(std::string_view text) {
  if (!text.starts_with(pw_prefix)) return true;
  auto decoded = licensor::base64url_decode(text.substr(pw_prefix.size()));
  if (!decoded || decoded->size() != wrapped_bytes) return true;
  const auto memlimit = big_endian(decoded->data() + 16, 8);
  const auto opslimit = big_endian(decoded->data() + 24, 4);
  return memlimit <= fuzz_max_memlimit && opslimit <= fuzz_max_opslimit;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace licensor;
  const auto text = fuzz::as_text(data, size);
  if (auto key = paserk_public_parse(text); key) {
    if (paserk_public(*key) != text) fuzz::fail("k4.public not canonical");
    if (!paserk_pid_well_formed(paserk_pid(*key).value)) fuzz::fail("pid of a parsed key is ill-formed");
  }
  if (auto key = paserk_secret_parse(text); key) {
    if (paserk_secret(*key) != text) fuzz::fail("k4.secret not canonical");
    (void)paserk_sid(*key);
  }
  (void)paserk_pid_well_formed(text);
  if (unwrap_is_cheap(text)) {
    // The password is the fixed one the seed corpus was wrapped with.
    if (auto key = paserk_secret_pw_unwrap(text, "fuzz password"); key) {
      if (!paserk_secret_parse(paserk_secret(*key))) fuzz::fail("unwrapped key does not serialise");
    }
  }
  return 0;
}
