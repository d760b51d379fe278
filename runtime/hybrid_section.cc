// The "hybrid" section loader (section.h): a model of segments (proto/hbm.proto Model.segments).
// BPU segments load through the "bpu.program" loader and run on the simulator; CPU segments run
// their nodes with the float kernels of common/kernels (the ones the compiler's reference
// interpreter runs), timed on the host. Segments pass tensors by graph value name, in the
// model's (ONNX) dimension order; each BPU segment's inputs are packed into its own DDR input
// region and its outputs unpacked from its output region.
#include <chrono>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/kernels/registry.h"
#include "hbm/segment.h"
#include "runtime/section.h"

namespace openbpu::runtime {
namespace {

using Env = std::map<std::string, Tensor>;

// One descriptor of a region: where its bytes are and which value they hold.
struct Slot {
  TensorInfo info;
  uint64_t offset = 0;
  std::string value;
};

absl::StatusOr<std::vector<Slot>> SlotsOf(
    const google::protobuf::RepeatedPtrField<hbm::TensorDesc>& descs) {
  std::vector<Slot> slots;
  for (const hbm::TensorDesc& d : descs) {
    absl::StatusOr<TensorInfo> info = DescriptorInfo(d);
    if (!info.ok()) return info.status();
    slots.push_back({*std::move(info), d.ddr_offset(), d.value()});
  }
  return slots;
}

struct TypeOf {
  DType dtype;
  Shape shape;
};

struct CpuNode {
  std::string name, op;
  const kernels::FloatKernel* kernel = nullptr;
  AttributeMap attrs;
  std::vector<std::string> inputs, outputs;
};

struct Stage {
  std::string name;
  bool bpu = false;
  // BPU
  std::unique_ptr<Executor> executor;
  std::vector<Slot> in, out;
  uint64_t in_bytes = 0, out_bytes = 0;
  // CPU
  std::vector<CpuNode> nodes;
  std::map<std::string, Tensor> constants;
  std::map<std::string, TypeOf> types;
};

std::string Describe(const Tensor& t) {
  return absl::StrCat(DTypeName(t.dtype()), ShapeToString(t.shape()));
}

class HybridExecutor : public Executor {
 public:
  static absl::StatusOr<std::unique_ptr<Executor>> Load(const hbm::Model& model,
                                                        const std::string& march) {
    auto exe = std::unique_ptr<HybridExecutor>(new HybridExecutor);
    absl::StatusOr<std::vector<Slot>> in = SlotsOf(model.inputs());
    if (!in.ok()) return in.status();
    absl::StatusOr<std::vector<Slot>> out = SlotsOf(model.outputs());
    if (!out.ok()) return out.status();
    exe->in_ = *std::move(in);
    exe->out_ = *std::move(out);
    absl::StatusOr<SectionLoader> bpu = FindSectionLoader(kBpuProgramSection);
    if (!bpu.ok()) return bpu.status();
    for (const hbm::Segment& s : model.segments()) {
      Stage stage;
      stage.name = s.name();
      auto fail = [&](const absl::Status& st) {
        return absl::Status(st.code(), absl::StrCat("segment '", s.name(), "': ", st.message()));
      };
      if (s.has_bpu()) {
        stage.bpu = true;
        absl::StatusOr<std::unique_ptr<Executor>> e = (*bpu)(s.bpu(), march);
        if (!e.ok()) return fail(e.status());
        stage.executor = *std::move(e);
        absl::StatusOr<std::vector<Slot>> sin = SlotsOf(s.bpu().inputs());
        if (!sin.ok()) return fail(sin.status());
        absl::StatusOr<std::vector<Slot>> sout = SlotsOf(s.bpu().outputs());
        if (!sout.ok()) return fail(sout.status());
        stage.in = *std::move(sin);
        stage.out = *std::move(sout);
        stage.in_bytes = s.bpu().memory_plan().input_bytes();
        stage.out_bytes = s.bpu().memory_plan().output_bytes();
      } else {
        const hbm::CpuSegment& cpu = s.cpu();
        for (const hbm::ValueType& v : cpu.values()) {
          absl::StatusOr<DType> dtype = hbm::FromProtoDType(v.dtype());
          if (!dtype.ok()) return fail(dtype.status());
          stage.types[v.name()] = {*dtype, Shape(v.shape().begin(), v.shape().end())};
        }
        for (const hbm::Constant& c : cpu.constants()) {
          absl::StatusOr<Tensor> t = hbm::FromConstant(c);
          if (!t.ok()) return fail(t.status());
          stage.constants[c.name()] = *std::move(t);
        }
        for (const hbm::CpuNode& n : cpu.nodes()) {
          CpuNode node;
          node.name = n.name();
          node.op = n.op();
          node.kernel = kernels::FindFloatKernel(n.op());
          if (node.kernel == nullptr) {
            return fail(absl::UnimplementedError(
                absl::StrCat("node '", n.name(), "': no float kernel for op '", n.op(),
                             "' in this runtime (common/kernels)")));
          }
          absl::StatusOr<AttributeMap> attrs = hbm::FromAttributes(n.attributes());
          if (!attrs.ok()) return fail(attrs.status());
          node.attrs = *std::move(attrs);
          // What the reference's RegistryKernel tells kernels whose output count their attributes
          // do not fix (Split); the others ignore it.
          node.attrs.Set(kernels::kNodeOutputsAttr, static_cast<int64_t>(n.outputs_size()));
          node.inputs.assign(n.inputs().begin(), n.inputs().end());
          node.outputs.assign(n.outputs().begin(), n.outputs().end());
          stage.nodes.push_back(std::move(node));
        }
      }
      exe->stages_.push_back(std::move(stage));
    }
    return std::unique_ptr<Executor>(std::move(exe));
  }

