// ImportReader: reads historical events from a file for `banyan import events FILE`, one at a
// time, without loading the file into memory.
//
// Formats (gzip-compressed input is recognised by its magic bytes 1f 8b and decompressed on
// the fly; a UTF-8 byte-order mark and CRLF line ends are accepted):
//   NDJSON — one Segment-shaped event per line (segment_protocol.h rules, source "import"),
//            "timestamp" required; blank lines are skipped.
//   CSV    — RFC 4180 (quoted fields may hold commas, doubled quotes and line breaks). The first
//            record is the header; columns, in any order:
//              message_id    the dedup key; empty: "import-" + BLAKE2b-128 of the record's text,
//                            so importing the same file twice stores each event once
//              type          track (default when empty), identify, page or screen
//              event         the event name (track: required; page/screen: their name)
//              user_id, anonymous_id   at least one per record
//              timestamp     required: RFC 3339, or milliseconds since the Unix epoch
//              channel       optional: a channel name or alias (normalize.h); empty: derived
//                            from properties.channel / properties.utm_source
//              properties.NAME[:TYPE]  one property; TYPE is string (default), number,
//                            integer, boolean (true/false/1/0) or json; empty cells are left
//                            out; identify records put them in traits
//            An unknown or repeated column fails Open: a typo must not silently drop data.
// A record that cannot become an Event is returned as a reject with its first line number and
// a Status whose field names the column ("/timestamp") or the JSON member ("/properties");
// reading continues with the next record. Lines longer than kImportLineBytesMax are rejects.
//
// Thread safety: an ImportReader belongs to one thread.

#ifndef BANYAN_EVENTS_IMPORT_READER_H_
#define BANYAN_EVENTS_IMPORT_READER_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "events/event.h"
#include "events/normalize.h"

namespace banyan::events {

inline constexpr size_t kImportLineBytesMax = 64 * 1024;  // also bounds one CSV record
inline constexpr size_t kImportChunkBytes = 64 * 1024;
inline constexpr size_t kCsvColumnsMax = 256;

enum class ImportFormat { kNdjson, kCsv };

// Where the bytes come from. Read returns 0 at the end of the input.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> Read(char* buffer, size_t size) = 0;
};

class StringByteSource final : public ByteSource {
 public:
  explicit StringByteSource(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> Read(char* buffer, size_t size) override;

 private:
  std::string_view bytes_;
};

class IstreamByteSource final : public ByteSource {
 public:
  explicit IstreamByteSource(std::istream* stream) : stream_(stream) {}
  Result<size_t> Read(char* buffer, size_t size) override;

 private:
  std::istream* stream_;
};

struct ImportRecord {
  int64_t line = 0;            // first line of the record, counting from 1
  std::optional<Event> event;  // the event, when accepted
  Status reject;               // why not, when rejected
};

class ImportReader {
 public:
  // For CSV, reads and checks the header. `source` must outlive the reader.
  static Result<std::unique_ptr<ImportReader>> Open(ByteSource* source, ImportFormat format,
                                                    const WireContext& context);
  virtual ~ImportReader() = default;

  // The next record; false at the end of the input. A failed Result is about the input as a
  // whole (unreadable, corrupt or truncated gzip): stop reading.
  virtual Result<bool> Next(ImportRecord* record) = 0;
  // C3 members removed so far, by rule.
  virtual const C3Counts& c3_removed() const = 0;
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_IMPORT_READER_H_
