#include "tools/hbm_sim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/npy.h"
#include "common/tensor.h"
#include "hbm/hbm.h"
#include "hbm/segment.h"
#include "isa/assembler.h"
#include "isa/march.h"
#include "isa/program.h"
#include "runtime/runtime.h"
#include "tools/file_io.h"

namespace openbpu::tools {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu: %s\n", std::string(status.message()).c_str());
  return 1;
}

std::string DescString(const hbm::TensorDesc& d) {
  std::vector<std::string> scales;
  for (float s : d.scales()) scales.push_back(absl::StrCat(s));
  return absl::StrCat(
      "'", d.name(), "' ", hbm::TensorDesc::DType_Name(d.dtype()), " [",
      absl::StrJoin(d.valid_shape(), ","), "] ", hbm::TensorDesc::Layout_Name(d.layout()), " ",
      hbm::TensorDesc::QuantType_Name(d.quant_type()), " scale ", absl::StrJoin(scales, ","),
      " at ddr ", d.ddr_offset(), " (", d.ddr_bytes(), " bytes)",
      d.value().empty() ? "" : absl::StrCat(", value '", d.value(), "'"));
}

// Descriptors, memory plan, layers and instructions of a model or a BPU segment (a hybrid model
// has only descriptors and its regions' sizes).
absl::Status DisasModel(const hbm::Model& m) {
  for (const hbm::TensorDesc& d : m.inputs()) std::printf("# input  %s\n", DescString(d).c_str());
  for (const hbm::TensorDesc& d : m.outputs()) std::printf("# output %s\n", DescString(d).c_str());
  const hbm::MemoryPlan& plan = m.memory_plan();
  std::printf("# memory: ddr input %llu, output %llu, scratch %llu bytes, %d buffers\n",
              static_cast<unsigned long long>(plan.input_bytes()),
              static_cast<unsigned long long>(plan.output_bytes()),
              static_cast<unsigned long long>(plan.scratch_bytes()), plan.buffers_size());
  if (m.segments_size() > 0) return absl::OkStatus();
  for (int i = 0; i < m.layers_size(); ++i) {
    const hbm::Layer& l = m.layers(i);
    std::printf("# layer %d %s (%s): instructions %u..%u\n", i, l.name().c_str(),
                absl::StrJoin(l.ops(), ",").c_str(), l.first_instruction(), l.last_instruction());
  }
  absl::StatusOr<isa::Program> program = isa::ParseProgram(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(m.program().data()), m.program().size()));
  if (!program.ok()) return program.status();
  std::printf("# parameter blob: %zu bytes\n", program->params.size());
  isa::Program shown = *program;
  shown.params.clear();
  std::fputs(isa::DisassembleProgram(shown).c_str(), stdout);
  return absl::OkStatus();
}

std::string TypeString(const hbm::ValueType& t) {
  return absl::StrCat(hbm::TensorDesc::DType_Name(t.dtype()), "[", absl::StrJoin(t.shape(), ","),
                      "]");
}

// A CPU segment as graph text: `%out: TYPE = Op(%in, ...) {attrs}  # node`, constants summarized.
void DisasCpuSegment(const std::string& name, const hbm::CpuSegment& cpu) {
  std::map<std::string, const hbm::ValueType*> types;
  for (const hbm::ValueType& t : cpu.values()) types[t.name()] = &t;
  auto typed = [&](const std::string& v) {
    auto it = types.find(v);
    return it == types.end() ? absl::StrCat("%", v)
                             : absl::StrCat("%", v, ": ", TypeString(*it->second));
  };
  uint64_t constant_bytes = 0;
  for (const hbm::Constant& c : cpu.constants()) constant_bytes += c.data().size();
  std::printf(
      "\n# segment %s: CPU, %d nodes, %d constants (%llu bytes), run by the float kernels "
      "(common/kernels) on the host\n",
      name.c_str(), cpu.nodes_size(), cpu.constants_size(),
      static_cast<unsigned long long>(constant_bytes));
  for (const std::string& v : cpu.inputs()) std::printf("# input  %s\n", typed(v).c_str());
  for (const std::string& v : cpu.outputs()) std::printf("# output %s\n", typed(v).c_str());
  for (const hbm::CpuNode& n : cpu.nodes()) {
    std::vector<std::string> outs, ins, attrs;
    for (const std::string& v : n.outputs()) outs.push_back(typed(v));
    for (const std::string& v : n.inputs()) ins.push_back(v.empty() ? "_" : absl::StrCat("%", v));
    absl::StatusOr<AttributeMap> map = hbm::FromAttributes(n.attributes());
    if (map.ok()) {
      for (const auto& [k, v] : map->all())
        attrs.push_back(absl::StrCat(k, "=", AttrValueToString(v)));
    }
    std::printf("  %s = %s(%s)%s  # %s\n", absl::StrJoin(outs, ", ").c_str(), n.op().c_str(),
                absl::StrJoin(ins, ", ").c_str(),
                attrs.empty() ? "" : absl::StrCat(" {", absl::StrJoin(attrs, ", "), "}").c_str(),
                n.name().c_str());
  }
}

}  // namespace

