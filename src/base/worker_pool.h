// WorkerPool: a fixed set of threads running queued tasks, for work that must not occupy the
// HTTP threads — password hashing (Argon2id takes tens of milliseconds by design), imports.
//
// The queue is bounded: Submit fails fast with ResourceExhausted when it is full, so an overload
// becomes a 429 for the caller instead of unbounded memory and latency.
// Thread safety: Submit is safe from any thread. The destructor finishes queued tasks first.

#ifndef BANYAN_BASE_WORKER_POOL_H_
#define BANYAN_BASE_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"

namespace banyan {

class WorkerPool {
 public:
  // REQUIRES: threads >= 1, queue_max >= 1.
  WorkerPool(std::string name, int threads, size_t queue_max);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  Status Submit(std::function<void()> task);
  size_t Queued() const;

 private:
  void Loop();

  const std::string name_;
  const size_t queue_max_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace banyan

#endif  // BANYAN_BASE_WORKER_POOL_H_
