// Gzip for tests: compresses a string the way SDKs compress request bodies (one gzip member,
// best compression). Test-only; product code decodes gzip (internal/gzip.h) but never encodes it.
// Thread safety: stateless.

#ifndef BANYAN_HTTP_INTERNAL_GZIP_TESTING_H_
#define BANYAN_HTTP_INTERNAL_GZIP_TESTING_H_

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace banyan::http::testing {

inline std::string Gzip(std::string_view data) {
  z_stream stream{};
  EXPECT_EQ(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace banyan::http::testing

#endif  // BANYAN_HTTP_INTERNAL_GZIP_TESTING_H_
