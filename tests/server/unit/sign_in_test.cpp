// The store side of a sign-in (core/sessions.hpp's session_open): it re-checks on the writer
// what the network thread checked on a snapshot, spends the second factor once, and stores a
// fresh password hash and a new device in the same write. Also: users stored before the second
// factor existed decode with it off.
#include <doctest/doctest.h>

#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <future>
#include <optional>

#include "core/devices.hpp"
#include "core/refusal.hpp"
#include "core/sessions.hpp"
#include "core/two_factor.hpp"
#include "domain/password.hpp"
#include "domain/secret_hash.hpp"
#include "domain/totp.hpp"
#include "store/lmdb/lmdb_store.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

struct fresh_store {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("licensor-sign-in-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::unique_ptr<store::store> db;
  static inline int counter = 0;

  fresh_store() {
    auto opened = store::lmdb_store_open(dir, store::lmdb_options{.map_size_bytes = std::size_t{1} << 28, .durable = false});
    REQUIRE(opened.ok());
    db = std::move(*opened);
  }
  ~fresh_store() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  // Runs `work` as one write job (on the store's writer: no assertions there); the refusal it
  // threw, if any.
  std::optional<errc> run(std::function<void(store::write_view&)> work) {
    std::optional<errc> refused;
    std::promise<result<void>> done;
    db->submit(
        [&](store::write_view& write) -> result<void> {
          try {
            work(write);
            return {};
          } catch (const refusal& error) {
            refused = error.code;
            return error.code;
          }
        },
        [&](result<void> outcome) { done.set_value(outcome); });
    (void)done.get_future().get();
    return refused;
  }
  user_record user(const std::string& id) {
    auto view = db->read();
    REQUIRE(view.ok());
    auto found = (*view)->user_get(id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    return **found;
  }
};

// A hash with weaker parameters than today's, as an older release would have stored.
std::string old_hash(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  REQUIRE(crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                            crypto_pwhash_MEMLIMIT_MIN) == 0);
  return out;
}

user_record active_user(const std::string& password_hash) {
  user_record user;
  user.id = "usr_1";
  user.email = "ada@example.com";
  user.role = "owner";
  user.status = "active";
  user.password_hash = password_hash;
  return user;
}

session_record new_session(const std::string& id) {
  session_record session;
  session.id = id;
  return session;
}

}  // namespace

TEST_CASE("a user stored before the second factor existed decodes with it off") {
  const auto user = nlohmann::json::parse(R"({"id":"usr_1","email":"a@example.com","status":"active"})").get<user_record>();
  CHECK(user.totp_secret.empty());
  CHECK(user.totp_last_step == -1);
  CHECK(user.recovery_code_hashes.empty());
  CHECK(user.device_hashes.empty());
}

TEST_CASE("a sign-in stores a fresh hash of a password hashed with old parameters, in the same write") {
  fresh_store s;
  const std::string password = "correct horse battery staple";
  const auto weak = old_hash(password);
  REQUIRE(password_verify(weak, password));
  REQUIRE(password_needs_rehash(weak));
  const auto stored = active_user(weak);
  CHECK_FALSE(s.run([&](store::write_view& w) { must(w.user_insert(stored)); }));

  sign_in_grant grant;
  grant.rehashed = *password_hash(password);
  grant.device_hash = hash_hex("dev_secret");
  CHECK_FALSE(s.run([&](store::write_view& w) { (void)session_open(w, stored, grant, "session-1", new_session("ses_1"), 100); }));
  const auto after = s.user(stored.id);
  CHECK(after.password_hash == grant.rehashed);
  CHECK_FALSE(password_needs_rehash(after.password_hash));
  CHECK(password_verify(after.password_hash, password));
  CHECK(device_known(after, hash_hex("dev_secret")));

  // A sign-in checked against the old hash is refused once the hash changed.
  CHECK(s.run([&](store::write_view& w) { (void)session_open(w, stored, {}, "session-2", new_session("ses_2"), 101); }) ==
        errc::unauthorized);
}

TEST_CASE("the writer spends a TOTP step or a recovery code once, whatever the snapshot said") {
  fresh_store s;
  auto user = active_user(*password_hash("correct horse battery staple"));
  user.totp_secret = totp_secret_generate();
  user.totp_last_step = 10;
  user.recovery_code_hashes = {hash_hex("code-a"), hash_hex("code-b")};
  CHECK_FALSE(s.run([&](store::write_view& w) { must(w.user_insert(user)); }));

  sign_in_grant step_11;
  step_11.factor.totp_step = 11;
  CHECK_FALSE(s.run([&](store::write_view& w) { (void)session_open(w, user, step_11, "s1", new_session("ses_1"), 100); }));
  CHECK(s.user(user.id).totp_last_step == 11);
  // Two sign-ins checked the same code on one snapshot: the second is refused on the writer.
  CHECK(s.run([&](store::write_view& w) { (void)session_open(w, user, step_11, "s2", new_session("ses_2"), 100); }) ==
        errc::unauthorized);

  sign_in_grant recovery;
  recovery.factor.recovery_hash = hash_hex("code-a");
  CHECK_FALSE(s.run([&](store::write_view& w) { (void)session_open(w, user, recovery, "s3", new_session("ses_3"), 100); }));
  CHECK(s.user(user.id).recovery_code_hashes == std::vector<std::string>{hash_hex("code-b")});
  CHECK(s.run([&](store::write_view& w) { (void)session_open(w, user, recovery, "s4", new_session("ses_4"), 100); }) ==
        errc::unauthorized);
  // No second factor at all, for a user who has TOTP on: refused.
  CHECK(s.run([&](store::write_view& w) { (void)session_open(w, user, {}, "s5", new_session("ses_5"), 100); }) ==
        errc::unauthorized);
}

TEST_CASE("second_factor_check: the steps around now after the last used one, and unused recovery codes") {
  user_record user;
  user.totp_secret = totp_secret_generate();
  const auto secret = *base32_decode(user.totp_secret);
  const std::int64_t now = 1'893'456'000 + 15;  // mid-step
  const auto step = now / totp_period;
  const auto at = [&](std::int64_t offset_steps) { return totp_code(secret, now + offset_steps * totp_period); };
  CHECK(second_factor_check(user, at(-1), "", now)->totp_step == step - 1);
  CHECK(second_factor_check(user, at(0), "", now)->totp_step == step);
  CHECK(second_factor_check(user, at(1), "", now)->totp_step == step + 1);
  CHECK_FALSE(second_factor_check(user, at(-2), "", now));
  CHECK_FALSE(second_factor_check(user, at(2), "", now));
  user.totp_last_step = step;
  CHECK_FALSE(second_factor_check(user, at(0), "", now));   // reused
  CHECK_FALSE(second_factor_check(user, at(-1), "", now));  // earlier than the last used
  CHECK(second_factor_check(user, at(1), "", now));

  user.recovery_code_hashes = {hash_hex(recovery_code_normalise("abcde-fghjk"))};
  CHECK(second_factor_check(user, "", "ABCDE FGHJK", now)->recovery_hash == user.recovery_code_hashes[0]);
  CHECK_FALSE(second_factor_check(user, "", "abcde-fghjm", now));
  CHECK_FALSE(second_factor_check(user, "", "", now));
  user.totp_secret.clear();  // TOTP off: nothing matches
  CHECK_FALSE(second_factor_check(user, "", "abcde-fghjk", now));
}
