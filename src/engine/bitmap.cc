#include "engine/bitmap.h"

#include <roaring/roaring.hh>

#include <bit>
#include <utility>

namespace banyan::engine {

struct Bitmap::Impl {
  Roaring roaring;
};

Bitmap::Bitmap() : impl_(std::make_unique<Impl>()) {}
Bitmap::Bitmap(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Bitmap::Bitmap(std::initializer_list<uint32_t> values) : Bitmap() {
  for (uint32_t value : values) Add(value);
}
Bitmap::~Bitmap() = default;
Bitmap::Bitmap(const Bitmap& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Bitmap& Bitmap::operator=(const Bitmap& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
// A moved-from Bitmap is empty and usable: it gets a fresh Impl.
Bitmap::Bitmap(Bitmap&& other) noexcept
    : impl_(std::exchange(other.impl_, std::make_unique<Impl>())) {}
Bitmap& Bitmap::operator=(Bitmap&& other) noexcept {
  if (this != &other) std::swap(impl_, other.impl_);
  return *this;
}

Bitmap Bitmap::Range(uint64_t begin, uint64_t end) {
  Bitmap result;
  result.AddRange(begin, end);
  return result;
}

Bitmap Bitmap::FromWords(uint32_t base, std::span<const uint64_t> words) {
  std::vector<uint32_t> values;
  values.reserve(4096);
  Bitmap result;
  for (size_t j = 0; j < words.size(); ++j) {
    uint64_t word = words[j];
    while (word != 0) {
      values.push_back(base + static_cast<uint32_t>(64 * j + std::countr_zero(word)));
      word &= word - 1;
    }
    if (values.size() >= 4000) {
      result.AddMany(values);
      values.clear();
    }
  }
  result.AddMany(values);
  return result;
}

void Bitmap::Add(uint32_t value) { impl_->roaring.add(value); }
void Bitmap::AddMany(std::span<const uint32_t> values) {
  if (!values.empty()) impl_->roaring.addMany(values.size(), values.data());
}
void Bitmap::AddRange(uint64_t begin, uint64_t end) {
  if (begin < end) impl_->roaring.addRange(begin, end);
}
void Bitmap::Remove(uint32_t value) { impl_->roaring.remove(value); }
bool Bitmap::Contains(uint32_t value) const { return impl_->roaring.contains(value); }
uint64_t Bitmap::Cardinality() const { return impl_->roaring.cardinality(); }
bool Bitmap::IsEmpty() const { return impl_->roaring.isEmpty(); }
void Bitmap::Clear() { impl_->roaring = Roaring(); }

Bitmap& Bitmap::operator&=(const Bitmap& other) {
  impl_->roaring &= other.impl_->roaring;
  return *this;
}
Bitmap& Bitmap::operator|=(const Bitmap& other) {
  impl_->roaring |= other.impl_->roaring;
  return *this;
}
Bitmap& Bitmap::operator-=(const Bitmap& other) {
  impl_->roaring -= other.impl_->roaring;
  return *this;
}
Bitmap& Bitmap::operator^=(const Bitmap& other) {
  impl_->roaring ^= other.impl_->roaring;
  return *this;
}
Bitmap operator&(const Bitmap& a, const Bitmap& b) {
  return Bitmap(std::make_unique<Bitmap::Impl>(Bitmap::Impl{a.impl_->roaring & b.impl_->roaring}));
}
Bitmap operator|(const Bitmap& a, const Bitmap& b) {
  return Bitmap(std::make_unique<Bitmap::Impl>(Bitmap::Impl{a.impl_->roaring | b.impl_->roaring}));
}
Bitmap operator-(const Bitmap& a, const Bitmap& b) {
  return Bitmap(std::make_unique<Bitmap::Impl>(Bitmap::Impl{a.impl_->roaring - b.impl_->roaring}));
}
Bitmap operator^(const Bitmap& a, const Bitmap& b) {
  return Bitmap(std::make_unique<Bitmap::Impl>(Bitmap::Impl{a.impl_->roaring ^ b.impl_->roaring}));
}
bool Bitmap::operator==(const Bitmap& other) const {
  return impl_->roaring == other.impl_->roaring;
}
uint64_t Bitmap::AndCardinality(const Bitmap& other) const {
  return impl_->roaring.and_cardinality(other.impl_->roaring);
}

Bitmap Bitmap::Union(std::span<const Bitmap* const> inputs) {
  if (inputs.empty()) return Bitmap();
  std::vector<const roaring_bitmap_t*> raw;
  raw.reserve(inputs.size());
  for (const Bitmap* input : inputs) raw.push_back(&input->impl_->roaring.roaring);
  roaring_bitmap_t* result = roaring_bitmap_or_many(raw.size(), raw.data());
  CHECK(result != nullptr, "roaring_bitmap_or_many: out of memory");
  return Bitmap(std::make_unique<Impl>(Impl{Roaring(result)}));
}

void Bitmap::ForEach(const std::function<bool(uint32_t)>& fn) const {
  roaring_uint32_iterator_t it;
  roaring_init_iterator(&impl_->roaring.roaring, &it);
  uint32_t buffer[256];
  while (true) {
    uint32_t count = roaring_read_uint32_iterator(&it, buffer, 256);
    for (uint32_t i = 0; i < count; ++i) {
      if (!fn(buffer[i])) return;
    }
    if (count < 256) return;
  }
}

std::vector<uint32_t> Bitmap::ToVector() const {
  std::vector<uint32_t> values(impl_->roaring.cardinality());
  if (!values.empty()) impl_->roaring.toUint32Array(values.data());
  return values;
}

std::vector<uint32_t> Bitmap::Take(uint32_t from, size_t limit) const {
  std::vector<uint32_t> values;
  roaring_uint32_iterator_t it;
  roaring_init_iterator(&impl_->roaring.roaring, &it);
  if (!roaring_move_uint32_iterator_equalorlarger(&it, from)) return values;
  while (it.has_value && values.size() < limit) {
    values.push_back(it.current_value);
    roaring_advance_uint32_iterator(&it);
  }
  return values;
}

bool Bitmap::RunOptimize() { return impl_->roaring.runOptimize(); }
size_t Bitmap::SizeInBytes() const { return impl_->roaring.getSizeInBytes(true); }

std::string Bitmap::Serialize() const {
  std::string bytes(impl_->roaring.getSizeInBytes(true), '\0');
  size_t written = impl_->roaring.write(bytes.data(), true);
  CHECK(written == bytes.size(), "roaring wrote {} bytes, said {}", written, bytes.size());
  return bytes;
}

Result<Bitmap> Bitmap::Deserialize(std::string_view bytes) {
  roaring_bitmap_t* raw = roaring_bitmap_portable_deserialize_safe(bytes.data(), bytes.size());
  if (raw == nullptr) return DataLossError("bitmap: not a portable Roaring bitmap");
  Bitmap result(std::make_unique<Impl>(Impl{Roaring(raw)}));
  if (result.SizeInBytes() != bytes.size()) {
    return DataLossError(fmt::format("bitmap: {} bytes given, the bitmap is {}", bytes.size(),
                                     result.SizeInBytes()));
  }
  return result;
}

}  // namespace banyan::engine
