#include "http/server.h"

// <utility> before any Asio header (see internal/core.h).
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>
#include <thread>
#include <vector>

#include "base/check.h"
#include "base/logging.h"
#include "http/internal/connection.h"
#include "http/internal/core.h"

namespace banyan::http {
namespace {

using internal::Core;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kThreadsMax = 1024;
// After an abandoned shutdown, how long Run waits for pool threads to leave the io_context
// before it detaches the ones still inside a handler.
constexpr std::chrono::milliseconds kAbandonWait{500};
// Back-off after an accept failure such as running out of file descriptors.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

Status ValidateOptions(const ServerOptions& options) {
  if (options.threads < 0 || options.threads > kThreadsMax) {
    return InvalidArgumentError(fmt::format("threads must be 0..{}", kThreadsMax));
  }
  if (options.body_limit_bytes == 0 || options.header_limit_bytes == 0 ||
      options.connections_max == 0) {
    return InvalidArgumentError("body, header and connection limits must be positive");
  }
  if (options.read_timeout.count() <= 0 || options.idle_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0 || options.shutdown_grace.count() < 0) {
    return InvalidArgumentError("timeouts must be positive");
  }
  return Status::Ok();
}

int ThreadCount(const ServerOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Runs on core.control: stops accepting and closes connections that are between requests.
void BeginShutdown(Core& core) {
  core.stopping.store(true);
  boost::system::error_code ignored;
  core.acceptor.close(ignored);
  if (core.signals) core.signals->cancel(ignored);
  internal::DrainConnections(core);
}

// Handlers queued on core.io_context capture the Core by plain pointer: one that runs does so
// on a pool thread, which holds the Core; one that never runs is destroyed with the io_context
// without touching it. A shared_ptr there would be a cycle through the io_context.

// Safe from any thread, any number of times.
void RequestStop(Core& core) {
  {
    std::lock_guard lock(core.mutex);
    if (core.stop_requested) return;
    core.stop_requested = true;
  }
  core.changed.notify_all();
  asio::post(core.control, [core = &core] { BeginShutdown(*core); });
}

// Runs on core.control until the acceptor closes.
asio::awaitable<void> AcceptLoop(Core& core) {
  asio::steady_timer retry_timer(core.control);
  while (!core.stopping.load()) {
    // No strand per connection: a connection's coroutine is its only user of the socket, and
    // the sweep and drain reach it through atomics only (see connection.h).
    tcp::socket socket(core.io_context);
    boost::system::error_code ec;
    co_await core.acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (core.stopping.load() || ec == asio::error::operation_aborted ||
          !core.acceptor.is_open()) {
        break;
      }
      // Out of descriptors or memory, or an error the kernel should not give: never stop
      // serving for it, but back off so a persistent failure cannot spin.
      log::Warn("http.accept_failed", {{"error", ec.message()}});
      retry_timer.expires_after(kAcceptRetryDelay);
      co_await retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (core.open_connections.load(std::memory_order_relaxed) >= core.options.connections_max) {
      core.refused_total.fetch_add(1, std::memory_order_relaxed);
      socket.close(ec);  // over the limit: the client sees the close and may retry elsewhere
      continue;
    }
    internal::SpawnConnection(core, std::move(socket));
  }
}

// How often connections are checked for timeouts: a fraction of the shortest timeout, so none
// overruns by more than that fraction, within bounds that keep the sweep cheap.
std::chrono::milliseconds SweepInterval(const ServerOptions& options) {
  const auto shortest =
      std::min({options.read_timeout, options.idle_timeout, options.write_timeout});
  return std::clamp(shortest / 8, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
}

// Runs on core.control until the io_context stops.
asio::awaitable<void> SweepLoop(Core& core) {
  asio::steady_timer timer(core.control);
  const std::chrono::milliseconds interval = SweepInterval(core.options);
  for (;;) {
    timer.expires_after(interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    internal::SweepConnections(core);
  }
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics& metrics) {
    const int threads = ThreadCount(options);
    core_ = std::make_shared<Core>(std::move(options), router, metrics, threads);
  }

  Status Start();
  uint16_t port() const { return port_; }
  void Run(bool handle_signals);
  void Stop();
  size_t InFlight() const { return core_->in_flight.load(std::memory_order_relaxed); }
  bool Stopping() const {
    std::lock_guard lock(core_->mutex);
    return core_->stop_requested;
  }

 private:
  void StartSignals();
  void SpawnAcceptLoop();
  std::vector<std::thread> StartThreads(int count);
  bool WaitUntilDrained();
  void JoinThreads(std::vector<std::thread>& threads, bool drained);

  std::shared_ptr<Core> core_;
  bool started_ = false;
  bool ran_ = false;
  uint16_t port_ = 0;
};

Status Server::Impl::Start() {
  if (started_) return FailedPreconditionError("the server is already started");
  RETURN_IF_ERROR(ValidateOptions(core_->options));
  const std::string where = fmt::format("{}:{}", core_->options.address, core_->options.port);
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(core_->options.address, ec);
  if (ec) return InvalidArgumentError(fmt::format("bad listen address '{}'", where));
  const tcp::endpoint endpoint(address, core_->options.port);
  tcp::acceptor& acceptor = core_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return UnavailableError(fmt::format("cannot listen on {}: {}", where, ec.message()));
  }
  port_ = acceptor.local_endpoint(ec).port();
  started_ = true;
  return Status::Ok();
}

void Server::Impl::Run(bool handle_signals) {
  CHECK(started_, "Server::Run before a successful Start");
  CHECK(!ran_, "Server::Run called twice");
  ran_ = true;
  if (handle_signals) StartSignals();
  SpawnAcceptLoop();
  asio::co_spawn(core_->control, SweepLoop(*core_), asio::detached);
  const int thread_count = ThreadCount(core_->options);
  std::vector<std::thread> threads = StartThreads(thread_count);
  log::Info("http.serving", {{"address", core_->options.address},
                             {"port", static_cast<int>(port_)},
                             {"threads", thread_count}});
  const bool drained = WaitUntilDrained();
  core_->io_context.stop();
  JoinThreads(threads, drained);
  log::Info("http.stopped", {{"drained", drained}});
}

void Server::Impl::Stop() { RequestStop(*core_); }

void Server::Impl::StartSignals() {
  core_->signals.emplace(core_->control, SIGINT, SIGTERM);
  core_->signals->async_wait([core = core_.get()](const boost::system::error_code& ec, int signal) {
    if (ec) return;  // cancelled by shutdown
    log::Info("http.signal", {{"signal", signal}});
    RequestStop(*core);
  });
}

void Server::Impl::SpawnAcceptLoop() {
  {
    std::lock_guard lock(core_->mutex);
    core_->accepting = true;
  }
  asio::co_spawn(core_->control, AcceptLoop(*core_),
                 [core = core_.get()](std::exception_ptr error) {
                   if (error) log::Error("http.accept_loop_failed");
                   {
                     std::lock_guard lock(core->mutex);
                     core->accepting = false;
                   }
                   core->changed.notify_all();
                 });
}

std::vector<std::thread> Server::Impl::StartThreads(int count) {
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    // Each thread holds the core, so a thread abandoned inside a hung handler never outlives it.
    threads.emplace_back([core = core_] {
      for (;;) {
        try {
          core->io_context.run();
          break;
        } catch (const std::exception& e) {
          log::Error("http.worker_exception", {{"error", e.what()}});
        } catch (...) {
          log::Error("http.worker_exception", {{"error", "unknown exception"}});
        }
      }
      {
        std::lock_guard lock(core->mutex);
        ++core->threads_exited;
      }
      core->changed.notify_all();
    });
  }
  return threads;
}

// Blocks until Stop, then until every connection has closed or shutdown_grace has passed.
bool Server::Impl::WaitUntilDrained() {
  Core& core = *core_;
  std::unique_lock lock(core.mutex);
  core.changed.wait(lock, [&] { return core.stop_requested; });
  const auto deadline = std::chrono::steady_clock::now() + core.options.shutdown_grace;
  const bool drained = core.changed.wait_until(
      lock, deadline, [&] { return !core.accepting && core.open_connections.load() == 0; });
  if (!drained) {
    log::Error("http.shutdown_abandoned",
               {{"connections", static_cast<uint64_t>(core.open_connections.load())},
                {"in_flight", static_cast<uint64_t>(core.in_flight.load())}});
  }
  return drained;
}

void Server::Impl::JoinThreads(std::vector<std::thread>& threads, bool drained) {
  if (!drained) {
    // A thread stuck in a handler cannot be joined; wait briefly, then let it go. It keeps the
    // core alive and leaves the stopped io_context when its handler returns.
    std::unique_lock lock(core_->mutex);
    const size_t count = threads.size();
    core_->changed.wait_for(lock, kAbandonWait,
                            [&] { return static_cast<size_t>(core_->threads_exited) == count; });
    if (static_cast<size_t>(core_->threads_exited) != count) {
      lock.unlock();
      for (std::thread& thread : threads) thread.detach();
      return;
    }
  }
  for (std::thread& thread : threads) thread.join();
}

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}
Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run(bool handle_signals) { impl_->Run(handle_signals); }
void Server::Stop() { impl_->Stop(); }
size_t Server::InFlight() const { return impl_->InFlight(); }
bool Server::Stopping() const { return impl_->Stopping(); }

}  // namespace banyan::http
