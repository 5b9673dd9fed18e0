#include "http/router.h"

#include <array>
#include <map>

#include "base/check.h"

namespace banyan::http {
namespace {

// Methods a route can be registered for: every Method except kOther.
constexpr size_t kRoutableMethods = static_cast<size_t>(Method::kOther);
// Paths with more segments than this match nothing; it bounds the search depth.
constexpr size_t kSegmentsMax = 64;

// "/a/b/" → {"a", "b", ""}; "/" → {}. REQUIRES: `path` starts with '/'.
std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::string_view rest = path.substr(1);
  if (rest.empty()) return segments;
  for (;;) {
    const size_t slash = rest.find('/');
    segments.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return segments;
}

bool IsParamName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// The parameter name of a "{name}" segment, or empty for a literal segment.
std::string_view ParamNameOf(std::string_view pattern, std::string_view segment) {
  if (segment.find_first_of("{}") == std::string_view::npos) return {};
  CHECK(segment.size() > 2 && segment.front() == '{' && segment.back() == '}' &&
            IsParamName(segment.substr(1, segment.size() - 2)),
        "route '{}': bad segment '{}'; parameters look like {{name}}", pattern, segment);
  return segment.substr(1, segment.size() - 2);
}

// One node per path prefix. Declared outside Router so the search helpers below can name it.
struct TrieNode {
  struct Endpoint {
    Handler handler;
    AsyncHandler async_handler;
    std::string pattern;
    std::vector<std::string> param_names;  // in path order
  };

  std::map<std::string, std::unique_ptr<TrieNode>, std::less<>> literals;
  std::unique_ptr<TrieNode> param;
  std::array<std::unique_ptr<Endpoint>, kRoutableMethods> endpoints;

  uint32_t MethodMask() const {
    uint32_t mask = 0;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      if (endpoints[i]) mask |= 1u << i;
    }
    return mask;
  }
};

using Endpoint = TrieNode::Endpoint;

struct Search {
  Method method;
  const std::vector<std::string_view>& segments;
  std::vector<std::string_view> values;  // parameter values on the current path
  const Endpoint* found = nullptr;
  uint32_t allowed_mask = 0;  // methods of every node the path matched
};

const Endpoint* EndpointFor(const TrieNode& node, Method method) {
  if (method == Method::kOther) return nullptr;
  const Endpoint* endpoint = node.endpoints[static_cast<size_t>(method)].get();
  if (endpoint == nullptr && method == Method::kHead) {
    endpoint = node.endpoints[static_cast<size_t>(Method::kGet)].get();  // HEAD is served by GET
  }
  return endpoint;
}

// Depth-first, literal before parameter, backtracking when a branch fails further down. Each
// node is visited at most once per search, so the cost is bounded by the size of the tree.
bool Visit(const TrieNode& node, size_t depth, Search& search) {
  if (depth == search.segments.size()) {
    search.allowed_mask |= node.MethodMask();
    search.found = EndpointFor(node, search.method);
    return search.found != nullptr;
  }
  const std::string_view segment = search.segments[depth];
  if (auto it = node.literals.find(segment); it != node.literals.end()) {
    if (Visit(*it->second, depth + 1, search)) return true;
  }
  if (node.param != nullptr && !segment.empty()) {
    search.values.push_back(segment);
    if (Visit(*node.param, depth + 1, search)) return true;
    search.values.pop_back();
  }
  return false;
}

std::string AllowHeader(uint32_t mask) {
  std::string allow;
  const bool get = (mask & (1u << static_cast<size_t>(Method::kGet))) != 0;
  for (size_t i = 0; i < kRoutableMethods; ++i) {
    const auto method = static_cast<Method>(i);
    if ((mask & (1u << i)) == 0 && !(method == Method::kHead && get)) continue;
    if (!allow.empty()) allow += ", ";
    allow += MethodName(method);
  }
  return allow;
}

}  // namespace

struct Router::Node : TrieNode {};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(Method method, std::string_view pattern, Handler handler) {
  CHECK(handler != nullptr, "route '{}': empty handler", pattern);
  Insert(method, pattern, std::move(handler), nullptr);
}

void Router::AddAsync(Method method, std::string_view pattern, AsyncHandler handler) {
  CHECK(handler != nullptr, "route '{}': empty handler", pattern);
  Insert(method, pattern, nullptr, std::move(handler));
}

void Router::Insert(Method method, std::string_view pattern, Handler handler,
                    AsyncHandler async_handler) {
  CHECK(method != Method::kOther, "route '{}': cannot route Method::kOther", pattern);
  CHECK(!pattern.empty() && pattern.front() == '/', "route '{}' must start with '/'", pattern);
  const std::vector<std::string_view> segments = SplitSegments(pattern);
  CHECK(segments.size() <= kSegmentsMax, "route '{}' has too many segments", pattern);
  auto endpoint = std::make_unique<Endpoint>();
  endpoint->handler = std::move(handler);
  endpoint->async_handler = std::move(async_handler);
  TrieNode* node = root_.get();
  for (const std::string_view segment : segments) {
    const std::string_view name = ParamNameOf(pattern, segment);
    if (name.empty()) {
      std::unique_ptr<TrieNode>& child = node->literals[std::string(segment)];
      if (child == nullptr) child = std::make_unique<TrieNode>();
      node = child.get();
      continue;
    }
    for (const std::string& existing : endpoint->param_names) {
      CHECK(existing != name, "route '{}' repeats parameter '{}'", pattern, name);
    }
    endpoint->param_names.emplace_back(name);
    if (node->param == nullptr) node->param = std::make_unique<TrieNode>();
    node = node->param.get();
  }
  std::unique_ptr<Endpoint>& slot = node->endpoints[static_cast<size_t>(method)];
  CHECK(slot == nullptr, "route {} {} conflicts with {}", MethodName(method), pattern,
        slot->pattern);
  endpoint->pattern = std::string(pattern);
  slot = std::move(endpoint);
}

Router::Match Router::Find(Method method, std::string_view path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string_view> segments = SplitSegments(path);
  if (segments.size() > kSegmentsMax) return match;
  Search search{method, segments, {}, nullptr, 0};
  search.values.reserve(segments.size());
  if (Visit(*root_, 0, search)) {
    const Endpoint& endpoint = *search.found;
    match.kind = Match::Kind::kFound;
    match.handler = endpoint.handler ? &endpoint.handler : nullptr;
    match.async_handler = endpoint.async_handler ? &endpoint.async_handler : nullptr;
    match.route = endpoint.pattern;
    match.params.reserve(search.values.size());
    for (size_t i = 0; i < search.values.size(); ++i) {
      match.params.emplace_back(endpoint.param_names[i], std::string(search.values[i]));
    }
    return match;
  }
  if (search.allowed_mask != 0) {
    match.kind = Match::Kind::kMethodNotAllowed;
    match.allow = AllowHeader(search.allowed_mask);
  }
  return match;
}

}  // namespace banyan::http
