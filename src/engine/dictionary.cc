#include "engine/dictionary.h"

#include <fmt/format.h>

#include <mutex>

namespace banyan::engine {

Dictionary::Dictionary(std::string what, size_t size_max)
    : what_(std::move(what)), size_max_(size_max) {}

Result<uint32_t> Dictionary::Intern(std::string_view text) {
  if (std::optional<uint32_t> id = Find(text)) return *id;
  std::unique_lock lock(mutex_);
  if (names_.size() >= size_max_) {
    return TooLargeError(fmt::format("{}: more than {} distinct values", what_, size_max_));
  }
  uint32_t id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(text);
  ids_.emplace(names_.back(), id);
  bytes_ += text.size();
  return id;
}

std::optional<uint32_t> Dictionary::Find(std::string_view text) const {
  std::shared_lock lock(mutex_);
  auto it = ids_.find(text);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::string Dictionary::Name(uint32_t id) const {
  std::shared_lock lock(mutex_);
  CHECK(id < names_.size(), "{}: no id {}", what_, id);
  return names_[id];
}

size_t Dictionary::size() const {
  std::shared_lock lock(mutex_);
  return names_.size();
}

std::vector<std::string> Dictionary::All() const {
  std::shared_lock lock(mutex_);
  return {names_.begin(), names_.end()};
}

size_t Dictionary::MemoryBytes() const {
  std::shared_lock lock(mutex_);
  // Each string's object and heap text, plus a map node of about four words.
  return bytes_ + names_.size() * (sizeof(std::string) + 4 * sizeof(void*));
}

}  // namespace banyan::engine
