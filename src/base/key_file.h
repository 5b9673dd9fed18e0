// Key files: secret keys kept in files of mode 0600 beside the data, created at first start.
//
// A key file holds exactly `size` random bytes, hex-encoded on one line. The key's value is
// never logged; errors name the path only.
// Thread safety: not synchronised; call at start-up.

#ifndef BANYAN_BASE_KEY_FILE_H_
#define BANYAN_BASE_KEY_FILE_H_

#include <string>

#include "base/random.h"
#include "base/result.h"

namespace banyan {

// Reads the key at `path`, or creates it (and missing parent directories, mode 0700) with fresh
// random bytes from `random`. Fails if the file exists with the wrong size, bad contents, or
// permissions that let group or others read it.
Result<std::string> LoadOrCreateKeyFile(const std::string& path, size_t size, Random& random);

}  // namespace banyan

#endif  // BANYAN_BASE_KEY_FILE_H_
