// Writing the engine snapshot file (reading is in snapshot_file_load.cc).

#include "engine/snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/internal/bytes.h"
#include "engine/internal/snapshot_sections.h"
#include "events/crc32c.h"

namespace banyan::engine {

namespace {

using internal::ByteWriter;
using internal::SectionKind;

void PutDictionary(ByteWriter& out, const Dictionary& dictionary) {
  std::vector<std::string> names = dictionary.All();
  out.Put<uint32_t>(static_cast<uint32_t>(names.size()));
  for (const std::string& name : names) out.PutBytes(name);
}

std::string CatalogSection(const Snapshot& snapshot) {
  std::string bytes;
  ByteWriter out(bytes);
  const internal::Catalog& catalog = snapshot.catalog();
  out.Put<uint64_t>(snapshot.version());
  out.Put<uint32_t>(snapshot.index_count());
  out.Put<uint32_t>(static_cast<uint32_t>(catalog.attributes.size()));
  for (const AttributeSpec& spec : catalog.attributes) {
    out.PutBytes(spec.name);
    out.Put<uint8_t>(static_cast<uint8_t>(spec.kind));
  }
  PutDictionary(out, *catalog.event_types);
  PutDictionary(out, *catalog.property_keys);
  PutDictionary(out, *catalog.property_values);
  for (const auto& dictionary : catalog.attribute_values) {
    if (dictionary != nullptr) PutDictionary(out, *dictionary);
  }
  return bytes;
}

std::string CustomersSection(const Snapshot& snapshot) {
  std::string bytes;
  ByteWriter out(bytes);
  out.Put<uint64_t>(snapshot.index_count());
  for (uint32_t index = 0; index < snapshot.index_count(); ++index) {
    const auto& persons = snapshot.chunk(index >> kChunkBits).customers->persons;
    out.Put<int64_t>(persons[index & (kChunkCustomers - 1)]);
  }
  out.PutBytes(snapshot.live().Serialize());
  return bytes;
}

std::string ColumnSection(const Snapshot& snapshot, uint32_t attribute) {
  std::string bytes;
  ByteWriter out(bytes);
  const AttributeKind kind = snapshot.catalog().attributes[attribute].kind;
  out.Put<uint32_t>(attribute);
  std::vector<const Bitmap*> has;
  size_t members = 0;
  for (size_t c = 0; c < snapshot.chunk_count(); ++c) {
    const internal::ColumnChunk& column = *snapshot.chunk(c).columns[attribute];
    has.push_back(&column.has);
    members = std::max(members, column.by_value.size());
  }
  const Bitmap all = Bitmap::Union(has);
  out.PutBytes(all.Serialize());
  if (kind != AttributeKind::kStringList) {
    all.ForEach([&](uint32_t index) {
      const auto& column = *snapshot.chunk(index >> kChunkBits).columns[attribute];
      out.Put<int64_t>(column.values[index & (kChunkCustomers - 1)]);
      return true;
    });
    return bytes;
  }
  out.Put<uint32_t>(static_cast<uint32_t>(members));
  for (uint32_t id = 0; id < members; ++id) {
    std::vector<const Bitmap*> holders;
    for (size_t c = 0; c < snapshot.chunk_count(); ++c) {
      const internal::ColumnChunk& column = *snapshot.chunk(c).columns[attribute];
      if (id < column.by_value.size()) holders.push_back(&column.by_value[id]);
    }
    out.PutBytes(Bitmap::Union(holders).Serialize());
  }
  return bytes;
}

std::string EventsSection(const Snapshot& snapshot) {
  std::string bytes;
  ByteWriter out(bytes);
  uint32_t customers = 0;
  for (uint32_t index = 0; index < snapshot.index_count(); ++index) {
    customers += snapshot.Sequence(index).count > 0 ? 1 : 0;
  }
  out.Put<uint32_t>(customers);
  for (uint32_t index = 0; index < snapshot.index_count(); ++index) {
    const internal::SequenceView view = snapshot.Sequence(index);
    if (view.count == 0) continue;
    const size_t property_bytes = view.PropertyOffset(view.count);
    out.Put<uint32_t>(index);
    out.Put<uint32_t>(view.count);
    out.Put<uint32_t>(static_cast<uint32_t>(property_bytes));
    out.PutRaw(view.times, view.count * sizeof(uint32_t));
    out.PutRaw(view.types, view.count * sizeof(uint16_t));
    out.PutRaw(view.channels, view.count);
    out.PutRaw(view.property_lengths, view.count);
    out.PutRaw(view.properties, property_bytes);
  }
  return bytes;
}

void PutSection(ByteWriter& out, SectionKind kind, const std::string& payload) {
  out.Put<uint32_t>(static_cast<uint32_t>(kind));
  out.Put<uint32_t>(events::Crc32c(payload));
  out.PutBytes(payload);
}

Status ErrnoError(std::string_view what, const std::filesystem::path& path) {
  return UnavailableError(fmt::format("{} {}: {}", what, path.string(), std::strerror(errno)));
}

}  // namespace

std::string EncodeSnapshot(const Snapshot& snapshot) {
  std::string bytes;
  ByteWriter out(bytes);
  const uint32_t attributes = static_cast<uint32_t>(snapshot.catalog().attributes.size());
  out.PutRaw(kSnapshotMagic.data(), kSnapshotMagic.size());
  out.Put<uint32_t>(kSnapshotFormatVersion);
  out.Put<uint32_t>(3 + attributes);  // sections
  out.Put<uint32_t>(events::Crc32c(std::string_view(bytes)));
  PutSection(out, SectionKind::kCatalog, CatalogSection(snapshot));
  PutSection(out, SectionKind::kCustomers, CustomersSection(snapshot));
  for (uint32_t a = 0; a < attributes; ++a) {
    PutSection(out, SectionKind::kColumn, ColumnSection(snapshot, a));
  }
  PutSection(out, SectionKind::kEvents, EventsSection(snapshot));
  out.PutRaw(kSnapshotEndMagic.data(), kSnapshotEndMagic.size());
  return bytes;
}

Status WriteSnapshotFile(const Snapshot& snapshot, const std::filesystem::path& path) {
  const std::string bytes = EncodeSnapshot(snapshot);
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("open", temporary);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status error = ErrnoError("write", temporary);
      ::close(fd);
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status error = ErrnoError("fsync", temporary);
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return ErrnoError("close", temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) return ErrnoError("rename", path);
  return Status::Ok();
}

}  // namespace banyan::engine
