#include "privacy/keyring.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <mutex>

#include "base/check.h"
#include "base/encoding.h"
#include "privacy/internal/hash_state.h"
#include "privacy/internal/secret_file.h"
#include "privacy/internal/sodium.h"
#include "privacy/keyed_hash.h"

namespace banyan::privacy {
namespace {

constexpr std::string_view kComment =
    "# Banyan key ring: master keys and the look-up hash key. Secret; see docs/privacy.md.";
constexpr std::string_view kMagic = "banyan-keyring 1";
constexpr std::string_view kChecksumPrefix = "checksum ";
constexpr size_t kChecksumBytes = 32;

// Zeroes a string that held key material before its memory is released.
struct WipeOnExit {
  std::string& text;
  ~WipeOnExit() { sodium_memzero(text.data(), text.size()); }
};

std::string Checksum(std::string_view body) {
  std::array<uint8_t, kChecksumBytes> digest;
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const uint8_t*>(body.data()),
                     body.size(), nullptr, 0);
  return HexEncode(digest);
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> fields;
  while (!line.empty()) {
    const size_t space = line.find(' ');
    fields.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return fields;
}

template <typename Int>
bool ParseInt(std::string_view text, Int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

template <size_t N>
bool ParseKey(std::string_view hex, std::array<uint8_t, N>& out) {
  if (hex.size() != 2 * N) return false;
  std::optional<std::string> bytes = HexDecode(hex);
  if (!bytes || bytes->size() != N) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  sodium_memzero(bytes->data(), bytes->size());
  return true;
}

}  // namespace

KeyRing::KeyRing(std::string path, const Clock& clock)
    : path_(std::move(path)), clock_(clock), hash_state_(std::make_unique<internal::HashState>()) {}

KeyRing::~KeyRing() {
  sodium_memzero(hash_key_.data(), hash_key_.size());
  sodium_memzero(hash_state_.get(), sizeof(internal::HashState));
  Wipe(versions_);
}

void KeyRing::Wipe(std::vector<Version>& versions) {
  for (Version& v : versions) sodium_memzero(v.key.data(), v.key.size());
}

Result<std::unique_ptr<KeyRing>> KeyRing::LoadOrCreate(const std::string& path, Random& random,
                                                       const Clock& clock) {
  internal::EnsureSodium();
  Result<std::unique_ptr<KeyRing>> loaded = Load(path, clock);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  Result<std::unique_ptr<KeyRing>> created = Create(path, random, clock);
  // Another process created it first: use theirs.
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return Load(path, clock);
  }
  return created;
}

Result<std::unique_ptr<KeyRing>> KeyRing::Load(const std::string& path, const Clock& clock) {
  ASSIGN_OR_RETURN(std::string text, internal::ReadSecretFile(path, kKeyRingFileBytesMax));
  WipeOnExit wipe{text};
  std::unique_ptr<KeyRing> ring(new KeyRing(path, clock));
  RETURN_IF_ERROR(ring->Parse(text).WithContext(fmt::format("key ring {}", path)));
  ring->PrepareHashState();
  return ring;
}

Result<std::unique_ptr<KeyRing>> KeyRing::Create(const std::string& path, Random& random,
                                                 const Clock& clock) {
  std::unique_ptr<KeyRing> ring(new KeyRing(path, clock));
  random.Fill(ring->hash_key_);
  Version first{.version = 1, .created_at_us = ToUnixMicros(clock.Now()), .key = {}};
  random.Fill(first.key);
  ring->versions_.push_back(first);
  sodium_memzero(first.key.data(), first.key.size());
  std::string text = ring->Serialise();
  WipeOnExit wipe{text};
  RETURN_IF_ERROR(internal::WriteSecretFile(path, text, internal::WriteMode::kCreateNew, random));
  ring->PrepareHashState();
  return ring;
}

Status KeyRing::Parse(std::string_view text) {
  const size_t checksum_at = text.rfind(kChecksumPrefix);
  if (checksum_at == std::string_view::npos || (checksum_at != 0 && text[checksum_at - 1] != '\n'))
    return DataLossError("has no checksum line");
  std::string_view checksum = text.substr(checksum_at + kChecksumPrefix.size());
  if (!checksum.empty() && checksum.back() == '\n') checksum.remove_suffix(1);
  const std::string_view body = text.substr(0, checksum_at);
  if (checksum != Checksum(body)) return DataLossError("checksum does not match its contents");

  bool seen_magic = false, seen_hash_key = false;
  std::optional<uint32_t> current;
  int line_number = 0;
  for (std::string_view rest = body; !rest.empty();) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto bad = [&](std::string_view why) {
      return DataLossError(fmt::format("line {}: {}", line_number, why));
    };
    if (!seen_magic) {
      if (line != kMagic) return bad(fmt::format("expected \"{}\"", kMagic));
      seen_magic = true;
      continue;
    }
    const std::vector<std::string_view> f = Split(line);
    if (f[0] == "hash-key" && f.size() == 2 && !seen_hash_key) {
      if (!ParseKey(f[1], hash_key_)) return bad("hash-key is not 64 hex digits");
      seen_hash_key = true;
    } else if (f[0] == "master" && f.size() == 4 && !current) {
      Version v{};
      if (!ParseInt(f[1], v.version) || v.version == 0) return bad("bad master key version");
      if (!versions_.empty() && v.version <= versions_.back().version)
        return bad("master key versions must ascend");
      if (versions_.size() == kKeyRingVersionsMax) return bad("too many master key versions");
      if (!ParseInt(f[2], v.created_at_us)) return bad("bad master key creation time");
      if (!ParseKey(f[3], v.key)) return bad("master key is not 64 hex digits");
      versions_.push_back(v);
      sodium_memzero(v.key.data(), v.key.size());
    } else if (f[0] == "current" && f.size() == 2 && !current) {
      uint32_t version = 0;
      if (!ParseInt(f[1], version)) return bad("bad current version");
      current = version;
    } else {
      return bad("unexpected line");
    }
  }
  if (!seen_magic) return DataLossError(fmt::format("does not start with \"{}\"", kMagic));
  if (!seen_hash_key) return DataLossError("has no hash-key line");
  if (versions_.empty()) return DataLossError("has no master key");
  if (!current || *current != versions_.back().version)
    return DataLossError("current version is not the newest master key");
  return Status::Ok();
}

