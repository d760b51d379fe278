#include "simulator/thread_pool.h"

#include <immintrin.h>

namespace openbpu::sim {
namespace {

constexpr int kSpins = 1 << 16;  // pause instructions (~100 us) before a worker sleeps

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

// Takes indices of the open job until none are left.
void ThreadPool::RunShare() {
  for (int64_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) {
    (*fn_)(i);
    finished_.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::Work() {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int spin = 0; (g == seen || g % 2 == 0) && !stop_.load(); ++spin) {
      if (spin < kSpins) {
        _mm_pause();
      } else {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] {
          const uint64_t now = generation_.load();
          return stop_.load() || (now != seen && now % 2 == 1);
        });
      }
      g = generation_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = g;
    // Join the job only while it is still open: once the caller closes it (generation even) it
    // waits for every worker counted here before the fields change.
    in_job_.fetch_add(1);
    if (generation_.load() == g) RunShare();
    in_job_.fetch_sub(1);
  }
}

void ThreadPool::ParallelFor(int64_t n, absl::FunctionRef<void(int64_t)> fn) {
  if (n <= 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_.store(0);
    finished_.store(0);
    generation_.fetch_add(1);  // odd: open
  }
  wake_.notify_all();
  RunShare();
  for (int spin = 0; finished_.load(std::memory_order_acquire) < n; ++spin) {
    if (spin < kSpins) {
      _mm_pause();
    } else {
      std::this_thread::yield();
    }
  }
  generation_.fetch_add(1);  // even: closed
  while (in_job_.load() != 0) _mm_pause();
}

}  // namespace openbpu::sim
