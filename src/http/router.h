// Router: maps a method and path to a handler, with path parameters ("/api/v1/staff/{id}").
//
// Routes are added at start-up, then the router is read-only. Literal segments win over
// parameters ("/staff/me" before "/staff/{id}"). A path that matches no route is 404; a path
// that matches with another method is 405 with an Allow header.
// Thread safety: Add before serving; Match is then safe from any thread.

#ifndef BANYAN_HTTP_ROUTER_H_
#define BANYAN_HTTP_ROUTER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace banyan::http {

// Completes an asynchronous request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;
// A handler that answers synchronously on the connection's thread. It may block briefly
// (a database read or write); work that waits on something else should be asynchronous.
using Handler = std::function<Response(Request&)>;
// A handler that answers later by calling `respond`, e.g. after a group commit.
using AsyncHandler = std::function<void(Request&, Responder respond)>;

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // REQUIRES: the pattern is well formed and not already registered for `method`.
  void Add(Method method, std::string_view pattern, Handler handler);
  void AddAsync(Method method, std::string_view pattern, AsyncHandler handler);

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Handler* handler = nullptr;             // set when found and synchronous
    const AsyncHandler* async_handler = nullptr;  // set when found and asynchronous
    std::string route;                            // the pattern, for metrics and logs
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // for 405: "GET, POST"
  };
  Match Find(Method method, std::string_view path) const;

 private:
  struct Node;
  void Insert(Method method, std::string_view pattern, Handler handler, AsyncHandler async_handler);
  std::unique_ptr<Node> root_;
};

}  // namespace banyan::http

#endif  // BANYAN_HTTP_ROUTER_H_