std::string KeyRing::Serialise() const {
  std::string body = fmt::format("{}\n{}\nhash-key {}\n", kComment, kMagic, HexEncode(hash_key_));
  for (const Version& v : versions_) {
    std::string hex = HexEncode(v.key);
    body += fmt::format("master {} {} {}\n", v.version, v.created_at_us, hex);
    sodium_memzero(hex.data(), hex.size());
  }
  body += fmt::format("current {}\n", versions_.back().version);
  const std::string checksum = Checksum(body);
  body += fmt::format("{}{}\n", kChecksumPrefix, checksum);
  return body;
}

void KeyRing::PrepareHashState() {
  crypto_generichash_init(&hash_state_->keyed, hash_key_.data(), hash_key_.size(),
                          kLookupHashBytes);
}

uint32_t KeyRing::current_version() const {
  std::shared_lock lock(mutex_);
  return versions_.back().version;
}

std::vector<uint32_t> KeyRing::versions() const {
  std::shared_lock lock(mutex_);
  std::vector<uint32_t> out;
  for (const Version& v : versions_) out.push_back(v.version);
  return out;
}

std::pair<uint32_t, DataKey> KeyRing::CurrentMasterKey() const {
  std::shared_lock lock(mutex_);
  return {versions_.back().version, DataKey(versions_.back().key)};
}

Result<DataKey> KeyRing::MasterKey(uint32_t version) const {
  std::shared_lock lock(mutex_);
  for (const Version& v : versions_) {
    if (v.version == version) return DataKey(v.key);
  }
  return NotFoundError(fmt::format("key ring {} has no master key version {}", path_, version));
}

Status KeyRing::AddVersion(Random& random) {
  std::unique_lock lock(mutex_);
  if (versions_.size() >= kKeyRingVersionsMax) {
    return FailedPreconditionError(
        fmt::format("key ring {} already holds {} master key versions; finish the rotation first",
                    path_, kKeyRingVersionsMax));
  }
  std::vector<Version> next = versions_;
  Version added{.version = versions_.back().version + 1,
                .created_at_us = ToUnixMicros(clock_.Now()),
                .key = {}};
  random.Fill(added.key);
  next.push_back(added);
  sodium_memzero(added.key.data(), added.key.size());
  std::swap(versions_, next);  // Serialise reads versions_
  std::string text = Serialise();
  WipeOnExit wipe{text};
  Status written = internal::WriteSecretFile(path_, text, internal::WriteMode::kReplace, random);
  if (!written.ok()) std::swap(versions_, next);  // the file still holds the old ring
  Wipe(next);
  return written;
}

Status KeyRing::RetireOldVersions() {
  std::unique_lock lock(mutex_);
  if (versions_.size() == 1) return Status::Ok();
  std::vector<Version> next = {versions_.back()};
  std::swap(versions_, next);
  std::string text = Serialise();
  WipeOnExit wipe{text};
  SecureRandom& random = SecureRandom::Get();  // names the temporary file only
  Status written = internal::WriteSecretFile(path_, text, internal::WriteMode::kReplace, random);
  if (!written.ok()) std::swap(versions_, next);
  Wipe(next);
  return written;
}

}  // namespace banyan::privacy