  absl::Status Run(absl::Span<const uint8_t> input_region, absl::Span<uint8_t> output_region,
                   const RunOptions& options, RunStats* stats) const override {
    *stats = RunStats{};
    Env env;
    for (const Slot& s : in_) {
      absl::StatusOr<Tensor> t = UnpackTensor(input_region.subspan(s.offset, s.info.bytes), s.info);
      if (!t.ok()) return t.status();
      env[s.value] = *std::move(t);
    }
    const bool timing = options.backend != Backend::kFunctional;
    uint64_t cycle_base = 0;
    std::string reports;
    for (const Stage& stage : stages_) {
      SegmentTime time;
      time.name = stage.name;
      time.bpu = stage.bpu;
      if (stage.bpu) {
        RunStats bpu_stats;
        if (absl::Status st = RunBpu(stage, env, options, &bpu_stats); !st.ok()) {
          return absl::Status(st.code(),
                              absl::StrCat("segment '", stage.name, "': ", st.message()));
        }
        time.cycles = bpu_stats.cycles;
        time.latency_us = bpu_stats.latency_us;
        stats->cycles += bpu_stats.cycles;
        stats->latency_us += bpu_stats.latency_us;
        stats->instructions += bpu_stats.instructions;
        for (LayerTime l : bpu_stats.layers) {
          l.start_cycle += cycle_base;
          l.end_cycle += cycle_base;
          stats->layers.push_back(std::move(l));
        }
        cycle_base += bpu_stats.cycles;
        if (timing) {
          absl::StrAppend(&reports, "segment ", stage.name, " (BPU, modeled):\n", bpu_stats.report);
        }
      } else {
        const auto start = std::chrono::steady_clock::now();
        if (absl::Status st = RunCpu(stage, env); !st.ok()) {
          return absl::Status(st.code(),
                              absl::StrCat("segment '", stage.name, "': ", st.message()));
        }
        time.host_us =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count();
        time.nodes = static_cast<int>(stage.nodes.size());
        stats->host_us += time.host_us;
        absl::StrAppend(
            &reports,
            absl::StrFormat(
                "segment %s (CPU, %d nodes): host time %.1f us "
                "(measured on this host, not modeled BPU time%s)\n",
                stage.name, time.nodes, time.host_us,
                options.backend == Backend::kTiming ? "; perf mode ran it on zero inputs" : ""));
      }
      stats->segments.push_back(std::move(time));
    }
    absl::StrAppend(&reports,
                    absl::StrFormat("hybrid: BPU %d cycles, %.1f us modeled; CPU %.1f us host "
                                    "time measured (not added to the BPU time)\n",
                                    stats->cycles, stats->latency_us, stats->host_us));
    stats->report = std::move(reports);
    if (options.backend == Backend::kTiming) return absl::OkStatus();
    for (const Slot& s : out_) {
      auto it = env.find(s.value);
      if (it == env.end()) {
        return absl::InternalError(absl::StrCat("output value '", s.value, "' was not computed"));
      }
      absl::StatusOr<std::vector<uint8_t>> bytes = PackTensor(it->second, s.info);
      if (!bytes.ok()) return bytes.status();
      std::copy(bytes->begin(), bytes->end(), output_region.begin() + s.offset);
    }
    return absl::OkStatus();
  }

