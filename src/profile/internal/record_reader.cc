#include "profile/internal/record_reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "profile/internal/text.h"

namespace banyan::profile::internal {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

Status IoError(std::string_view what) {
  return UnavailableError(fmt::format("{}: {}", what, std::strerror(errno)));
}

}  // namespace

Result<FileFormat> FormatOfPath(std::string_view path) {
  if (EndsWith(path, ".csv")) return FileFormat::kCsv;
  if (EndsWith(path, ".ndjson") || EndsWith(path, ".jsonl")) return FileFormat::kNdjson;
  return InvalidArgumentError(
      fmt::format("path: cannot tell the format of '{}'; expected .csv, .ndjson or .jsonl", path),
      "/path");
}

bool SplitCsv(std::string_view text, std::vector<std::string>* fields, std::string* error) {
  fields->clear();
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (true) {
        const size_t quote = text.find('"', i);
        if (quote == std::string_view::npos) {
          *error = "a quoted field is not closed";
          return false;
        }
        field.append(text.substr(i, quote - i));
        i = quote + 1;
        if (i < text.size() && text[i] == '"') {  // a doubled quote stands for one
          field.push_back('"');
          ++i;
          continue;
        }
        break;
      }
      if (i < text.size() && text[i] != ',') {
        *error = fmt::format("unexpected text after a quoted field (field {})", fields->size() + 1);
        return false;
      }
    } else {
      const size_t comma = text.find(',', i);
      const std::string_view raw = text.substr(i, comma - i);
      if (raw.find('"') != std::string_view::npos) {
        *error = fmt::format("a quote inside an unquoted field (field {})", fields->size() + 1);
        return false;
      }
      field.assign(raw);
      i = comma == std::string_view::npos ? text.size() : comma;
    }
    fields->push_back(std::move(field));
    if (i >= text.size()) return true;
    ++i;  // the comma
    if (fields->size() > kImportColumnsMax) {
      *error = fmt::format("more than {} fields", kImportColumnsMax);
      return false;
    }
  }
}

Result<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path, FileFormat format,
                                                         int64_t resume_offset,
                                                         int64_t resume_rows) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    if (errno == ENOENT) return NotFoundError(fmt::format("{}: no such file", path));
    return IoError(fmt::format("cannot open {}", path));
  }
  auto reader = std::unique_ptr<RecordReader>(new RecordReader(file, format));
  ASSIGN_OR_RETURN(const bool any, reader->Fill());
  if (any && reader->buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) reader->position_ = 3;
  reader->data_offset_ = static_cast<int64_t>(reader->position_);
  if (format == FileFormat::kCsv) {
    RETURN_IF_ERROR(reader->ReadHeader());
  } else {
    RETURN_IF_ERROR(reader->CheckNdjson());
  }
  if (resume_offset > 0) {
    RETURN_IF_ERROR(reader->Seek(resume_offset));
    reader->rows_ = resume_rows;
  }
  return reader;
}

RecordReader::~RecordReader() { std::fclose(file_); }

Result<bool> RecordReader::Fill() {
  if (eof_) return false;
  buffer_.erase(0, position_);
  buffer_offset_ += static_cast<int64_t>(position_);
  position_ = 0;
  const size_t held = buffer_.size();
  buffer_.resize(held + kImportReadBytes);
  const size_t got = std::fread(buffer_.data() + held, 1, kImportReadBytes, file_);
  buffer_.resize(held + got);
  if (got == 0) {
    if (std::ferror(file_)) return IoError("cannot read the import file");
    eof_ = true;
    return false;
  }
  return true;
}

Status RecordReader::Seek(int64_t offset) {
  if (fseeko(file_, offset, SEEK_SET) != 0) return IoError("cannot seek in the import file");
  buffer_.clear();
  position_ = 0;
  buffer_offset_ = offset;
  eof_ = false;
  return Status::Ok();
}

namespace {

// Where an RFC 4180 scan stands inside one record.
struct CsvScan {
  bool field_start = true;     // the next character begins a field
  bool in_quote = false;       // inside a quoted field
  bool pending_quote = false;  // a quote inside a quoted field: closing, or the first of two

  void Feed(std::string_view bytes) {
    for (const char c : bytes) {
      if (in_quote) {
        if (!pending_quote) {
          pending_quote = c == '"';
          continue;
        }
        pending_quote = false;
        if (c == '"') continue;  // a doubled quote
        in_quote = false;        // the quote closed the field; `c` follows it
      }
      if (c == '"' && field_start) {
        in_quote = true;
        field_start = false;
      } else {
        field_start = c == ',';
      }
    }
  }
  // At a line end: does the record go on (the line end is inside a quoted field)?
  bool Continues() {
    if (in_quote && pending_quote) in_quote = pending_quote = false;
    field_start = false;  // a line end inside a field is part of it
    return in_quote;
  }
};

}  // namespace

