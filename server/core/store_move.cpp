#include "core/store_move.hpp"

#include <limits>
#include <vector>

namespace licensor::server {

namespace {

using store::page_request;
using store::read_view;
using store::write_view;

constexpr std::size_t read_page = 500;

// One record of a collection and the write that puts it in another store.
using record_visit = std::function<result<void>(const char* collection, store::store::job copy)>;

// Each page of a listing in turn, until the last.
template <class List, class Each>
result<void> each_page(List list, Each each) {
  page_request request{read_page, {}};
  for (;;) {
    auto one = list(request);
    if (!one) return one.error();
    for (auto& item : one->items)
      if (auto visited = each(item); !visited) return visited;
    if (one->next.empty()) return {};
    request.after = std::move(one->next);
  }
}

// Each item of a listing read at once, each copied by `put(write_view&, item)` in a job of its own
// (the job holds a copy of the item and of `put`, as a job may run more than once).
template <class Items, class Put>
result<void> copy_each(const record_visit& visit, const char* collection, const result<Items>& listed, Put put) {
  if (!listed) return listed.error();
  for (const auto& item : *listed)
    if (auto v = visit(collection, [item, put](write_view& w) { return put(w, item); }); !v) return v;
  return {};
}

// A number the target assigned must be the one the record had: the move keeps them.
result<void> same_number(result<std::uint64_t> assigned, std::uint64_t had) {
  if (!assigned) return assigned.error();
  return *assigned == had ? result<void>{} : result<void>{errc::conflict};
}

class records_walk {
 public:
  records_walk(const read_view& from, const record_visit& visit) : from_(from), visit_(visit) {}

  result<void> run() {
    for (auto step : {&records_walk::meta, &records_walk::organisations, &records_walk::products, &records_walk::customers,
                      &records_walk::people, &records_walk::licenses, &records_walk::free_caps,
                      &records_walk::bookkeeping, &records_walk::outbox, &records_walk::webhooks, &records_walk::mail})
      if (auto done = (this->*step)(); !done) return done;
    return {};
  }

 private:
  result<void> meta() {
    auto token = from_.operator_token_hash();
    if (!token) return token.error();
    if (*token) {
      if (auto v = visit_("meta", [hash = **token](write_view& w) { return w.operator_token_hash_set(hash); }); !v) return v;
    }
    auto audited = from_.keyring_audited_version();
    if (!audited) return audited.error();
    if (*audited != 0) {
      if (auto v = visit_("meta", [version = *audited](write_view& w) { return w.keyring_audited_version_set(version); }); !v)
        return v;
    }
    auto shared = from_.keyring_shared();
    if (!shared) return shared.error();
    if (!*shared) return {};
    return visit_("meta", [document = **shared](write_view& w) { return w.keyring_shared_set(document); });
  }

  // Partners, then what every organisation (the operators' "" and each partner) has: its sign-in
  // policy, API keys and staff.
  result<void> organisations() {
    auto listed = each_page([&](const page_request& p) { return from_.partners_list(p); },
                            [&](const store::partner_record& partner) {
                              partners_.push_back(partner.id);
                              return visit_("partners", [partner](write_view& w) { return w.partner_put(partner); });
                            });
    if (!listed) return listed;
    std::vector<std::string> organisations{""};
    organisations.insert(organisations.end(), partners_.begin(), partners_.end());
    for (const auto& organisation : organisations) {
      auto security = from_.organisation_security_get(organisation);
      if (!security) return security.error();
      if (auto v = visit_("organisation_security", [organisation, policy = *security](write_view& w) {
            return w.organisation_security_put(organisation, policy);
          });
          !v)
        return v;
      auto keys = from_.api_keys_list(organisation);
      if (!keys) return keys.error();
      for (const auto& key : *keys) {
        auto hash = from_.api_key_hash_of(key.id);
        if (!hash) return hash.error();
        if (!*hash) return errc::storage_error;  // a key stored under no hash: the source is damaged
        if (auto v = visit_("api_keys", [hash = **hash, key](write_view& w) { return w.api_key_insert(hash, key); }); !v)
          return v;
      }
      if (auto users = users_of(organisation); !users) return users;
    }
    return {};
  }

  result<void> products() {
    return each_page([&](const page_request& p) { return from_.products_list(p); }, [&](const store::product_record& product) {
      return visit_("products", [product](write_view& w) { return w.product_insert(product); });
    });
  }

