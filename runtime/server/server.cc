#include "runtime/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
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
    if (d < 1)
      return Bad(tensor, absl::StrCat("shape dimension ", i, " is ", d, " (must be >= 1)"));
    if (n > limit / d) {
      return Bad(tensor, absl::StrCat("shape has more than ", limit, " elements"));
    }
    n *= d;
  }
  return n;
}

}  // namespace

namespace {

absl::StatusOr<std::shared_ptr<const ServedModel>> LoadFile(const std::string& name,
                                                            const std::string& version,
                                                            const std::string& path) {
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(path);
  if (!pkg.ok()) return pkg.status();
  if ((*pkg)->models().empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no model"));
  auto m = std::make_shared<ServedModel>();
  m->name = name;
  m->version = version;
  m->path = path;
  m->model = (*pkg)->models()[0].get();
  m->package = *std::move(pkg);
  return std::shared_ptr<const ServedModel>(std::move(m));
}

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

absl::Status ModelSet::LoadPath(const std::string& name, const std::string& path) {
  absl::StatusOr<std::shared_ptr<const ServedModel>> m = LoadFile(name, "1", path);
  if (!m.ok()) return m.status();
  std::lock_guard<std::mutex> lock(mu_);
  paths_[name] = path;
  models_[name] = *std::move(m);
  reasons_.erase(name);
  return absl::OkStatus();
}

std::vector<std::string> ModelSet::RepositoryModels() const {
  std::vector<std::string> names;
  if (repository_.empty()) return names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(repository_, ec)) {
    if (entry.is_directory(ec)) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::string> ModelSet::LatestVersion(const std::string& name) const {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(repository_) / name;
  int64_t best = 0;
  std::string version;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string v = entry.path().filename().string();
    if (!entry.is_directory(ec) || !AllDigits(v)) continue;
    const int64_t n = std::stoll(v);
    if (n >= 1 && n > best && std::filesystem::exists(entry.path() / "model.hbm", ec)) {
      best = n;
      version = v;
    }
  }
  if (version.empty()) {
    return absl::NotFoundError(
        absl::StrCat("model '", name, "': no <version>/model.hbm under ", dir.string()));
  }
  return version;
}

absl::Status ModelSet::Load(const std::string& name) {
  std::string path, version = "1";
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = paths_.find(name); it != paths_.end()) path = it->second;
  }
  if (path.empty()) {
    if (repository_.empty() || name.empty() || name.find('/') != std::string::npos || name == "." ||
        name == "..") {
      return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
    }
    absl::StatusOr<std::string> v = LatestVersion(name);
    if (!v.ok()) return v.status();
    version = *v;
    path = (std::filesystem::path(repository_) / name / version / "model.hbm").string();
  }
  absl::StatusOr<std::shared_ptr<const ServedModel>> m = LoadFile(name, version, path);
  std::lock_guard<std::mutex> lock(mu_);
  if (!m.ok()) {
    // A failed (re)load keeps the version already served.
    if (models_.count(name) == 0) reasons_[name] = std::string(m.status().message());
    return absl::Status(m.status().code(), absl::StrCat("model '", name, "' version ", version,
                                                        ": ", m.status().message()));
  }
  models_[name] = *std::move(m);
  reasons_.erase(name);
  return absl::OkStatus();
}

absl::Status ModelSet::Unload(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (models_.erase(name) == 0) {
    return absl::NotFoundError(absl::StrCat("model '", name, "' is not loaded"));
  }
  reasons_[name] = "unloaded";
  return absl::OkStatus();
}