Result<bool> RecordReader::ReadRaw(std::string* text, bool* too_long) {
  text->clear();
  *too_long = false;
  CsvScan scan;
  bool any = false;
  while (true) {
    if (position_ == buffer_.size()) {
      ASSIGN_OR_RETURN(const bool more, Fill());
      if (!more) break;  // the last record has no line end
    }
    any = true;
    const char* begin = buffer_.data() + position_;
    const size_t size = buffer_.size() - position_;
    const char* newline = static_cast<const char*>(std::memchr(begin, '\n', size));
    const size_t length = newline ? static_cast<size_t>(newline - begin) : size;
    if (format_ == FileFormat::kCsv && !*too_long) scan.Feed(std::string_view(begin, length));
    if (text->size() + length > kImportRowBytesMax) {
      *too_long = true;
      text->append(begin, kImportRowBytesMax - std::min(text->size(), kImportRowBytesMax));
    } else {
      text->append(begin, length);
    }
    position_ += length;
    if (newline == nullptr) continue;
    ++position_;  // the line end
    // A line end inside quotes belongs to the field (CSV), unless the record is already too
    // long, when reading resynchronises at the next line end.
    if (format_ == FileFormat::kCsv && !*too_long && scan.Continues()) {
      text->push_back('\n');
      continue;
    }
    break;
  }
  if (!text->empty() && text->back() == '\r') text->pop_back();
  return any;
}

Status RecordReader::ReadHeader() {
  std::string text;
  bool too_long = false;
  ASSIGN_OR_RETURN(const bool any, ReadRaw(&text, &too_long));
  if (!any || TrimSpace(text).empty()) {
    return InvalidArgumentError("the CSV file has no header row", "/header");
  }
  std::string error;
  if (too_long || !IsCleanUtf8(text) || !SplitCsv(text, &columns_, &error)) {
    return InvalidArgumentError(
        fmt::format("the CSV header cannot be read{}", error.empty() ? "" : ": " + error),
        "/header");
  }
  if (columns_.size() > kImportColumnsMax) {
    return InvalidArgumentError(
        fmt::format("the CSV header has more than {} columns", kImportColumnsMax), "/header");
  }
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i] = std::string(TrimSpace(columns_[i]));
    if (columns_[i].empty()) {
      return InvalidArgumentError(fmt::format("the CSV header's column {} has no name", i + 1),
                                  "/header");
    }
    if (!seen.insert(columns_[i]).second) {
      return InvalidArgumentError(
          fmt::format("the CSV header names column '{}' twice", columns_[i]), "/header");
    }
  }
  data_offset_ = buffer_offset_ + static_cast<int64_t>(position_);
  return Status::Ok();
}

Status RecordReader::CheckNdjson() {
  std::string text;
  bool too_long = false;
  while (true) {
    ASSIGN_OR_RETURN(const bool any, ReadRaw(&text, &too_long));
    if (!any) return Status::Ok();  // an empty file holds no rows
    if (!TrimSpace(text).empty()) break;
  }
  Result<Json> first = too_long ? Result<Json>(InvalidArgumentError("too long")) : ParseJson(text);
  if (!first.ok() || !first->is_object()) {
    return InvalidArgumentError("the file is not NDJSON: its first line is not a JSON object",
                                "/path");
  }
  return Seek(data_offset_);
}

Result<bool> RecordReader::Next(Record* record) {
  bool too_long = false;
  while (true) {
    ASSIGN_OR_RETURN(const bool any, ReadRaw(&record->text, &too_long));
    if (!any) return false;
    if (!TrimSpace(record->text).empty() || too_long) break;
  }
  record->row = ++rows_;
  record->end_offset = buffer_offset_ + static_cast<int64_t>(position_);
  record->reject.clear();
  record->fields.clear();
  if (too_long) {
    record->reject = fmt::format("the row is longer than {} bytes", kImportRowBytesMax);
    return true;
  }
  if (format_ == FileFormat::kNdjson) {
    Result<Json> object = ParseJson(record->text, {.bytes_max = kImportRowBytesMax});
    if (!object.ok()) {
      record->reject = object.status().message();
    } else if (!object->is_object()) {
      record->reject = "the line is not a JSON object";
    } else {
      record->object = std::move(*object);
    }
    return true;
  }
  std::string error;
  if (!SplitCsv(record->text, &record->fields, &error)) {
    record->reject = "malformed CSV: " + error;
  } else if (record->fields.size() != columns_.size()) {
    record->reject = fmt::format("expected {} fields as in the header, found {}", columns_.size(),
                                 record->fields.size());
  }
  return true;
}

}  // namespace banyan::profile::internal
