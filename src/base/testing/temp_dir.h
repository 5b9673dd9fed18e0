// TempDir: a fresh directory under $TMPDIR for one test or benchmark, removed with everything in
// it on destruction. Used by every module's tests and benchmarks that need real files.
// Thread safety: a value owned by one test.

#ifndef BANYAN_BASE_TESTING_TEMP_DIR_H_
#define BANYAN_BASE_TESTING_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/check.h"

namespace banyan::testing {

class TempDir {
 public:
  // `prefix` names the directory ("banyan_privacy_XXXXXX") so a leftover one says whose it is.
  explicit TempDir(std::string_view prefix = "banyan") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "_XXXXXX")).string();
    CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp {}", pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace banyan::testing

#endif  // BANYAN_BASE_TESTING_TEMP_DIR_H_
