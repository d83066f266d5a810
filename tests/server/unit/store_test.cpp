// The LMDB layer and group commit: RAII transactions, prefix scans, nested transactions that
// fail alone, concurrent jobs committed together, and the schema guard.
#include <doctest/doctest.h>

#include <cerrno>
#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "store/lmdb/group_commit.hpp"
#include "store/lmdb/lmdb_views.hpp"
#include "store/lmdb/schema.hpp"

// Inside the namespace rather than `using namespace`: the test is compiled together with others
// (LICENSOR_UNITY_BUILD), where licensor::store::store would clash with the namespace's name.
namespace licensor::store {
namespace {

struct temp_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("licensor-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  temp_dir() { std::filesystem::create_directories(path); }
  ~temp_dir() { std::filesystem::remove_all(path); }
  static inline int counter = 0;
};

std::unique_ptr<lmdb_env> env_open(const temp_dir& dir) {
  auto env = lmdb_env::open(dir.path, {"items"}, std::size_t{1} << 30, /*durable=*/false);
  REQUIRE(env.ok());
  return std::move(*env);
}

}  // namespace

TEST_CASE("put, get, insert, erase and prefix scans with a cursor") {
  temp_dir dir;
  auto env = env_open(dir);
  auto write = env->begin_write();
  REQUIRE(write.ok());
  for (const char* key : {"a/1", "a/2", "a/3", "b/1"}) REQUIRE(write->put("items", key, key).ok());
  CHECK(write->insert("items", "a/1", "x").error() == errc::conflict);
  REQUIRE(write->erase("items", "a/2").ok());
  REQUIRE(write->erase("items", "absent").ok());
  REQUIRE(write->commit().ok());

  auto read = env->begin_read();
  REQUIRE(read.ok());
  CHECK(**read->get("items", "a/1") == "a/1");
  CHECK_FALSE(read->get("items", "a/2")->has_value());
  std::vector<std::string> keys;
  REQUIRE(read->scan("items", "a/", "", 10, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  }).ok());
  CHECK(keys == std::vector<std::string>{"a/1", "a/3"});
  keys.clear();
  REQUIRE(read->scan("items", "a/", "a/1", 10, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  }).ok());
  CHECK(keys == std::vector<std::string>{"a/3"});
  keys.clear();
  REQUIRE(read->scan("items", "", "", 2, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  }).ok());
  CHECK(keys.size() == 2);
  CHECK(**read->last_key("items") == "b/1");
  CHECK(read->get("no-such-db", "x").error() == errc::internal);
}

TEST_CASE("scans backwards: under a prefix, below a cursor, past keys of 0xff bytes") {
  temp_dir dir;
  auto env = env_open(dir);
  auto write = env->begin_write();
  REQUIRE(write.ok());
  for (const char* key : {"a/1", "a/2", "a/3", "a\xff", "a\xff\xff/1", "b/1"}) REQUIRE(write->put("items", key, "").ok());
  REQUIRE(write->commit().ok());
  auto read = env->begin_read();
  REQUIRE(read.ok());
  const auto back = [&](std::string_view prefix, std::string_view before, std::size_t limit) {
    std::vector<std::string> keys;
    REQUIRE(read->scan_back("items", prefix, before, limit, [&](std::string_view key, std::string_view) {
      keys.emplace_back(key);
      return true;
    }).ok());
    return keys;
  };
  CHECK(back("a/", "", 10) == std::vector<std::string>{"a/3", "a/2", "a/1"});
  CHECK(back("a/", "a/3", 10) == std::vector<std::string>{"a/2", "a/1"});
  CHECK(back("a/", "a/25", 1) == std::vector<std::string>{"a/2"});
  CHECK(back("a\xff", "", 10) == std::vector<std::string>{"a\xff\xff/1", "a\xff"});
  CHECK(back("", "", 2) == std::vector<std::string>{"b/1", "a\xff\xff/1"});
  CHECK(back("c/", "", 10).empty());
  CHECK(back("a/", "a/1", 10).empty());
  CHECK(**read->last_key_under("items", "a/") == "a/3");
  CHECK_FALSE(read->last_key_under("items", "0/")->has_value());
}

