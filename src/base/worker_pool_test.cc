#include "base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace banyan {
namespace {

TEST(WorkerPool, RunsEveryTaskBeforeDestruction) {
  std::atomic<int> done{0};
  {
    WorkerPool pool("test pool", 2, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.Submit([&] { ++done; }).ok());
  }
  EXPECT_EQ(done.load(), 50);
}

TEST(WorkerPool, FullQueueIsResourceExhausted) {
  WorkerPool pool("login pool", 1, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.Submit([&] {
                    started.set_value();
                    gate.wait();
                  })
                  .ok());
  started.get_future().wait();  // the worker is busy; the queue is empty
  ASSERT_TRUE(pool.Submit([gate] { gate.wait(); }).ok());
  Status full = pool.Submit([] {});
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("login pool"), std::string::npos);
  release.set_value();
}

}  // namespace
}  // namespace banyan
