#include "store/lmdb/schema.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <ctime>

#include "domain/json_write.hpp"
#include "domain/search_text.hpp"
#include "store/lmdb/ordered_key.hpp"
#include "store/lmdb/redo_log.hpp"
#include "store/record_codec.hpp"

namespace licensor::store {
namespace {

// 1 -> 2: idempotency records get their time ("at", the migration's) and a time-index entry,
// so they expire; records holding a created API key's secret are removed (finding: secrets
// were kept in plaintext in replayable answers).
result<void> migrate_1_to_2(txn& write) {
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  std::vector<std::pair<std::string, std::string>> records;
  if (auto scanned = write.scan(db::idempotency, "", "", SIZE_MAX, [&](std::string_view key, std::string_view value) {
        records.emplace_back(key, value);
        return true;
      });
      !scanned)
    return scanned.error();
  for (auto& [key, value] : records) {
    auto record = nlohmann::json::parse(value, nullptr, false);
    const bool holds_secret = record.is_discarded() || !record.is_object() ||
                              (record.contains("body") && record["body"].is_object() && record["body"].contains("api_key"));
    if (holds_secret) {
      if (auto erased = write.erase(db::idempotency, key); !erased) return erased.error();
      continue;
    }
    record["at"] = now;
    if (auto put = write.put(db::idempotency, key, server::json_write(record)); !put) return put.error();
    if (auto indexed = write.put(db::idempotency_expiry, hex16_time(now) + "/" + key, ""); !indexed) return indexed.error();
  }
  return {};
}

// 3 -> 4: the signing-key index of every license. The kid is read from the stored JSON without
// the record codec (the schema must not depend on the records' C++ shape).
result<void> migrate_3_to_4(txn& write) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (auto scanned = write.scan(db::licenses, "", "", SIZE_MAX, [&](std::string_view id, std::string_view value) {
        const auto record = nlohmann::json::parse(value, nullptr, false);
        if (record.is_object() && record.contains("kid") && record["kid"].is_string() && !record["kid"].get_ref<const std::string&>().empty())
          entries.emplace_back(record["kid"].get<std::string>() + "/" + std::string(id), "");
        return true;
      });
      !scanned)
    return scanned.error();
  for (const auto& [key, value] : entries)
    if (auto put = write.put(db::kid_licenses, key, value); !put) return put.error();
  return {};
}

// 5 -> 6: the licenses' tallies by status and kind, read from the stored JSON (as above).
result<void> migrate_5_to_6(txn& write) {
  std::map<std::string, std::uint64_t> tallies;
  if (auto scanned = write.scan(db::licenses, "", "", SIZE_MAX, [&](std::string_view, std::string_view value) {
        const auto record = nlohmann::json::parse(value, nullptr, false);
        if (record.is_object() && record.value("status", nlohmann::json()).is_string() &&
            record.value("kind", nlohmann::json()).is_string())
          ++tallies[license_tally_key(record["status"].get<std::string>(), record["kind"].get<std::string>())];
        return true;
      });
      !scanned)
    return scanned.error();
  for (const auto& [key, count] : tallies)
    if (auto put = write.put(db::counters, key, std::to_string(count)); !put) return put.error();
  return {};
}

// 7 -> 8: the outbox's index by event id, read from the stored JSON (as above).
result<void> migrate_7_to_8(txn& write) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (auto scanned = write.scan(db::outbox, "", "", SIZE_MAX, [&](std::string_view seq, std::string_view value) {
        const auto event = nlohmann::json::parse(value, nullptr, false);
        if (event.is_object() && event.contains("id") && event["id"].is_string())
          entries.emplace_back(event["id"].get<std::string>(), std::string(seq));
        return true;
      });
      !scanned)
    return scanned.error();
  for (const auto& [id, seq] : entries)
    if (auto put = write.put(db::outbox_ids, id, seq); !put) return put.error();
  return {};
}

// 8 -> 9: the expiry index of every license that expires, read from the stored JSON (as above).
result<void> migrate_8_to_9(txn& write) {
  std::vector<std::string> keys;
  if (auto scanned = write.scan(db::licenses, "", "", SIZE_MAX, [&](std::string_view id, std::string_view value) {
        const auto record = nlohmann::json::parse(value, nullptr, false);
        if (record.is_object() && record.value("expires_at", nlohmann::json()).is_number_integer()) {
          const auto at = record["expires_at"].get<std::int64_t>();
          if (at != 0) keys.push_back(license_expiry_key(at, id));
        }
        return true;
      });
      !scanned)
    return scanned.error();
  for (const auto& key : keys)
    if (auto put = write.put(db::license_expiry, key, ""); !put) return put.error();
  return {};
}

// 11 -> 12: the search indexes of every customer and license, from the records.
template <class Record, class Keys>
result<void> index_build(txn& write, const char* records, const char* index, Keys keys_of) {
  std::vector<std::string> keys;
  errc failure{};
  if (auto scanned = write.scan(records, "", "", SIZE_MAX, [&](std::string_view, std::string_view value) {
        auto record = record_decode<Record>(value);
        if (!record) {
          failure = record.error();
          return false;
        }
        for (auto& key : keys_of(*record)) keys.push_back(std::move(key));
        return true;
      });
      !scanned)
    return scanned.error();
  if (failure != errc{}) return failure;
  for (const auto& key : keys)
    if (auto put = write.put(index, key, ""); !put) return put.error();
  return {};
}