 private:
  HybridExecutor() = default;

  static absl::Status RunBpu(const Stage& stage, Env& env, const RunOptions& options,
                             RunStats* stats) {
    std::vector<uint8_t> in(stage.in_bytes, 0), out(stage.out_bytes, 0);
    if (options.backend != Backend::kTiming) {
      for (const Slot& s : stage.in) {
        auto it = env.find(s.value);
        if (it == env.end()) {
          return absl::InvalidArgumentError(
              absl::StrCat("input value '", s.value, "' is not computed before it"));
        }
        absl::StatusOr<std::vector<uint8_t>> bytes = PackTensor(it->second, s.info);
        if (!bytes.ok()) return bytes.status();
        if (s.offset + bytes->size() > in.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("input '", s.value, "' lies outside the input region"));
        }
        std::copy(bytes->begin(), bytes->end(), in.begin() + s.offset);
      }
    }
    if (absl::Status st = stage.executor->Run(in, absl::MakeSpan(out), options, stats); !st.ok()) {
      return st;
    }
    // With kTiming the outputs are zeros: later CPU segments still run (and are timed) on them.
    for (const Slot& s : stage.out) {
      if (s.offset + s.info.bytes > out.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("output '", s.value, "' lies outside the output region"));
      }
      absl::StatusOr<Tensor> t =
          UnpackTensor(absl::MakeConstSpan(out).subspan(s.offset, s.info.bytes), s.info);
      if (!t.ok()) return t.status();
      env[s.value] = *std::move(t);
    }
    return absl::OkStatus();
  }

  static absl::Status RunCpu(const Stage& stage, Env& env) {
    for (const CpuNode& node : stage.nodes) {
      auto fail = [&](absl::string_view what) {
        return absl::InvalidArgumentError(
            absl::StrCat("node '", node.name, "' (", node.op, "): ", what));
      };
      std::vector<const Tensor*> inputs;
      for (const std::string& name : node.inputs) {
        if (name.empty()) {
          inputs.push_back(nullptr);
          continue;
        }
        auto c = stage.constants.find(name);
        if (c != stage.constants.end()) {
          inputs.push_back(&c->second);
          continue;
        }
        auto it = env.find(name);
        if (it == env.end()) return fail(absl::StrCat("input '", name, "' is not computed"));
        auto type = stage.types.find(name);
        if (type == stage.types.end() || it->second.dtype() != type->second.dtype ||
            it->second.shape() != type->second.shape) {
          return fail(absl::StrCat("input '", name, "' is ", Describe(it->second),
                                   ", the segment records another type"));
        }
        inputs.push_back(&it->second);
      }
      std::vector<Tensor> outputs;
      if (absl::Status st = (*node.kernel)(node.attrs, inputs, outputs); !st.ok()) {
        return fail(st.message());
      }
      if (outputs.size() < node.outputs.size()) {
        return fail(absl::StrCat("the kernel made ", outputs.size(), " outputs, the node has ",
                                 node.outputs.size()));
      }
      for (size_t i = 0; i < node.outputs.size(); ++i) {
        const TypeOf& want = stage.types.at(node.outputs[i]);
        if (outputs[i].dtype() != want.dtype || outputs[i].shape() != want.shape) {
          return fail(absl::StrCat("output '", node.outputs[i], "' is ", Describe(outputs[i]),
                                   ", the segment records ", DTypeName(want.dtype),
                                   ShapeToString(want.shape)));
        }
        env[node.outputs[i]] = std::move(outputs[i]);
      }
    }
    return absl::OkStatus();
  }

  std::vector<Slot> in_, out_;
  std::vector<Stage> stages_;
};

const bool kRegistered = RegisterSectionLoader(kHybridSection, HybridExecutor::Load);

}  // namespace
}  // namespace openbpu::runtime
