// RecordReader: reads the records of a core-banking import file — CSV (RFC 4180: header row,
// quoted fields with doubled quotes and line breaks, CRLF or LF) or NDJSON (one JSON object per
// line) — one at a time through a fixed buffer, with the byte offset after each record, so an
// import can resume at a committed offset without reading the rows before it.
//
// A UTF-8 byte-order mark at the start is skipped; blank lines are skipped and not counted.
// A record longer than kImportRowBytesMax, a CSV record with a stray quote or the wrong number
// of fields, and an NDJSON line that is not a JSON object come back as rejects (with the reason)
// and reading continues. A CSV header that is empty, has empty or repeated column names or more
// than kImportColumnsMax columns fails Open with InvalidArgument; so does NDJSON whose first
// record is not a JSON object (the file is not NDJSON at all).
//
// Used by the profile importer only. Thread safety: a reader belongs to one thread.

#ifndef BANYAN_PROFILE_INTERNAL_RECORD_READER_H_
#define BANYAN_PROFILE_INTERNAL_RECORD_READER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace banyan::profile::internal {

inline constexpr size_t kImportRowBytesMax = 64 * 1024;  // one record, without its line end
inline constexpr size_t kImportColumnsMax = 64;
inline constexpr size_t kImportReadBytes = 1 << 20;  // one read from the file

enum class FileFormat { kCsv, kNdjson };

// ".csv" → CSV; ".ndjson", ".jsonl" → NDJSON; otherwise InvalidArgument naming "/path".
Result<FileFormat> FormatOfPath(std::string_view path);

struct Record {
  int64_t row = 0;                  // data records counted from 1 (the CSV header is not a row)
  std::string text;                 // the record as in the file, without its line end
  int64_t end_offset = 0;           // byte offset just after the record's line end
  std::vector<std::string> fields;  // CSV: one per header column
  Json object;                      // NDJSON: the parsed object
  std::string reject;               // why the record cannot be read; empty when it can
};

class RecordReader {
 public:
  // Opens `path`; for CSV reads the header. Reading starts after the header (or the byte-order
  // mark), or at `resume_offset` / after `resume_rows` rows when resume_offset > 0.
  static Result<std::unique_ptr<RecordReader>> Open(const std::string& path, FileFormat format,
                                                    int64_t resume_offset = 0,
                                                    int64_t resume_rows = 0);
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The CSV header's column names (trimmed); empty for NDJSON.
  const std::vector<std::string>& columns() const { return columns_; }
  // The next record; false at the end of the file. A failed Result is an I/O error.
  Result<bool> Next(Record* record);
  // Offset just after the header (CSV) or the byte-order mark; where a fresh import starts.
  int64_t data_offset() const { return data_offset_; }

 private:
  RecordReader(std::FILE* file, FileFormat format) : file_(file), format_(format) {}
  // Reads one physical record into `text` (CSV: up to a line end outside quotes); false at EOF.
  Result<bool> ReadRaw(std::string* text, bool* too_long);
  Result<bool> Fill();
  Status ReadHeader();
  Status CheckNdjson();
  Status Seek(int64_t offset);

  std::FILE* file_;
  FileFormat format_;
  std::vector<std::string> columns_;
  std::string buffer_;
  size_t position_ = 0;        // next unread byte of buffer_
  int64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  bool eof_ = false;
  int64_t rows_ = 0;
  int64_t data_offset_ = 0;
};

// Splits one CSV record into fields. Returns false (with `error`) on a stray quote.
bool SplitCsv(std::string_view text, std::vector<std::string>* fields, std::string* error);

}  // namespace banyan::profile::internal

#endif  // BANYAN_PROFILE_INTERNAL_RECORD_READER_H_
