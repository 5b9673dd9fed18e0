#include "events/import_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "base/json.h"
#include "events/internal/wire_csv.h"
#include "events/internal/wire_json.h"
#include "events/internal/wire_lines.h"
#include "events/internal/wire_time.h"
#include "events/segment_protocol.h"

namespace banyan::events {
namespace {

using internal::LineKind;

Status LineTooLong() {
  return TooLargeError(fmt::format("line longer than {} bytes", kImportLineBytesMax));
}

class NdjsonReader final : public ImportReader {
 public:
  NdjsonReader(ByteSource* source, const WireContext& context)
      : lines_(source, kImportLineBytesMax), context_(context) {}

  Result<bool> Next(ImportRecord* record) override {
    std::string line;
    while (true) {
      ASSIGN_OR_RETURN(const LineKind kind, lines_.Next(&line));
      if (kind == LineKind::kEnd) return false;
      *record = ImportRecord{lines_.line_number(), std::nullopt, Status::Ok()};
      if (kind == LineKind::kTooLong) {
        record->reject = LineTooLong();
        return true;
      }
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      auto event = decoder_.DecodeImportEvent(line, context_, &c3_removed_);
      if (event.ok()) {
        record->event = std::move(event).value();
      } else {
        record->reject = event.status();
      }
      return true;
    }
  }
  const C3Counts& c3_removed() const override { return c3_removed_; }

 private:
  internal::LineSource lines_;
  WireContext context_;
  SegmentDecoder decoder_;
  C3Counts c3_removed_;
};

enum class ColumnKind {
  kMessageId,
  kType,
  kEvent,
  kUserId,
  kAnonymousId,
  kTimestamp,
  kChannel,
  kProperty
};
enum class ValueType { kString, kNumber, kInteger, kBoolean, kJson };

struct Column {
  ColumnKind kind;
  std::string header;
  std::string property;  // kProperty: the property name
  ValueType value_type = ValueType::kString;
};

constexpr std::string_view kPropertyPrefix = "properties.";

Result<Column> ParseHeader(const std::string& header) {
  static const std::pair<std::string_view, ColumnKind> kFixed[] = {
      {"message_id", ColumnKind::kMessageId},
      {"type", ColumnKind::kType},
      {"event", ColumnKind::kEvent},
      {"user_id", ColumnKind::kUserId},
      {"anonymous_id", ColumnKind::kAnonymousId},
      {"timestamp", ColumnKind::kTimestamp},
      {"channel", ColumnKind::kChannel}};
  for (const auto& [name, kind] : kFixed) {
    if (header == name) return Column{kind, header, {}, ValueType::kString};
  }
  if (!header.starts_with(kPropertyPrefix)) {
    return InvalidArgumentError(fmt::format("unknown column '{}'", header), "/" + header);
  }
  Column column{ColumnKind::kProperty, header, header.substr(kPropertyPrefix.size()),
                ValueType::kString};
  static const std::pair<std::string_view, ValueType> kTypes[] = {{":string", ValueType::kString},
                                                                  {":number", ValueType::kNumber},
                                                                  {":integer", ValueType::kInteger},
                                                                  {":boolean", ValueType::kBoolean},
                                                                  {":json", ValueType::kJson}};
  for (const auto& [suffix, type] : kTypes) {
    if (column.property.ends_with(suffix)) {
      column.property.resize(column.property.size() - suffix.size());
      column.value_type = type;
      break;
    }
  }
  if (column.property.empty()) {
    return InvalidArgumentError("empty property name", "/" + header);
  }
  return column;
}

// Appends `cell` as a JSON value of `type`, or fails naming the column.
Status AppendTypedValue(const Column& column, const std::string& cell, std::string* out) {
  const std::string field = "/" + column.header;
  switch (column.value_type) {
    case ValueType::kString:
      internal::AppendJsonString(cell, out);
      return Status::Ok();
    case ValueType::kInteger: {
      int64_t value = 0;
      const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
      if (ec != std::errc() || end != cell.data() + cell.size()) {
        return InvalidArgumentError("expected an integer", field);
      }
      out->append(cell);
      return Status::Ok();
    }
    case ValueType::kNumber: {
      char* end = nullptr;
      const double value = std::strtod(cell.c_str(), &end);
      if (end != cell.c_str() + cell.size() || !std::isfinite(value)) {
        return InvalidArgumentError("expected a number", field);
      }
      internal::AppendJsonDouble(value, out);
      return Status::Ok();
    }
    case ValueType::kBoolean:
      if (cell == "true" || cell == "1" || cell == "TRUE" || cell == "True") {
        out->append("true");
      } else if (cell == "false" || cell == "0" || cell == "FALSE" || cell == "False") {
        out->append("false");
      } else {
        return InvalidArgumentError("expected true or false", field);
      }
      return Status::Ok();
    case ValueType::kJson: {
      auto parsed = ParseJson(cell, {kImportLineBytesMax, kJsonDepthMax});
      if (!parsed.ok()) return InvalidArgumentError("expected JSON", field);
      out->append(parsed->dump());
      return Status::Ok();
    }
  }
  return InternalError("unhandled value type");
}

// The fixed columns of one record, and its properties as JSON text.
struct Cells {
  std::string_view message_id, type, event, user_id, anonymous_id, timestamp, channel;
  std::string properties = "{";
};

class CsvReader final : public ImportReader {
 public:
  CsvReader(ByteSource* source, const WireContext& context)
      : lines_(source, kImportLineBytesMax),
        context_(context),
        parser_(kImportLineBytesMax * 2),
        filter_(context.c3_filter ? context.c3_filter : &C3Filter::Default()) {}

