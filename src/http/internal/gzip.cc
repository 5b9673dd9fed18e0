#include "http/internal/gzip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <climits>

namespace banyan::http::internal {
namespace {

// Owns a z_stream set up for gzip decoding and always releases it.
class Inflater {
 public:
  Inflater() = default;
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  ~Inflater() {
    if (initialised_) inflateEnd(&stream_);
  }

  bool Init() {
    // 16 + MAX_WBITS: gzip framing only (no raw deflate or zlib framing), full window.
    initialised_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
    return initialised_;
  }
  z_stream& stream() { return stream_; }

 private:
  z_stream stream_{};
  bool initialised_ = false;
};

constexpr size_t kChunkBytes = 64 << 10;

}  // namespace

Result<std::string> GzipDecode(std::string_view compressed, size_t decoded_bytes_max) {
  if (compressed.empty()) return std::string();
  if (compressed.size() > UINT_MAX) return TooLargeError("gzip body too large to decode");
  Inflater inflater;
  if (!inflater.Init()) return InternalError("zlib failed to initialise");
  z_stream& stream = inflater.stream();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  int result = Z_OK;
  while (true) {
    // Leave room for one byte past the limit, so exceeding it is detected rather than clipped.
    const size_t room = std::min(kChunkBytes, decoded_bytes_max + 1 - out.size());
    const size_t before = out.size();
    out.resize(before + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(room);
    result = inflate(&stream, Z_NO_FLUSH);
    out.resize(before + room - stream.avail_out);
    if (out.size() > decoded_bytes_max) {
      return TooLargeError(
          fmt::format("gzip body decodes to more than the limit of {} bytes", decoded_bytes_max));
    }
    if (result == Z_STREAM_END) {
      if (stream.avail_in == 0) return out;
      // Another gzip member follows (RFC 1952 allows concatenation).
      if (inflateReset(&stream) != Z_OK) return InternalError("zlib failed to reset");
      continue;
    }
    if (result == Z_BUF_ERROR && stream.avail_in == 0) {
      return InvalidArgumentError("gzip body is truncated");
    }
    if (result != Z_OK) {
      return InvalidArgumentError(
          fmt::format("gzip body is corrupt: {}", stream.msg != nullptr ? stream.msg : "bad data"));
    }
  }
}

}  // namespace banyan::http::internal
