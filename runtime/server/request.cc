#include "runtime/server/request.h"

#include <chrono>
#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace openbpu::server {

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

int64_t NsSince(std::chrono::steady_clock::time_point& at) {
  const auto now = std::chrono::steady_clock::now();
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - at).count();
  at = now;
  return ns;
}

// One request input, checked: the model input it is, its sample count, element count and bytes.
struct CheckedInput {
  int k = 0;
  int64_t samples = 1, elements = 0, bytes = 0;
};

// Request input i against the model's inputs: a known name not given before, the datatype and
// shape the model takes (`stored`: its stored integers in the aligned shape; else the served
// datatype in the model's shape; with max_batch > 0 the leading dimension is 1..max_batch), an
// element count and byte size computed without overflow and within `max_request_bytes` with the
// inputs before it (`total`), and raw contents of exactly that size (not together with typed
// contents).
absl::StatusOr<CheckedInput> CheckInput(const runtime::Model& model, const std::string& name,
                                        int64_t max_batch,
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
  for (int d = max_batch > 0 ? 1 : 0; same && d < in.shape_size(); ++d) {
    same = in.shape(d) == shape[d];
  }
  if (same && max_batch > 0) {
    c.samples = in.shape(0);
    same = c.samples <= max_batch;
  }
  if (!same) {
    std::string model_shape = ShapeText(shape);
    if (max_batch > 0) {  // Triton's notation for the batch dimension
      model_shape = absl::StrCat("[-1 (1..", max_batch, ")", shape.size() > 1 ? ", " : "",
                                 absl::StrJoin(shape.begin() + 1, shape.end(), ", "), "]");
    }
    return Bad(in.name(),
               absl::StrCat("shape is [", absl::StrJoin(in.shape(), ", "), "], the model ",
                            stored ? "stores " : "takes ", model_shape));
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

// Typed int_contents of a raw input as its stored bytes (INT8 or INT16), each value checked to fit.
absl::Status IntContents(const inference::ModelInferRequest::InferInputTensor& in,
                         const CheckedInput& c, std::string& b) {
  const auto& v = in.contents().int_contents();
  if (v.size() != c.elements) {
    return Bad(in.name(), absl::StrCat("contents.int_contents has ", v.size(),
                                       " values, the shape needs ", c.elements));
  }
  const bool int8 = c.bytes == c.elements;
  const int64_t hi = int8 ? 127 : 32767;
  b.resize(static_cast<size_t>(c.bytes));
  for (int64_t e = 0; e < c.elements; ++e) {
    const int64_t x = v[static_cast<int>(e)];
    if (x < -hi - 1 || x > hi) {
      return Bad(in.name(), absl::StrCat("int_contents[", e, "] = ", x, " is not ", in.datatype()));
    }
    if (int8) {
      b[static_cast<size_t>(e)] = static_cast<char>(static_cast<int8_t>(x));
    } else {
      const int16_t h = static_cast<int16_t>(x);
      std::memcpy(&b[static_cast<size_t>(2 * e)], &h, 2);
    }
  }
  return absl::OkStatus();
}

// A tensor's bytes per sample of a batching model (the whole tensor otherwise).
int64_t SampleBytes(const runtime::TensorInfo& info, bool raw, int64_t max_batch) {
  const Shape& shape = raw ? info.aligned_shape : info.valid_shape;
  int64_t n = raw ? static_cast<int64_t>(DTypeSize(info.dtype)) : 4;
  for (size_t d = max_batch > 0 ? 1 : 0; d < shape.size(); ++d) n *= shape[d];
  return n;
}

}  // namespace

absl::StatusOr<PreparedRequest> Prepare(const runtime::Model& model, const std::string& name,
                                        int64_t max_batch,
                                        const inference::ModelInferRequest& request,
                                        int64_t max_request_bytes) {
  const std::vector<runtime::TensorInfo>& want = model.inputs();
  if (request.inputs_size() != static_cast<int>(want.size())) {
    return absl::InvalidArgumentError(absl::StrCat("model '", name, "' takes ", want.size(),
                                                   " inputs, the request has ",
                                                   request.inputs_size()));
  }
  const bool has_raw = request.raw_input_contents_size() > 0;
  if (has_raw && request.raw_input_contents_size() != request.inputs_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw_input_contents has ", request.raw_input_contents_size(), " entries for ",
                     request.inputs_size(), " inputs"));
  }
  PreparedRequest p;
  // Every input INT8 / INT16 as stored: the BPU_RAW path. Otherwise every input is FP32.
  bool all_raw = request.inputs_size() > 0, any_raw = false;
  for (const auto& in : request.inputs()) {
    const bool r = in.datatype() == "INT8" || in.datatype() == "INT16";
    all_raw = all_raw && r;
    any_raw = any_raw || r;
  }
  if (any_raw && !all_raw) {
    return absl::InvalidArgumentError(
        "inputs mix raw INT8 / INT16 and other datatypes: every input raw, or every input FP32");
  }
  p.raw = all_raw;
  p.inputs.resize(want.size());
  std::set<std::string> seen;
  int64_t total = 0;
  for (int i = 0; i < request.inputs_size(); ++i) {
    absl::StatusOr<CheckedInput> c =
        CheckInput(model, name, max_batch, request, i, p.raw, max_request_bytes, seen, total);
    if (!c.ok()) return c.status();
    const inference::ModelInferRequest::InferInputTensor& in = request.inputs(i);
    if (i == 0) {
      p.samples = c->samples;
    } else if (c->samples != p.samples) {
      return Bad(in.name(), absl::StrCat("batch dimension is ", c->samples, ", input '",
                                         request.inputs(0).name(), "' has ", p.samples));
    }
    std::string& b = p.inputs[static_cast<size_t>(c->k)];
    if (has_raw) {
      b = request.raw_input_contents(i);
    } else if (p.raw) {
      if (absl::Status st = IntContents(in, *c, b); !st.ok()) return st;
    } else {
      const inference::InferTensorContents& contents = in.contents();
      if (contents.fp32_contents_size() != c->elements) {
        return Bad(in.name(),
                   absl::StrCat("contents.fp32_contents has ", contents.fp32_contents_size(),
                                " values, the shape needs ", c->elements));
      }
      b.assign(reinterpret_cast<const char*>(contents.fp32_contents().data()),
               static_cast<size_t>(c->bytes));
    }
  }
  absl::StatusOr<std::vector<int>> chosen = ChosenOutputs(model, name, request);
  if (!chosen.ok()) return chosen.status();
  p.outputs = *std::move(chosen);
  p.id = request.id();
  return p;
}

