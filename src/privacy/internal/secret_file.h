// Secret files: small files of key material, mode 0600 in a directory of mode 0700, read only
// when no one else may read them and replaced atomically.
//
// Used by: keyring.cc. Thread safety: stateless functions; callers serialise writers of one path.

#ifndef BANYAN_PRIVACY_INTERNAL_SECRET_FILE_H_
#define BANYAN_PRIVACY_INTERNAL_SECRET_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/result.h"

namespace banyan::privacy::internal {

// The whole file. NotFound when it does not exist; FailedPrecondition when group or others may
// read it; TooLarge over `bytes_max`; Unavailable on other I/O errors. Errors name the path only.
Result<std::string> ReadSecretFile(const std::string& path, size_t bytes_max);

enum class WriteMode {
  kCreateNew,  // AlreadyExists if `path` exists (two processes starting at once: one wins)
  kReplace,    // replaces `path` atomically
};
// Writes `text` to a temporary file beside `path` (mode 0600), fsyncs it, moves it into place
// (link for kCreateNew, rename for kReplace) and fsyncs the directory. Creates missing parent
// directories with mode 0700. `random` names the temporary file.
Status WriteSecretFile(const std::string& path, std::string_view text, WriteMode mode,
                       Random& random);

}  // namespace banyan::privacy::internal

#endif  // BANYAN_PRIVACY_INTERNAL_SECRET_FILE_H_