  // Customers, with their free-license slots and their people.
  result<void> customers() {
    return each_page(
        [&](const page_request& p) { return from_.customers_list("", p, store::order::oldest_first); },
        [&](const store::customer_record& customer) -> result<void> {
          if (auto v = visit_("customers", [customer](write_view& w) { return w.customer_insert(customer); }); !v) return v;
          auto slots = copy_each(visit_, "free_slots", from_.free_slots_of(customer.id),
                                 [id = customer.id](write_view& w, const store::free_slot& slot) { return w.free_slot_put(id, slot); });
          if (!slots) return slots;
          return users_of(customer.id);
        });
  }

  result<void> users_of(const std::string& organisation) {
    auto users = from_.users_of(organisation);
    if (!users) return users.error();
    for (const auto& user : *users) {
      if (auto v = visit_("users", [user](write_view& w) { return w.user_insert(user); }); !v) return v;
      auto sessions = copy_each(visit_, "sessions", from_.sessions_of(user.id), [](write_view& w, const auto& held) {
        return w.session_put(held.first, held.second);
      });
      if (!sessions) return sessions;
    }
    return {};
  }

  result<void> people() {
    return each_page([&](const page_request& p) { return from_.user_tokens_list(p); }, [&](const auto& token) {
      return visit_("user_tokens", [token](write_view& w) { return w.user_token_put(token.first, token.second); });
    });
  }

  // Licenses with their subscriptions, members and ledgers, then every token binding (the
  // current tokens' are made by license_insert; earlier tokens and members' are not).
  result<void> licenses() {
    auto listed = each_page(
        [&](const page_request& p) { return from_.licenses_list("", p, store::order::oldest_first); },
        [&](const store::license_record& license) -> result<void> {
          if (auto v = visit_("licenses", [license](write_view& w) { return w.license_insert(license); }); !v) return v;
          return subscription_of(license.id);
        });
    if (!listed) return listed;
    return each_page([&](const page_request& p) { return from_.token_bindings_list(p); }, [&](const auto& binding) {
      return visit_("token_bindings",
                    [binding](write_view& w) { return w.token_binding_put(binding.first, binding.second); });
    });
  }

  result<void> subscription_of(const std::string& license_id) {
    auto sub = from_.subscription_get(license_id);
    if (!sub) return sub.error();
    if (*sub) {
      if (auto v = visit_("subscriptions", [terms = **sub](write_view& w) mutable {
            return w.subscription_put(terms, terms.schedule_due);
          });
          !v)
        return v;
    }
    auto members = copy_each(visit_, "members", from_.members_of(license_id),
                             [license_id](write_view& w, const store::member_record& member) {
                               return w.member_insert(license_id, member);
                             });
    if (!members) return members;
    return each_page([&](const page_request& p) { return from_.ledger_of(license_id, p); },
                     [&](const store::ledger_entry& entry) {
                       return visit_("ledger", [entry](write_view& w) {
                         auto appended = entry;
                         return same_number(w.ledger_append(appended), entry.seq);
                       });
                     });
  }

  // Each partner's free-license count and the holds under it.
  result<void> free_caps() {
    for (const auto& partner : partners_) {
      auto count = from_.free_cap_count(partner);
      if (!count) return count.error();
      if (*count != 0) {
        if (auto v = visit_("free_cap_counts", [partner, delta = static_cast<std::int64_t>(*count)](write_view& w) {
              return w.free_cap_count_add(partner, delta);
            });
            !v)
          return v;
      }
      auto holds = copy_each(visit_, "free_cap_holds",
                             from_.free_cap_holds_before(partner, std::numeric_limits<std::int64_t>::max(),
                                                         std::numeric_limits<std::size_t>::max()),
                             [partner](write_view& w, const store::free_cap_hold& hold) { return w.free_cap_hold_put(partner, hold); });
      if (!holds) return holds;
    }
    return {};
  }

