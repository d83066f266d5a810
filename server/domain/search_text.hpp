// What a listing's prefix search compares: text with its ASCII letters lower-cased (emails are
// stored lower-case; names keep the case they were given), and the texts a customer is found by.
// The store's search indexes and the listings' filters both use these, so a record is found by
// the index exactly when the filter accepts it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/records.hpp"

namespace licensor::server {

/// `text` with ASCII letters lower-cased.
[[nodiscard]] std::string text_folded(std::string_view text);

/// The folded texts `customer` is searched by: its email, name and VAT number, each once, the
/// empty ones left out.
[[nodiscard]] std::vector<std::string> customer_search_texts(const customer_record& customer);

/// True when one of `customer`'s search texts starts with `folded_prefix`.
[[nodiscard]] bool customer_matches(const customer_record& customer, std::string_view folded_prefix);

}  // namespace licensor::server
