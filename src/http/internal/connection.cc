#include "http/internal/connection.h"

// <utility> before any Asio header (see core.h).
#include <utility>

#include <sys/socket.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>

#include "base/check.h"
#include "base/logging.h"
#include "http/internal/wire.h"

namespace banyan::http::internal {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// How much one read asks for; the flat buffer grows only while a request header is incomplete.
constexpr size_t kReadBytes = 16 << 10;
// After an error answer, unread request bytes are drained for at most this long and this much,
// so closing does not reset the connection before the client has read the answer.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytesMax = 1 << 20;
// A buffer grown past this by a large request is released once that request is done.
constexpr size_t kBufferKeepBytes = 64 << 10;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

auto Redirect(beast::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

// Parses a request straight into a banyan Request, with no intermediate Beast message.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& request) : request_(request) {}
  int version() const { return version_; }
  bool expects_continue() const { return expects_continue_; }

 private:
  void on_request_impl(bhttp::verb verb, beast::string_view, beast::string_view target, int version,
                       beast::error_code&) override {
    request_.method = ToMethod(verb);
    request_.target.assign(target.data(), target.size());
    version_ = version;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    if (is_header_done()) return;  // chunked trailer fields are not request headers
    if (field == bhttp::field::expect && beast::iequals(value, "100-continue")) {
      expects_continue_ = true;
    }
    if (field == bhttp::field::transfer_encoding && !beast::iequals(value, "chunked")) {
      // Only chunked is decoded; passing a gzip or compress transfer coding through would hand
      // the handler an encoded body as if it were plain.
      unsupported_transfer_coding_ = true;
    }
    request_.headers.Add(View(name), std::string(View(value)));
  }
  void on_header_impl(beast::error_code& ec) override {
    if (unsupported_transfer_coding_) ec = bhttp::error::bad_transfer_encoding;
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    // The parser has already refused lengths over the body limit.
    if (length) request_.body.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    request_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Request& request_;
  int version_ = 11;
  bool expects_continue_ = false;
  bool unsupported_transfer_coding_ = false;
};

// Counts a request as in flight for its lifetime.
class InFlight {
 public:
  explicit InFlight(Core& core) : core_(core) {
    core_.in_flight.fetch_add(1, std::memory_order_relaxed);
    core_.in_flight_gauge.fetch_add(1, std::memory_order_relaxed);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() {
    core_.in_flight.fetch_sub(1, std::memory_order_relaxed);
    core_.in_flight_gauge.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  Core& core_;
};

// The answer to a request that failed to parse, or nullopt when there is no one to answer
// (the peer left, the read timed out or the server cancelled it).
std::optional<Response> ParseErrorResponse(const Core& core, beast::error_code ec,
                                           const Request& request) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return ProblemResponse(
        431, "Request Header Fields Too Large",
        fmt::format("the request header exceeds {} bytes", core.options.header_limit_bytes), {},
        request.request_id);
  }
  if (ec == bhttp::error::body_limit) {
    return ProblemResponse(
        413, "Content Too Large",
        fmt::format("the request body exceeds {} bytes", core.options.body_limit_bytes), {},
        request.request_id);
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return ProblemResponse(400, "Bad Request", "malformed HTTP request: " + ec.message(), {},
                           request.request_id);
  }
  return std::nullopt;
}

}  // namespace

class Connection {
 public:
  Connection(Core& core, tcp::socket socket)
      : core_(core), socket_(std::move(socket)), fd_(socket_.native_handle()) {
    beast::error_code ec;
    const tcp::endpoint remote = socket_.remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string();
    socket_.set_option(tcp::no_delay(true), ec);  // responses are written whole
    // The first request must arrive whole within read_timeout of the accept.
    SetDeadline(core_.options.read_timeout);
    std::lock_guard lock(core_.mutex);
    core_.connections.insert(this);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    {
      // Leaves the registry before `socket_` closes its descriptor (see connection.h), and
      // uncounts under the mutex so Run's wait for zero cannot miss the wake-up.
      std::lock_guard lock(core_.mutex);
      core_.connections.erase(this);
      core_.open_connections.fetch_sub(1, std::memory_order_relaxed);
    }
    core_.open_connections_gauge.fetch_sub(1, std::memory_order_relaxed);
    core_.changed.notify_all();
  }