result<void> migrate_11_to_12(txn& write) {
  if (auto built = index_build<server::customer_record>(write, db::customers, db::customer_search, customer_search_keys); !built)
    return built;
  if (auto built = index_build<server::license_record>(write, db::licenses, db::license_emails, license_email_keys); !built)
    return built;
  return index_build<server::license_record>(write, db::licenses, db::license_statuses, license_status_keys);
}

result<void> migrate_13_to_14(txn& write) {
  return index_build<server::license_record>(write, db::licenses, db::license_expiries, license_expires_keys);
}

}  // namespace

std::vector<std::string> customer_search_keys(const server::customer_record& customer) {
  std::vector<std::string> keys;
  for (const auto& text : server::customer_search_texts(customer))
    for (const auto& scope : {customer.partner_id, std::string()}) keys.push_back(scope + '/' + text + '/' + customer.id);
  return keys;
}

std::vector<std::string> license_email_keys(const server::license_record& license) {
  const auto email = server::text_folded(license.email);
  if (email.empty()) return {};
  return {license.partner_id + '/' + email + '/' + license.id, '/' + email + '/' + license.id};
}

std::vector<std::string> license_status_keys(const server::license_record& license) {
  const std::string status(server::license_status_name(license.status));
  return {license.partner_id + '/' + status + '/' + license.id, '/' + status + '/' + license.id};
}

std::vector<std::string> license_expires_keys(const server::license_record& license) {
  // A license that never expires sorts after every time.
  const auto at = license.expires_at == 0 ? std::string(16, 'f') : hex16_time(license.expires_at);
  return {license.partner_id + '/' + at + '/' + license.id, '/' + at + '/' + license.id};
}

std::string license_expiry_key(std::int64_t expires_at, std::string_view license_id) {
  std::string key = hex16_time(expires_at);
  key += '/';
  key += license_id;
  return key;
}

const std::vector<std::string>& store_databases() {
  static const std::vector<std::string> names{db::meta, db::partners, db::api_keys, db::customers,
                                              db::customer_emails, db::products, db::licenses,
                                              db::activation_keys, db::token_hashes, db::kid_licenses, db::license_expiry, db::partner_customers,
                                              db::partner_licenses, db::customer_licenses, db::customer_search, db::license_emails, db::license_statuses, db::license_expiries, db::free_licenses,
                                              db::free_cap_holds, db::counters, db::audit, db::idempotency, db::idempotency_expiry,
                                              db::subscriptions, db::ledger, db::partner_ledger, db::members,
                                              db::schedule, db::users, db::user_emails, db::org_users, db::sessions,
                                              db::user_sessions, db::user_tokens, db::outbox, db::outbox_ids, db::partner_events,
                                              db::webhook_endpoints, db::deliveries, db::delivery_subjects,
                                              db::delivery_log};
  return names;
}

std::string license_tally_key(std::string_view status, std::string_view kind) {
  std::string key(license_tally_prefix);
  key += status;
  key += '/';
  key += kind;
  return key;
}

result<std::unique_ptr<lmdb_env>> store_open(const std::filesystem::path& dir, const store_options& options) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return errc::io_error;
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }

  // A durable store's commits are made durable by its redo log, not by LMDB's own fsync; a
  // process that finds the log held by another (a backup beside the server) only reads.
  std::unique_ptr<redo_log> log;
  bool reads_only = false;
  if (options.durable) {
    auto claimed = redo_log::claim(dir);
    if (!claimed) return claimed.error();
    log = std::move(*claimed);
    reads_only = log == nullptr;
  }
  auto env = lmdb_env::open(dir, store_databases(), options.map_size_bytes, /*sync_commits=*/false);
  if (!env) return env.error();
  if (log) {
    if (auto replayed = log->replay(**env); !replayed) return replayed.error();
  }

  auto write = reads_only ? (*env)->begin_read() : (*env)->begin_write();
  if (!write) return write.error();
  auto recorded = write->get(db::meta, "schema_version");
  if (!recorded) return recorded.error();
  int version = schema_version;
  if (*recorded) {
    const auto& text = **recorded;
    std::from_chars(text.data(), text.data() + text.size(), version);
    if (version > schema_version) return errc::schema_too_new;
  }
  if (reads_only) {
    if (version != schema_version) return errc::storage_error;  // the writer migrates, not a reader
    (*env)->writes_refuse();
    return env;
  }
  if (version < 2) {
    if (auto migrated = migrate_1_to_2(*write); !migrated) return migrated.error();
  }
  if (*recorded && version < 4) {
    if (auto migrated = migrate_3_to_4(*write); !migrated) return migrated.error();
  }
  if (*recorded && version < 6) {
    if (auto migrated = migrate_5_to_6(*write); !migrated) return migrated.error();
  }
  if (*recorded && version < 8) {
    if (auto migrated = migrate_7_to_8(*write); !migrated) return migrated.error();
  }
  if (*recorded && version < 9) {
    if (auto migrated = migrate_8_to_9(*write); !migrated) return migrated.error();
  }
  if (*recorded && version < 12) {
    if (auto migrated = migrate_11_to_12(*write); !migrated) return migrated.error();
  }
  if (*recorded && version < 14) {
    if (auto migrated = migrate_13_to_14(*write); !migrated) return migrated.error();
  }
  if (auto put = write->put(db::meta, "schema_version", std::to_string(schema_version)); !put) return put.error();
  if (auto committed = write->commit(); !committed) return committed.error();
  if (log) {
    // What the replay and the migration wrote becomes durable here, and the log starts empty.
    if (auto checkpointed = log->checkpoint(**env); !checkpointed) return checkpointed.error();
    (*env)->redo_attach(std::move(log));
  }
  return env;
}

}  // namespace licensor::store