absl::Status Execute(const runtime::Model& model, const std::string& name,
                     const std::string& version, int64_t max_batch,
                     absl::Span<const PreparedRequest* const> requests, int threads,
                     absl::Span<inference::ModelInferResponse* const> responses, ExecTimes* times) {
  ExecTimes local;
  ExecTimes& t = times != nullptr ? *times : local;
  auto t0 = std::chrono::steady_clock::now();
  if (requests.empty() || requests.size() != responses.size()) {
    return absl::InternalError("Execute: no requests, or not one response per request");
  }
  const bool raw = requests[0]->raw;
  int64_t samples = 0;
  for (const PreparedRequest* r : requests) {
    if (r->raw != raw) return absl::InternalError("Execute: raw and FP32 requests in one batch");
    samples += r->samples;
  }
  if (max_batch > 0 ? samples > max_batch : requests.size() != 1) {
    return absl::InternalError(
        absl::StrCat("Execute: ", samples, " samples in a batch of ", max_batch));
  }
  const std::vector<runtime::TensorInfo>& ins = model.inputs();
  const std::vector<runtime::TensorInfo>& outs = model.outputs();
  // The stacked inputs: each request's rows in turn, zeros after them.
  std::vector<std::string> stacked;
  const std::vector<std::string>* inputs = &requests[0]->inputs;
  if (max_batch > 0) {
    stacked.resize(ins.size());
    for (size_t k = 0; k < ins.size(); ++k) {
      const size_t row = static_cast<size_t>(SampleBytes(ins[k], raw, max_batch));
      stacked[k].assign(row * static_cast<size_t>(max_batch), '\0');
      size_t at = 0;
      for (const PreparedRequest* r : requests) {
        std::memcpy(&stacked[k][at], r->inputs[k].data(), r->inputs[k].size());
        at += r->inputs[k].size();
      }
    }
    inputs = &stacked;
  }
  runtime::RunOptions options;
  options.threads = threads;
  // Each output's bytes, viewed in the run's own buffers (copied once, into the responses).
  std::vector<absl::string_view> results(outs.size());
  absl::StatusOr<std::vector<std::vector<uint8_t>>> raw_result;
  absl::StatusOr<std::vector<Tensor>> float_result;
  if (raw) {
    std::vector<absl::Span<const uint8_t>> spans;
    for (const std::string& b : *inputs) {
      spans.emplace_back(reinterpret_cast<const uint8_t*>(b.data()), b.size());
    }
    t.input_ns = NsSince(t0);
    raw_result = model.RunRaw(spans, options);
    t.infer_ns = NsSince(t0);
    if (!raw_result.ok()) return raw_result.status();
    for (size_t k = 0; k < outs.size(); ++k) {
      const std::vector<uint8_t>& b = (*raw_result)[k];
      results[k] = absl::string_view(reinterpret_cast<const char*>(b.data()), b.size());
    }
  } else {
    std::vector<Tensor> tensors(ins.size());
    for (size_t k = 0; k < ins.size(); ++k) {
      tensors[k] = Tensor(DType::kFloat32, ins[k].valid_shape);
      std::memcpy(tensors[k].data<float>(), (*inputs)[k].data(), (*inputs)[k].size());
    }
    t.input_ns = NsSince(t0);
    float_result = model.Run(tensors, options);
    t.infer_ns = NsSince(t0);
    if (!float_result.ok()) return float_result.status();
    for (size_t k = 0; k < outs.size(); ++k) {
      const Tensor& out = (*float_result)[k];
      results[k] =
          absl::string_view(reinterpret_cast<const char*>(out.raw()),
                            static_cast<size_t>(out.num_elements()) * DTypeSize(out.dtype()));
    }
  }
  // Each request's rows of each chosen output.
  std::vector<size_t> offset(outs.size(), 0);
  for (size_t i = 0; i < requests.size(); ++i) {
    const PreparedRequest& r = *requests[i];
    inference::ModelInferResponse* response = responses[i];
    response->set_model_name(name);
    response->set_model_version(version);
    response->set_id(r.id);
    std::vector<size_t> take(outs.size(), 0);
    for (size_t k = 0; k < outs.size(); ++k) {
      take[k] = max_batch > 0
                    ? static_cast<size_t>(SampleBytes(outs[k], raw, max_batch) * r.samples)
                    : results[k].size();
    }
    for (int k : r.outputs) {
      const runtime::TensorInfo& info = outs[static_cast<size_t>(k)];
      inference::ModelInferResponse::InferOutputTensor* o = response->add_outputs();
      o->set_name(info.name);
      o->set_datatype(raw ? StoredDatatype(info) : ServedDatatype(info));
      const Shape& shape = raw ? info.aligned_shape : info.valid_shape;
      for (size_t d = 0; d < shape.size(); ++d) {
        o->add_shape(d == 0 && max_batch > 0 ? r.samples : shape[d]);
      }
      response->add_raw_output_contents(std::string(results[k].substr(offset[k], take[k])));
    }
    for (size_t k = 0; k < outs.size(); ++k) offset[k] += take[k];
  }
  t.output_ns = NsSince(t0);
  return absl::OkStatus();
}

absl::Status Infer(const runtime::Model& model, const std::string& name,
                   const inference::ModelInferRequest& request, int64_t max_request_bytes,
                   int threads, inference::ModelInferResponse* response) {
  absl::StatusOr<PreparedRequest> p = Prepare(model, name, 0, request, max_request_bytes);
  if (!p.ok()) return p.status();
  const PreparedRequest* rs[] = {&*p};
  inference::ModelInferResponse* out[] = {response};
  return Execute(model, name, "1", 0, rs, threads, out);
}

}  // namespace openbpu::server