TEST_CASE("a failed nested transaction leaves its parent untouched") {
  temp_dir dir;
  auto env = env_open(dir);
  auto parent = env->begin_write();
  REQUIRE(parent->put("items", "kept", "1").ok());
  {
    auto child = parent->nested();
    REQUIRE(child.ok());
    REQUIRE(child->put("items", "dropped", "1").ok());
  }  // aborted
  auto child = parent->nested();
  REQUIRE(child->put("items", "joined", "1").ok());
  REQUIRE(child->commit().ok());
  REQUIRE(parent->commit().ok());
  auto read = env->begin_read();
  CHECK(read->get("items", "kept")->has_value());
  CHECK(read->get("items", "joined")->has_value());
  CHECK_FALSE(read->get("items", "dropped")->has_value());
}

TEST_CASE("group commit: every job answers once after commit, failures stay alone") {
  temp_dir dir;
  auto env = env_open(dir);
  std::atomic<int> succeeded{0}, failed{0};
  {
    group_commit writer(*env);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          std::promise<void> answered;
          const auto key = std::to_string(t) + "/" + std::to_string(i);
          writer.submit([key, i](txn& write) -> result<void> {
            if (auto put = write.put("items", key, "v"); !put) return put.error();
            if (i % 10 == 0) return errc::conflict;  // refused: its put must vanish
            if (i % 10 == 1) throw std::runtime_error("a bug");  // must not stop the writer
            return {};
          }, [&, i](result<void> outcome) {
            (outcome.ok() ? succeeded : failed)++;
            CHECK(outcome.ok() == (i % 10 >= 2));
            answered.set_value();
          });
          answered.get_future().wait();
        }
      });
    for (auto& thread : threads) thread.join();
  }
  CHECK(succeeded == 640);
  CHECK(failed == 160);
  auto read = env->begin_read();
  int stored = 0;
  REQUIRE(read->scan("items", "", "", 10'000, [&](std::string_view, std::string_view) {
    ++stored;
    return true;
  }).ok());
  CHECK(stored == 640);
}

TEST_CASE("the store records its schema version and refuses a newer one") {
  temp_dir dir;
  {
    auto store = store_open(dir.path, {std::size_t{1} << 30, false});
    REQUIRE(store.ok());
    auto read = (*store)->begin_read();
    CHECK(**read->get(db::meta, "schema_version") == std::to_string(schema_version));
    auto write = (*store)->begin_write();
    REQUIRE(write->put(db::meta, "schema_version", std::to_string(schema_version + 1)).ok());
    REQUIRE(write->commit().ok());
  }
  CHECK(store_open(dir.path, {std::size_t{1} << 30, false}).error() == errc::schema_too_new);
}

TEST_CASE("schema 5 to 6: the licenses are counted by status and kind from their records") {
  temp_dir dir;
  {
    auto store = store_open(dir.path, {std::size_t{1} << 30, false});
    REQUIRE(store.ok());
    auto write = (*store)->begin_write();
    // Licenses as schema 5 left them: records, and no tallies.
    REQUIRE(write->put(db::licenses, "lic_1", R"({"id":"lic_1","status":"active","kind":"free"})").ok());
    REQUIRE(write->put(db::licenses, "lic_2", R"({"id":"lic_2","status":"active","kind":"free"})").ok());
    REQUIRE(write->put(db::licenses, "lic_3", R"({"id":"lic_3","status":"revoked","kind":"paid"})").ok());
    REQUIRE(write->put(db::meta, "schema_version", "5").ok());
    REQUIRE(write->commit().ok());
  }
  auto store = store_open(dir.path, {std::size_t{1} << 30, false});
  REQUIRE(store.ok());
  auto read = (*store)->begin_read();
  CHECK(**read->get(db::meta, "schema_version") == std::to_string(schema_version));
  CHECK(**read->get(db::counters, license_tally_key("active", "free")) == "2");
  CHECK(**read->get(db::counters, license_tally_key("revoked", "paid")) == "1");
  CHECK_FALSE(*read->get(db::counters, license_tally_key("active", "paid")));
}