  // The audit log, replays, the state of sweeps, campaigns, imports and re-signing.
  result<void> bookkeeping() {
    auto audited = each_page([&](const page_request& p) { return from_.audit_list(p, store::order::oldest_first); },
                             [&](const store::audit_entry& entry) {
                               return visit_("audit", [entry](write_view& w) {
                                 auto appended = entry;
                                 return same_number(w.audit_append(appended), entry.seq);
                               });
                             });
    if (!audited) return audited;
    auto replays = each_page([&](const page_request& p) { return from_.idempotency_list(p); }, [&](const auto& replay) {
      return visit_("idempotency", [replay](write_view& w) { return w.idempotency_put(replay.first, replay.second); });
    });
    if (!replays) return replays;
    auto imports = each_page([&](const page_request& p) { return from_.import_references_list(p); },
                             [&](const store::import_reference_entry& made) {
                               return visit_("import_references", [made](write_view& w) {
                                 return w.import_reference_put(made.partner_id, made.external_id, made.license_id);
                               });
                             });
    if (!imports) return imports;
    auto positions = copy_each(visit_, "sweep_positions", from_.sweep_positions(), [](write_view& w, const auto& sweep_at) {
      return w.sweep_position_set(sweep_at.first, sweep_at.second);
    });
    if (!positions) return positions;
    auto sweep = from_.compliance_sweep_get();
    if (!sweep) return sweep.error();
    if (auto v = visit_("compliance_sweep", [sweep = *sweep](write_view& w) { return w.compliance_sweep_put(sweep); }); !v)
      return v;
    auto campaigns = copy_each(visit_, "campaigns", from_.campaigns_list(),
                               [](write_view& w, const store::campaign_record& campaign) { return w.campaign_put(campaign); });
    if (!campaigns) return campaigns;
    return copy_each(visit_, "resign_tasks", from_.resign_tasks(),
                     [](write_view& w, const store::resign_task& task) { return w.resign_task_put(task); });
  }

  result<void> outbox() {
    std::uint64_t after = 0;
    for (;;) {
      auto events = from_.outbox_after(after, read_page);
      auto copied = copy_each(visit_, "outbox", events,
                              [](write_view& w, const store::outbox_event& event) { return w.outbox_restore(event); });
      if (!copied) return copied;
      if (events->empty()) return {};
      after = events->back().seq;
    }
  }

  // Endpoints (the mail channel among them), their waiting events and delivery logs.
  result<void> webhooks() {
    auto endpoints = from_.webhook_endpoints();
    if (!endpoints) return endpoints.error();
    for (const auto& endpoint : *endpoints) {
      if (auto v = visit_("webhook_endpoints", [endpoint](write_view& w) { return w.webhook_endpoint_put(endpoint); }); !v)
        return v;
      auto waiting = copy_each(visit_, "deliveries", from_.deliveries_pending(endpoint.id, std::numeric_limits<std::size_t>::max()),
                               [](write_view& w, const store::delivery_pending& pending) { return w.delivery_pending_put(pending); });
      if (!waiting) return waiting;
      auto logged = each_page([&](const page_request& p) { return from_.delivery_log(endpoint.id, p); },
                              [&](const store::delivery_attempt& attempt) {
                                return visit_("delivery_log",
                                              [attempt](write_view& w) { return w.delivery_log_append(attempt); });
                              });
      if (!logged) return logged;
    }
    return {};
  }

  result<void> mail() {
    auto settings = from_.mail_settings_get();
    if (!settings) return settings.error();
    if (auto v = visit_("mail_settings", [settings = *settings](write_view& w) { return w.mail_settings_put(settings); }); !v)
      return v;
    return copy_each(visit_, "mail_templates", from_.mail_templates(),
                     [](write_view& w, const store::mail_template_record& replaced) { return w.mail_template_put(replaced); });
  }

