#include "runtime/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <malloc.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "proto/grpc_service.grpc.pb.h"
#include "runtime/server/scheduler.h"

namespace openbpu::server {
namespace {

constexpr char kServerName[] = "openbpu";
constexpr char kServerVersion[] = "0.1.0";
constexpr char kPlatform[] = "openbpu_hbm";

grpc::Status ToGrpc(const absl::Status& st) {
  if (st.ok()) return grpc::Status::OK;
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  switch (st.code()) {
    case absl::StatusCode::kInvalidArgument:
      code = grpc::StatusCode::INVALID_ARGUMENT;
      break;
    case absl::StatusCode::kNotFound:
      code = grpc::StatusCode::NOT_FOUND;
      break;
    case absl::StatusCode::kUnimplemented:
      code = grpc::StatusCode::UNIMPLEMENTED;
      break;
    case absl::StatusCode::kUnavailable:
      code = grpc::StatusCode::UNAVAILABLE;
      break;
    case absl::StatusCode::kResourceExhausted:
      code = grpc::StatusCode::RESOURCE_EXHAUSTED;
      break;
    default:
      code = grpc::StatusCode::INTERNAL;
      break;
  }
  return grpc::Status(code, std::string(st.message()));
}

}  // namespace

namespace {

// Triton's per-model metrics (nv_inference_*), labelled by model and version.
class Metrics {
 public:
  Metrics()
      : registry_(std::make_shared<prometheus::Registry>()),
        success_(Counter("nv_inference_request_success",
                         "Number of successful inference requests, all batch sizes")),
        failure_(Counter("nv_inference_request_failure",
                         "Number of failed inference requests, all batch sizes")),
        count_(Counter("nv_inference_count", "Number of inferences performed")),
        exec_(Counter("nv_inference_exec_count", "Number of model executions performed")),
        queue_us_(Counter("nv_inference_queue_duration_us",
                          "Cumulative inference queuing duration in microseconds")),
        compute_us_(Counter("nv_inference_compute_infer_duration_us",
                            "Cumulative compute inference duration in microseconds")) {}

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // One request to a served model: its outcome, its total time, its wait in the queue and its
  // execution's times (Triton gives each request of a batch the batch's compute times).
  void Request(const std::string& model, const std::string& version, bool ok, int64_t total_ns,
               const Job* job) {
    const prometheus::Labels labels = {{"model", model}, {"version", version}};
    std::lock_guard<std::mutex> lock(mu_);
    inference::ModelStatistics& s = Stats(model, version);
    inference::InferStatistics* is = s.mutable_inference_stats();
    if (!ok) {
      failure_.Add(labels).Increment();
      Add(is->mutable_fail(), total_ns);
      return;
    }
    const int64_t epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    success_.Add(labels).Increment();
    count_.Add(labels).Increment(static_cast<double>(job->request.samples));
    queue_us_.Add(labels).Increment(static_cast<double>(job->queue_ns) / 1e3);
    compute_us_.Add(labels).Increment(static_cast<double>(job->times.infer_ns) / 1e3);
    s.set_last_inference(static_cast<uint64_t>(epoch_ms));
    s.set_inference_count(s.inference_count() + static_cast<uint64_t>(job->request.samples));
    Add(is->mutable_success(), total_ns);
    Add(is->mutable_queue(), job->queue_ns);
    Add(is->mutable_compute_input(), job->times.input_ns);
    Add(is->mutable_compute_infer(), job->times.infer_ns);
    Add(is->mutable_compute_output(), job->times.output_ns);
  }

  // One execution of a model: `samples` stacked requests' samples (the batch size of its
  // batch_stats entry).
  void Execution(const ServedModel& m, int64_t samples, const ExecTimes& t) {
    const prometheus::Labels labels = {{"model", m.name}, {"version", m.version}};
    std::lock_guard<std::mutex> lock(mu_);
    exec_.Add(labels).Increment();
    inference::ModelStatistics& s = Stats(m.name, m.version);
    s.set_execution_count(s.execution_count() + 1);
    inference::InferBatchStatistics* b = nullptr;
    for (auto& e : *s.mutable_batch_stats()) {
      if (e.batch_size() == static_cast<uint64_t>(samples)) b = &e;
    }
    if (b == nullptr) {
      b = s.add_batch_stats();
      b->set_batch_size(static_cast<uint64_t>(samples));
    }
    Add(b->mutable_compute_input(), t.input_ns);
    Add(b->mutable_compute_infer(), t.infer_ns);
    Add(b->mutable_compute_output(), t.output_ns);
  }