absl::StatusOr<hbm::Payload> ReadPayload(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<hbm::Payload> payload = hbm::ReadHbm(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  if (!payload.ok()) {
    return absl::Status(payload.status().code(),
                        absl::StrCat(path, ": ", payload.status().message()));
  }
  return payload;
}

int DisasHbm(const std::string& path) {
  absl::StatusOr<hbm::Payload> payload = ReadPayload(path);
  if (!payload.ok()) return Fail(payload.status());
  const hbm::Header& h = payload->header();
  std::printf("# %s: .hbm format %u, %s, march %s, %d model(s)\n", path.c_str(), h.format_version(),
              h.toolkit_version().c_str(), h.march().c_str(), payload->models_size());
  std::map<std::string, std::string> options(h.compile_options().begin(),
                                             h.compile_options().end());
  for (const auto& [k, v] : options) std::printf("# option %s = %s\n", k.c_str(), v.c_str());
  for (const hbm::Model& m : payload->models()) {
    std::printf("\n# model %s%s\n", m.name().c_str(),
                m.segments_size() > 0
                    ? absl::StrCat(" (hybrid: ", m.segments_size(), " segments)").c_str()
                    : "");
    if (absl::Status st = DisasModel(m); !st.ok()) return Fail(st);
    for (const hbm::Segment& s : m.segments()) {
      if (s.has_bpu()) {
        std::printf("\n# segment %s: BPU\n", s.name().c_str());
        if (absl::Status st = DisasModel(s.bpu()); !st.ok()) return Fail(st);
      } else {
        DisasCpuSegment(s.name(), s.cpu());
      }
    }
  }
  return 0;
}

int PackHbm(const std::vector<std::string>& inputs, const std::string& output) {
  std::vector<hbm::Payload> payloads;
  for (const std::string& path : inputs) {
    absl::StatusOr<hbm::Payload> p = ReadPayload(path);
    if (!p.ok()) return Fail(p.status());
    payloads.push_back(*std::move(p));
  }
  absl::StatusOr<hbm::Payload> packed = hbm::Pack(payloads);
  if (!packed.ok()) return Fail(packed.status());
  absl::StatusOr<std::vector<uint8_t>> bytes = hbm::WriteHbm(*packed);
  if (!bytes.ok()) return Fail(bytes.status());
  std::ofstream out(output, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes->data()),
            static_cast<std::streamsize>(bytes->size()));
  if (!out) return Fail(absl::UnavailableError(absl::StrCat("cannot write ", output)));
  std::vector<std::string> names;
  for (const hbm::Model& m : packed->models()) names.push_back(m.name());
  std::printf("wrote %s (%zu bytes): %s\n", output.c_str(), bytes->size(),
              absl::StrJoin(names, ", ").c_str());
  return 0;
}

bool LooksLikeHbm(const std::string& bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), hbm::kHbmMagic, 4) == 0;
}

