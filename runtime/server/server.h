// The KServe v2 gRPC inference server (issue 17; docs/SERVING.md): `.hbm` models served through
// the runtime over the protocol Triton and KServe clients speak (proto/grpc_service.proto), with
// the standard grpc.health.v1 service and server reflection. It depends on runtime/ only: the
// deployable `openbpu-server` does not link the compiler.
//
// First slice: ServerLive, ServerReady, ServerMetadata, ModelReady, ModelMetadata and ModelInfer
// over models given by name and path, every request validated before anything is sized by it.
#ifndef OPENBPU_RUNTIME_SERVER_SERVER_H_
#define OPENBPU_RUNTIME_SERVER_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
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
  // The models, served as version "1" of each name.
  std::map<std::string, std::string> models;  // name -> .hbm path (its first model)
  int64_t max_request_bytes = kDefaultMaxRequestBytes;
  int threads = 1;  // the functional simulator's threads per inference
};

// The models a server serves (loaded once, immutable while serving; Model::Run is thread-safe).
class ModelSet {
 public:
  absl::Status Load(const std::string& name, const std::string& path);
  // NOT_FOUND naming the model (and version: "" or "1").
  absl::StatusOr<const runtime::Model*> Find(const std::string& name,
                                             const std::string& version) const;
  bool empty() const { return models_.empty(); }

 private:
  struct Entry {
    std::unique_ptr<runtime::Package> package;
    const runtime::Model* model = nullptr;
  };
  std::map<std::string, Entry> models_;
};

// The KServe v2 datatype string of a runtime tensor as the server exposes it: FP32 for the float
// interface (quantized inputs, dequantized outputs), INT64 / BOOL as they are.
std::string ServedDatatype(const runtime::TensorInfo& info);

// ModelInfer on `model` without gRPC: validates the request (datatypes, shapes, element counts
// and byte sizes without overflow, raw sizes, names, `max_request_bytes`), runs it and fills
// `response` (every output in raw_output_contents). Errors are INVALID_ARGUMENT naming the tensor
// and field, as Triton maps them.
absl::Status Infer(const runtime::Model& model, const std::string& name,
                   const inference::ModelInferRequest& request, int64_t max_request_bytes,
                   int threads, inference::ModelInferResponse* response);

class InferenceServer {
 public:
  // Loads the models and starts serving on options.address.
  static absl::StatusOr<std::unique_ptr<InferenceServer>> Start(const ServerOptions& options);
  ~InferenceServer();

  int port() const { return port_; }  // the bound port
  void Wait();                         // until Shutdown
  void Shutdown();                     // stops accepting, finishes in-flight calls

 private:
  InferenceServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_SERVER_H_