  Status ReadHeader();
  Result<bool> Next(ImportRecord* record) override;
  const C3Counts& c3_removed() const override { return c3_removed_; }

 private:
  // Reads one record, joining lines inside quotes. kTooLong when it exceeds the limit.
  Result<LineKind> ReadRecord(std::string* text, int64_t* first_line);
  Result<Cells> ReadCells(const std::string& text);
  Result<Event> ToEvent(const std::string& text);
  Status FillPayload(const Cells& cells, Event* event);

  internal::LineSource lines_;
  WireContext context_;
  internal::WireJsonParser parser_;
  const C3Filter* filter_;
  C3Counts c3_removed_;
  std::vector<Column> columns_;
  std::vector<std::string> fields_;
};

Result<LineKind> CsvReader::ReadRecord(std::string* text, int64_t* first_line) {
  text->clear();
  std::string line;
  *first_line = 0;
  while (true) {
    ASSIGN_OR_RETURN(const LineKind kind, lines_.Next(&line));
    if (kind == LineKind::kEnd) {
      if (*first_line == 0) return LineKind::kEnd;
      return LineKind::kLine;  // an unterminated quote at the end: ToEvent reports it
    }
    if (*first_line == 0) *first_line = lines_.line_number();
    // An overlong record is skipped up to the end of its line; its quotes cannot be trusted.
    if (kind == LineKind::kTooLong || text->size() + line.size() > kImportLineBytesMax) {
      text->clear();
      return LineKind::kTooLong;
    }
    if (lines_.line_number() != *first_line) text->push_back('\n');
    text->append(line);
    internal::CsvSplit split = internal::CsvSplit::kComplete;
    const Status status = internal::SplitCsvRecord(*text, kCsvColumnsMax, &fields_, &split);
    if (!status.ok()) return LineKind::kLine;  // ToEvent reports the error
    if (split == internal::CsvSplit::kComplete) return LineKind::kLine;
  }
}

Status CsvReader::ReadHeader() {
  std::string text;
  int64_t first_line = 0;
  ASSIGN_OR_RETURN(const LineKind kind, ReadRecord(&text, &first_line));
  if (kind == LineKind::kEnd) return InvalidArgumentError("the CSV file has no header row");
  if (kind == LineKind::kTooLong) return LineTooLong();
  internal::CsvSplit split;
  RETURN_IF_ERROR(internal::SplitCsvRecord(text, kCsvColumnsMax, &fields_, &split));
  for (const auto& header : fields_) {
    ASSIGN_OR_RETURN(Column column, ParseHeader(header));
    for (const auto& existing : columns_) {
      const bool same = existing.kind == column.kind && (column.kind != ColumnKind::kProperty ||
                                                         existing.property == column.property);
      if (same) {
        return InvalidArgumentError(fmt::format("column '{}' appears twice", header), "/" + header);
      }
    }
    columns_.push_back(std::move(column));
  }
  return Status::Ok();
}

Result<bool> CsvReader::Next(ImportRecord* record) {
  std::string text;
  while (true) {
    int64_t first_line = 0;
    ASSIGN_OR_RETURN(const LineKind kind, ReadRecord(&text, &first_line));
    if (kind == LineKind::kEnd) return false;
    *record = ImportRecord{first_line, std::nullopt, Status::Ok()};
    if (kind == LineKind::kTooLong) {
      record->reject = LineTooLong();
      return true;
    }
    if (text.empty()) continue;
    auto event = ToEvent(text);
    if (event.ok()) {
      record->event = std::move(event).value();
    } else {
      record->reject = event.status();
    }
    return true;
  }
}

Result<Timestamp> ParseImportTime(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("is required", "/timestamp");
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t millis = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), millis);
    if (ec == std::errc() && end == text.data() + text.size() &&
        millis <= internal::kUnixMillisMax) {
      return FromUnixMicros(millis * 1000);
    }
  } else if (auto parsed = internal::ParseWireTimestamp(text)) {
    return *parsed;
  }
  return InvalidArgumentError("expected an RFC 3339 timestamp or Unix milliseconds", "/timestamp");
}