  // Serves requests until the peer leaves, a timeout, an error or shutdown.
  asio::awaitable<void> Serve() {
    for (bool first = true;; first = false) {
      if (!co_await WaitForRequest(first)) break;
      if (!co_await ServeOne()) break;
      if (buffer_.size() == 0 && buffer_.capacity() > kBufferKeepBytes) buffer_.shrink_to_fit();
    }
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }

  // REQUIRES (both): core.mutex held, so the connection cannot be destroyed meanwhile.
  // Shuts the connection down if its phase's deadline has passed.
  void Expire(Clock::time_point now) {
    const int phase = phase_.load();
    if (phase == kHandling || phase == kClosed) return;  // handlers are never timed out
    if (now.time_since_epoch().count() >= deadline_.load(std::memory_order_relaxed)) Kill(phase);
  }
  // Shuts the connection down if it is waiting for a request.
  void Drain() { Kill(kIdle); }

 private:
  enum Phase : int { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void SetDeadline(Clock::duration timeout) {
    deadline_.store((Clock::now() + timeout).time_since_epoch().count(), std::memory_order_relaxed);
  }
  // Moves to `phase`; false if the connection was shut down meanwhile (then it must not start
  // anything new: an idle connection killed by Drain may have received a request that no one
  // will answer, which is the ordinary keep-alive race clients expect).
  bool Enter(Phase phase) { return phase_.exchange(phase) != kClosed; }
  bool Enter(Phase phase, Clock::duration timeout) {
    SetDeadline(timeout);
    return Enter(phase);
  }
  void Kill(int expected) {
    if (phase_.compare_exchange_strong(expected, kClosed)) {
      // shutdown(2) wakes the coroutine's pending read or write; unlike close it leaves Asio's
      // state alone, so it is safe from this thread.
      ::shutdown(fd_, SHUT_RDWR);
    }
  }

  asio::awaitable<bool> WaitForRequest(bool first);
  asio::awaitable<bool> ServeOne();
  asio::awaitable<beast::error_code> ReadRequest(RequestParser& parser);
  asio::awaitable<Response> CallAsync(const AsyncHandler& handler, Request& request);
  asio::awaitable<bool> Respond(Request& request, Response& response, Clock::time_point start,
                                bool keep_alive, bool client_http10);
  asio::awaitable<void> LingeringClose();

