// The KServe v2 gRPC inference server (issue 17; docs/SERVING.md): `.hbm` models served through
// the runtime over the protocol Triton and KServe clients speak (proto/grpc_service.proto), with
// the standard grpc.health.v1 service and server reflection. It depends on runtime/ only: the
// deployable `openbpu-server` does not link the compiler.
//
// ServerLive, ServerReady, ServerMetadata, ModelReady, ModelMetadata, ModelInfer (every request
// validated before anything is sized by it) and Triton's repository RPCs over a model repository
// and models given by name and path.
#ifndef OPENBPU_RUNTIME_SERVER_SERVER_H_
#define OPENBPU_RUNTIME_SERVER_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/grpc_service.pb.h"
#include "runtime/runtime.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace openbpu::server {

inline constexpr int64_t kDefaultMaxRequestBytes = int64_t{64} << 20;  // 64 MiB

struct ServerOptions {
  std::string address = "127.0.0.1:8001";  // host:port; port 0 picks a free one
  // A model repository: <repo>/<model>/<version>/model.hbm (versions are positive integers; the
  // highest is served). Every model in it is loaded at start.
  std::string model_repository;
  // Models outside a repository, served as version "1" of each name.
  std::map<std::string, std::string> models;  // name -> .hbm path (its first model)
  int64_t max_request_bytes = kDefaultMaxRequestBytes;
  int threads = 1;  // the functional simulator's threads per inference
  // Inferences running at once (each on its own simulator instance); more wait their turn. The
  // instances, and so the server's memory, stop growing at this many.
  int max_concurrent = 4;
  // Prometheus metrics (text format at http://ADDRESS/metrics, Triton's metric names); empty: off.
  std::string metrics_address = "127.0.0.1:8002";
};

// One loaded model version: kept alive by the requests running on it when it is unloaded or
// replaced.
struct ServedModel {
  std::string name, version, path;
  std::unique_ptr<runtime::Package> package;
  const runtime::Model* model = nullptr;
};

// The models a server serves. Thread-safe: loads, reloads and unloads swap entries while
// requests hold the versions they started on.
class ModelSet {
 public:
  explicit ModelSet(std::string repository = "") : repository_(std::move(repository)) {}

  // A model outside the repository (version "1"), reloadable from the same path.
  absl::Status LoadPath(const std::string& name, const std::string& path);
  // (Re)loads `name`: the repository's highest version, or a LoadPath model's file again. On
  // failure the version already served keeps serving. NOT_FOUND when there is no such model.
  absl::Status Load(const std::string& name);
  // Stops serving `name` (requests running on it finish). NOT_FOUND when it is not loaded.
  absl::Status Unload(const std::string& name);
  // Every model of the repository (loaded or not) and every loaded one.
  absl::Status LoadRepository();
  // NOT_FOUND naming the model (and version: "" for the served one).
  absl::StatusOr<std::shared_ptr<const ServedModel>> Find(const std::string& name,
                                                          const std::string& version) const;
  struct IndexEntry {
    std::string name, version, state, reason;
  };
  std::vector<IndexEntry> Index() const;
  // A model the repository has (or had loaded) but that is not serving now.
  bool Known(const std::string& name) const;
  bool empty() const;

 private:
  absl::StatusOr<std::string> LatestVersion(const std::string& name) const;
  std::vector<std::string> RepositoryModels() const;

  std::string repository_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ServedModel>> models_;
  std::map<std::string, std::string> paths_;    // LoadPath models
  std::map<std::string, std::string> reasons_;  // why a known model is not serving
};

// The KServe v2 datatype string of a runtime tensor as the server exposes it: FP32 for the float
// interface (quantized inputs, dequantized outputs), INT64 / BOOL as they are.
std::string ServedDatatype(const runtime::TensorInfo& info);

// Where one inference's time went (ModelStatistics): checking and converting the request,
// running the model, and building the response; `batch` is the inputs' leading dimension.
struct InferTimes {
  int64_t input_ns = 0, infer_ns = 0, output_ns = 0;
  int64_t batch = 1;
};

// The KServe datatype of the integers a tensor is stored as (INT8, INT16, ...): raw BPU inputs
// and outputs.
std::string StoredDatatype(const runtime::TensorInfo& info);

// ModelInfer on `model` without gRPC: validates the request (datatypes, shapes, element counts
// and byte sizes without overflow, raw sizes, names, `max_request_bytes`), runs it and fills
// `response` (every output in raw_output_contents). Errors are INVALID_ARGUMENT naming the tensor
// and field, as Triton maps them. With every input INT8 / INT16 (the stored integers, in the
// stored layout and aligned shape) the request runs raw (Model::RunRaw) and the outputs are the
// stored integers too.
absl::Status Infer(const runtime::Model& model, const std::string& name,
                   const inference::ModelInferRequest& request, int64_t max_request_bytes,
                   int threads, inference::ModelInferResponse* response,
                   InferTimes* times = nullptr);

class InferenceServer {
 public:
  // Loads the models and starts serving on options.address.
  static absl::StatusOr<std::unique_ptr<InferenceServer>> Start(const ServerOptions& options);
  ~InferenceServer();

  int port() const { return port_; }                  // the bound port
  int metrics_port() const { return metrics_port_; }  // 0: no metrics
  void Wait();                                        // until Shutdown
  void Shutdown();                                    // stops accepting, finishes in-flight calls

 private:
  InferenceServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0, metrics_port_ = 0;
};

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_SERVER_H_