  // ModelStatistics: `name` / `version` empty match every model / version.
  void Statistics(const std::string& name, const std::string& version,
                  inference::ModelStatisticsResponse* r) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, s] : stats_) {
      if ((name.empty() || key.first == name) && (version.empty() || key.second == version)) {
        *r->add_model_stats() = s;
      }
    }
  }

 private:
  prometheus::Family<prometheus::Counter>& Counter(const std::string& name,
                                                   const std::string& help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  }
  inference::ModelStatistics& Stats(const std::string& model, const std::string& version) {
    inference::ModelStatistics& s = stats_[{model, version}];
    s.set_name(model);
    s.set_version(version);
    return s;
  }
  static void Add(inference::StatisticDuration* d, int64_t ns) {
    d->set_count(d->count() + 1);
    d->set_ns(d->ns() + static_cast<uint64_t>(ns > 0 ? ns : 0));
  }

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>&success_, &failure_, &count_, &exec_, &queue_us_,
      &compute_us_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, inference::ModelStatistics> stats_;
};

// ModelInfer on gRPC's callback API (nothing blocks a gRPC thread while a request is queued or
// runs: the scheduler's workers finish the calls), the other RPCs synchronous.
class Service final : public inference::GRPCInferenceService::WithCallbackMethod_ModelInfer<
                          inference::GRPCInferenceService::Service> {
 public:
  Service(ModelSet* models, const ServerOptions& options, Metrics* metrics, Scheduler* scheduler)
      : models_(models), options_(options), metrics_(metrics), scheduler_(scheduler) {}
  void set_server(grpc::Server* server) { server_ = server; }

  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* r) override {
    r->set_live(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* r) override {
    r->set_ready(!models_->empty());
    return grpc::Status::OK;
  }
  grpc::Status ServerMetadata(grpc::ServerContext*, const inference::ServerMetadataRequest*,
                              inference::ServerMetadataResponse* r) override {
    r->set_name(kServerName);
    r->set_version(kServerVersion);
    r->add_extensions("model_repository");  // Triton's extensions this server implements
    r->add_extensions("statistics");
    return grpc::Status::OK;
  }
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* q,
                          inference::ModelReadyResponse* r) override {
    absl::StatusOr<std::shared_ptr<const ServedModel>> m = models_->Find(q->name(), q->version());
    if (!m.ok() && !models_->Known(q->name())) return ToGrpc(m.status());
    r->set_ready(m.ok());  // a known model that is not serving: not ready
    return grpc::Status::OK;
  }
  grpc::Status ModelMetadata(grpc::ServerContext*, const inference::ModelMetadataRequest* q,
                             inference::ModelMetadataResponse* r) override {
    absl::StatusOr<std::shared_ptr<const ServedModel>> m = models_->Find(q->name(), q->version());
    if (!m.ok()) return ToGrpc(m.status());
    r->set_name(q->name());
    for (const std::string& v : models_->Versions(q->name())) r->add_versions(v);
    r->set_platform(kPlatform);
    // A batching model's leading dimension is -1: requests carry 1..max_batch samples.
    const bool batching = (*m)->max_batch > 0;
    auto fill = [batching](const runtime::TensorInfo& info,
                           inference::ModelMetadataResponse::TensorMetadata* t) {
      t->set_name(info.name);
      t->set_datatype(ServedDatatype(info));
      for (size_t d = 0; d < info.valid_shape.size(); ++d) {
        t->add_shape(d == 0 && batching ? -1 : info.valid_shape[d]);
      }
    };
    for (const runtime::TensorInfo& info : (*m)->model->inputs()) fill(info, r->add_inputs());
    for (const runtime::TensorInfo& info : (*m)->model->outputs()) fill(info, r->add_outputs());
    return grpc::Status::OK;
  }
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* ctx,
                                       const inference::ModelInferRequest* q,
                                       inference::ModelInferResponse* r) override {
    auto finish = [ctx](const grpc::Status& st) {
      grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
      reactor->Finish(st);
      return reactor;
    };
    if (draining_.load()) {
      return finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
    }
    absl::StatusOr<std::shared_ptr<const ServedModel>> m =
        models_->Find(q->model_name(), q->model_version());
    if (!m.ok()) return finish(ToGrpc(m.status()));
    const auto start = Job::Clock::now();
    absl::StatusOr<PreparedRequest> p =
        Prepare(*(*m)->model, q->model_name(), (*m)->max_batch, *q, options_.max_request_bytes);
    if (!p.ok()) {
      metrics_->Request((*m)->name, (*m)->version, false, NsFrom(start), nullptr);
      return finish(ToGrpc(p.status()));
    }
    auto job = std::make_shared<Job>();
    job->model = *m;
    job->response = r;
    job->deadline = Deadline(*ctx);
    job->request = *std::move(p);
    auto* reactor = new InferReactor(this, job, start);
    job->on_done = [reactor](Job& j) { reactor->End(j.status); };
    in_flight_.fetch_add(1);
    if (absl::Status st = scheduler_->Submit(job); !st.ok()) reactor->End(st);
    return reactor;
  }

  // One ModelInfer call from its submission: ended once, by the scheduler's worker (it ran, or
  // its deadline passed in the queue), by a refused Submit, or by the client's cancellation while
  // queued; then gRPC deletes it.
  class InferReactor final : public grpc::ServerUnaryReactor {
   public:
    InferReactor(Service* s, std::shared_ptr<Job> job, Job::Clock::time_point start)
        : s_(s), job_(std::move(job)), start_(start) {}
    void End(const absl::Status& st) {
      s_->metrics_->Request(job_->model->name, job_->model->version, st.ok(), NsFrom(start_),
                            job_.get());
      if (!st.ok()) job_->response->Clear();
      Service* s = s_;  // gRPC may delete this reactor (OnDone) as soon as Finish is called
      Finish(ToGrpc(st));
      s->in_flight_.fetch_sub(1);
    }
    void OnCancel() override {
      if (!s_->scheduler_->Abandon(*job_)) return;  // running or ended: that path ends it
      End(Job::Clock::now() >= job_->deadline
              ? absl::DeadlineExceededError(
                    "the deadline passed while the request was queued; it did not run")
              : absl::CancelledError("cancelled by the client while queued; it did not run"));
    }
    void OnDone() override { delete this; }

   private:
    Service* s_;
    std::shared_ptr<Job> job_;
    Job::Clock::time_point start_;
  };

  static int64_t NsFrom(Job::Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Job::Clock::now() - start).count();
  }

  // The call's deadline on the steady clock (time_point::max() when it has none).
  static Job::Clock::time_point Deadline(const grpc::CallbackServerContext& ctx) {
    const auto left = ctx.deadline() - std::chrono::system_clock::now();
    if (left > std::chrono::hours(24 * 365)) return Job::Clock::time_point::max();
    return Job::Clock::now() + std::chrono::duration_cast<Job::Clock::duration>(left);
  }
  grpc::Status ModelConfig(grpc::ServerContext*, const inference::ModelConfigRequest* q,
                           inference::ModelConfigResponse* r) override {
    absl::StatusOr<std::shared_ptr<const ServedModel>> m = models_->Find(q->name(), q->version());
    if (!m.ok()) return ToGrpc(m.status());
    inference::ModelConfig* c = r->mutable_config();
    c->set_name(q->name());
    c->set_platform(kPlatform);
    // A model compiled with `--batch N` batches (dims without the batch dimension, requests of 1..N
    // samples stacked by the dynamic batcher); any other has the batch in its dims.
    const int64_t batch = (*m)->max_batch;
    c->set_max_batch_size(static_cast<int32_t>(batch));
    const VersionPolicy& policy = models_->policy();
    switch (policy.kind) {
      case VersionPolicy::Kind::kAll:
        c->mutable_version_policy()->mutable_all();
        break;
      case VersionPolicy::Kind::kSpecific:
        for (int64_t v : policy.versions) {
          c->mutable_version_policy()->mutable_specific()->add_versions(v);
        }
        break;
      default:
        c->mutable_version_policy()->mutable_latest()->set_num_versions(
            static_cast<uint32_t>(policy.latest));
    }
    if (batch > 0) {
      inference::ModelDynamicBatching* db = c->mutable_dynamic_batching();
      db->set_max_queue_delay_microseconds(static_cast<uint64_t>(options_.max_queue_delay_us));
      db->mutable_default_queue_policy()->set_max_queue_size(
          static_cast<uint32_t>(options_.max_queue_size));
    }
    const size_t first = batch > 0 ? 1 : 0;
    auto type = [](const runtime::TensorInfo& info) {
      const std::string t = ServedDatatype(info);
      return t == "INT64"  ? inference::TYPE_INT64
             : t == "BOOL" ? inference::TYPE_BOOL
                           : inference::TYPE_FP32;
    };
    // Each tensor's raw form (the stored integers), for raw INT8 / INT16 requests.
    auto raw_form = [c](const runtime::TensorInfo& info) {
      auto& p = *c->mutable_parameters();
      const std::string key = absl::StrCat("bpu_raw.", info.name, ".");
      p[key + "datatype"].set_string_value(StoredDatatype(info));
      p[key + "shape"].set_string_value(absl::StrJoin(info.aligned_shape, ","));
      p[key + "layout"].set_string_value(info.layout == runtime::Layout::kNCHW ? "NCHW" : "NHWC");
      p[key + "scales"].set_string_value(absl::StrJoin(
          info.scales, ",",
          [](std::string* out, float v) { absl::StrAppend(out, absl::StrFormat("%.9g", v)); }));
    };
    for (const runtime::TensorInfo& info : (*m)->model->inputs()) raw_form(info);
    for (const runtime::TensorInfo& info : (*m)->model->outputs()) raw_form(info);
    for (const runtime::TensorInfo& info : (*m)->model->inputs()) {
      inference::ModelInput* in = c->add_input();
      in->set_name(info.name);
      in->set_data_type(type(info));
      for (size_t d = first; d < info.valid_shape.size(); ++d) in->add_dims(info.valid_shape[d]);
    }
    for (const runtime::TensorInfo& info : (*m)->model->outputs()) {
      inference::ModelOutput* out = c->add_output();
      out->set_name(info.name);
      out->set_data_type(type(info));
      for (size_t d = first; d < info.valid_shape.size(); ++d) out->add_dims(info.valid_shape[d]);
    }
    return grpc::Status::OK;
  }
  grpc::Status ModelStatistics(grpc::ServerContext*, const inference::ModelStatisticsRequest* q,
                               inference::ModelStatisticsResponse* r) override {
    if (!q->name().empty()) {  // a named model must be known (Triton: NOT_FOUND otherwise)
      absl::StatusOr<std::shared_ptr<const ServedModel>> m = models_->Find(q->name(), q->version());
      if (!m.ok() && !models_->Known(q->name())) return ToGrpc(m.status());
    }
    metrics_->Statistics(q->name(), q->version(), r);
    return grpc::Status::OK;
  }
  grpc::Status RepositoryIndex(grpc::ServerContext*, const inference::RepositoryIndexRequest* q,
                               inference::RepositoryIndexResponse* r) override {
    for (const ModelSet::IndexEntry& e : models_->Index()) {
      if (q->ready() && e.state != "READY") continue;
      inference::RepositoryIndexResponse::ModelIndex* m = r->add_models();
      m->set_name(e.name);
      m->set_version(e.version);
      m->set_state(e.state);
      m->set_reason(e.reason);
    }
    return grpc::Status::OK;
  }
  grpc::Status RepositoryModelLoad(grpc::ServerContext*,
                                   const inference::RepositoryModelLoadRequest* q,
                                   inference::RepositoryModelLoadResponse*) override {
    absl::Status st = models_->Load(q->model_name());
    UpdateHealth();
    return ToGrpc(st);
  }
  grpc::Status RepositoryModelUnload(grpc::ServerContext*,
                                     const inference::RepositoryModelUnloadRequest* q,
                                     inference::RepositoryModelUnloadResponse*) override {
    absl::Status st = models_->Unload(q->model_name());
    UpdateHealth();
    return ToGrpc(st);
  }

  // Shutdown's first step: new inferences get UNAVAILABLE; returns when none is running.
  void Drain() {
    draining_.store(true);
    UpdateHealth();
    scheduler_->Flush();  // queued batches run now, without waiting for their delay
    while (in_flight_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  // grpc.health.v1: SERVING while a model is loaded (and not draining).
  void UpdateHealth() {
    if (server_ == nullptr) return;
    if (grpc::HealthCheckServiceInterface* h = server_->GetHealthCheckService()) {
      const bool serving = !models_->empty() && !draining_.load();
      h->SetServingStatus(serving);
      h->SetServingStatus("inference.GRPCInferenceService", serving);
    }
  }

 private:
  ModelSet* models_;
  ServerOptions options_;
  Metrics* metrics_;
  grpc::Server* server_ = nullptr;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
  Scheduler* scheduler_;
};

}  // namespace

