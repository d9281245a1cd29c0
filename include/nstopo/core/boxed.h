// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace nstopo {

/// An optional value kept out of line, with value semantics (copies copy the value) and the
/// access of std::optional (`->`, `*`, a test for a value). For a large member of one
/// alternative of a variant: the variant is as large as its largest alternative, so boxing that
/// member keeps every other alternative small.
template <typename T>
class Boxed {
 public:
  Boxed() = default;

  Boxed(std::nullopt_t /*none*/) {}  // NOLINT(google-explicit-constructor): like std::optional

  Boxed(const std::optional<T>& value)  // NOLINT(google-explicit-constructor)
      : value_(value ? std::make_unique<T>(*value) : nullptr) {}

  template <typename U>

  requires std::constructible_from<T, U&&> &&(!std::same_as<std::remove_cvref_t<U>, Boxed>)&&(
      !std::same_as<std::remove_cvref_t<U>,
                    std::optional<T>>)&&(!std::same_as<std::remove_cvref_t<U>, std::nullopt_t>)
      Boxed(U&& value)  // NOLINT(google-explicit-constructor): stands in for a T member
      : value_(std::make_unique<T>(std::forward<U>(value))) {}

  Boxed(const Boxed& other) : value_(other ? std::make_unique<T>(*other) : nullptr) {}

  Boxed(Boxed&& other) noexcept = default;

  Boxed& operator=(const Boxed& other) {
    if (this != &other) {
      value_ = other ? std::make_unique<T>(*other) : nullptr;
    }
    return *this;
  }

  Boxed& operator=(Boxed&& other) noexcept = default;
  ~Boxed() = default;

  [[nodiscard]] explicit operator bool() const { return value_ != nullptr; }

  [[nodiscard]] bool has_value() const { return value_ != nullptr; }  // NOLINT: optional's name

  [[nodiscard]] T& operator*() { return *value_; }

  [[nodiscard]] const T& operator*() const { return *value_; }

  [[nodiscard]] T* operator->() { return value_.get(); }

  [[nodiscard]] const T* operator->() const { return value_.get(); }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace nstopo
