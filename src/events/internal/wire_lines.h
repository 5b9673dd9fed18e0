// Internal to the import reader: splits a byte stream, gunzipped on the fly when it starts with
// the gzip magic, into lines of bounded length without holding more than a few chunks.
// Thread safety: a LineSource belongs to one thread.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_LINES_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_LINES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "events/import_reader.h"
#include "events/internal/wire_gzip.h"

namespace banyan::events::internal {

enum class LineKind { kLine, kTooLong, kEnd };

class LineSource {
 public:
  LineSource(ByteSource* source, size_t line_bytes_max);

  // The next line without its "\n" or "\r\n" (and without a leading byte-order mark on the
  // first line). kTooLong: the line was longer than the limit and was skipped.
  Result<LineKind> Next(std::string* line);
  // Number of the line last returned, from 1.
  int64_t line_number() const { return line_number_; }

 private:
  Result<bool> Fill();  // appends to buffer_; false at the end of the input
  Result<bool> FillFromGzip();

  ByteSource* source_;
  size_t line_bytes_max_;
  std::string buffer_;  // decompressed bytes not yet returned start at pos_
  size_t pos_ = 0;
  std::unique_ptr<char[]> chunk_;  // kImportChunkBytes read from the source
  std::string raw_;                // the compressed chunk being inflated
  std::unique_ptr<GzipStream> gzip_;
  bool started_ = false;
  bool at_end_ = false;
  int64_t line_number_ = 0;
};

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_LINES_H_
