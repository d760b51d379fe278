// Hybrid models end to end (issue 13): a float ONNX model quantized with nodes left in float (bpu
// quantize --hybrid, or a hybrid_dict rule by op type or node name), compiled by
// compiler/backend/hybrid.h into BPU and CPU segments in one .hbm, loaded by the runtime and run
// in `both` mode: BPU segments on the simulator, CPU segments with the float kernels of
// common/kernels. Each output is compared with the quantized reference of the same hybrid graph:
// a quantized output (made by a BPU segment) bit for bit, a float one (made by a CPU segment) to
// 1e-6 relative. One line per run:
//   bit-exact: MODEL hybrid MARCH OPT elements=E mismatches=M (segments=S: B BPU, C CPU, ...)
#include "compiler/backend/hybrid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "compiler/backend/hbm_model.h"
#include "compiler/driver/quantize.h"
#include "compiler/reference/quantized_interpreter.h"
#include "gtest/gtest.h"
#include "hbm/hbm.h"
#include "runtime/runtime.h"
#include "tests/backend_run.h"
#include "tests/nhwc.h"

namespace openbpu {
namespace {

using test_util::NhwcBytes;

struct HybridCase {
  std::string name, onnx, march;
  bool hybrid = false;
  std::vector<std::string> hybrid_ops, hybrid_nodes;
  // Nodes that must run on the CPU (the test fails if the split puts them elsewhere).
  std::vector<std::string> expect_cpu;
  int batch = 1;  // images per run (bpu compile --batch): test images 0..batch-1 in one run
};

// Test images i * batch .. (i + 1) * batch - 1 as one [batch, ...] tensor.
absl::StatusOr<Tensor> Images(const std::string& dir, int i, int batch) {
  std::vector<Tensor> images;
  for (int b = 0; b < batch; ++b) {
    absl::StatusOr<Tensor> x = ReadNpy(dir + absl::StrFormat("test/%03d.npy", i * batch + b));
    if (!x.ok()) return x.status();
    images.push_back(*std::move(x));
  }
  Shape shape = images[0].shape();
  shape[0] = batch;
  Tensor out(DType::kFloat32, shape);
  const size_t bytes = images[0].num_bytes();
  for (int b = 0; b < batch; ++b) std::memcpy(out.raw() + b * bytes, images[b].raw(), bytes);
  return out;
}

// |a - b| <= 1e-6 * max(|a|, |b|), or both tiny.
bool CloseRelative(float a, float b) {
  if (a == b) return true;
  if (std::isnan(a) || std::isnan(b)) return false;
  const float scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= 1e-6f * scale || std::fabs(a - b) <= 1e-30f;
}

void RunHybrid(const HybridCase& c, int samples) {
  const std::string dir = test_util::ModelDataDir();
  driver::QuantizeOptions q;
  // Bit-exactness does not depend on how the scales and weights were chosen: the PTQ
  // methods' search (tests:quant_model_test measures it) stays off for speed.
  q.select_observer = false;
  q.adaround = false;
  q.model = dir + c.onnx;
  q.calibration_data = dir + "calib";
  q.march = c.march;
  q.progress = nullptr;
  q.hybrid = c.hybrid;
  q.hybrid_ops = c.hybrid_ops;
  q.hybrid_nodes = c.hybrid_nodes;
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  ASSERT_TRUE(quantized.ok()) << c.name << ": " << quantized.status();
  const ir::Graph& graph = *quantized->graph;
  ASSERT_TRUE(backend::NeedsHybrid(graph)) << c.name << ": no node left for the CPU";

  // Without --hybrid the same graph is a compile error naming a node.
  backend::CompileOptions plain;
  plain.march = c.march;
  absl::StatusOr<backend::CompiledModel> refused = backend::Compile(graph, plain);
  ASSERT_FALSE(refused.ok()) << c.name << ": compiled without --hybrid";
  EXPECT_NE(refused.status().message().find("--hybrid"), std::string::npos) << refused.status();

  // The reference of the same graph, rebatched when the model runs several images at once.
  std::unique_ptr<ir::Graph> batched;
  if (c.batch > 1) {
    absl::StatusOr<std::unique_ptr<ir::Graph>> b = backend::Rebatch(graph, c.batch);
    ASSERT_TRUE(b.ok()) << b.status();
    batched = *std::move(b);
  }
  const ir::Graph& reference_graph = batched != nullptr ? *batched : graph;
  std::vector<std::map<std::string, reference::QuantizedValue>> want;
  std::vector<Tensor> inputs;
  for (int i = 0; i < samples; ++i) {
    absl::StatusOr<Tensor> x = Images(dir, i, c.batch);
    ASSERT_TRUE(x.ok()) << x.status();
    absl::StatusOr<std::map<std::string, reference::QuantizedValue>> v =
        reference::RunQuantizedAllValues(reference_graph, {*x});
    ASSERT_TRUE(v.ok()) << c.name << ": " << v.status();
    want.push_back(*std::move(v));
    inputs.push_back(*std::move(x));
  }
  for (const char* opt : {"O0", "O2"}) {
    backend::CompileOptions options;
    options.march = c.march;
    options.opt = opt;
    options.batch = c.batch;
    absl::StatusOr<backend::HybridModel> model = backend::CompileHybrid(graph, options);
    ASSERT_TRUE(model.ok()) << c.name << " " << opt << ": " << model.status();
    int bpu = 0, cpu = 0;
    std::vector<std::string> on_cpu;
    for (const backend::HybridSegment& s : model->segments) {
      (s.bpu ? bpu : cpu) += 1;
      if (!s.bpu) on_cpu.insert(on_cpu.end(), s.nodes.begin(), s.nodes.end());
    }
    EXPECT_GT(bpu, 0);
    EXPECT_GT(cpu, 0);
    for (const std::string& n : c.expect_cpu) {
      EXPECT_NE(std::find(on_cpu.begin(), on_cpu.end(), n), on_cpu.end())
          << c.name << ": node " << n << " is not in a CPU segment";
    }
    absl::StatusOr<hbm::Model> m = backend::ToHbmModel(*model, c.name);
    ASSERT_TRUE(m.ok()) << m.status();
    absl::StatusOr<hbm::Payload> payload = backend::ToHbmPayload(*std::move(m), c.march, {});
    ASSERT_TRUE(payload.ok()) << payload.status();
    absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(*payload);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadMemory(*bytes);
    ASSERT_TRUE(pkg.ok()) << pkg.status();
    const runtime::Model& rt = *(*pkg)->models()[0];
    int64_t elements = 0, mismatches = 0, float_elements = 0;
    runtime::RunStats stats;
    for (int i = 0; i < samples; ++i) {
      std::vector<std::vector<uint8_t>> raw;
      for (size_t k = 0; k < rt.inputs().size(); ++k) {
        const backend::TensorDesc& d = model->inputs[k];
        // The quantized reference's own input integers (or the float input itself).
        const Tensor& t = want[i].at(d.value).tensor;
        absl::StatusOr<std::vector<uint8_t>> packed = runtime::PackTensor(t, rt.inputs()[k]);
        ASSERT_TRUE(packed.ok()) << packed.status();
        raw.push_back(*std::move(packed));
      }
      std::vector<absl::Span<const uint8_t>> spans(raw.begin(), raw.end());
      runtime::RunOptions run;
      run.backend = runtime::Backend::kBoth;
      absl::StatusOr<std::vector<std::vector<uint8_t>>> out = rt.RunRaw(spans, run, &stats);
      ASSERT_TRUE(out.ok()) << c.name << " " << opt << ": " << out.status();
      for (size_t k = 0; k < out->size(); ++k) {
        const backend::TensorDesc& d = model->outputs[k];
        absl::StatusOr<Tensor> got = runtime::UnpackTensor((*out)[k], rt.outputs()[k]);
        ASSERT_TRUE(got.ok()) << got.status();
        const Tensor& expected = want[i].at(d.value).tensor;
        ASSERT_EQ(got->dtype(), expected.dtype()) << d.name;
        ASSERT_EQ(got->shape(), expected.shape()) << d.name;
        const int64_t n = expected.num_elements();
        elements += n;
        if (expected.dtype() == DType::kFloat32) {
          float_elements += n;
          for (int64_t e = 0; e < n; ++e) {
            mismatches += !CloseRelative(got->data<float>()[e], expected.data<float>()[e]);
          }
        } else {
          const size_t es = DTypeSize(expected.dtype());
          for (int64_t e = 0; e < n; ++e) {
            mismatches += std::memcmp(got->raw() + e * es, expected.raw() + e * es, es) != 0;
          }
        }
      }
    }
    ASSERT_EQ(stats.segments.size(), model->segments.size());
    EXPECT_GT(stats.cycles, 0u);
    EXPECT_GT(stats.host_us, 0.0);
    std::printf(
        "bit-exact: %s%s hybrid %s %s elements=%lld mismatches=%lld (float outputs %lld of them, "
        "to "
        "1e-6 relative; samples=%d, segments=%zu: %d BPU, %d CPU; nodes %d BPU, %d CPU; BPU %llu "
        "cycles modeled, CPU %.0f us host time measured)\n",
        c.name.c_str(), c.batch > 1 ? absl::StrCat(" batch=", c.batch).c_str() : "",
        c.march.c_str(), opt, static_cast<long long>(elements), static_cast<long long>(mismatches),
        static_cast<long long>(float_elements), samples, model->segments.size(), bpu, cpu,
        model->bpu_nodes, model->cpu_nodes, static_cast<unsigned long long>(stats.cycles),
        stats.host_us);
    EXPECT_GT(elements, 0);
    EXPECT_EQ(mismatches, 0) << c.name << " " << opt;
  }
}

// The transformer encoder on bernoulli2, whose op table runs no LayerNorm, Softmax, Transpose,
// Gather or Div on the BPU: bpu quantize --hybrid leaves them in float, so attention and the
// norms run on the CPU and the projections, matmuls and adds on the BPU.
TEST(Hybrid, VitTinyBernoulli2) {
  RunHybrid({"vit_tiny",
             "ptq/vit_tiny.onnx",
             "bernoulli2",
             /*hybrid=*/true,
             {},
             {},
             {"/blocks/blocks.0/Softmax", "/blocks/blocks.0/ln1/LayerNormalization"}},
            2);
}

// The detector with its first neck upsample forced to the CPU by node name (hybrid_dict), and its
// first head's Sigmoid: that output is then made by a CPU segment, in float (compared to 1e-6
// relative), the other two by the BPU (bit for bit).
TEST(Hybrid, YoloTinyForcedResizeAndSigmoid) {
  RunHybrid({"yolo_tiny",
             "ptq/yolo_tiny.onnx",
             "bayes",
             false,
             {},
             {"/up/Resize", "/Sigmoid"},
             {"/up/Resize", "/Sigmoid"}},
            2);
}

// ResNet-18 with one mid-network convolution (BatchNorm and ReLU fused into it) on the CPU.
TEST(Hybrid, ResNet18ForcedConv) {
  RunHybrid({"resnet18",
             "ptq/resnet18.onnx",
             "bayes",
             false,
             {},
             {"/layer2/layer2.0/conv1/Conv"},
             {"/layer2/layer2.0/conv1/Conv"}},
            1);
}

// --batch 2: the rebatched graph split the same way, two images per run through the CPU conv.
TEST(Hybrid, ResNet18ForcedConvBatch2) {
  HybridCase c{"resnet18",
               "ptq/resnet18.onnx",
               "bayes",
               false,
               {},
               {"/layer2/layer2.0/conv1/Conv"},
               {"/layer2/layer2.0/conv1/Conv"}};
  c.batch = 2;
  RunHybrid(c, 1);
}

// Nothing to split: a forced node name that is not in the model is an error naming it.
TEST(Hybrid, UnknownHybridNode) {
  const std::string dir = test_util::ModelDataDir();
  driver::QuantizeOptions q;
  // Bit-exactness does not depend on how the scales and weights were chosen: the PTQ
  // methods' search (tests:quant_model_test measures it) stays off for speed.
  q.select_observer = false;
  q.adaround = false;
  q.model = dir + "ptq/yolo_tiny.onnx";
  q.calibration_data = dir + "calib";
  q.march = "bayes";
  q.progress = nullptr;
  q.hybrid_nodes = {"/no/such/node"};
  absl::StatusOr<driver::QuantizedModel> quantized = driver::Quantize(q);
  ASSERT_FALSE(quantized.ok());
  EXPECT_NE(quantized.status().message().find("/no/such/node"), std::string::npos)
      << quantized.status();
}

}  // namespace
}  // namespace openbpu
