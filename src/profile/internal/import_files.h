// The files and rows around an import: the input's SHA-256 (its identity for resuming), the
// reject report and the import_progress row.
//
// Used by the profile importer only. Thread safety: a RejectWriter belongs to one thread.

#ifndef BANYAN_PROFILE_INTERNAL_IMPORT_FILES_H_
#define BANYAN_PROFILE_INTERNAL_IMPORT_FILES_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::profile::internal {

// Lower-case hex SHA-256 of the file at `path`.
Result<std::string> Sha256File(const std::string& path);

// The reject report: one JSON object per line,
// {"row":12,"line":"...","field":"phone","error":"phone: expected 11 digits starting with 1"},
// "field" null when the record as a whole is bad. Created with mode 0600.
class RejectWriter {
 public:
  // Fresh import: creates or truncates `path`. Resume (`keep_rows_through` > 0 or resuming):
  // keeps only the lines of rows <= keep_rows_through — the rejects of committed batches — so a
  // batch rolled back after its rejects were written does not report them twice.
  static Result<std::unique_ptr<RejectWriter>> Open(const std::string& path, bool resume,
                                                    int64_t keep_rows_through);
  ~RejectWriter();
  RejectWriter(const RejectWriter&) = delete;
  RejectWriter& operator=(const RejectWriter&) = delete;

  Status Write(int64_t row, std::string_view line, std::string_view field, std::string_view error);
  // Writes buffered lines to the file (before a batch commits).
  Status Flush();

 private:
  explicit RejectWriter(std::FILE* file) : file_(file) {}
  std::FILE* file_;
};

struct ProgressRow {
  std::string path;
  int64_t rows_done = 0;
  int64_t bytes_done = 0;
  int64_t rows_imported = 0;
  int64_t rows_rejected = 0;
  int64_t started_at_us = 0;
  std::optional<int64_t> finished_at_us;
};

Result<std::optional<ProgressRow>> ReadProgress(store::Transaction& tx, std::string_view sha256,
                                                std::string_view kind);
Status WriteProgress(store::Transaction& tx, std::string_view sha256, std::string_view kind,
                     const ProgressRow& row, Timestamp now);

}  // namespace banyan::profile::internal

#endif  // BANYAN_PROFILE_INTERNAL_IMPORT_FILES_H_