  Core& core_;
  tcp::socket socket_;
  const int fd_;  // socket_'s descriptor, open for as long as the connection is registered
  beast::flat_buffer buffer_;
  std::string head_;  // the response head, reused across requests
  std::string remote_;
  std::atomic<int> phase_{kIdle};
  std::atomic<Clock::rep> deadline_{0};  // when the current phase times out
};

// Returns false when the connection should close without answering.
asio::awaitable<bool> Connection::WaitForRequest(bool first) {
  if (buffer_.size() > 0) {  // a pipelined request has already arrived
    co_return Enter(kReading, core_.options.read_timeout);
  }
  const bool idle = first ? Enter(kIdle) : Enter(kIdle, core_.options.idle_timeout);
  // Checked after becoming idle: DrainConnections sets `stopping` before it looks for idle
  // connections, so either it sees this one idle or this sees `stopping`.
  if (!idle || core_.stopping.load()) co_return false;
  beast::error_code ec;
  const size_t bytes = co_await socket_.async_read_some(buffer_.prepare(kReadBytes), Redirect(ec));
  if (ec) co_return false;
  buffer_.commit(bytes);
  // A request must arrive whole within read_timeout of its first byte.
  co_return first ? Enter(kReading) : Enter(kReading, core_.options.read_timeout);
}

// Feeds the parser from the buffer, reading more until the request is whole. Sends
// "100 Continue" when the client waits for it before sending the body.
asio::awaitable<beast::error_code> Connection::ReadRequest(RequestParser& parser) {
  beast::error_code ec;
  bool continue_sent = false;
  for (;;) {
    while (buffer_.size() > 0) {
      const size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec || parser.is_done()) co_return ec;
      if (used == 0) break;
    }
    if (parser.is_header_done() && parser.expects_continue() && !continue_sent) {
      continue_sent = true;
      co_await asio::async_write(socket_, asio::buffer(kContinue.data(), kContinue.size()),
                                 Redirect(ec));
      if (ec) co_return ec;
    }
    const size_t bytes =
        co_await socket_.async_read_some(buffer_.prepare(kReadBytes), Redirect(ec));
    if (ec == asio::error::eof) {
      co_return parser.got_some() ? bhttp::error::partial_message : bhttp::error::end_of_stream;
    }
    if (ec) co_return ec;
    buffer_.commit(bytes);
  }
}

// Returns whether the connection stays open for another request.
asio::awaitable<bool> Connection::ServeOne() {
  const Clock::time_point start = Clock::now();
  Request request;
  request.remote_address = remote_;
  RequestParser parser(request);
  parser.eager(true);
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(core_.options.header_limit_bytes, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(static_cast<std::uint64_t>(core_.options.body_limit_bytes));
  const beast::error_code ec = co_await ReadRequest(parser);
  if (!Enter(kHandling)) co_return false;
  core_.pipeline.AssignRequestId(request);
  if (ec) {
    std::optional<Response> refusal = ParseErrorResponse(core_, ec, request);
    if (!refusal) co_return false;
    co_await Respond(request, *refusal, start, /*keep_alive=*/false, parser.version() == 10);
    co_await LingeringClose();
    co_return false;
  }
  InFlight in_flight(core_);
  Pipeline::Dispatch dispatch;
  std::optional<Response> early = core_.pipeline.Prepare(request, dispatch);
  Response response;
  if (early) {
    response = std::move(*early);
  } else if (dispatch.handler != nullptr) {
    response = core_.pipeline.CallHandler(*dispatch.handler, request);
  } else {
    response = co_await CallAsync(*dispatch.async_handler, request);
  }
  const bool keep_alive = parser.keep_alive() && !core_.stopping.load();
  const bool written =
      co_await Respond(request, response, start, keep_alive, parser.version() == 10);
  co_return written&& keep_alive;
}

asio::awaitable<bool> Connection::Respond(Request& request, Response& response,
                                          Clock::time_point start, bool keep_alive,
                                          bool client_http10) {
  core_.pipeline.Finish(request, response);
  SerializeResponseHead(response, {keep_alive, client_http10}, head_);
  const bool send_body = request.method != Method::kHead;
  const std::array<asio::const_buffer, 2> buffers = {
      asio::buffer(head_), send_body ? asio::buffer(response.body) : asio::const_buffer()};
  beast::error_code ec;
  if (Enter(kWriting, core_.options.write_timeout)) {
    co_await asio::async_write(socket_, buffers, Redirect(ec));
  } else {
    ec = asio::error::operation_aborted;
  }
  core_.pipeline.Record(request, response.status, send_body ? response.body.size() : 0,
                        Clock::now() - start);
  co_return !ec && Enter(kHandling);
}

namespace {

// The shared state behind one request's Responder. Whichever comes first completes the waiting
// coroutine, exactly once: the handler's answer, its exception, or the last Responder copy
// going away unanswered (completed with nullopt).
template <typename Completion>
class ResponderState {
 public:
  ResponderState(std::shared_ptr<Core> core, Completion completion, std::string request_id)
      : core_(std::move(core)),
        completion_(std::move(completion)),
        request_id_(std::move(request_id)) {}
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;
  ~ResponderState() {
    if (state_.load(std::memory_order_acquire) == kPending) Deliver(std::nullopt);
  }

  void Answer(Response response) {
    int expected = kPending;
    if (state_.compare_exchange_strong(expected, kAnswered, std::memory_order_acq_rel)) {
      Deliver(std::move(response));
      return;
    }
    CHECK(expected != kAnswered, "a Responder was called twice (request {})", request_id_);
    // The handler threw after handing the Responder on; the client already has a 500.
    log::Warn("http.late_response", {{"request_id", request_id_}});
  }

  void Fail(Response response) {
    int expected = kPending;
    if (state_.compare_exchange_strong(expected, kFailed, std::memory_order_acq_rel)) {
      Deliver(std::move(response));
    }
  }

 private:
  enum : int { kPending, kAnswered, kFailed };

  // Resumes the coroutine on its own executor, never inside the caller's stack.
  void Deliver(std::optional<Response> response) {
    const auto executor = asio::get_associated_executor(completion_);
    asio::post(executor,
               [completion = std::move(completion_), response = std::move(response)]() mutable {
                 std::move(completion)(std::move(response));
               });
  }

  std::shared_ptr<Core> core_;  // first, so destroyed last: keeps the io_context alive
  Completion completion_;
  std::string request_id_;
  std::atomic<int> state_{kPending};
};

}  // namespace

asio::awaitable<Response> Connection::CallAsync(const AsyncHandler& handler, Request& request) {
  auto start_handler = [this, &handler, &request](auto completion) {
    using State = ResponderState<decltype(completion)>;
    auto state = std::make_shared<State>(core_.shared_from_this(), std::move(completion),
                                         request.request_id);
    Responder responder = [state](Response response) { state->Answer(std::move(response)); };
    try {
      handler(request, std::move(responder));
    } catch (const std::exception& e) {
      state->Fail(core_.pipeline.HandlerFailed(request, e.what()));
    } catch (...) {
      state->Fail(core_.pipeline.HandlerFailed(request, "unknown exception"));
    }
  };
  std::optional<Response> answer =
      co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::optional<Response>)>(
          std::move(start_handler), asio::use_awaitable);
  if (!answer) {
    co_return core_.pipeline.HandlerFailed(request, "the Responder was dropped without an answer");
  }
  co_return std::move(*answer);
}

asio::awaitable<void> Connection::LingeringClose() {
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (!Enter(kLingering, std::min<Clock::duration>(kLingerTime, core_.options.read_timeout))) {
    co_return;
  }
  size_t discarded = 0;
  while (!ec && discarded < kLingerBytesMax) {
    buffer_.consume(buffer_.size());
    discarded += co_await socket_.async_read_some(buffer_.prepare(kReadBytes), Redirect(ec));
  }
}

namespace {

asio::awaitable<void> ServeConnection(Core& core, tcp::socket socket) {
  Connection connection(core, std::move(socket));
  co_await connection.Serve();
}

}  // namespace

void SpawnConnection(Core& core, tcp::socket socket) {
  // Counted here rather than when the coroutine starts, so a burst of accepts cannot overshoot
  // connections_max; ~Connection uncounts.
  core.open_connections.fetch_add(1, std::memory_order_relaxed);
  core.open_connections_gauge.fetch_add(1, std::memory_order_relaxed);
  const asio::any_io_executor executor = socket.get_executor();
  asio::co_spawn(executor, ServeConnection(core, std::move(socket)), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::Error("http.connection_failed", {{"error", e.what()}});
    } catch (...) {
      log::Error("http.connection_failed", {{"error", "unknown exception"}});
    }
  });
}

void SweepConnections(Core& core) {
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(core.mutex);
  for (Connection* connection : core.connections) connection->Expire(now);
}

void DrainConnections(Core& core) {
  std::lock_guard lock(core.mutex);
  for (Connection* connection : core.connections) connection->Drain();
}

}  // namespace banyan::http::internal
