#include "runtime/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "proto/grpc_service.grpc.pb.h"

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

absl::Status Bad(const std::string& tensor, const std::string& msg) {
  return absl::InvalidArgumentError(absl::StrCat("input '", tensor, "': ", msg));
}

std::string ShapeText(const Shape& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

// The element count of a request shape: every dimension >= 1 and the product at most `limit`
// (checked before each multiplication: no overflow).
absl::StatusOr<int64_t> Elements(const std::string& tensor,
                                 const google::protobuf::RepeatedField<int64_t>& shape,
                                 int64_t limit) {
  int64_t n = 1;
  for (int i = 0; i < shape.size(); ++i) {
    const int64_t d = shape[i];
    if (d < 1) return Bad(tensor, absl::StrCat("shape dimension ", i, " is ", d, " (must be >= 1)"));
    if (n > limit / d) {
      return Bad(tensor, absl::StrCat("shape has more than ", limit, " elements"));
    }
    n *= d;
  }
  return n;
}

}  // namespace

absl::Status ModelSet::Load(const std::string& name, const std::string& path) {
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(path);
  if (!pkg.ok()) return pkg.status();
  if ((*pkg)->models().empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no model"));
  Entry e;
  e.model = (*pkg)->models()[0].get();
  e.package = *std::move(pkg);
  models_[name] = std::move(e);
  return absl::OkStatus();
}

absl::StatusOr<const runtime::Model*> ModelSet::Find(const std::string& name,
                                                     const std::string& version) const {
  auto it = models_.find(name);
  if (it == models_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
  }
  if (!version.empty() && version != "1") {
    return absl::NotFoundError(
        absl::StrCat("model '", name, "' has no version '", version, "' (it serves version 1)"));
  }
  return it->second.model;
}

std::string ServedDatatype(const runtime::TensorInfo& info) {
  switch (info.dtype) {
    case DType::kInt64:
      return "INT64";
    case DType::kBool:
      return "BOOL";
    default:
      return "FP32";  // quantized on the way in, dequantized on the way out
  }
}

absl::Status Infer(const runtime::Model& model, const std::string& name,
                   const inference::ModelInferRequest& request, int64_t max_request_bytes,
                   int threads, inference::ModelInferResponse* response) {
  const std::vector<runtime::TensorInfo>& want = model.inputs();
  if (request.inputs_size() != static_cast<int>(want.size())) {
    return absl::InvalidArgumentError(absl::StrCat("model '", name, "' takes ", want.size(),
                                                   " inputs, the request has ",
                                                   request.inputs_size()));
  }
  const bool raw = request.raw_input_contents_size() > 0;
  if (raw && request.raw_input_contents_size() != request.inputs_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw_input_contents has ", request.raw_input_contents_size(),
                     " entries for ", request.inputs_size(), " inputs"));
  }
  std::vector<Tensor> inputs(want.size());
  std::set<std::string> seen;
  int64_t total_bytes = 0;
  for (int i = 0; i < request.inputs_size(); ++i) {
    const inference::ModelInferRequest::InferInputTensor& in = request.inputs(i);
    int k = 0;
    while (k < static_cast<int>(want.size()) && want[k].name != in.name()) ++k;
    if (k == static_cast<int>(want.size())) {
      return Bad(in.name(), absl::StrCat("model '", name, "' has no such input"));
    }
    if (!seen.insert(in.name()).second) return Bad(in.name(), "given twice");
    const runtime::TensorInfo& info = want[k];
    const std::string dtype = ServedDatatype(info);
    if (in.datatype() != dtype) {
      return Bad(in.name(), absl::StrCat("datatype is '", in.datatype(), "', the model takes ",
                                         dtype));
    }
    if (dtype != "FP32") {
      return absl::UnimplementedError(
          absl::StrCat("input '", in.name(), "': ", dtype, " inputs are not served yet"));
    }
    absl::StatusOr<int64_t> n = Elements(in.name(), in.shape(), max_request_bytes / 4);
    if (!n.ok()) return n.status();
    const Shape& shape = info.valid_shape;
    bool same = in.shape_size() == static_cast<int>(shape.size());
    for (int d = 0; same && d < in.shape_size(); ++d) same = in.shape(d) == shape[d];
    if (!same) {
      return Bad(in.name(), absl::StrCat("shape is [", absl::StrJoin(in.shape(), ", "),
                                         "], the model takes ", ShapeText(shape)));
    }
    const int64_t bytes = *n * 4;
    total_bytes += bytes;
    if (total_bytes > max_request_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("the inputs exceed --max-request-bytes ",
                                                     max_request_bytes));
    }
    Tensor t(DType::kFloat32, shape);
    if (raw) {
      if (in.has_contents()) return Bad(in.name(), "has both contents and raw_input_contents");
      const std::string& data = request.raw_input_contents(i);
      if (static_cast<int64_t>(data.size()) != bytes) {
        return Bad(in.name(), absl::StrCat("raw_input_contents has ", data.size(),
                                           " bytes, the shape needs ", bytes));
      }
      std::memcpy(t.data<float>(), data.data(), static_cast<size_t>(bytes));
    } else {
      const inference::InferTensorContents& c = in.contents();
      if (c.fp32_contents_size() != *n) {
        return Bad(in.name(), absl::StrCat("contents.fp32_contents has ", c.fp32_contents_size(),
                                           " values, the shape needs ", *n));
      }
      std::memcpy(t.data<float>(), c.fp32_contents().data(), static_cast<size_t>(bytes));
    }
    inputs[static_cast<size_t>(k)] = std::move(t);
  }
  // The requested outputs (all when none is named), in the request's order.
  const std::vector<runtime::TensorInfo>& outs = model.outputs();
  std::vector<int> chosen;
  for (const auto& o : request.outputs()) {
    int k = 0;
    while (k < static_cast<int>(outs.size()) && outs[k].name != o.name()) ++k;
    if (k == static_cast<int>(outs.size())) {
      return absl::InvalidArgumentError(
          absl::StrCat("requested output '", o.name(), "': model '", name, "' has no such output"));
    }
    chosen.push_back(k);
  }
  if (chosen.empty()) {
    for (int k = 0; k < static_cast<int>(outs.size()); ++k) chosen.push_back(k);
  }
  runtime::RunOptions options;
  options.threads = threads;
  absl::StatusOr<std::vector<Tensor>> result = model.Run(inputs, options);
  if (!result.ok()) return result.status();
  response->set_model_name(name);
  response->set_model_version("1");
  response->set_id(request.id());
  for (int k : chosen) {
    const Tensor& t = (*result)[static_cast<size_t>(k)];
    inference::ModelInferResponse::InferOutputTensor* o = response->add_outputs();
    o->set_name(outs[k].name);
    o->set_datatype(ServedDatatype(outs[k]));
    for (int64_t d : t.shape()) o->add_shape(d);
    response->add_raw_output_contents(
        std::string(reinterpret_cast<const char*>(t.raw()),
                    static_cast<size_t>(t.num_elements()) * DTypeSize(t.dtype())));
  }
  return absl::OkStatus();
}

