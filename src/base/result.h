// Result<T>: either a value of type T or a non-OK Status (GCC 12 has no std::expected).
//
//   Result<int> ParsePort(std::string_view text);
//   ASSIGN_OR_RETURN(int port, ParsePort(text));
//
// Accessing the value of a failed Result is a bug and CHECK-fails.
// Thread safety: a value type, like T.

#ifndef BANYAN_BASE_RESULT_H_
#define BANYAN_BASE_RESULT_H_

#include <utility>
#include <variant>

#include "base/check.h"
#include "base/status.h"

namespace banyan {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}        // NOLINT: implicit
  Result(Status status) : data_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    CHECK(!std::get<1>(data_).ok(), "a Result cannot hold an OK status without a value");
  }

  bool ok() const { return data_.index() == 0; }
  Status status() const { return ok() ? Status() : std::get<1>(data_); }

  T& value() & {
    CheckOk();
    return std::get<0>(data_);
  }
  const T& value() const& {
    CheckOk();
    return std::get<0>(data_);
  }
  T&& value() && {
    CheckOk();
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(data_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void CheckOk() const {
    CHECK(ok(), "value() on a failed Result: {}", std::get<1>(data_).ToString());
  }
  std::variant<T, Status> data_;
};

}  // namespace banyan

#define BANYAN_CONCAT_INNER_(a, b) a##b
#define BANYAN_CONCAT_(a, b) BANYAN_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (a Result<T>); on failure returns its Status from the enclosing function,
// otherwise declares or assigns `lhs` from its value.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(BANYAN_CONCAT_(banyan_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                           \
  if (!tmp.ok()) return tmp.status();           \
  lhs = std::move(tmp).value()

#endif  // BANYAN_BASE_RESULT_H_
