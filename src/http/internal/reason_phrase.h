// ReasonPhrase: the standard reason phrase of an HTTP status code ("Not Found"), for status
// lines and problem titles. Used by the server and ProblemResponse.
// Thread safety: a pure function.

#ifndef BANYAN_HTTP_INTERNAL_REASON_PHRASE_H_
#define BANYAN_HTTP_INTERNAL_REASON_PHRASE_H_

#include <string_view>

namespace banyan::http::internal {

// The RFC 9110 reason phrase of `status`, or "Unknown" for codes it does not define.
std::string_view ReasonPhrase(int status);

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_REASON_PHRASE_H_
