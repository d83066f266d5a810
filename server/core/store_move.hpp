// Moving every record of one store into another, through the port alone: from the embedded LMDB
// store into PostgreSQL when a vendor outgrows one machine, or back (docs/postgresql.md).
//
// The source is read from one snapshot: the target gets its state at that moment, and what is
// written to it afterwards is not moved (so the command wants the server stopped). The target
// must be empty. Records keep their ids, times and numbers: the audit log and each
// license's ledger are appended in order and must come out with the numbers they had, and
// outbox events keep their seq (outbox_restore), so that webhook endpoints' cursors and waiting
// events still name them. Indexes and tallies are the target's own, made as records go in.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "store/store.hpp"

namespace licensor::server {

/// How many records of each collection ("licenses", "audit", ...) a store holds.
using collection_counts = std::map<std::string, std::uint64_t>;

struct store_move_report {
  collection_counts source;  ///< counted while copying
  collection_counts target;  ///< counted again in the target, once every copy committed
  /// The target's counters (license tallies, partners' free-license counts) against a recount of
  /// its records: empty when each equals its recount, else one line per difference.
  std::string counter_differences;

  /// Whether the counts agree and the counters equal their recounts.
  [[nodiscard]] bool matches() const { return source == target && counter_differences.empty(); }
};

/// Called after each committed batch with the collection it ended in and the records copied so far.
using store_move_progress = std::function<void(std::string_view collection, std::uint64_t copied)>;

/// Copies every record of `source` into `target`, `batch` records per store job, then counts the
/// target again and recounts its counters. `problem` says what failed, when something did.
/// Errors: conflict when `target` holds records already, or when a number (audit, ledger,
/// outbox) did not come out as it was; what the stores answer.
[[nodiscard]] result<store_move_report> store_move(const store::store& source, store::store& target, std::size_t batch,
                                                   const store_move_progress& progress, std::string& problem);

/// Every record of `view`, counted by collection as store_move counts them.
[[nodiscard]] result<collection_counts> store_count(const store::read_view& view);

/// The store's counters against a recount of its records: licenses by status and kind
/// (license_tallies), and each partner's free-license count (its free licenses and its cap
/// holds). Empty when every counter equals its recount, else one line per difference.
[[nodiscard]] result<std::string> store_counters_recount(const store::read_view& view);

}  // namespace licensor::server
