// The engine snapshot file: one Snapshot written to disk so a restart loads it and replays only
// the event-log tail after it, instead of rebuilding from the store. The format (magic, version,
// CRC32C-checked sections) is in docs/formats/engine_snapshot.md.
//
// Only data is stored — customers, attribute values, event sequences, dictionaries; the
// indexes (per-value bitmaps, range indexes, who-did-it bitmaps) are rebuilt on load, so the
// file cannot disagree with itself. Every length, count and id is checked on load: a damaged
// file is DataLoss naming its section, never a crash.
//
// Used by the customer service at start and shutdown (wired by the lead).
// Thread safety: the functions touch only their arguments; a snapshot may be written while the
// engine goes on applying batches.

#ifndef BANYAN_ENGINE_SNAPSHOT_FILE_H_
#define BANYAN_ENGINE_SNAPSHOT_FILE_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "engine/snapshot.h"

namespace banyan::engine {

inline constexpr std::string_view kSnapshotMagic = "BNYNENG1";
inline constexpr std::string_view kSnapshotEndMagic = "BNYNEND1";
inline constexpr uint32_t kSnapshotFormatVersion = 1;
inline constexpr uint64_t kSnapshotSectionBytesMax = uint64_t{1} << 40;

// The file's bytes.
std::string EncodeSnapshot(const Snapshot& snapshot);
Result<std::shared_ptr<const Snapshot>> DecodeSnapshot(std::string_view bytes);

// Writes `path` through a temporary file, fsync and rename: a crash leaves the old file or the
// new one. Unavailable when the file system fails.
Status WriteSnapshotFile(const Snapshot& snapshot, const std::filesystem::path& path);
// NotFound when there is no file; DataLoss when it is damaged.
Result<std::shared_ptr<const Snapshot>> LoadSnapshotFile(const std::filesystem::path& path);

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_SNAPSHOT_FILE_H_