int SimHbm(const HbmSimArgs& args) {
  absl::StatusOr<std::unique_ptr<runtime::Package>> pkg = runtime::Package::LoadFile(args.path);
  if (!pkg.ok()) return Fail(pkg.status());
  const runtime::Model* model = (*pkg)->models()[0].get();
  if (!args.model.empty()) {
    absl::StatusOr<const runtime::Model*> m = (*pkg)->GetModel(args.model);
    if (!m.ok())
      return Fail(
          absl::Status(m.status().code(), absl::StrCat(args.path, ": ", m.status().message())));
    model = *m;
  }
  if (!args.inputs.empty() && args.inputs.size() != model->inputs().size()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("model '", model->name(), "' has ",
                                                        model->inputs().size(), " inputs; got ",
                                                        args.inputs.size(), " --input")));
  }
  const runtime::Backend backend = args.mode == sim::Mode::kFunc   ? runtime::Backend::kFunctional
                                   : args.mode == sim::Mode::kPerf ? runtime::Backend::kTiming
                                                                   : runtime::Backend::kBoth;
  // Inputs quantized by the runtime (QuantizeLinear with each input's scale, into its layout);
  // without --input, zeros.
  std::vector<std::vector<uint8_t>> raw_inputs;
  for (size_t i = 0; i < model->inputs().size(); ++i) {
    const runtime::TensorInfo& info = model->inputs()[i];
    std::vector<uint8_t> q(info.bytes, 0);
    if (!args.inputs.empty()) {
      absl::StatusOr<Tensor> x = ReadNpy(args.inputs[i]);
      if (!x.ok()) return Fail(x.status());
      absl::StatusOr<std::vector<uint8_t>> quantized = runtime::QuantizeInput(*x, info);
      if (!quantized.ok()) return Fail(quantized.status());
      q = *std::move(quantized);
    }
    raw_inputs.push_back(std::move(q));
  }
  std::vector<absl::Span<const uint8_t>> spans(raw_inputs.begin(), raw_inputs.end());
  runtime::RunStats stats;
  absl::StatusOr<std::vector<std::vector<uint8_t>>> outputs =
      model->RunRaw(spans, {backend, args.serial}, &stats);
  if (!outputs.ok()) return Fail(outputs.status());
  std::printf("model: %s (%s), march %s, mode %s%s\n", model->name().c_str(), args.path.c_str(),
              model->march().c_str(), sim::ModeName(args.mode), args.serial ? " (serial)" : "");
  if (args.mode != sim::Mode::kFunc) std::fputs(stats.report.c_str(), stdout);
  if (args.mode == sim::Mode::kPerf) return 0;
  for (size_t o = 0; o < outputs->size(); ++o) {
    const runtime::TensorInfo& info = model->outputs()[o];
    // Dequantized (q * scale, float32) in the model's order; BOOL / INT64 as they are.
    absl::StatusOr<Tensor> y = runtime::DequantizeOutput((*outputs)[o], info);
    if (!y.ok()) return Fail(y.status());
    const int64_t count = y->num_elements();
    std::vector<double> shown(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      shown[static_cast<size_t>(i)] = y->dtype() == DType::kBool ? y->data<bool>()[i]
                                      : y->dtype() == DType::kInt64
                                          ? static_cast<double>(y->data<int64_t>()[i])
                                          : y->data<float>()[i];
    }
    const int64_t best = std::max_element(shown.begin(), shown.end()) - shown.begin();
    std::vector<std::string> head;
    for (int64_t i = 0; i < std::min<int64_t>(count, 8); ++i) {
      const double v = shown[static_cast<size_t>(i)];
      head.push_back(y->dtype() == DType::kBool    ? std::string(v != 0 ? "true" : "false")
                     : y->dtype() == DType::kInt64 ? absl::StrCat(static_cast<int64_t>(v))
                                                   : absl::StrCat(static_cast<float>(v)));
    }
    std::printf("output '%s' %s: [%s%s], argmax %lld\n", info.name.c_str(),
                ShapeToString(info.valid_shape).c_str(), absl::StrJoin(head, ", ").c_str(),
                count > 8 ? ", ..." : "", static_cast<long long>(best));
    if (!args.output.empty()) {
      const std::string path =
          outputs->size() == 1 ? args.output : absl::StrCat(args.output, o, ".npy");
      if (absl::Status st = WriteNpy(path, *y); !st.ok()) return Fail(st);
      std::printf("wrote %s\n", path.c_str());
    }
  }
  return 0;
}

}  // namespace openbpu::tools
