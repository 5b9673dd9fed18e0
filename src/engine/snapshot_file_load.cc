// Reading the engine snapshot file: every section checked, then the indexes rebuilt through
// the same Mutation the writer uses.

#include <fstream>
#include <iterator>

#include "engine/internal/bytes.h"
#include "engine/internal/columns.h"
#include "engine/internal/mutation.h"
#include "engine/internal/property.h"
#include "engine/internal/property_index.h"
#include "engine/internal/snapshot_sections.h"
#include "engine/snapshot_file.h"
#include "events/crc32c.h"

namespace banyan::engine {

namespace {

using internal::ByteReader;
using internal::Catalog;
using internal::Mutation;
using internal::SectionKind;

Status ReadDictionary(ByteReader& in, Dictionary& dictionary) {
  ASSIGN_OR_RETURN(uint32_t count, in.Get<uint32_t>());
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(std::string_view name, in.GetBytes());
    Result<uint32_t> id = dictionary.Intern(name);
    if (!id.ok() || *id != i) return in.Corrupt("a dictionary repeats a string or is too large");
  }
  return Status::Ok();
}

struct Header {
  uint64_t version = 0;
  uint32_t index_count = 0;
};

Result<std::shared_ptr<const Catalog>> ReadCatalog(ByteReader& in, Header& header) {
  ASSIGN_OR_RETURN(header.version, in.Get<uint64_t>());
  ASSIGN_OR_RETURN(header.index_count, in.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t attributes, in.Get<uint32_t>());
  if (header.index_count > kCustomersMax || attributes > kAttributesMax) {
    return in.Corrupt("too many customers or attributes");
  }
  auto catalog = std::make_shared<Catalog>();
  catalog->event_types = std::make_shared<Dictionary>("event types", kEventTypesMax);
  catalog->property_keys = std::make_shared<Dictionary>("event property keys", kPropertyKeysMax);
  catalog->property_values =
      std::make_shared<Dictionary>("event property values", kDictionaryValuesMax);
  for (uint32_t a = 0; a < attributes; ++a) {
    ASSIGN_OR_RETURN(std::string_view name, in.GetBytes());
    ASSIGN_OR_RETURN(uint8_t kind, in.Get<uint8_t>());
    if (kind < 1 || kind > 7 || name.empty() || catalog->FindAttribute(name)) {
      return in.Corrupt("a bad attribute definition");
    }
    catalog->attributes.push_back({std::string(name), static_cast<AttributeKind>(kind)});
    const bool coded = kind == static_cast<uint8_t>(AttributeKind::kString) ||
                       kind == static_cast<uint8_t>(AttributeKind::kStringList);
    catalog->attribute_values.push_back(
        coded ? std::make_shared<Dictionary>(std::string(name), kDictionaryValuesMax) : nullptr);
  }
  RETURN_IF_ERROR(ReadDictionary(in, *catalog->event_types));
  RETURN_IF_ERROR(ReadDictionary(in, *catalog->property_keys));
  RETURN_IF_ERROR(ReadDictionary(in, *catalog->property_values));
  for (const auto& dictionary : catalog->attribute_values) {
    if (dictionary != nullptr) RETURN_IF_ERROR(ReadDictionary(in, *dictionary));
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

Result<Bitmap> ReadCustomers(ByteReader& in, const Header& header, Mutation& mutation) {
  ASSIGN_OR_RETURN(uint64_t count, in.Get<uint64_t>());
  if (count != header.index_count) return in.Corrupt("index count differs from the catalog's");
  for (uint32_t index = 0; index < count; ++index) {
    ASSIGN_OR_RETURN(int64_t person, in.Get<int64_t>());
    mutation.AddCustomer(person);
  }
  ASSIGN_OR_RETURN(std::string_view live_bytes, in.GetBytes());
  ASSIGN_OR_RETURN(Bitmap live, Bitmap::Deserialize(live_bytes));
  Bitmap dead = Bitmap::Range(0, count) - live;
  if (live.Cardinality() + dead.Cardinality() != count) return in.Corrupt("live index too large");
  dead.ForEach([&](uint32_t index) {
    mutation.Tombstone(index);
    return true;
  });
  return live;
}

Status ReadColumn(ByteReader& in, const Bitmap& live, Mutation& mutation) {
  const Catalog& catalog = mutation.catalog();
  ASSIGN_OR_RETURN(uint32_t attribute, in.Get<uint32_t>());
  if (attribute >= catalog.attributes.size()) return in.Corrupt("no such attribute");
  const AttributeKind kind = catalog.attributes[attribute].kind;
  const Dictionary* dictionary = catalog.attribute_values[attribute].get();
  ASSIGN_OR_RETURN(std::string_view has_bytes, in.GetBytes());
  ASSIGN_OR_RETURN(Bitmap has, Bitmap::Deserialize(has_bytes));
  if (!(has - live).IsEmpty()) return in.Corrupt("values of non-customers");
  if (kind == AttributeKind::kStringList) {
    ASSIGN_OR_RETURN(uint32_t members, in.Get<uint32_t>());
    if (members > dictionary->size()) return in.Corrupt("more members than strings");
    std::vector<std::vector<uint32_t>> lists(mutation.current().index_count());
    for (uint32_t id = 0; id < members; ++id) {
      ASSIGN_OR_RETURN(std::string_view bytes, in.GetBytes());
      ASSIGN_OR_RETURN(Bitmap holders, Bitmap::Deserialize(bytes));
      if (!(holders - has).IsEmpty()) return in.Corrupt("a member of an unset list");
      holders.ForEach([&](uint32_t index) {
        lists[index].push_back(id);
        return true;
      });
    }
    has.ForEach([&](uint32_t index) {
      internal::CodedValue value{true, 0, std::move(lists[index])};
      internal::WriteValue(mutation.Column(index >> kChunkBits, attribute), kind, index, value);
      return true;
    });
    return Status::Ok();
  }
  Status status;
  has.ForEach([&](uint32_t index) {
    Result<int64_t> value = in.Get<int64_t>();
    const bool bad = !value.ok() ||
                     (kind == AttributeKind::kBoolean && *value != 0 && *value != 1) ||
                     (kind == AttributeKind::kString &&
                      (*value < 0 || static_cast<uint64_t>(*value) >= dictionary->size()));
    if (bad) {
      status = value.ok() ? in.Corrupt("a value out of range") : value.status();
      return false;
    }
    internal::WriteValue(mutation.Column(index >> kChunkBits, attribute), kind, index,
                         {true, *value, {}});
    return true;
  });
  return status;
}

// One customer's sequence, checked, into the mutation.
Status ReadSequence(ByteReader& in, const Bitmap& live, Mutation& mutation, size_t event_types) {
  ASSIGN_OR_RETURN(uint32_t index, in.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t count, in.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t property_bytes, in.Get<uint32_t>());
  if (!live.Contains(index) || count == 0 || count > kEventsPerCustomerMax) {
    return in.Corrupt("a sequence of no customer, or too long");
  }
  ASSIGN_OR_RETURN(std::string_view times, in.GetRaw(uint64_t{count} * 4));
  ASSIGN_OR_RETURN(std::string_view types, in.GetRaw(uint64_t{count} * 2));
  ASSIGN_OR_RETURN(std::string_view channels, in.GetRaw(count));
  ASSIGN_OR_RETURN(std::string_view lengths, in.GetRaw(count));
  ASSIGN_OR_RETURN(std::string_view properties, in.GetRaw(property_bytes));
  const uint32_t chunk = index >> kChunkBits;
  internal::SequenceRef& sequence =
      mutation.Sequences(chunk).sequences[index & (kChunkCustomers - 1)];
  sequence.Reserve(count, property_bytes, mutation.sink());
  internal::TypeChunk& type_chunk = mutation.Types(chunk);
  std::vector<Bitmap>& by_type = type_chunk.by_type;
  size_t offset = 0;
  uint32_t previous = 0;
  for (uint32_t i = 0; i < count; ++i) {
    internal::EncodedEvent event;
    std::memcpy(&event.time, times.data() + 4 * i, 4);
    std::memcpy(&event.type, types.data() + 2 * i, 2);
    event.channel = static_cast<uint8_t>(channels[i]);
    const size_t length = static_cast<uint8_t>(lengths[i]);
    if (event.time < previous || event.type >= event_types || offset + length > property_bytes) {
      return in.Corrupt("an event out of order, of no type, or past its properties");
    }
    event.properties = {reinterpret_cast<const uint8_t*>(properties.data()) + offset, length};
    if (!internal::PropertiesWellFormed(event.properties)) return in.Corrupt("bad properties");
    sequence.Insert(event, mutation.sink());
    if (event.type >= by_type.size()) by_type.resize(event.type + 1);
    by_type[event.type].Add(index);
    if (length > 0) internal::IndexEventProperties(type_chunk, index, event.type, event.properties);
    offset += length;
    previous = event.time;
  }
  if (offset != property_bytes) return in.Corrupt("property bytes left over");
  return Status::Ok();
}

Status ReadEvents(ByteReader& in, const Bitmap& live, Mutation& mutation) {
  ASSIGN_OR_RETURN(uint32_t customers, in.Get<uint32_t>());
  const size_t event_types = mutation.catalog().event_types->size();
  for (uint32_t k = 0; k < customers; ++k) {
    RETURN_IF_ERROR(ReadSequence(in, live, mutation, event_types));
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> DecodeSnapshot(std::string_view bytes) {
  ByteReader file(bytes, "header");
  ASSIGN_OR_RETURN(std::string_view magic, file.GetRaw(kSnapshotMagic.size()));
  ASSIGN_OR_RETURN(uint32_t format, file.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t sections, file.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t header_crc, file.Get<uint32_t>());
  if (magic != kSnapshotMagic) return file.Corrupt("not an engine snapshot");
  if (events::Crc32c(bytes.substr(0, 16)) != header_crc) return file.Corrupt("checksum");
  if (format != kSnapshotFormatVersion) return file.Corrupt(fmt::format("version {}", format));
  if (sections < 3 || sections > 3 + kAttributesMax) return file.Corrupt("section count");
  std::unique_ptr<Mutation> mutation;
  Header header;
  Bitmap live;
  for (uint32_t s = 0; s < sections; ++s) {
    ASSIGN_OR_RETURN(uint32_t kind, file.Get<uint32_t>());
    ASSIGN_OR_RETURN(uint32_t crc, file.Get<uint32_t>());
    ASSIGN_OR_RETURN(std::string_view payload, file.GetBytes());
    ByteReader in(payload, fmt::format("section {} (kind {})", s, kind));
    if (events::Crc32c(payload) != crc) return in.Corrupt("checksum");
    // Sections come in the order written: catalog, customers, columns, events.
    const SectionKind expected = s == 0              ? SectionKind::kCatalog
                                 : s == 1            ? SectionKind::kCustomers
                                 : s + 1 == sections ? SectionKind::kEvents
                                                     : SectionKind::kColumn;
    if (kind != static_cast<uint32_t>(expected)) return in.Corrupt("out of order");
    if (expected == SectionKind::kCatalog) {
      ASSIGN_OR_RETURN(auto catalog, ReadCatalog(in, header));
      if (sections != 3 + catalog->attributes.size()) return in.Corrupt("section count");
      mutation = std::make_unique<Mutation>(*Mutation::Empty(std::move(catalog)));
    } else if (expected == SectionKind::kCustomers) {
      ASSIGN_OR_RETURN(live, ReadCustomers(in, header, *mutation));
    } else if (expected == SectionKind::kColumn) {
      RETURN_IF_ERROR(ReadColumn(in, live, *mutation));
    } else {
      RETURN_IF_ERROR(ReadEvents(in, live, *mutation));
    }
    if (!in.empty()) return in.Corrupt("bytes left over");
  }
  ASSIGN_OR_RETURN(std::string_view end, file.GetRaw(kSnapshotEndMagic.size()));
  if (end != kSnapshotEndMagic || !file.empty()) return file.Corrupt("no end marker");
  mutation->SetVersion(header.version);
  return mutation->Finish();
}

Result<std::shared_ptr<const Snapshot>> LoadSnapshotFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(fmt::format("no engine snapshot at {}", path.string()));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return UnavailableError(fmt::format("reading {}", path.string()));
  return DecodeSnapshot(bytes);
}

}  // namespace banyan::engine
