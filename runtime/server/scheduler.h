// The server's scheduler: one bounded queue per served model version, and a fixed set of workers
// that run what the queues hold. For a model compiled with `--batch N` (ServedModel::max_batch)
// a worker stacks queued requests into one execution of up to N samples (dynamic batching): it
// runs as soon as N samples are queued, or when the oldest has waited the max queue delay.
// Requests whose deadline passes while they are queued, or that their caller abandons (a client's
// cancellation), are never run. Nothing blocks a caller: a job's `on_done` reports its end.
#ifndef OPENBPU_RUNTIME_SERVER_SCHEDULER_H_
#define OPENBPU_RUNTIME_SERVER_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "runtime/server/model_set.h"
#include "runtime/server/request.h"

namespace openbpu::server {

struct SchedulerOptions {
  int workers = 4;  // executions at once, each on a simulator instance of its own
  int threads = 1;  // the functional simulator's threads per execution
  // Requests one model version's queue holds; more are refused with UNAVAILABLE at once.
  int64_t max_queue_size = 256;
  // How long the oldest queued request of a batching model waits for others to fill the batch (0:
  // a batch is what is queued when a worker is free, Triton's default).
  int64_t max_queue_delay_us = 0;
};

// One request on its way through the scheduler.
struct Job {
  using Clock = std::chrono::steady_clock;
  std::shared_ptr<const ServedModel> model;
  PreparedRequest request;
  inference::ModelInferResponse* response = nullptr;  // the caller's, filled by Execute
  Clock::time_point enqueued;
  Clock::time_point deadline = Clock::time_point::max();  // queued past it: DEADLINE_EXCEEDED
  // Called once by a worker, outside the scheduler's lock, when the job has run (status: the
  // execution's) or its deadline passed while it was queued; never after Abandon returned true.
  std::function<void(Job&)> on_done;
  // Filled before on_done: its status, its wait in the queue, the execution's times and samples.
  absl::Status status;
  int64_t queue_ns = 0, batch = 0;
  ExecTimes times;

 private:
  friend class Scheduler;
  enum class State { kQueued, kRunning, kDone, kAbandoned };
  State state = State::kQueued;
};

class Scheduler {
 public:
  // Called by a worker after each execution (for the statistics): the model, the samples run (a
  // batching model's batch filled; 1 otherwise) and where the time went.
  using ExecutionHook = std::function<void(const ServedModel&, int64_t samples, const ExecTimes&)>;
  Scheduler(const SchedulerOptions& options, ExecutionHook hook);
  ~Scheduler();  // runs what is queued, then stops the workers

  // Queues `job`; UNAVAILABLE (and on_done never called) when its model's queue is full or the
  // scheduler is stopping.
  absl::Status Submit(const std::shared_ptr<Job>& job);
  // Takes `job` out of its queue if it is still there: true, and it never runs (on_done is not
  // called); false when it is running or done (on_done is or will be called).
  bool Abandon(Job& job);
  // From now on batches run without waiting for the max queue delay (the server is draining).
  void Flush();
  // Requests queued now, over every model (for tests and the statistics).
  int64_t queued() const;
  // Executions finished so far.
  int64_t executions() const { return executions_.load(std::memory_order_relaxed); }

 private:
  void Work();
  // Under mu_: the jobs of the next execution (empty: none is ready; `wake` then says when a
  // queue becomes ready by its delay or a queued job's deadline passes). Jobs whose deadline has
  // passed leave their queues into `expired`.
  std::vector<std::shared_ptr<Job>> Next(Job::Clock::time_point now, Job::Clock::time_point* wake,
                                         std::vector<std::shared_ptr<Job>>* expired);

  SchedulerOptions options_;
  ExecutionHook hook_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::map<const ServedModel*, std::deque<std::shared_ptr<Job>>> queues_;
  const ServedModel* last_ = nullptr;  // the queue served last (round robin)
  bool flush_ = false, stop_ = false;
  std::atomic<int64_t> executions_{0};
  std::vector<std::thread> workers_;
};

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_SCHEDULER_H_
