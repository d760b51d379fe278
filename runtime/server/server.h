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
#include "absl/types/span.h"
#include "proto/grpc_service.pb.h"
#include "runtime/runtime.h"
#include "runtime/server/model_set.h"
#include "runtime/server/request.h"

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
  // Which versions of each repository model are served (latest by default).
  VersionPolicy version_policy;
  // Models outside a repository, served as version "1" of each name.
  std::map<std::string, std::string> models;  // name -> .hbm path (its first model)
  // Models from memory (version "1"): name -> .hbm bytes that outlive the server.
  std::map<std::string, absl::Span<const uint8_t>> memory_models;
  int64_t max_request_bytes = kDefaultMaxRequestBytes;
  int threads = 1;  // the functional simulator's threads per inference
  // Executions running at once (worker threads, each on a simulator instance of its own); more
  // requests wait in their model's queue. The instances, and so the server's memory, stop
  // growing at this many.
  int max_concurrent = 4;
  // Requests one model version's queue holds; beyond it, UNAVAILABLE at once.
  int64_t max_queue_size = 256;
  // Dynamic batching (models compiled with `--batch N`): how long the oldest queued request
  // waits for others to fill the batch; 0 (Triton's default): run what is queued.
  int64_t max_queue_delay_us = 0;
  // Prometheus metrics (text format at http://ADDRESS/metrics, Triton's metric names); empty: off.
  std::string metrics_address = "127.0.0.1:8002";
};

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
