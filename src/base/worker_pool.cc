#include "base/worker_pool.h"

#include <fmt/format.h>

#include "base/check.h"

namespace banyan {

WorkerPool::WorkerPool(std::string name, int threads, size_t queue_max)
    : name_(std::move(name)), queue_max_(queue_max) {
  CHECK(threads >= 1 && queue_max >= 1);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

Status WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return UnavailableError(fmt::format("{} is shutting down", name_));
    if (queue_.size() >= queue_max_) {
      return ResourceExhaustedError(
          fmt::format("{} is busy ({} tasks queued); retry shortly", name_, queue_.size()));
    }
    queue_.push_back(std::move(task));
  }
  changed_.notify_one();
  return Status::Ok();
}

size_t WorkerPool::Queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkerPool::Loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace banyan