Result<EventType> ParseImportType(std::string_view text) {
  if (text.empty()) return EventType::kTrack;
  const auto type = SegmentTypeFromName(text);
  if (type && (*type == EventType::kTrack || *type == EventType::kIdentify ||
               *type == EventType::kPage || *type == EventType::kScreen)) {
    return *type;
  }
  return InvalidArgumentError(
      fmt::format("unsupported type '{}'; expected track, identify, page or screen",
                  text.substr(0, 32)),
      "/type");
}

Result<Cells> CsvReader::ReadCells(const std::string& text) {
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    return InvalidArgumentError("the record is not valid UTF-8");
  }
  internal::CsvSplit split;
  RETURN_IF_ERROR(internal::SplitCsvRecord(text, kCsvColumnsMax, &fields_, &split));
  if (split == internal::CsvSplit::kOpenQuote) {
    return InvalidArgumentError("unterminated quoted field");
  }
  if (fields_.size() != columns_.size()) {
    return InvalidArgumentError(
        fmt::format("expected {} fields, found {}", columns_.size(), fields_.size()));
  }
  Cells cells;
  bool first = true;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& column = columns_[i];
    const std::string& cell = fields_[i];
    switch (column.kind) {
      case ColumnKind::kMessageId:
        cells.message_id = cell;
        break;
      case ColumnKind::kType:
        cells.type = cell;
        break;
      case ColumnKind::kEvent:
        cells.event = cell;
        break;
      case ColumnKind::kUserId:
        cells.user_id = cell;
        break;
      case ColumnKind::kAnonymousId:
        cells.anonymous_id = cell;
        break;
      case ColumnKind::kTimestamp:
        cells.timestamp = cell;
        break;
      case ColumnKind::kChannel:
        cells.channel = cell;
        break;
      case ColumnKind::kProperty:
        if (cell.empty()) break;
        if (!first) cells.properties.push_back(',');
        first = false;
        internal::AppendJsonString(column.property, &cells.properties);
        cells.properties.push_back(':');
        RETURN_IF_ERROR(AppendTypedValue(column, cell, &cells.properties));
        break;
    }
  }
  cells.properties.push_back('}');
  return cells;
}

