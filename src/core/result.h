// Result<T>: a value or a non-OK Status (std::expected is C++23; g++ 12 lacks it).
// Value type; same threading rules as the T it holds.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "core/status.h"

namespace spacehub {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result needs a value or an error");
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  Status&& take_status() && { return std::move(status_); }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace spacehub

// Early-return helpers. SH_TRY(status_expr); SH_ASSIGN_OR_RETURN(auto x, result_expr);
#define SH_CONCAT_INNER(a, b) a##b
#define SH_CONCAT(a, b) SH_CONCAT_INNER(a, b)
#define SH_TRY(expr)                         \
  do {                                       \
    ::spacehub::Status sh_status_ = (expr);  \
    if (!sh_status_.ok()) return sh_status_; \
  } while (false)
// `tmp` is a name and `decl` a declaration: neither can be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SH_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr)     \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).take_status(); \
  decl = std::move(tmp).value()
#define SH_ASSIGN_OR_RETURN(decl, expr) \
  SH_ASSIGN_OR_RETURN_IMPL(SH_CONCAT(sh_result_, __LINE__), decl, expr)
// NOLINTEND(bugprone-macro-parentheses)
