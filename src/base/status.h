// Status: the outcome of an operation that can fail for an expected reason.
//
// A Status is either OK or carries a code, a human-readable message and, for input errors, the
// location of the offending field as a JSON pointer (RFC 6901), e.g. "/events/3/properties/amount".
// The api module maps codes to HTTP statuses in exactly one place (api/problem.cc).
//
// Thread safety: a Status is a value; distinct objects may be used from distinct threads.

#ifndef BANYAN_BASE_STATUS_H_
#define BANYAN_BASE_STATUS_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace banyan {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller sent something malformed or out of range
  kUnauthenticated,     // no or bad credentials
  kPermissionDenied,    // authenticated, but not allowed
  kNotFound,            // does not exist, or exists outside the caller's scope
  kAlreadyExists,       // a unique thing would be created twice
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kAborted,             // a concurrent change won; the caller may retry
  kTooLarge,            // a size limit was exceeded
  kResourceExhausted,   // overload or a rate limit; retry later
  kUnavailable,         // a dependency (disk, database) is unavailable; retry later
  kDeadlineExceeded,    // the operation took longer than its limit
  kDataLoss,            // stored data is corrupt
  kInternal,            // a bug or an unexpected failure
};

// Returns the stable lower_snake_case name of `code`, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {});

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const;
  // JSON pointer to the offending input field; empty when not about one field.
  const std::string& field() const;

  // Returns a copy whose field is `prefix` + this field, so nested validators can report
  // paths relative to themselves and callers can anchor them.
  Status WithFieldPrefix(std::string_view prefix) const;
  // Returns a copy whose message is `context`: message.
  Status WithContext(std::string_view context) const;

  // "invalid_argument: /a/b: expected a number", for logs and CLI output.
  std::string ToString() const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string field;
  };
  std::shared_ptr<const Rep> rep_;  // null when OK; shared so copies are cheap
};

Status InvalidArgumentError(std::string message, std::string field = {});
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message, std::string field = {});
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status TooLargeError(std::string message, std::string field = {});
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status DeadlineExceededError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

}  // namespace banyan

// Evaluates `expr` (a Status); returns it from the enclosing function if not OK.
#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::banyan::Status banyan_status_ = (expr);        \
    if (!banyan_status_.ok()) return banyan_status_; \
  } while (false)

#endif  // BANYAN_BASE_STATUS_H_
