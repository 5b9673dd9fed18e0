// GzipDecode: decompresses a gzip request body (Content-Encoding: gzip) with a bound on the
// decoded size, so a small "gzip bomb" cannot make the server allocate without limit.
// Used by the request pipeline. Thread safety: a pure function.

#ifndef BANYAN_HTTP_INTERNAL_GZIP_H_
#define BANYAN_HTTP_INTERNAL_GZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::http::internal {

// Decodes one or more concatenated gzip members (RFC 1952). Fails with TooLarge as soon as the
// output would exceed `decoded_bytes_max`, and with InvalidArgument on corrupt or truncated
// input.
Result<std::string> GzipDecode(std::string_view compressed, size_t decoded_bytes_max);

}  // namespace banyan::http::internal

#endif  // BANYAN_HTTP_INTERNAL_GZIP_H_
