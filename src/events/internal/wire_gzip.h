// Internal to the events wire protocols: bounded gzip decompression over zlib.
//
// GunzipBounded decompresses a whole buffer (Sensors payloads); GzipStream decompresses a
// stream chunk by chunk (import files). Both refuse output beyond a limit, so a small
// "decompression bomb" cannot exhaust memory, and report truncated or corrupt input as
// InvalidArgument. Concatenated gzip members are read as one stream.
// Thread safety: GunzipBounded is stateless; a GzipStream belongs to one thread.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_GZIP_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_GZIP_H_

#include <zlib.h>

#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::events::internal {

// True when `bytes` starts with the gzip magic 1f 8b.
bool HasGzipMagic(std::string_view bytes);

// Fails with TooLarge when the output would exceed `output_bytes_max`.
Result<std::string> GunzipBounded(std::string_view compressed, size_t output_bytes_max);

class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // Feeds `input` and appends what it decompresses to `out`, stopping when `out` holds
  // `out_bytes_max` bytes. While `pending()`, `input` must stay valid: drain `out` and call
  // again with empty input. REQUIRES: !pending() when `input` is not empty.
  Status Feed(std::string_view input, std::string* out, size_t out_bytes_max);
  bool pending() const { return stream_.avail_in > 0 || output_pending_; }
  // Checks that the stream ended cleanly (not truncated).
  Status Finish() const;

 private:
  z_stream stream_{};
  bool ended_ = false;           // the last member's trailer was read
  bool output_pending_ = false;  // inflate may hold output it had no room for
};

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_GZIP_H_
