// StaticFiles: the built console (web/dist), loaded into memory at start and served with
// caching headers: content-hashed files under /assets/ are immutable for a year; index.html and
// other entry files are revalidated on every load, so a new release is picked up at once.
// Any other GET path that is not an API path and has no file extension gets index.html, so
// the console's client-side routes survive a reload.
// Thread safety: immutable after Load; Serve is safe from any thread.

#ifndef BANYAN_SERVER_STATIC_FILES_H_
#define BANYAN_SERVER_STATIC_FILES_H_

#include <optional>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "http/message.h"

namespace banyan::server {

class StaticFiles {
 public:
  // Loads every file under `dir` (at most kFilesMax files, kBytesMax bytes in all).
  // An empty or missing directory gives an empty set (the console was not built).
  static Result<StaticFiles> Load(const std::string& dir);

  bool empty() const { return files_.empty(); }
  size_t size() const { return files_.size(); }
  // Answers GET/HEAD requests for console paths; nullopt for everything else.
  std::optional<http::Response> Serve(const http::Request& request) const;

 private:
  struct File {
    std::string content;
    std::string content_type;
    bool immutable;
  };
  std::unordered_map<std::string, File> files_;  // by URL path, e.g. "/assets/index-3f2a.js"
};

// The console directory for this binary: `configured` if set, else web/dist in the source tree
// the binary was built in, else <prefix>/share/banyan/web. Empty if none exists.
std::string FindWebDir(const std::string& configured);

}  // namespace banyan::server

#endif  // BANYAN_SERVER_STATIC_FILES_H_
