#include "server/static_files.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace banyan::server {
namespace {

constexpr size_t kFilesMax = 10000;
constexpr size_t kBytesMax = 256 << 20;

std::string ContentType(const std::string& extension) {
  static const std::unordered_map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}};
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool IsServerPath(std::string_view path) {
  for (std::string_view prefix :
       {"/api/", "/v1/", "/sa", "/l/", "/healthz", "/readyz", "/metrics"}) {
    if (path.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

}  // namespace

Result<StaticFiles> StaticFiles::Load(const std::string& dir) {
  StaticFiles out;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return out;
  size_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    if (out.files_.size() >= kFilesMax) {
      return FailedPreconditionError(fmt::format("{} holds more than {} files", dir, kFilesMax));
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    bytes += content.str().size();
    if (bytes > kBytesMax) {
      return FailedPreconditionError(fmt::format("{} holds more than {} bytes", dir, kBytesMax));
    }
    const std::string relative = std::filesystem::relative(entry.path(), dir).generic_string();
    out.files_["/" + relative] = File{content.str(), ContentType(entry.path().extension().string()),
                                      relative.rfind("assets/", 0) == 0};
  }
  if (ec) return UnavailableError(fmt::format("cannot read {}: {}", dir, ec.message()));
  return out;
}

std::optional<http::Response> StaticFiles::Serve(const http::Request& request) const {
  if (files_.empty() ||
      (request.method != http::Method::kGet && request.method != http::Method::kHead)) {
    return std::nullopt;
  }
  if (IsServerPath(request.path)) return std::nullopt;
  auto it = files_.find(request.path == "/" ? "/index.html" : request.path);
  if (it == files_.end()) {
    const auto last_slash = request.path.rfind('/');
    const bool has_extension = request.path.find('.', last_slash) != std::string::npos;
    if (has_extension) return std::nullopt;  // a missing asset is a 404, not the app shell
    it = files_.find("/index.html");
    if (it == files_.end()) return std::nullopt;
  }
  http::Response response =
      http::Response::Text(200, request.method == http::Method::kHead ? "" : it->second.content,
                           it->second.content_type);
  response.headers.Set("Cache-Control",
                       it->second.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

std::string FindWebDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  // build/<preset>/src/server/banyan → web/dist; <prefix>/bin/banyan → <prefix>/share/banyan/web.
  for (const auto& candidate :
       {exe.parent_path() / "../../../../web/dist", exe.parent_path() / "../share/banyan/web"}) {
    if (std::filesystem::exists(candidate / "index.html", ec)) {
      return std::filesystem::weakly_canonical(candidate, ec).string();
    }
  }
  return "";
}

}  // namespace banyan::server
