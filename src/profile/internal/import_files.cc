#include "profile/internal/import_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"

namespace banyan::profile::internal {
namespace {

constexpr size_t kHashReadBytes = 1 << 20;

Status IoError(std::string_view what, std::string_view path) {
  return UnavailableError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

// The lines of an existing report that belong to rows <= keep_rows_through.
Result<std::string> KeptLines(const std::string& path, int64_t keep_rows_through) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string();  // no report yet
  std::string kept;
  std::string line;
  while (std::getline(in, line)) {
    Result<Json> parsed = ParseJson(line);
    if (!parsed.ok() || !parsed->is_object() || !parsed->contains("row") ||
        !(*parsed)["row"].is_number_integer()) {
      continue;  // a torn last line
    }
    if ((*parsed)["row"].get<int64_t>() > keep_rows_through) continue;
    kept.append(line).push_back('\n');
  }
  return kept;
}

}  // namespace

Result<std::string> Sha256File(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    if (errno == ENOENT) return NotFoundError(fmt::format("{}: no such file", path));
    return IoError("cannot open", path);
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> buffer(kHashReadBytes);
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
    crypto_hash_sha256_update(&state, buffer.data(), got);
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return IoError("cannot read", path);
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&state, digest.data());
  return HexEncode(digest);
}

Result<std::unique_ptr<RejectWriter>> RejectWriter::Open(const std::string& path, bool resume,
                                                         int64_t keep_rows_through) {
  std::string kept;
  if (resume) {
    ASSIGN_OR_RETURN(kept, KeptLines(path, keep_rows_through));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create the reject report", path);
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    return IoError("cannot open the reject report", path);
  }
  auto writer = std::unique_ptr<RejectWriter>(new RejectWriter(file));
  if (!kept.empty() && std::fwrite(kept.data(), 1, kept.size(), file) != kept.size()) {
    return IoError("cannot write the reject report", path);
  }
  RETURN_IF_ERROR(writer->Flush());
  return writer;
}

RejectWriter::~RejectWriter() { std::fclose(file_); }

Status RejectWriter::Write(int64_t row, std::string_view line, std::string_view field,
                           std::string_view error) {
  Json object = {{"row", row},
                 {"line", std::string(line)},
                 {"field", field.empty() ? Json(nullptr) : Json(std::string(field))},
                 {"error", std::string(error)}};
  // The line is the input's bytes: replace what is not UTF-8 rather than fail.
  std::string text = object.dump(-1, ' ', false, Json::error_handler_t::replace);
  text.push_back('\n');
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    return UnavailableError(
        fmt::format("cannot write the reject report: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

Status RejectWriter::Flush() {
  if (std::fflush(file_) != 0) {
    return UnavailableError(
        fmt::format("cannot write the reject report: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

Result<std::optional<ProgressRow>> ReadProgress(store::Transaction& tx, std::string_view sha256,
                                                std::string_view kind) {
  std::optional<ProgressRow> out;
  RETURN_IF_ERROR(tx.Query(
      "SELECT path, rows_done, bytes_done, rows_imported, rows_rejected, started_at, finished_at "
      "FROM import_progress WHERE file_sha256 = ? AND kind = ?",
      {sha256, kind},
      [&](const store::Row& row) {
        out = ProgressRow{row.Text(0), row.Int(1), row.Int(2),        row.Int(3),
                          row.Int(4),  row.Int(5), row.OptionalInt(6)};
        return Status::Ok();
      },
      1));
  return out;
}

Status WriteProgress(store::Transaction& tx, std::string_view sha256, std::string_view kind,
                     const ProgressRow& row, Timestamp now) {
  return tx.Execute(
      "INSERT INTO import_progress (file_sha256, kind, path, rows_done, bytes_done, "
      "rows_imported, rows_rejected, started_at, updated_at, finished_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (file_sha256, kind) DO UPDATE SET "
      "path = excluded.path, rows_done = excluded.rows_done, bytes_done = excluded.bytes_done, "
      "rows_imported = excluded.rows_imported, rows_rejected = excluded.rows_rejected, "
      "updated_at = excluded.updated_at, finished_at = excluded.finished_at",
      {sha256, kind, row.path, row.rows_done, row.bytes_done, row.rows_imported, row.rows_rejected,
       row.started_at_us, ToUnixMicros(now), row.finished_at_us});
}

}  // namespace banyan::profile::internal
