// A fresh store of one backend in a temporary directory, with blocking helpers for the tests.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <string>

#include "store_backends.hpp"

namespace licensor::store::testing {

class store_fixture {
 public:
  explicit store_fixture(const backend& kind) : kind_(kind) {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("licensor-store-contract-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    db_ = kind_.open(dir_);
  }
  ~store_fixture() {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  store_fixture(const store_fixture&) = delete;
  store_fixture& operator=(const store_fixture&) = delete;

  [[nodiscard]] store& db() { return *db_; }

  /// Runs `work` as one write job and waits until it is durable (or failed).
  result<void> commit(store::job work) {
    std::promise<result<void>> outcome;
    auto answered = outcome.get_future();
    db_->submit(std::move(work), [&outcome](result<void> done) { outcome.set_value(done); });
    return answered.get();
  }

  /// A snapshot; fails the test when the store cannot give one.
  std::unique_ptr<read_view> read() {
    auto view = db_->read();
    REQUIRE(view.ok());
    return std::move(*view);
  }

  /// Closes the store and opens it again from its directory.
  void reopen() {
    db_->sync();
    db_.reset();
    db_ = kind_.open(dir_);
  }

 private:
  const backend& kind_;
  std::filesystem::path dir_;
  std::unique_ptr<store> db_;
};

/// Asserts that a call succeeded and gives its value.
template <class T>
T ok(result<T> outcome) {
  REQUIRE(outcome.ok());
  return std::move(*outcome);
}
inline void ok(result<void> outcome) { REQUIRE(outcome.ok()); }

}  // namespace licensor::store::testing
