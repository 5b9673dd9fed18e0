// RwLock: a reader-writer lock that lets a waiting writer in before new readers.
//
// std::shared_mutex on glibc prefers readers: API threads reading the identity graph back to back
// can keep the single ingestion writer out indefinitely (a test with two busy readers slowed
// Resolve a thousandfold). This wraps pthread_rwlock with
// PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP instead; the price is that a thread holding the
// lock shared must not take it shared again. Usable with std::unique_lock / std::shared_lock.
//
// Used by: graph.h. Thread safety: it is the lock.

#ifndef BANYAN_IDENTITY_INTERNAL_RW_LOCK_H_
#define BANYAN_IDENTITY_INTERNAL_RW_LOCK_H_

#include <pthread.h>

#include "base/check.h"

namespace banyan::identity::internal {

class RwLock {
 public:
  RwLock() {
    pthread_rwlockattr_t attr;
    CHECK(pthread_rwlockattr_init(&attr) == 0);
    CHECK(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) == 0);
    CHECK(pthread_rwlock_init(&lock_, &attr) == 0);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwLock() { pthread_rwlock_destroy(&lock_); }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  void lock() { CHECK(pthread_rwlock_wrlock(&lock_) == 0); }
  void unlock() { CHECK(pthread_rwlock_unlock(&lock_) == 0); }
  void lock_shared() { CHECK(pthread_rwlock_rdlock(&lock_) == 0); }
  void unlock_shared() { CHECK(pthread_rwlock_unlock(&lock_) == 0); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace banyan::identity::internal

#endif  // BANYAN_IDENTITY_INTERNAL_RW_LOCK_H_