absl::Status ModelSet::LoadRepository() {
  if (repository_.empty()) return absl::OkStatus();
  std::error_code ec;
  if (!std::filesystem::is_directory(repository_, ec)) {
    return absl::NotFoundError(
        absl::StrCat("model repository ", repository_, " is not a directory"));
  }
  for (const std::string& name : RepositoryModels()) {
    if (absl::Status st = Load(name); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const ServedModel>> ModelSet::Find(
    const std::string& name, const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown model '", name, "'"));
  }
  if (!version.empty() && version != it->second->version) {
    return absl::NotFoundError(absl::StrCat("model '", name, "' has no version '", version,
                                            "' (it serves version ", it->second->version, ")"));
  }
  return it->second;
}

std::vector<ModelSet::IndexEntry> ModelSet::Index() const {
  std::vector<std::string> names = RepositoryModels();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, m] : models_) names.push_back(name);
  for (const auto& [name, reason] : reasons_) names.push_back(name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<IndexEntry> index;
  for (const std::string& name : names) {
    auto it = models_.find(name);
    if (it != models_.end()) {
      index.push_back({name, it->second->version, "READY", ""});
    } else {
      auto r = reasons_.find(name);
      index.push_back({name, "", "UNAVAILABLE", r != reasons_.end() ? r->second : "not loaded"});
    }
  }
  return index;
}

bool ModelSet::Known(const std::string& name) const {
  for (const IndexEntry& e : Index()) {
    if (e.name == name) return true;
  }
  return false;
}

bool ModelSet::empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_.empty();
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

std::string StoredDatatype(const runtime::TensorInfo& info) {
  switch (info.dtype) {
    case DType::kInt8:
      return "INT8";
    case DType::kInt16:
      return "INT16";
    case DType::kInt32:
      return "INT32";
    case DType::kInt64:
      return "INT64";
    case DType::kUInt8:
      return "UINT8";
    case DType::kBool:
      return "BOOL";
    default:
      return "FP32";
  }
}

namespace {

// Nanoseconds since `at`, which moves to now.
int64_t NsSince(std::chrono::steady_clock::time_point& at) {
  const auto now = std::chrono::steady_clock::now();
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - at).count();
  at = now;
  return ns;
}

// One request input, checked: the model input it is, its element count and bytes.
struct CheckedInput {
  int k = 0;
  int64_t elements = 0, bytes = 0;
};

// Request input i against the model's inputs: a known name not given before, the datatype and
// shape the model takes (`stored`: its stored integers in the aligned shape; else the served
// datatype in the model's shape), an element count and byte size computed without overflow and
// within `max_request_bytes` with the inputs before it (`total`), and raw contents of exactly that
// size (not together with typed contents).
absl::StatusOr<CheckedInput> CheckInput(const runtime::Model& model, const std::string& name,
                                        const inference::ModelInferRequest& request, int i,
                                        bool stored, int64_t max_request_bytes,
                                        std::set<std::string>& seen, int64_t& total) {
  const inference::ModelInferRequest::InferInputTensor& in = request.inputs(i);
  const std::vector<runtime::TensorInfo>& want = model.inputs();
  CheckedInput c;
  while (c.k < static_cast<int>(want.size()) && want[c.k].name != in.name()) ++c.k;
  if (c.k == static_cast<int>(want.size())) {
    return Bad(in.name(), absl::StrCat("model '", name, "' has no such input"));
  }
  if (!seen.insert(in.name()).second) return Bad(in.name(), "given twice");
  const runtime::TensorInfo& info = want[c.k];
  const std::string dtype = stored ? StoredDatatype(info) : ServedDatatype(info);
  if (in.datatype() != dtype) {
    return Bad(in.name(),
               stored ? absl::StrCat("datatype is '", in.datatype(), "': raw inputs are ", dtype,
                                     " (or every input FP32)")
                      : absl::StrCat("datatype is '", in.datatype(), "', the model takes ", dtype));
  }
  if (!stored && dtype != "FP32") {
    return absl::UnimplementedError(
        absl::StrCat("input '", in.name(), "': ", dtype, " inputs are not served yet"));
  }
  const int64_t esize = stored ? static_cast<int64_t>(DTypeSize(info.dtype)) : 4;
  absl::StatusOr<int64_t> n = Elements(in.name(), in.shape(), max_request_bytes / esize);
  if (!n.ok()) return n.status();
  const Shape& shape = stored ? info.aligned_shape : info.valid_shape;
  bool same = in.shape_size() == static_cast<int>(shape.size());
  for (int d = 0; same && d < in.shape_size(); ++d) same = in.shape(d) == shape[d];
  if (!same) {
    return Bad(in.name(),
               absl::StrCat("shape is [", absl::StrJoin(in.shape(), ", "), "], the model ",
                            stored ? "stores " : "takes ", ShapeText(shape)));
  }
  c.elements = *n;
  c.bytes = *n * esize;
  total += c.bytes;
  if (total > max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the inputs exceed --max-request-bytes ", max_request_bytes));
  }
  if (request.raw_input_contents_size() > 0) {
    if (in.has_contents()) return Bad(in.name(), "has both contents and raw_input_contents");
    const std::string& data = request.raw_input_contents(i);
    if (static_cast<int64_t>(data.size()) != c.bytes) {
      return Bad(in.name(), absl::StrCat("raw_input_contents has ", data.size(),
                                         " bytes, the shape needs ", c.bytes));
    }
  }
  return c;
}

// The requested outputs' indices (all when none is named), in the request's order.
absl::StatusOr<std::vector<int>> ChosenOutputs(const runtime::Model& model, const std::string& name,
                                               const inference::ModelInferRequest& request) {
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
  return chosen;
}

// BPU_RAW inference: every input INT8 / INT16 as the model stores it (its aligned shape, the
// stored bytes), every output the stored integers (Model::RunRaw, no conversion).
absl::Status InferRaw(const runtime::Model& model, const std::string& name,
                      const inference::ModelInferRequest& request, int64_t max_request_bytes,
                      int threads, inference::ModelInferResponse* response, InferTimes& t,
                      std::chrono::steady_clock::time_point& t0) {
  std::vector<std::string> bytes(model.inputs().size());
  std::set<std::string> seen;
  int64_t total = 0;
  for (int i = 0; i < request.inputs_size(); ++i) {
    absl::StatusOr<CheckedInput> c =
        CheckInput(model, name, request, i, /*stored=*/true, max_request_bytes, seen, total);
    if (!c.ok()) return c.status();
    const inference::ModelInferRequest::InferInputTensor& in = request.inputs(i);
    std::string& b = bytes[static_cast<size_t>(c->k)];
    if (request.raw_input_contents_size() > 0) {
      b = request.raw_input_contents(i);
    } else {
      const auto& v = in.contents().int_contents();
      if (v.size() != c->elements) {
        return Bad(in.name(), absl::StrCat("contents.int_contents has ", v.size(),
                                           " values, the shape needs ", c->elements));
      }
      const bool int8 = c->bytes == c->elements;
      const int64_t hi = int8 ? 127 : 32767;
      b.resize(static_cast<size_t>(c->bytes));
      for (int64_t e = 0; e < c->elements; ++e) {
        const int64_t x = v[static_cast<int>(e)];
        if (x < -hi - 1 || x > hi) {
          return Bad(in.name(),
                     absl::StrCat("int_contents[", e, "] = ", x, " is not ", in.datatype()));
        }
        if (int8) {
          b[static_cast<size_t>(e)] = static_cast<char>(static_cast<int8_t>(x));
        } else {
          const int16_t h = static_cast<int16_t>(x);
          std::memcpy(&b[static_cast<size_t>(2 * e)], &h, 2);
        }
      }
    }
  }
  absl::StatusOr<std::vector<int>> chosen = ChosenOutputs(model, name, request);
  if (!chosen.ok()) return chosen.status();
  std::vector<absl::Span<const uint8_t>> spans;
  for (const std::string& b : bytes) {
    spans.emplace_back(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  }
  runtime::RunOptions options;
  options.threads = threads;
  t.input_ns = NsSince(t0);
  absl::StatusOr<std::vector<std::vector<uint8_t>>> result = model.RunRaw(spans, options);
  t.infer_ns = NsSince(t0);
  if (!result.ok()) return result.status();
  const std::vector<runtime::TensorInfo>& outs = model.outputs();
  response->set_model_name(name);
  response->set_id(request.id());
  for (int k : *chosen) {
    inference::ModelInferResponse::InferOutputTensor* o = response->add_outputs();
    o->set_name(outs[k].name);
    o->set_datatype(StoredDatatype(outs[k]));
    for (int64_t d : outs[k].aligned_shape) o->add_shape(d);
    const std::vector<uint8_t>& b = (*result)[static_cast<size_t>(k)];
    response->add_raw_output_contents(std::string(b.begin(), b.end()));
  }
  t.output_ns = NsSince(t0);
  return absl::OkStatus();
}

}  // namespace

absl::Status Infer(const runtime::Model& model, const std::string& name,
                   const inference::ModelInferRequest& request, int64_t max_request_bytes,
                   int threads, inference::ModelInferResponse* response, InferTimes* times) {
  auto t0 = std::chrono::steady_clock::now();
  const std::vector<runtime::TensorInfo>& want = model.inputs();
  if (request.inputs_size() != static_cast<int>(want.size())) {
    return absl::InvalidArgumentError(absl::StrCat("model '", name, "' takes ", want.size(),
                                                   " inputs, the request has ",
                                                   request.inputs_size()));
  }
  const bool raw = request.raw_input_contents_size() > 0;
  if (raw && request.raw_input_contents_size() != request.inputs_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw_input_contents has ", request.raw_input_contents_size(), " entries for ",
                     request.inputs_size(), " inputs"));
  }
  InferTimes local;
  InferTimes& t = times != nullptr ? *times : local;
  t.batch = want.empty() || want[0].valid_shape.empty() ? 1 : want[0].valid_shape[0];
  // Every input INT8 / INT16 as stored: the BPU_RAW path. Otherwise every input is FP32.
  bool all_raw = request.inputs_size() > 0, any_raw = false;
  for (const auto& in : request.inputs()) {
    const bool r = in.datatype() == "INT8" || in.datatype() == "INT16";
    all_raw = all_raw && r;
    any_raw = any_raw || r;
  }
  if (all_raw) return InferRaw(model, name, request, max_request_bytes, threads, response, t, t0);
  if (any_raw) {
    return absl::InvalidArgumentError(
        "inputs mix raw INT8 / INT16 and other datatypes: every input raw, or every input FP32");
  }
  std::vector<Tensor> inputs(want.size());
  std::set<std::string> seen;
  int64_t total = 0;
  for (int i = 0; i < request.inputs_size(); ++i) {
    absl::StatusOr<CheckedInput> c =
        CheckInput(model, name, request, i, /*stored=*/false, max_request_bytes, seen, total);
    if (!c.ok()) return c.status();
    const inference::ModelInferRequest::InferInputTensor& in = request.inputs(i);
    Tensor x(DType::kFloat32, want[static_cast<size_t>(c->k)].valid_shape);
    if (raw) {
      std::memcpy(x.data<float>(), request.raw_input_contents(i).data(),
                  static_cast<size_t>(c->bytes));
    } else {
      const inference::InferTensorContents& contents = in.contents();
      if (contents.fp32_contents_size() != c->elements) {
        return Bad(in.name(),
                   absl::StrCat("contents.fp32_contents has ", contents.fp32_contents_size(),
                                " values, the shape needs ", c->elements));
      }
      std::memcpy(x.data<float>(), contents.fp32_contents().data(), static_cast<size_t>(c->bytes));
    }
    inputs[static_cast<size_t>(c->k)] = std::move(x);
  }
  absl::StatusOr<std::vector<int>> chosen = ChosenOutputs(model, name, request);
  if (!chosen.ok()) return chosen.status();
  runtime::RunOptions options;
  options.threads = threads;
  t.input_ns = NsSince(t0);
  absl::StatusOr<std::vector<Tensor>> result = model.Run(inputs, options);
  t.infer_ns = NsSince(t0);
  if (!result.ok()) return result.status();
  const std::vector<runtime::TensorInfo>& outs = model.outputs();
  response->set_model_name(name);
  response->set_model_version("1");
  response->set_id(request.id());
  for (int k : *chosen) {
    const Tensor& out = (*result)[static_cast<size_t>(k)];
    inference::ModelInferResponse::InferOutputTensor* o = response->add_outputs();
    o->set_name(outs[k].name);
    o->set_datatype(ServedDatatype(outs[k]));
    for (int64_t d : out.shape()) o->add_shape(d);
    response->add_raw_output_contents(
        std::string(reinterpret_cast<const char*>(out.raw()),
                    static_cast<size_t>(out.num_elements()) * DTypeSize(out.dtype())));
  }
  t.output_ns = NsSince(t0);
  return absl::OkStatus();
}

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

  // One request to a served model: its outcome, its total time and where it went.
  void Record(const std::string& model, const std::string& version, bool ok, int64_t total_ns,
              int64_t queue_ns, const InferTimes& t) {
    const prometheus::Labels labels = {{"model", model}, {"version", version}};
    const int64_t epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::lock_guard<std::mutex> lock(mu_);
    inference::ModelStatistics& s = stats_[{model, version}];
    s.set_name(model);
    s.set_version(version);
    inference::InferStatistics* is = s.mutable_inference_stats();
    if (!ok) {
      failure_.Add(labels).Increment();
      Add(is->mutable_fail(), total_ns);
      return;
    }
    success_.Add(labels).Increment(static_cast<double>(1));
    count_.Add(labels).Increment(static_cast<double>(t.batch));
    exec_.Add(labels).Increment();
    queue_us_.Add(labels).Increment(static_cast<double>(queue_ns) / 1e3);
    compute_us_.Add(labels).Increment(static_cast<double>(t.infer_ns) / 1e3);
    s.set_last_inference(static_cast<uint64_t>(epoch_ms));
    s.set_inference_count(s.inference_count() + static_cast<uint64_t>(t.batch));
    s.set_execution_count(s.execution_count() + 1);
    Add(is->mutable_success(), total_ns);
    Add(is->mutable_queue(), queue_ns);
    Add(is->mutable_compute_input(), t.input_ns);
    Add(is->mutable_compute_infer(), t.infer_ns);
    Add(is->mutable_compute_output(), t.output_ns);
    inference::InferBatchStatistics* b = nullptr;
    for (auto& e : *s.mutable_batch_stats()) {
      if (e.batch_size() == static_cast<uint64_t>(t.batch)) b = &e;
    }
    if (b == nullptr) {
      b = s.add_batch_stats();
      b->set_batch_size(static_cast<uint64_t>(t.batch));
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

class Service final : public inference::GRPCInferenceService::Service {
 public:
  Service(ModelSet* models, const ServerOptions& options, Metrics* metrics)
      : models_(models), options_(options), metrics_(metrics) {}
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
    r->add_versions((*m)->version);
    r->set_platform(kPlatform);
    auto fill = [](const runtime::TensorInfo& info,
                   inference::ModelMetadataResponse::TensorMetadata* t) {
      t->set_name(info.name);
      t->set_datatype(ServedDatatype(info));
      for (int64_t d : info.valid_shape) t->add_shape(d);
    };
    for (const runtime::TensorInfo& info : (*m)->model->inputs()) fill(info, r->add_inputs());
    for (const runtime::TensorInfo& info : (*m)->model->outputs()) fill(info, r->add_outputs());
    return grpc::Status::OK;
  }
  grpc::Status ModelInfer(grpc::ServerContext* ctx, const inference::ModelInferRequest* q,
                          inference::ModelInferResponse* r) override {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    in_flight_.fetch_add(1);
    struct Done {
      std::atomic<int>& n;
      ~Done() { n.fetch_sub(1); }
    } done{in_flight_};
    if (draining_.load()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
    }
    absl::StatusOr<std::shared_ptr<const ServedModel>> m =
        models_->Find(q->model_name(), q->model_version());
    if (!m.ok()) return ToGrpc(m.status());
    const auto start = std::chrono::steady_clock::now();
    // At most options_.max_concurrent inferences run at once (each runs on a simulator instance
    // of its own, with its own memories); the others wait here, their time counted as queue.
    ExecutionSlot slot(this);
    const int64_t queue_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
    InferTimes times;
    absl::Status st = Infer(*(*m)->model, q->model_name(), *q, options_.max_request_bytes,
                            options_.threads, r, &times);
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
    metrics_->Record(q->model_name(), (*m)->version, st.ok(), ns, queue_ns, times);
    if (st.ok()) r->set_model_version((*m)->version);
    return ToGrpc(st);
  }
  grpc::Status ModelConfig(grpc::ServerContext*, const inference::ModelConfigRequest* q,
                           inference::ModelConfigResponse* r) override {
    absl::StatusOr<std::shared_ptr<const ServedModel>> m = models_->Find(q->name(), q->version());
    if (!m.ok()) return ToGrpc(m.status());
    inference::ModelConfig* c = r->mutable_config();
    c->set_name(q->name());
    c->set_platform(kPlatform);
    c->set_max_batch_size(0);  // fixed shapes: the batch (compiled with --batch) is in the dims
    auto type = [](const runtime::TensorInfo& info) {
      const std::string t = ServedDatatype(info);
      return t == "INT64"  ? inference::TYPE_INT64
             : t == "BOOL" ? inference::TYPE_BOOL
                           : inference::TYPE_FP32;
    };
    for (const runtime::TensorInfo& info : (*m)->model->inputs()) {
      inference::ModelInput* in = c->add_input();
      in->set_name(info.name);
      in->set_data_type(type(info));
      for (int64_t d : info.valid_shape) in->add_dims(d);
    }
    for (const runtime::TensorInfo& info : (*m)->model->outputs()) {
      inference::ModelOutput* out = c->add_output();
      out->set_name(info.name);
      out->set_data_type(type(info));
      for (int64_t d : info.valid_shape) out->add_dims(d);
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

  // A slot among options_.max_concurrent, held for the object's lifetime.
  class ExecutionSlot {
   public:
    explicit ExecutionSlot(Service* s) : s_(s) {
      std::unique_lock<std::mutex> lock(s_->slots_mu_);
      s_->slots_cv_.wait(lock, [&] { return s_->running_ < s_->options_.max_concurrent; });
      ++s_->running_;
    }
    ~ExecutionSlot() {
      {
        std::lock_guard<std::mutex> lock(s_->slots_mu_);
        --s_->running_;
      }
      s_->slots_cv_.notify_one();
    }

   private:
    Service* s_;
  };

  // Shutdown's first step: new inferences get UNAVAILABLE; returns when none is running.
  void Drain() {
    draining_.store(true);
    UpdateHealth();
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
  std::mutex slots_mu_;
  std::condition_variable slots_cv_;
  int running_ = 0;
};

}  // namespace

struct InferenceServer::Impl {
  explicit Impl(const std::string& repository) : models(repository) {}
  ModelSet models;
  Metrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  bool shut_down = false;
  std::unique_ptr<Service> service;
  std::unique_ptr<grpc::Server> server;
};

absl::StatusOr<std::unique_ptr<InferenceServer>> InferenceServer::Start(
    const ServerOptions& options) {
  if (options.max_request_bytes < 1 || options.max_request_bytes > (int64_t{1} << 31) - 1) {
    return absl::InvalidArgumentError("max_request_bytes must be in [1, 2^31 - 1]");
  }
  std::unique_ptr<InferenceServer> s(new InferenceServer);
  s->impl_ = std::make_unique<Impl>(options.model_repository);
  if (absl::Status st = s->impl_->models.LoadRepository(); !st.ok()) return st;
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
  s->impl_->service = std::make_unique<Service>(&s->impl_->models, options, &s->impl_->metrics);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &s->port_);
  // gRPC's 4 MiB default would refuse a legal request: the bound is ours, checked per tensor.
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_request_bytes) + (1 << 20));
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
