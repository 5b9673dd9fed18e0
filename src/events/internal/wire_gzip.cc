#include "events/internal/wire_gzip.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/check.h"

namespace banyan::events::internal {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer
constexpr size_t kChunkBytes = 16 * 1024;

}  // namespace

bool HasGzipMagic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x1f &&
         static_cast<uint8_t>(bytes[1]) == 0x8b;
}

GzipStream::GzipStream() {
  const int rc = inflateInit2(&stream_, kGzipWindowBits);
  CHECK(rc == Z_OK, "inflateInit2 failed: {}", rc);
}

GzipStream::~GzipStream() { inflateEnd(&stream_); }

Status GzipStream::Feed(std::string_view input, std::string* out, size_t out_bytes_max) {
  if (!input.empty()) {
    CHECK(!pending(), "GzipStream fed before its previous input was consumed");
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
  }
  std::array<char, kChunkBytes> chunk;
  while (pending()) {
    if (out->size() >= out_bytes_max) return Status::Ok();  // the caller drains, then calls again
    if (ended_) {
      if (stream_.avail_in == 0) break;
      // Another gzip member follows the one that ended.
      if (inflateReset(&stream_) != Z_OK) return InvalidArgumentError("corrupt gzip stream");
      ended_ = false;
    }
    const size_t room = std::min(chunk.size(), out_bytes_max - out->size());
    stream_.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream_.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&stream_, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      output_pending_ = false;
      stream_.avail_in = 0;
      return InvalidArgumentError(
          fmt::format("corrupt gzip stream: {}", stream_.msg ? stream_.msg : "inflate failed"));
    }
    const size_t produced = room - stream_.avail_out;
    out->append(chunk.data(), produced);
    output_pending_ = stream_.avail_out == 0;
    if (rc == Z_STREAM_END) {
      ended_ = true;
      output_pending_ = false;
    }
    if (rc == Z_BUF_ERROR && produced == 0) output_pending_ = false;  // needs more input
  }
  return Status::Ok();
}

Status GzipStream::Finish() const {
  if (!ended_) return InvalidArgumentError("gzip stream is truncated");
  return Status::Ok();
}

Result<std::string> GunzipBounded(std::string_view compressed, size_t output_bytes_max) {
  if (!HasGzipMagic(compressed)) return InvalidArgumentError("not gzip data");
  GzipStream stream;
  std::string out;
  RETURN_IF_ERROR(stream.Feed(compressed, &out, output_bytes_max));
  if (stream.pending()) {
    return TooLargeError(
        fmt::format("decompressed data exceeds the limit of {} bytes", output_bytes_max));
  }
  RETURN_IF_ERROR(stream.Finish());
  return out;
}

}  // namespace banyan::events::internal
