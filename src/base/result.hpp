#pragma once

#include <utility>

#include "base/drop_reason.hpp"

namespace pa::base {

// A decoded value or the reason it could not be decoded: an `expected`-like value for the
// decoders, which never throw (g++ 12 has no std::expected in C++20). T must be
// default-constructible; decoder views are small aggregates, so they all are.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) noexcept : value_(std::move(value)), ok_(true) {}  // NOLINT: implicit by design
  Result(Drop reason) noexcept : drop_(reason) {}                    // NOLINT: implicit by design
  // A default value made where the Result is, for a decoder that fills it in place (set_drop):
  // Result(T{}) builds the value apart and copies it in, and GCC reads that copy back with
  // wide loads right after its narrow stores, a store-forwarding stall (docs/performance.md).
  explicit Result(std::in_place_t) noexcept : ok_(true) {}

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  // Only meaningful when ok().
  [[nodiscard]] const T& value() const& noexcept { return value_; }
  [[nodiscard]] T& value() & noexcept { return value_; }
  [[nodiscard]] T&& value() && noexcept { return std::move(value_); }
  const T& operator*() const& noexcept { return value_; }
  T& operator*() & noexcept { return value_; }
  const T* operator->() const noexcept { return &value_; }
  T* operator->() noexcept { return &value_; }

  // Only meaningful when !ok().
  [[nodiscard]] Drop drop() const noexcept { return drop_; }

  // For a decoder that fills its value in place and returns this one object on every path,
  // so that the compiler builds it where the caller wants it (no copy, docs/performance.md).
  void set_drop(Drop reason) noexcept {
    drop_ = reason;
    ok_ = false;
  }

 private:
  T value_{};
  Drop drop_{};
  bool ok_ = false;
};

}  // namespace pa::base