namespace {

class Service final : public inference::GRPCInferenceService::Service {
 public:
  Service(const ModelSet* models, const ServerOptions& options)
      : models_(models), options_(options) {}

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
    return grpc::Status::OK;
  }
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* q,
                          inference::ModelReadyResponse* r) override {
    absl::StatusOr<const runtime::Model*> m = models_->Find(q->name(), q->version());
    if (!m.ok()) return ToGrpc(m.status());
    r->set_ready(true);
    return grpc::Status::OK;
  }
  grpc::Status ModelMetadata(grpc::ServerContext*, const inference::ModelMetadataRequest* q,
                             inference::ModelMetadataResponse* r) override {
    absl::StatusOr<const runtime::Model*> m = models_->Find(q->name(), q->version());
    if (!m.ok()) return ToGrpc(m.status());
    r->set_name(q->name());
    r->add_versions("1");
    r->set_platform(kPlatform);
    auto fill = [](const runtime::TensorInfo& info,
                   inference::ModelMetadataResponse::TensorMetadata* t) {
      t->set_name(info.name);
      t->set_datatype(ServedDatatype(info));
      for (int64_t d : info.valid_shape) t->add_shape(d);
    };
    for (const runtime::TensorInfo& info : (*m)->inputs()) fill(info, r->add_inputs());
    for (const runtime::TensorInfo& info : (*m)->outputs()) fill(info, r->add_outputs());
    return grpc::Status::OK;
  }
  grpc::Status ModelInfer(grpc::ServerContext* ctx, const inference::ModelInferRequest* q,
                          inference::ModelInferResponse* r) override {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    absl::StatusOr<const runtime::Model*> m = models_->Find(q->model_name(), q->model_version());
    if (!m.ok()) return ToGrpc(m.status());
    return ToGrpc(
        Infer(**m, q->model_name(), *q, options_.max_request_bytes, options_.threads, r));
  }

 private:
  const ModelSet* models_;
  ServerOptions options_;
};

}  // namespace

struct InferenceServer::Impl {
  ModelSet models;
  std::unique_ptr<Service> service;
  std::unique_ptr<grpc::Server> server;
};

absl::StatusOr<std::unique_ptr<InferenceServer>> InferenceServer::Start(
    const ServerOptions& options) {
  if (options.max_request_bytes < 1 || options.max_request_bytes > (int64_t{1} << 31) - 1) {
    return absl::InvalidArgumentError("max_request_bytes must be in [1, 2^31 - 1]");
  }
  std::unique_ptr<InferenceServer> s(new InferenceServer);
  s->impl_ = std::make_unique<Impl>();
  for (const auto& [name, path] : options.models) {
    if (absl::Status st = s->impl_->models.Load(name, path); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("model '", name, "': ", st.message()));
    }
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  s->impl_->service = std::make_unique<Service>(&s->impl_->models, options);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &s->port_);
  // gRPC's 4 MiB default would refuse a legal request: the bound is ours, checked per tensor.
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_request_bytes) + (1 << 20));
  builder.RegisterService(s->impl_->service.get());
  s->impl_->server = builder.BuildAndStart();
  if (s->impl_->server == nullptr || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.address));
  }
  grpc::HealthCheckServiceInterface* health = s->impl_->server->GetHealthCheckService();
  if (health != nullptr) {
    const bool serving = !s->impl_->models.empty();
    health->SetServingStatus(serving);
    health->SetServingStatus("inference.GRPCInferenceService", serving);
  }
  return s;
}

InferenceServer::~InferenceServer() { Shutdown(); }

void InferenceServer::Wait() {
  if (impl_ && impl_->server) impl_->server->Wait();
}

void InferenceServer::Shutdown() {
  if (!impl_ || !impl_->server) return;
  if (grpc::HealthCheckServiceInterface* h = impl_->server->GetHealthCheckService()) {
    h->SetServingStatus(false);
  }
  impl_->server->Shutdown();
}

}  // namespace openbpu::server
