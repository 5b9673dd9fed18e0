// CHECK and DCHECK: assertions on invariants. A failing CHECK is a bug: it logs where and why
// and aborts. Never CHECK user input; return a Status instead.
//
//   CHECK(offset <= size, "offset {} past size {}", offset, size);
//
// DCHECK compiles to nothing in release builds (NDEBUG) but still type-checks its condition.
// Thread safety: safe from any thread.

#ifndef BANYAN_BASE_CHECK_H_
#define BANYAN_BASE_CHECK_H_

#include <fmt/format.h>

#include <string>

namespace banyan::internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line,
                              const std::string& message);
}  // namespace banyan::internal

#define CHECK(condition, ...)                                                                 \
  do {                                                                                        \
    if (!(condition)) [[unlikely]] {                                                          \
      ::banyan::internal::CheckFailed(#condition, __FILE__, __LINE__,                         \
                                      ::std::string(__VA_OPT__(::fmt::format(__VA_ARGS__)))); \
    }                                                                                         \
  } while (false)

#ifdef NDEBUG
#define DCHECK(condition, ...) \
  do {                         \
    if (false) {               \
      (void)(condition);       \
    }                          \
  } while (false)
#else
#define DCHECK(condition, ...) CHECK(condition __VA_OPT__(, ) __VA_ARGS__)
#endif

#endif  // BANYAN_BASE_CHECK_H_
