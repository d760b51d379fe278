// The scheduler without gRPC, on the bundled digits model: every submitted job ends exactly once
// with the outputs Infer gives, from many threads at once (run under TSan and ASan too); the
// bounded queue; abandoning a queued job; a deadline passing in the queue; draining at
// destruction.
#include "runtime/server/scheduler.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/server/bundled_model.h"
#include "runtime/server/model_set.h"
#include "runtime/server/request.h"

namespace openbpu::server {
namespace {

std::shared_ptr<const ServedModel> Digits() {
  static const std::shared_ptr<const ServedModel> m = [] {
    ModelSet set;
    EXPECT_TRUE(set.LoadBytes("digits", BundledModel()).ok());
    absl::StatusOr<std::shared_ptr<const ServedModel>> found = set.Find("digits", "");
    EXPECT_TRUE(found.ok());
    return *found;
  }();
  return m;
}

inference::ModelInferRequest Request(int i) {
  inference::ModelInferRequest r;
  r.set_model_name("digits");
  auto* in = r.add_inputs();
  in->set_name(Digits()->model->inputs()[0].name);
  in->set_datatype("FP32");
  for (int64_t d : {1, 1, 8, 8}) in->add_shape(d);
  for (int e = 0; e < 64; ++e) in->mutable_contents()->add_fp32_contents(((i * 7 + e) % 17) / 4.f);
  return r;
}

// A job for Request(i), its response owned by the test.
struct Pending {
  std::shared_ptr<Job> job = std::make_shared<Job>();
  inference::ModelInferResponse response;
  std::atomic<int> ended{0};
};

std::unique_ptr<Pending> MakeJob(int i) {
  auto p = std::make_unique<Pending>();
  absl::StatusOr<PreparedRequest> prepared =
      Prepare(*Digits()->model, "digits", 0, Request(i), int64_t{1} << 20);
  EXPECT_TRUE(prepared.ok()) << prepared.status();
  p->job->model = Digits();
  p->job->request = *std::move(prepared);
  p->job->response = &p->response;
  Pending* raw = p.get();
  p->job->on_done = [raw](Job&) { raw->ended.fetch_add(1); };
  return p;
}

TEST(SchedulerTest, ManyThreadsEveryJobEndsOnceWithInfersOutputs) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::atomic<int> executions{0};
  SchedulerOptions o;
  o.workers = 3;
  std::vector<std::unique_ptr<Pending>> jobs(kThreads * kPerThread);
  {
    Scheduler s(o, [&](const ServedModel&, int64_t samples, const ExecTimes&) {
      EXPECT_EQ(samples, 1);
      executions.fetch_add(1);
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0; k < kPerThread; ++k) {
          const int i = t * kPerThread + k;
          jobs[i] = MakeJob(i);
          ASSERT_TRUE(s.Submit(jobs[i]->job).ok());
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }  // the destructor runs what is queued
  EXPECT_EQ(executions.load(), kThreads * kPerThread);
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    ASSERT_EQ(jobs[i]->ended.load(), 1) << i;
    ASSERT_TRUE(jobs[i]->job->status.ok()) << jobs[i]->job->status;
    inference::ModelInferResponse want;
    ASSERT_TRUE(Infer(*Digits()->model, "digits", Request(i), int64_t{1} << 20, 1, &want).ok());
    ASSERT_EQ(jobs[i]->response.raw_output_contents(0), want.raw_output_contents(0)) << i;
  }
}

TEST(SchedulerTest, BoundAbandonAndDeadlineWhileQueued) {
  // One worker, held inside the execution hook of the first job: the others stay queued.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, holding = false;
  std::atomic<int> executions{0};
  SchedulerOptions o;
  o.workers = 1;
  o.max_queue_size = 3;
  auto first = MakeJob(0);
  std::vector<std::unique_ptr<Pending>> queued;
  {
    Scheduler s(o, [&](const ServedModel&, int64_t, const ExecTimes&) {
      executions.fetch_add(1);
      std::unique_lock<std::mutex> lock(mu);
      holding = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
    ASSERT_TRUE(s.Submit(first->job).ok());
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return holding; });
    }
    for (int i = 1; i <= 3; ++i) {
      queued.push_back(MakeJob(i));
      ASSERT_TRUE(s.Submit(queued.back()->job).ok());
    }
    EXPECT_EQ(s.queued(), 3);
    // The bound: a fourth queued request is refused at once.
    auto extra = MakeJob(4);
    const absl::Status refused = s.Submit(extra->job);
    EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
    EXPECT_NE(refused.message().find("--max-queue-size"), std::string::npos);
    // Abandon takes a queued job out (it never runs, on_done never called); twice is a no-op; a
    // job that never entered the queue is not abandoned.
    EXPECT_TRUE(s.Abandon(*queued[0]->job));
    EXPECT_FALSE(s.Abandon(*queued[0]->job));
    EXPECT_FALSE(s.Abandon(*extra->job));
    // A deadline already past: the job leaves the queue unrun with DEADLINE_EXCEEDED.
    queued[1]->job->deadline = Job::Clock::now();
    EXPECT_FALSE(s.Abandon(*first->job));  // running
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
  }
  EXPECT_EQ(first->ended.load(), 1);
  EXPECT_EQ(queued[0]->ended.load(), 0);
  EXPECT_EQ(queued[1]->ended.load(), 1);
  EXPECT_EQ(queued[1]->job->status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(queued[1]->response.outputs_size(), 0);
  EXPECT_EQ(queued[2]->ended.load(), 1);
  EXPECT_TRUE(queued[2]->job->status.ok());
  EXPECT_EQ(executions.load(), 2);  // the first and the third: never the abandoned or expired
}

}  // namespace
}  // namespace openbpu::server
