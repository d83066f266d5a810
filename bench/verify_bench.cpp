// verify_bench: full offline verifications per second through license_verifier::verify
// (parse, footer kid, keyring lookup, Ed25519, claims parse and checks) next to a raw
// crypto_sign_verify_detached over the same PAE bytes and signature, measured alternately in
// one run so both see the same machine noise. Prints medians and a final JSON line.
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "licensor/claims.hpp"
#include "licensor/keyring_document.hpp"
#include "licensor/paserk.hpp"
#include "licensor/pae.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"
#include "licensor/verifier.hpp"

using namespace licensor;

namespace {

constexpr int repetitions = 7;
constexpr double seconds_per_rep = 0.3;
constexpr unix_seconds now = 1'700'000'000;

using bench_clock = std::chrono::steady_clock;

// Runs `once` in batches until `seconds_per_rep` have passed; returns calls per second.
template <class F>
double rate(F&& once) {
  constexpr int batch = 64;
  long calls = 0;
  const auto start = bench_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds_per_rep);
  auto end = start;
  do {
    for (int i = 0; i < batch; ++i) once();
    calls += batch;
    end = bench_clock::now();
  } while (end < deadline);
  return static_cast<double>(calls) / std::chrono::duration<double>(end - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "verify_bench: %s\n", what);
  std::exit(1);
}

}  // namespace

int main() {
  if (sodium_init() < 0) fail("sodium_init failed");
  const auto root = SecretKey::generate();
  const auto signer = SecretKey::generate();

  // A realistic keyring (a few retired keys beside the active one) and license.
  keyring_document keyring;
  keyring.version = 4;
  keyring.iat = now - 86'400;
  std::vector<SecretKey> retired(3);
  for (auto& key : retired) key = SecretKey::generate();
  const std::vector<const SecretKey*> listed = {&retired[0], &retired[1], &retired[2], &signer};
  for (const auto* key : listed) {
    const auto public_key = key->public_key();
    keyring.keys.push_back(keyring_entry{paserk_pid(public_key), public_key,
                                         key == &signer ? key_status::active : key_status::retired,
                                         0});
  }

  license_claims claims;
  claims.iss = "licensor.example.com";
  claims.sub = "lic_01HZX3Q8W5J0Y7";
  claims.iat = now - 3600;
  claims.nbf = claims.iat;
  claims.exp = now + 365 * 86'400;
  claims.product = "acme-editor";
  claims.tier = "pro";
  claims.kind = license_kind::paid;
  claims.email = "ann@example.com";
  claims.seats = 25;
  claims.features = {"export", "sync", "plugins"};
  claims.min_version = "20";
  const auto token = license_token_sign(claims, signer);

  license_verifier verifier({root.public_key()});
  std::uint64_t highest_seen = 0;
  if (verifier.load_keyring(keyring_sign(keyring, root), highest_seen) != verify_status::valid)
    fail("keyring did not load");
  verify_context ctx;
  ctx.now = now;
  ctx.product = "acme-editor";
  ctx.app_version = "21.2";
  ctx.expected_email = "ann@example.com";
  unix_seconds last_trusted = 0;
  if (verifier.verify(token, ctx, last_trusted).status != verify_status::valid)
    fail("token did not verify");

  // The exact bytes the signature covers, prepared once: the raw baseline does no parsing.
  const auto parsed = paseto_parse(token);
  if (!parsed) fail("token did not parse");
  const auto pre_auth = pae({paseto_v4_public_header, parsed->untrusted_payload,
                             parsed->untrusted_footer, license_assertion});
  const auto public_key = signer.public_key();
  if (crypto_sign_verify_detached(parsed->signature.data(), pre_auth.data(), pre_auth.size(),
                                  public_key.bytes.data()) != 0)
    fail("raw signature did not verify");

  std::printf("verify_bench: token %zu bytes, signed message %zu bytes, %d reps x %.1f s\n",
              token.size(), pre_auth.size(), repetitions, seconds_per_rep);
  std::vector<double> ours;
  std::vector<double> raw;
  int failures = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    ours.push_back(rate([&] {
      last_trusted = 0;
      failures += verifier.verify(token, ctx, last_trusted).status != verify_status::valid;
    }));
    raw.push_back(rate([&] {
      failures += crypto_sign_verify_detached(parsed->signature.data(), pre_auth.data(),
                                              pre_auth.size(), public_key.bytes.data()) != 0;
    }));
    std::printf("  rep %d: full verify %9.0f /s   raw Ed25519 %9.0f /s\n", rep + 1, ours.back(),
                raw.back());
  }
  if (failures != 0) fail("a verification failed during the run");

  const double ours_per_s = median(ours);
  const double raw_per_s = median(raw);
  const double ratio = raw_per_s / ours_per_s;  // cost of a full verify in raw verifies
  std::printf("median: full verify %.0f /s (%.1f us), raw Ed25519 %.0f /s (%.1f us)\n",
              ours_per_s, 1e6 / ours_per_s, raw_per_s, 1e6 / raw_per_s);
  std::printf("ratio (full time / raw time): %.3f (target <= 1.2)\n", ratio);
  std::printf("{\"bench\":\"verify\",\"ours_per_s\":%.0f,\"raw_per_s\":%.0f,\"ratio\":%.3f}\n",
              ours_per_s, raw_per_s, ratio);
  return 0;
}
