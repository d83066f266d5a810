// Imports for a vendor that already runs a programme: customers and licenses from its records,
// with their original issue dates, kinds and expiries (the file formats: docs/imports.md).
//
// Rows come in chunks (one request each, within the request size limit), so neither side holds
// a whole file. Each chunk is one store job; each row in it is checked by the same rules as an
// issue (email, partner enabled, product and tier, product policy, and for free licenses the
// partner's domains, one free per customer and product, and the cap) and is imported or
// refused alone, with the refusal's code. A row's rules are all checked before it writes, so a
// refused row leaves nothing behind.
//
// Idempotent by the row's external id (per partner): a row whose external id was imported
// before is reported `unchanged` and changes nothing, so importing the same file twice, or
// re-sending a chunk whose answer was lost, imports each row once.
//
// Free licenses count against the cap like any other: rows beyond it are refused with
// partner_cap_reached, in file order, and the rest of the import goes on (paid and trial rows,
// and free rows of other partners' imports, are not affected).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/caller.hpp"
#include "core/license_tokens.hpp"
#include "core/licenses.hpp"
#include "store/store.hpp"

namespace licensor::server {

/// One row, as read from the file. Ids and the activation key are chosen before the job runs,
/// so that a re-run makes the same records.
struct import_row {
  std::size_t line = 0;  ///< where the row was in the file, for the report
  std::string external_id;
  std::string email;
  std::string customer_name;
  std::string vat_number;  ///< checked and normalised, or empty
  std::string product;
  std::string kind = "free";
  std::string tier;        ///< empty: the product's lowest
  std::uint32_t seats = 1;
  std::vector<std::string> features;
  std::int64_t issued_at = 0;   ///< the original issue date
  std::int64_t expires_at = 0;  ///< 0: perpetual
  std::string problem;          ///< set when the row is malformed: refused with bad_request and this message
  std::string license_id;
  std::string customer_id;      ///< used when the email names no customer yet
  std::string activation_key;
};

/// A refused row, for the report.
struct import_refusal {
  std::size_t line = 0;
  std::string external_id;
  std::string code;
  std::string message;
};

/// What a chunk did.
struct import_outcome {
  std::size_t imported = 0;
  std::size_t unchanged = 0;
  std::vector<import_refusal> refused;
};

/// Imports `rows` for the partner `partner_id` (its own, or one an operator names) at `now`.
/// Refusals of rows are reported, not thrown; throws refusal only for what stops the chunk
/// (partner_not_found, store errors).
[[nodiscard]] import_outcome import_rows_apply(store::write_view& write, const caller& who, const std::string& partner_id,
                                               const std::vector<import_row>& rows, const signing& with,
                                               const license_settings& settings, std::int64_t now);

}  // namespace licensor::server