Status CsvReader::FillPayload(const Cells& cells, Event* event) {
  ASSIGN_OR_RETURN(const internal::JsonElement root, parser_.Parse(cells.properties));
  std::string& target = event->type == EventType::kIdentify ? event->traits : event->properties;
  target.clear();
  internal::JsonWriter(filter_, &c3_removed_).Value(root, &target);
  if (!cells.channel.empty()) {
    auto channel = ChannelFromName(cells.channel);
    if (!channel) channel = ChannelFromAlias(cells.channel);
    if (!channel) {
      return InvalidArgumentError(fmt::format("unknown channel '{}'", cells.channel.substr(0, 48)),
                                  "/channel");
    }
    event->channel = *channel;
    return Status::Ok();
  }
  const auto object = internal::AsObject(root);
  ChannelHints hints;
  hints.property_channel = internal::FindString(*object, "channel");
  hints.campaign_source = internal::FindString(*object, "utm_source");
  event->channel = DeriveChannel(hints);
  return Status::Ok();
}

Result<Event> CsvReader::ToEvent(const std::string& text) {
  ASSIGN_OR_RETURN(const Cells cells, ReadCells(text));
  Event event;
  event.source = EventSource::kImport;
  ASSIGN_OR_RETURN(event.type, ParseImportType(cells.type));
  if (cells.event.size() > kEventNameBytesMax) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", kEventNameBytesMax), "/event");
  }
  event.name = cells.event;
  if (event.type == EventType::kTrack && event.name.empty()) {
    return InvalidArgumentError("is required", "/event");
  }
  if (cells.user_id.empty() && cells.anonymous_id.empty()) {
    return InvalidArgumentError("user_id or anonymous_id is required");
  }
  RETURN_IF_ERROR(AddIdentifier(kAppUserId, cells.user_id, &event.identifiers, "/user_id"));
  RETURN_IF_ERROR(
      AddIdentifier(kAnonymousId, cells.anonymous_id, &event.identifiers, "/anonymous_id"));
  ASSIGN_OR_RETURN(const Timestamp time, ParseImportTime(cells.timestamp));
  event.received_at = context_.received_at;
  event.event_time = CorrectClockSkew(context_.received_at, std::nullopt, time);
  if (cells.message_id.size() > kMessageIdBytesMax) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", kMessageIdBytesMax),
                                "/message_id");
  }
  event.message_id = cells.message_id.empty() ? internal::HashedMessageId("import-", text)
                                              : std::string(cells.message_id);
  RETURN_IF_ERROR(FillPayload(cells, &event));
  event.write_key_id = context_.write_key_id;
  event.project = context_.project;
  return event;
}

}  // namespace

Result<size_t> StringByteSource::Read(char* buffer, size_t size) {
  const size_t n = std::min(size, bytes_.size());
  std::copy_n(bytes_.data(), n, buffer);
  bytes_.remove_prefix(n);
  return n;
}

Result<size_t> IstreamByteSource::Read(char* buffer, size_t size) {
  stream_->read(buffer, static_cast<std::streamsize>(size));
  if (stream_->bad()) return UnavailableError("reading the import input failed");
  return static_cast<size_t>(stream_->gcount());
}

Result<std::unique_ptr<ImportReader>> ImportReader::Open(ByteSource* source, ImportFormat format,
                                                         const WireContext& context) {
  if (format == ImportFormat::kNdjson) {
    return std::unique_ptr<ImportReader>(std::make_unique<NdjsonReader>(source, context));
  }
  auto reader = std::make_unique<CsvReader>(source, context);
  RETURN_IF_ERROR(reader->ReadHeader());
  return std::unique_ptr<ImportReader>(std::move(reader));
}

}  // namespace banyan::events
