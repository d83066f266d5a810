// result<T>: a value or an errc. Small, [[nodiscard]], never throws on the happy path.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "licensor/error.hpp"

namespace licensor {

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  result(errc error) : state_(error) {}          // NOLINT: implicit by design

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] errc error() const noexcept { assert(!ok()); return std::get<1>(state_); }

  [[nodiscard]] T& value() & { assert(ok()); return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { assert(ok()); return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, errc> state_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(errc error) : error_(error), failed_(true) {}  // NOLINT: implicit by design

  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] errc error() const noexcept { assert(failed_); return error_; }

 private:
  errc error_{};
  bool failed_ = false;
};

}  // namespace licensor
