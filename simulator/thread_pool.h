// The func-mode worker threads (issue 16): one instruction's tiles spread over a fixed set of
// threads. Every index of a ParallelFor writes its own outputs with the same arithmetic it would
// use alone, so results do not depend on the thread count or on scheduling.
#ifndef OPENBPU_SIMULATOR_THREAD_POOL_H_
#define OPENBPU_SIMULATOR_THREAD_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace openbpu::sim {

class ThreadPool {
 public:
  // `threads` >= 1 in all, the caller of ParallelFor being one of them.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(i) once for every i in [0, n), on the pool's threads and the caller, and returns
  // when all calls have returned. Not reentrant: one ParallelFor at a time per pool.
  void ParallelFor(int64_t n, absl::FunctionRef<void(int64_t)> fn);

 private:
  void Work();
  void RunShare();

  std::vector<std::thread> workers_;
  // A job is open while generation_ is odd. Workers spin briefly for the next one (instructions
  // follow each other within microseconds), then sleep on wake_.
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> in_job_{0};  // workers that may be reading the open job's fields
  std::atomic<bool> stop_{false};
  const absl::FunctionRef<void(int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  std::atomic<int64_t> next_{0}, finished_{0};
};

// ParallelFor on `pool`, or a plain loop when it is null. FunctionRef: no allocation per call.
inline void ParallelFor(ThreadPool* pool, int64_t n, absl::FunctionRef<void(int64_t)> fn) {
  if (pool == nullptr || n <= 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  pool->ParallelFor(n, fn);
}

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_THREAD_POOL_H_
