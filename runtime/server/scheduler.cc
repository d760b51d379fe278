#include "runtime/server/scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace openbpu::server {

Scheduler::Scheduler(const SchedulerOptions& options, ExecutionHook hook)
    : options_(options), hook_(std::move(hook)) {
  options_.workers = std::max(1, options_.workers);
  for (int w = 0; w < options_.workers; ++w) workers_.emplace_back([this] { Work(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    flush_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

absl::Status Scheduler::Submit(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return absl::UnavailableError("the server is shutting down");
    std::deque<std::shared_ptr<Job>>& q = queues_[job->model.get()];
    if (static_cast<int64_t>(q.size()) >= options_.max_queue_size) {
      if (q.empty()) queues_.erase(job->model.get());
      return absl::UnavailableError(absl::StrCat(
          "model '", job->model->name, "' version ", job->model->version, ": its queue holds ",
          options_.max_queue_size, " requests (--max-queue-size); try again"));
    }
    job->enqueued = Job::Clock::now();
    job->state = Job::State::kQueued;
    q.push_back(job);
  }
  work_cv_.notify_one();
  return absl::OkStatus();
}

bool Scheduler::Abandon(Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (job.state != Job::State::kQueued) return false;
  auto it = queues_.find(job.model.get());
  if (it == queues_.end()) return false;  // never queued (Submit refused it)
  std::deque<std::shared_ptr<Job>>& q = it->second;
  auto j = std::find_if(q.begin(), q.end(),
                        [&](const std::shared_ptr<Job>& p) { return p.get() == &job; });
  if (j == q.end()) return false;
  q.erase(j);
  if (q.empty()) queues_.erase(it);
  job.state = Job::State::kAbandoned;
  job.queue_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Job::Clock::now() - job.enqueued)
          .count();
  return true;
}

void Scheduler::Flush() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    flush_ = true;
  }
  work_cv_.notify_all();
}

int64_t Scheduler::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& [model, q] : queues_) n += static_cast<int64_t>(q.size());
  return n;
}

std::vector<std::shared_ptr<Job>> Scheduler::Next(Job::Clock::time_point now,
                                                  Job::Clock::time_point* wake,
                                                  std::vector<std::shared_ptr<Job>>* expired) {
  std::vector<std::shared_ptr<Job>> batch;
  *wake = Job::Clock::time_point::max();
  // Deadlines first: a job past its deadline leaves the queue unrun.
  for (auto it = queues_.begin(); it != queues_.end();) {
    std::deque<std::shared_ptr<Job>>& q = it->second;
    for (auto j = q.begin(); j != q.end();) {
      if ((*j)->deadline <= now) {
        (*j)->state = Job::State::kDone;
        (*j)->queue_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - (*j)->enqueued).count();
        (*j)->status = absl::DeadlineExceededError(
            "the deadline passed while the request was queued; it did not run");
        expired->push_back(std::move(*j));
        j = q.erase(j);
      } else {
        *wake = std::min(*wake, (*j)->deadline);
        ++j;
      }
    }
    it = q.empty() ? queues_.erase(it) : std::next(it);
  }
  if (queues_.empty()) return batch;
  // Round robin: start after the queue served last.
  auto start = queues_.upper_bound(last_);
  for (size_t visited = 0; visited < queues_.size(); ++visited, ++start) {
    if (start == queues_.end()) start = queues_.begin();
    std::deque<std::shared_ptr<Job>>& q = start->second;
    const ServedModel& model = *start->first;
    if (q.empty()) continue;
    size_t take = 1;
    bool ready = true;
    if (model.max_batch > 0) {
      // The leading requests of the front one's kind (raw or FP32) that fit in one batch.
      const bool raw = q.front()->request.raw;
      int64_t samples = 0;
      take = 0;
      bool full = false;
      while (take < q.size() && q[take]->request.raw == raw &&
             samples + q[take]->request.samples <= model.max_batch) {
        samples += q[take]->request.samples;
        ++take;
      }
      full = samples == model.max_batch || take < q.size();  // nothing more can join
      const auto due = q.front()->enqueued + std::chrono::microseconds(options_.max_queue_delay_us);
      ready = full || flush_ || options_.max_queue_delay_us == 0 || now >= due;
      if (!ready) *wake = std::min(*wake, due);
    }
    if (!ready) continue;
    for (size_t i = 0; i < take; ++i) {
      q.front()->state = Job::State::kRunning;
      q.front()->queue_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - q.front()->enqueued).count();
      batch.push_back(std::move(q.front()));
      q.pop_front();
    }
    last_ = start->first;
    if (q.empty()) queues_.erase(start);
    return batch;
  }
  return batch;
}

void Scheduler::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Job>> expired;
  while (true) {
    Job::Clock::time_point wake;
    std::vector<std::shared_ptr<Job>> batch = Next(Job::Clock::now(), &wake, &expired);
    if (!expired.empty()) {
      lock.unlock();
      for (const std::shared_ptr<Job>& j : expired) {
        if (j->on_done) j->on_done(*j);
      }
      expired.clear();
      lock.lock();
      if (batch.empty()) continue;
    }
    if (batch.empty()) {
      if (stop_ && queues_.empty()) return;
      if (wake == Job::Clock::time_point::max()) {
        work_cv_.wait(lock);
      } else {
        work_cv_.wait_until(lock, wake);
      }
      continue;
    }
    lock.unlock();
    // Another worker may take the next batch while this one runs.
    work_cv_.notify_one();
    const ServedModel& model = *batch[0]->model;
    std::vector<const PreparedRequest*> requests;
    std::vector<inference::ModelInferResponse*> responses;
    int64_t samples = 0;
    for (const std::shared_ptr<Job>& j : batch) {
      requests.push_back(&j->request);
      responses.push_back(j->response);
      samples += j->request.samples;
    }
    ExecTimes times;
    const absl::Status st = Execute(*model.model, model.name, model.version, model.max_batch,
                                    requests, options_.threads, responses, &times);
    if (hook_) hook_(model, samples, times);
    executions_.fetch_add(1, std::memory_order_relaxed);
    for (const std::shared_ptr<Job>& j : batch) {
      j->status = st;
      j->times = times;
      j->batch = samples;
    }
    lock.lock();
    for (const std::shared_ptr<Job>& j : batch) j->state = Job::State::kDone;
    lock.unlock();
    for (const std::shared_ptr<Job>& j : batch) {
      if (j->on_done) j->on_done(*j);
    }
    batch.clear();
    lock.lock();
  }
}

}  // namespace openbpu::server
