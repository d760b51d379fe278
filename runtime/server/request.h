// One ModelInfer request, without gRPC: checked and converted (Prepare), then run alone or stacked
// with others into one execution of a batching model (Execute). The server's scheduler, the
// request fuzz target and the benchmarks share these.
#ifndef OPENBPU_RUNTIME_SERVER_REQUEST_H_
#define OPENBPU_RUNTIME_SERVER_REQUEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/grpc_service.pb.h"
#include "runtime/runtime.h"

namespace openbpu::server {

// The KServe v2 datatype string of a runtime tensor as the server exposes it: FP32 for the float
// interface (quantized inputs, dequantized outputs), INT64 / BOOL as they are.
std::string ServedDatatype(const runtime::TensorInfo& info);
// The KServe datatype of the integers a tensor is stored as (INT8, INT16, ...): raw BPU inputs
// and outputs.
std::string StoredDatatype(const runtime::TensorInfo& info);

// A request checked against its model and converted: what an execution needs from it.
struct PreparedRequest {
  // Every input INT8 / INT16 as the model stores it (its aligned shape and bytes): the request runs
  // raw (Model::RunRaw) and its outputs are the stored integers. Otherwise every input is FP32.
  bool raw = false;
  // Its leading dimension for a batching model (1..max_batch); 1 otherwise.
  int64_t samples = 1;
  // Per model input, in the model's order: the FP32 values (row-major, the model's shape) or the
  // stored bytes; `samples` rows of a batching model's tensor.
  std::vector<std::string> inputs;
  std::vector<int> outputs;  // the outputs to return, in the request's order (all when none named)
  std::string id;
};

// Checks `request` against `model` (served as `name`, batching over `max_batch` samples when > 0:
// each shape's leading dimension is then 1..max_batch, the same for every input) before anything
// is sized by it: the input count and names (unknown, duplicated), datatypes, ranks and every
// dimension (>= 1, the model's), element counts and byte sizes without overflow and within
// `max_request_bytes`, raw sizes against the shapes, typed and raw contents together, typed
// value counts and ranges, the requested outputs. Errors are INVALID_ARGUMENT naming the tensor and
// field (UNIMPLEMENTED for INT64 / BOOL model inputs), as Triton maps them.
absl::StatusOr<PreparedRequest> Prepare(const runtime::Model& model, const std::string& name,
                                        int64_t max_batch,
                                        const inference::ModelInferRequest& request,
                                        int64_t max_request_bytes);

// Where an execution's time went (ModelStatistics): stacking the inputs, running the model,
// splitting the outputs into the responses.
struct ExecTimes {
  int64_t input_ns = 0, infer_ns = 0, output_ns = 0;
};

// Runs `requests` (all raw or all FP32; together at most max_batch samples when max_batch > 0,
// else exactly one request) as one execution: their samples stacked along the leading dimension
// and the rest of the batch zeros. Fills responses[i] with request i's outputs (every output in
// raw_output_contents; a batching model's shaped [samples, ...]).
absl::Status Execute(const runtime::Model& model, const std::string& name,
                     const std::string& version, int64_t max_batch,
                     absl::Span<const PreparedRequest* const> requests, int threads,
                     absl::Span<inference::ModelInferResponse* const> responses,
                     ExecTimes* times = nullptr);

// Prepare and Execute of one request on a model that does not batch (max_batch 0), the outputs
// labelled version "1".
absl::Status Infer(const runtime::Model& model, const std::string& name,
                   const inference::ModelInferRequest& request, int64_t max_request_bytes,
                   int threads, inference::ModelInferResponse* response);

}  // namespace openbpu::server

#endif  // OPENBPU_RUNTIME_SERVER_REQUEST_H_
