// Little-endian byte writing and bounds-checked reading for the snapshot file.
// Thread safety: values owned by one caller.

#ifndef BANYAN_ENGINE_INTERNAL_BYTES_H_
#define BANYAN_ENGINE_INTERNAL_BYTES_H_

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan::engine::internal {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  template <typename T>
  void Put(T value) {  // integers, little-endian hosts only (x86-64, arm64)
    out_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  void PutBytes(std::string_view bytes) {
    Put<uint64_t>(bytes.size());
    out_.append(bytes);
  }
  void PutRaw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  template <typename T>
  Result<T> Get() {
    if (bytes_.size() < sizeof(T)) return Truncated();
    T value;
    std::memcpy(&value, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return value;
  }
  Result<std::string_view> GetRaw(uint64_t size) {
    if (bytes_.size() < size) return Truncated();
    std::string_view result = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return result;
  }
  Result<std::string_view> GetBytes() {
    ASSIGN_OR_RETURN(uint64_t size, Get<uint64_t>());
    return GetRaw(size);
  }
  bool empty() const { return bytes_.empty(); }
  Status Corrupt(std::string_view why) const {
    return DataLossError(fmt::format("engine snapshot: {}: {}", what_, why));
  }

 private:
  Status Truncated() const { return Corrupt("truncated"); }
  std::string_view bytes_;
  std::string what_;
};

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_BYTES_H_
