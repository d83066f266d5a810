// How the core says no. An operation that refuses (a rule, a missing record, a store failure)
// throws `refusal` from wherever the refusal is found, so a rule deep inside a write job ends the
// whole job and its writes are discarded. The exception never leaves the server's own layers:
// api turns it into an HTTP error (errc -> status), jobs into a failed run; a store job that lets
// one through counts as failed.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "licensor/error.hpp"
#include "licensor/result.hpp"

namespace licensor::server {

struct refusal {
  errc code;
  std::string message;          ///< for people; clients act on `code`
  int retry_after_seconds = 0;  ///< for rate_limited
};

[[noreturn]] inline void refuse(errc code, std::string message = {}) { throw refusal{code, std::move(message)}; }

/// The value of a store call, or a refusal with its error.
template <class T>
[[nodiscard]] T must(result<T> outcome) {
  if (!outcome) refuse(outcome.error());
  return std::move(*outcome);
}
inline void must(const result<void>& outcome) {
  if (!outcome) refuse(outcome.error());
}

/// The record a store call found, or a refusal with `missing` when there is none.
template <class T>
[[nodiscard]] T found(result<std::optional<T>> outcome, errc missing) {
  auto value = must(std::move(outcome));
  if (!value) refuse(missing);
  return std::move(*value);
}

/// Runs `work`, turning a refusal into its error: for store jobs, which never throw.
template <class Work>
[[nodiscard]] result<void> refusal_caught(Work&& work) {
  try {
    work();
    return {};
  } catch (const refusal& refused) {
    return refused.code;
  }
}

}  // namespace licensor::server
