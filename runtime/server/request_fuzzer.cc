// libFuzzer target: the server's request checking on arbitrary bytes. The bytes are parsed as a
// serialized inference.ModelInferRequest (what a hostile gRPC client can send) and checked against
// the bundled digits model (Prepare) as the server checks them, both without batching and as a
// batching model (its batch of 1 through the stacking and splitting of Execute), with a 1 MiB
// --max-request-bytes. A request Prepare accepts must run (Execute) and answer every output it
// asked for with the right byte count; anything else is an error, never a crash, a leak or an
// allocation sized by a claimed shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "google/protobuf/stubs/logging.h"
#include "proto/grpc_service.pb.h"
#include "runtime/runtime.h"
#include "runtime/server/bundled_model.h"
#include "runtime/server/request.h"

namespace {

constexpr int64_t kMaxRequestBytes = int64_t{1} << 20;

const openbpu::runtime::Model& TheModel() {
  static const auto* pkg = [] {
    auto loaded = openbpu::runtime::Package::LoadMemory(openbpu::server::BundledModel());
    if (!loaded.ok()) std::abort();
    return loaded->release();
  }();
  return *pkg->models()[0];
}

// Valid requests of every form, as seeds: FP32 raw and typed, INT8 raw and typed, a named output.
void WriteSeeds(const char* dir) {
  const openbpu::runtime::Model& model = TheModel();
  const openbpu::runtime::TensorInfo& in = model.inputs()[0];
  std::vector<inference::ModelInferRequest> seeds(5);
  for (size_t s = 0; s < seeds.size(); ++s) {
    inference::ModelInferRequest& r = seeds[s];
    r.set_model_name("digits");
    r.set_id("seed");
    auto* t = r.add_inputs();
    t->set_name(in.name);
    const bool raw_int = s >= 2 && s < 4;
    t->set_datatype(raw_int ? "INT8" : "FP32");
    const openbpu::Shape& shape = raw_int ? in.aligned_shape : in.valid_shape;
    for (int64_t d : shape) t->add_shape(d);
    const int64_t n = openbpu::NumElements(shape);
    if (s == 0 || s == 4) {
      r.add_raw_input_contents(std::string(static_cast<size_t>(n) * 4, '\0'));
    } else if (s == 1) {
      for (int64_t e = 0; e < n; ++e) t->mutable_contents()->add_fp32_contents(0.25f * (e % 7));
    } else if (s == 2) {
      r.add_raw_input_contents(std::string(static_cast<size_t>(n), '\x05'));
    } else {
      for (int64_t e = 0; e < n; ++e) t->mutable_contents()->add_int_contents(e % 200 - 100);
    }
    if (s == 4) r.add_outputs()->set_name(model.outputs()[0].name);
  }
  for (size_t s = 0; s < seeds.size(); ++s) {
    std::ofstream(std::string(dir) + "/request" + std::to_string(s), std::ios::binary)
        << seeds[s].SerializeAsString();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Invalid UTF-8 in string fields is a parse failure; protobuf's log line for each is noise.
  google::protobuf::SetLogHandler(nullptr);
  if (const char* dir = std::getenv("OPENBPU_FUZZ_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  inference::ModelInferRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  const openbpu::runtime::Model& model = TheModel();
  for (int64_t max_batch : {int64_t{0}, int64_t{1}}) {
    absl::StatusOr<openbpu::server::PreparedRequest> p =
        openbpu::server::Prepare(model, "digits", max_batch, request, kMaxRequestBytes);
    if (!p.ok()) continue;
    inference::ModelInferResponse response;
    const openbpu::server::PreparedRequest* requests[] = {&*p};
    inference::ModelInferResponse* responses[] = {&response};
    if (!openbpu::server::Execute(model, "digits", "1", max_batch, requests, 1, responses).ok()) {
      std::abort();  // an accepted request must run
    }
    if (response.outputs_size() != static_cast<int>(p->outputs.size()) ||
        response.raw_output_contents_size() != response.outputs_size()) {
      std::abort();
    }
    for (int k = 0; k < response.outputs_size(); ++k) {
      const openbpu::runtime::TensorInfo& info =
          model.outputs()[static_cast<size_t>(p->outputs[static_cast<size_t>(k)])];
      const size_t want =
          p->raw ? info.bytes : 4 * static_cast<size_t>(openbpu::NumElements(info.valid_shape));
      if (response.raw_output_contents(k).size() != want) std::abort();
    }
  }
  return 0;
}