TEST_CASE("schema 10 to 11: outbox events written as one document are read as they are, beside new ones") {
  temp_dir dir;
  {
    auto store = store_open(dir.path, {std::size_t{1} << 30, false});
    REQUIRE(store.ok());
    auto write = (*store)->begin_write();
    // An event as schema 10 wrote it, and the outbox's sequence where it left it.
    REQUIRE(write->put(db::outbox, "0000000000000001",
                       R"({"data":{"id":"lic_1","seats":2},"id":"evt_1","occurred_at":1795000000,"partner_id":"par_1","seq":1,"subject":"license:lic_1","type":"license.issued"})")
                .ok());
    REQUIRE(write->put(db::meta, "schema_version", "10").ok());
    REQUIRE(write->commit().ok());
  }
  auto store = store_open(dir.path, {std::size_t{1} << 30, false});
  REQUIRE(store.ok());
  {
    auto write = (*store)->begin_write();
    lmdb_view view(*write);
    outbox_event next{0, "evt_2", "license.revoked", 1'795'000'100, "par_1", "license:lic_1", R"({"id":"lic_1"})"};
    REQUIRE(view.outbox_append(next).ok());
    REQUIRE(write->commit().ok());
  }
  lmdb_view view((*store)->begin_read().value());
  const auto events = view.outbox_after(0, 10);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].id == "evt_1");
  CHECK((*events)[0].type == "license.issued");
  CHECK((*events)[0].data == R"({"id":"lic_1","seats":2})");
  CHECK((*events)[1].seq == 2);
  CHECK((*events)[1].data == R"({"id":"lic_1"})");
}

TEST_CASE("schema 11 to 12: customers and licenses already stored are found by the new search indexes") {
  temp_dir dir;
  {
    auto store = store_open(dir.path, {std::size_t{1} << 30, false});
    REQUIRE(store.ok());
    auto write = (*store)->begin_write();
    // Records as schema 11 left them: no search index entries.
    REQUIRE(write->put(db::customers, "cus_1", R"({"id":"cus_1","partner_id":"par_1","email":"ann@rossi.example","name":"Rossi SpA"})").ok());
    REQUIRE(write->put(db::licenses, "lic_1", R"({"id":"lic_1","partner_id":"par_1","email":"ann@rossi.example","status":"active","kind":"paid"})").ok());
    REQUIRE(write->put(db::meta, "schema_version", "11").ok());
    REQUIRE(write->commit().ok());
  }
  auto store = store_open(dir.path, {std::size_t{1} << 30, false});
  REQUIRE(store.ok());
  lmdb_view view((*store)->begin_read().value());
  const auto by_name = view.customers_search("par_1", "rossi", {});
  REQUIRE(by_name.ok());
  REQUIRE(by_name->items.size() == 1);
  CHECK(by_name->items[0].id == "cus_1");
  const auto everyones = view.licenses_by_email("", "ann@", {});
  REQUIRE(everyones.ok());
  REQUIRE(everyones->items.size() == 1);
  CHECK(everyones->items[0].id == "lic_1");
  const auto active = view.licenses_by_status("par_1", licensor::server::license_status::active, {}, licensor::store::order::oldest_first);
  REQUIRE(active.ok());
  CHECK(active->items.size() == 1);
}

TEST_CASE("schema 13 to 14: licenses already stored are found by expiry") {
  temp_dir dir;
  {
    auto store = store_open(dir.path, {std::size_t{1} << 30, false});
    REQUIRE(store.ok());
    auto write = (*store)->begin_write();
    // Records as schema 13 left them: no expiry index entries.
    REQUIRE(write->put(db::licenses, "lic_1", R"({"id":"lic_1","partner_id":"par_1","email":"a@x.example","status":"active","kind":"paid","expires_at":2000})").ok());
    REQUIRE(write->put(db::licenses, "lic_2", R"({"id":"lic_2","partner_id":"par_1","email":"b@x.example","status":"active","kind":"paid","expires_at":1000})").ok());
    REQUIRE(write->put(db::meta, "schema_version", "13").ok());
    REQUIRE(write->commit().ok());
  }
  auto store = store_open(dir.path, {std::size_t{1} << 30, false});
  REQUIRE(store.ok());
  lmdb_view view((*store)->begin_read().value());
  const auto soonest = view.licenses_by_expires("par_1", {}, {}, licensor::store::order::oldest_first);
  REQUIRE(soonest.ok());
  REQUIRE(soonest->items.size() == 2);
  CHECK(soonest->items[0].id == "lic_2");
  CHECK(soonest->items[1].id == "lic_1");
}

TEST_CASE("a full map or a full disk is storage_full (507), other failures storage_error") {
  CHECK(lmdb_error(MDB_MAP_FULL) == errc::storage_full);
  CHECK(lmdb_error(ENOSPC) == errc::storage_full);
  CHECK(lmdb_error(EDQUOT) == errc::storage_full);
  CHECK(lmdb_error(EIO) == errc::storage_error);
  CHECK(lmdb_error(MDB_CORRUPTED) == errc::storage_error);
}

}  // namespace licensor::store