  const read_view& from_;
  const record_visit& visit_;
  std::vector<std::string> partners_;
};

// Whether the store holds anything a move would collide with.
result<bool> store_is_empty(const read_view& view) {
  const page_request one{1, {}};
  const auto none = [](const auto& listed) -> result<bool> {
    if (!listed) return listed.error();
    return listed->items.empty();
  };
  for (auto checked : {none(view.partners_list(one)), none(view.products_list(one)),
                       none(view.customers_list("", one, store::order::oldest_first)),
                       none(view.licenses_list("", one, store::order::oldest_first)),
                       none(view.audit_list(one, store::order::oldest_first))})
    if (!checked || !*checked) return checked;
  auto operators = view.users_of("");
  if (!operators) return operators.error();
  auto last_event = view.outbox_last_seq();
  if (!last_event) return last_event.error();
  return operators->empty() && *last_event == 0;
}

}  // namespace

result<collection_counts> store_count(const read_view& view) {
  collection_counts counts;
  const record_visit count = [&counts](const char* collection, const store::store::job&) -> result<void> {
    ++counts[collection];
    return {};
  };
  if (auto walked = records_walk(view, count).run(); !walked) return walked.error();
  return counts;
}

result<std::string> store_counters_recount(const read_view& view) {
  std::map<std::pair<license_status, license_kind>, std::uint64_t> tallies;
  std::map<std::string, std::uint64_t> free_counts;  // partner -> free licenses and holds
  auto counted = each_page([&](const page_request& p) { return view.licenses_list("", p, store::order::oldest_first); },
                           [&](const store::license_record& license) -> result<void> {
                             ++tallies[{license.status, license.kind}];
                             if (license.kind == license_kind::free) ++free_counts[license.partner_id];
                             return {};
                           });
  if (!counted) return counted.error();
  std::string differences;
  const auto compare = [&differences](const std::string& what, std::uint64_t kept, std::uint64_t recounted) {
    if (kept != recounted)
      differences += what + ": kept " + std::to_string(kept) + ", recounted " + std::to_string(recounted) + "\n";
  };
  auto kept_tallies = view.license_tallies();
  if (!kept_tallies) return kept_tallies.error();
  for (const auto& tally : *kept_tallies) {
    const auto recounted = tallies.extract({tally.status, tally.kind});
    compare("licenses " + std::string(license_status_name(tally.status)) + " " + std::string(license_kind_name(tally.kind)),
            tally.count, recounted.empty() ? 0 : recounted.mapped());
  }
  for (const auto& [key, count] : tallies)
    compare("licenses " + std::string(license_status_name(key.first)) + " " + std::string(license_kind_name(key.second)), 0,
            count);
  auto partners = each_page([&](const page_request& p) { return view.partners_list(p); },
                            [&](const store::partner_record& partner) -> result<void> {
                              auto holds = view.free_cap_holds_before(partner.id, std::numeric_limits<std::int64_t>::max(),
                                                                      std::numeric_limits<std::size_t>::max());
                              if (!holds) return holds.error();
                              auto kept = view.free_cap_count(partner.id);
                              if (!kept) return kept.error();
                              compare("free licenses of " + partner.id, *kept,
                                      free_counts[partner.id] + static_cast<std::uint64_t>(holds->size()));
                              return {};
                            });
  if (!partners) return partners.error();
  return differences;
}

result<store_move_report> store_move(const store::store& source, store::store& target, std::size_t batch,
                                     const store_move_progress& progress, std::string& problem) {
  auto into = target.read();
  if (!into) return into.error();
  auto empty = store_is_empty(**into);
  if (!empty) return empty.error();
  if (!*empty) {
    problem = "the target store holds records already: a move goes into an empty store";
    return errc::conflict;
  }
  into->reset();

  auto from = source.read();
  if (!from) return from.error();
  store_move_report report;
  std::vector<store::store::job> pending;
  std::uint64_t committed = 0;
  std::string first_collection;
  const auto flush = [&](std::string_view collection) -> result<void> {
    if (pending.empty()) return {};
    const auto count = pending.size();
    auto done = store::submit_wait(target, [jobs = std::move(pending)](write_view& w) -> result<void> {
      for (const auto& job : jobs)
        if (auto copied = job(w); !copied) return copied;
      return {};
    });
    pending.clear();
    if (!done) {
      problem = "copying the " + std::to_string(count) + " records after the first " + std::to_string(committed) + " (" +
                first_collection + (first_collection == collection ? "" : " to " + std::string(collection)) + ") failed";
      return done;
    }
    committed += count;
    if (progress) progress(collection, committed);
    return {};
  };
  const record_visit copy = [&](const char* collection, store::store::job job) -> result<void> {
    if (pending.empty()) first_collection = collection;
    ++report.source[collection];
    pending.push_back(std::move(job));
    return pending.size() < batch ? result<void>{} : flush(collection);
  };
  if (auto walked = records_walk(**from, copy).run(); !walked) {
    if (problem.empty()) problem = "reading the source failed after " + std::to_string(committed) + " records";
    return walked.error();
  }
  if (auto last = flush(first_collection); !last) return last.error();
  from->reset();

  auto moved = target.read();
  if (!moved) return moved.error();
  auto counts = store_count(**moved);
  if (!counts) return counts.error();
  report.target = std::move(*counts);
  auto differences = store_counters_recount(**moved);
  if (!differences) return differences.error();
  report.counter_differences = std::move(*differences);
  return report;
}

}  // namespace licensor::server