// Returns the heap's free pages to the system (glibc's malloc_trim) when the server goes idle
// after serving: requests allocate and free on many threads, and each thread's malloc arena keeps
// the pages it freed resident, so without this the server's RSS at rest would follow the peak of
// its last burst rather than what it holds. Checks every 100 ms; trims once per idle period.
class IdleHeapTrimmer {
 public:
  explicit IdleHeapTrimmer(const Scheduler* scheduler)
      : scheduler_(scheduler), thread_([this] { Run(); }) {}
  ~IdleHeapTrimmer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    int64_t seen = 0, trimmed = 0;
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
      const int64_t now = scheduler_->executions();
      // Idle: no execution for a whole period, none queued, and work done since the last trim.
      if (now == seen && now != trimmed && scheduler_->queued() == 0) {
        malloc_trim(0);
        trimmed = now;
      }
      seen = now;
    }
  }

  const Scheduler* scheduler_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

struct InferenceServer::Impl {
  Impl(const std::string& repository, const VersionPolicy& policy) : models(repository, policy) {}
  ModelSet models;
  Metrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  bool shut_down = false;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<IdleHeapTrimmer> trimmer;
  std::unique_ptr<Service> service;
  std::unique_ptr<grpc::Server> server;
};

absl::StatusOr<std::unique_ptr<InferenceServer>> InferenceServer::Start(
    const ServerOptions& options) {
  if (options.max_request_bytes < 1 || options.max_request_bytes > (int64_t{1} << 31) - 1) {
    return absl::InvalidArgumentError("max_request_bytes must be in [1, 2^31 - 1]");
  }
  std::unique_ptr<InferenceServer> s(new InferenceServer);
  s->impl_ = std::make_unique<Impl>(options.model_repository, options.version_policy);
  if (absl::Status st = s->impl_->models.LoadRepository(); !st.ok()) return st;
  for (const auto& [name, bytes] : options.memory_models) {
    if (absl::Status st = s->impl_->models.LoadBytes(name, bytes); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("model '", name, "': ", st.message()));
    }
  }
  for (const auto& [name, path] : options.models) {
    if (absl::Status st = s->impl_->models.LoadPath(name, path); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("model '", name, "': ", st.message()));
    }
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  if (!options.metrics_address.empty()) {
    try {
      s->impl_->exposer = std::make_unique<prometheus::Exposer>(options.metrics_address, 1);
    } catch (const std::exception& e) {
      return absl::UnavailableError(
          absl::StrCat("cannot serve metrics on ", options.metrics_address, ": ", e.what()));
    }
    s->impl_->exposer->RegisterCollectable(s->impl_->metrics.registry());
    const std::vector<int> ports = s->impl_->exposer->GetListeningPorts();
    s->metrics_port_ = ports.empty() ? 0 : ports[0];
  }
  SchedulerOptions so;
  so.workers = options.max_concurrent;
  so.threads = options.threads;
  so.max_queue_size = options.max_queue_size;
  so.max_queue_delay_us = options.max_queue_delay_us;
  Metrics* metrics = &s->impl_->metrics;
  s->impl_->scheduler = std::make_unique<Scheduler>(
      so, [metrics](const ServedModel& m, int64_t samples, const ExecTimes& t) {
        metrics->Execution(m, samples, t);
      });
  s->impl_->trimmer = std::make_unique<IdleHeapTrimmer>(s->impl_->scheduler.get());
  s->impl_->service = std::make_unique<Service>(&s->impl_->models, options, &s->impl_->metrics,
                                                s->impl_->scheduler.get());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &s->port_);
  // gRPC's 4 MiB default would refuse a legal request: the bound is ours, checked per tensor.
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_request_bytes) + (1 << 20));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.RegisterService(s->impl_->service.get());
  s->impl_->server = builder.BuildAndStart();
  if (s->impl_->server == nullptr || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.address));
  }
  s->impl_->service->set_server(s->impl_->server.get());
  s->impl_->service->UpdateHealth();
  return s;
}

InferenceServer::~InferenceServer() { Shutdown(); }

void InferenceServer::Wait() {
  if (impl_ && impl_->server) impl_->server->Wait();
}

void InferenceServer::Shutdown() {
  if (!impl_ || !impl_->server || impl_->shut_down) return;
  impl_->shut_down = true;
  // Drain: health NOT_SERVING, new inferences UNAVAILABLE, the running ones finish; a grace
  // period answers the requests already on their way, then gRPC stops (calls still arriving
  // after it are refused by gRPC itself).
  impl_->service->Drain();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

}  // namespace openbpu::server
