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
#include "isa/assembler.h"
#include "isa/march.h"
#include "isa/program.h"
#include "simulator/simulator.h"
#include "simulator/stats.h"

namespace openbpu::tools {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bpu: %s\n", std::string(status.message()).c_str());
  return 1;
}

int64_t ESize(hbm::TensorDesc::DType d) {
  switch (d) {
    case hbm::TensorDesc::INT8:
    case hbm::TensorDesc::BOOL:
      return 1;
    case hbm::TensorDesc::INT16:
      return 2;
    case hbm::TensorDesc::INT64:
      return 8;
    default:
      return 4;
  }
}

// BOOL (a comparison's 0 / 1) and INT64 (ArgMax / TopK indices) tensors are not quantized: bpu sim
// writes them as they are.
bool Unquantized(hbm::TensorDesc::DType d) {
  return d == hbm::TensorDesc::BOOL || d == hbm::TensorDesc::INT64;
}

// The byte offset in `layout` order of element (image i, channel ch, pixel p) of a value with
// n images, c channels and hw pixels (the dimensions after C flattened).
int64_t ElementAt(hbm::TensorDesc::Layout layout, int64_t i, int64_t ch, int64_t p, int64_t c,
                  int64_t hw) {
  return layout == hbm::TensorDesc::NCHW ? (i * c + ch) * hw + p : (i * hw + p) * c + ch;
}

// Float [N, C, ...] in the model's order -> the descriptor's integers in its layout.
absl::StatusOr<std::vector<uint8_t>> Quantize(const Tensor& x, const hbm::TensorDesc& d) {
  const std::vector<int64_t> shape(d.valid_shape().begin(), d.valid_shape().end());
  if (x.dtype() != DType::kFloat32 || x.shape() != shape) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", d.name(), "' must be float32 ", ShapeToString(shape), ", got ",
                     DTypeName(x.dtype()), " ", ShapeToString(x.shape())));
  }
  if (Unquantized(d.dtype())) {
    return absl::UnimplementedError(
        absl::StrCat("input '", d.name(), "' of dtype ", hbm::TensorDesc::DType_Name(d.dtype())));
  }
  if (d.scales_size() != 1) {
    return absl::UnimplementedError("per-channel input quantization");
  }
  const float scale = d.scales(0);
  const int64_t es = ESize(d.dtype());
  const double lo = es == 1 ? -128.0 : es == 2 ? -32768.0 : -2147483648.0;
  const double hi = es == 1 ? 127.0 : es == 2 ? 32767.0 : 2147483647.0;
  const int64_t n = shape.empty() ? 1 : shape[0], c = shape.size() > 1 ? shape[1] : 1;
  const int64_t hw = x.num_elements() / std::max<int64_t>(1, n * c);
  std::vector<uint8_t> out(static_cast<size_t>(x.num_elements() * es));
  const float* px = x.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t ch = 0; ch < c; ++ch) {
      for (int64_t p = 0; p < hw; ++p) {
        const float v = px[(i * c + ch) * hw + p] / scale;
        const double q = std::isnan(v) ? 0.0 : std::clamp<double>(std::nearbyint(v), lo, hi);
        const int32_t qi = static_cast<int32_t>(q);
        std::memcpy(&out[static_cast<size_t>(ElementAt(d.layout(), i, ch, p, c, hw) * es)], &qi,
                    static_cast<size_t>(es));
      }
    }
  }
  return out;
}

absl::StatusOr<hbm::Payload> ReadPayload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  absl::StatusOr<hbm::Payload> payload = hbm::ReadHbm(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (!payload.ok()) {
    return absl::Status(payload.status().code(),
                        absl::StrCat(path, ": ", payload.status().message()));
  }
  return payload;
}

std::string DescString(const hbm::TensorDesc& d) {
  std::vector<std::string> scales;
  for (float s : d.scales()) scales.push_back(absl::StrCat(s));
  return absl::StrCat(
      "'", d.name(), "' ", hbm::TensorDesc::DType_Name(d.dtype()), " [",
      absl::StrJoin(d.valid_shape(), ","), "] ", hbm::TensorDesc::Layout_Name(d.layout()), " ",
      hbm::TensorDesc::QuantType_Name(d.quant_type()), " scale ", absl::StrJoin(scales, ","),
      " at ddr ", d.ddr_offset(), " (", d.ddr_bytes(), " bytes)");
}

}  // namespace

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
    std::printf("\n# model %s\n", m.name().c_str());
    for (const hbm::TensorDesc& d : m.inputs()) std::printf("# input  %s\n", DescString(d).c_str());
    for (const hbm::TensorDesc& d : m.outputs())
      std::printf("# output %s\n", DescString(d).c_str());
    const hbm::MemoryPlan& plan = m.memory_plan();
    std::printf("# memory: ddr input %llu, output %llu, scratch %llu bytes, %d buffers\n",
                static_cast<unsigned long long>(plan.input_bytes()),
                static_cast<unsigned long long>(plan.output_bytes()),
                static_cast<unsigned long long>(plan.scratch_bytes()), plan.buffers_size());
    for (int i = 0; i < m.layers_size(); ++i) {
      const hbm::Layer& l = m.layers(i);
      std::printf("# layer %d %s (%s): instructions %u..%u\n", i, l.name().c_str(),
                  absl::StrJoin(l.ops(), ",").c_str(), l.first_instruction(), l.last_instruction());
    }
    absl::StatusOr<isa::Program> program = isa::ParseProgram(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(m.program().data()), m.program().size()));
    if (!program.ok()) return Fail(program.status());
    std::printf("# parameter blob: %zu bytes\n", program->params.size());
    isa::Program shown = *program;
    shown.params.clear();
    std::fputs(isa::DisassembleProgram(shown).c_str(), stdout);
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
  absl::StatusOr<hbm::Payload> payload = ReadPayload(args.path);
  if (!payload.ok()) return Fail(payload.status());
  int which = 0;
  if (!args.model.empty()) {
    which = -1;
    std::vector<std::string> names;
    for (int m = 0; m < payload->models_size(); ++m) {
      names.push_back(payload->models(m).name());
      if (payload->models(m).name() == args.model) which = m;
    }
    if (which < 0) {
      return Fail(
          absl::NotFoundError(absl::StrCat(args.path, " has no model '", args.model,
                                           "' (it has: ", absl::StrJoin(names, ", "), ")")));
    }
  }
  const hbm::Model& model = payload->models(which);
  absl::StatusOr<isa::Program> program = isa::ParseProgram(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(model.program().data()), model.program().size()));
  if (!program.ok()) return Fail(program.status());
  absl::StatusOr<const isa::March*> march = isa::FindMarch(program->march);
  if (!march.ok()) return Fail(march.status());
  if (!args.inputs.empty() && static_cast<int>(args.inputs.size()) != model.inputs_size()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("model '", model.name(), "' has ",
                                                        model.inputs_size(), " inputs; got ",
                                                        args.inputs.size(), " --input")));
  }
  sim::SimulatorOptions options;
  options.run.mode = args.mode;
  options.run.force_serial = args.serial;
  absl::StatusOr<std::unique_ptr<sim::Simulator>> simulator =
      sim::Simulator::Create(*program, **march, options);
  if (!simulator.ok()) return Fail(simulator.status());
  const bool data = args.mode != sim::Mode::kPerf;
  if (data) {
    for (int i = 0; i < model.inputs_size(); ++i) {
      const hbm::TensorDesc& in_desc = model.inputs(i);
      std::vector<uint8_t> q(in_desc.ddr_bytes(), 0);
      if (!args.inputs.empty()) {
        absl::StatusOr<Tensor> x = ReadNpy(args.inputs[static_cast<size_t>(i)]);
        if (!x.ok()) return Fail(x.status());
        absl::StatusOr<std::vector<uint8_t>> quantized = Quantize(*x, in_desc);
        if (!quantized.ok()) return Fail(quantized.status());
        q = *std::move(quantized);
      }
      if (absl::Status st = (*simulator)->WriteRegion(isa::Region::kInput, in_desc.ddr_offset(), q);
          !st.ok()) {
        return Fail(st);
      }
    }
  }
  absl::StatusOr<sim::RunResult> run = (*simulator)->Run();
  if (!run.ok()) return Fail(run.status());
  std::printf("model: %s (%s), march %s, %zu instructions, %d layers, mode %s%s\n",
              model.name().c_str(), args.path.c_str(), (*march)->name, program->instructions.size(),
              model.layers_size(), sim::ModeName(args.mode), args.serial ? " (serial)" : "");
  if (args.mode != sim::Mode::kFunc) std::fputs(sim::StatsSummary(run->stats).c_str(), stdout);
  if (!data) return 0;
  for (int o = 0; o < model.outputs_size(); ++o) {
    const hbm::TensorDesc& out_desc = model.outputs(o);
    std::vector<uint8_t> raw(out_desc.ddr_bytes());
    if (absl::Status st =
            (*simulator)
                ->ReadRegion(isa::Region::kOutput, out_desc.ddr_offset(), absl::MakeSpan(raw));
        !st.ok()) {
      return Fail(st);
    }
    // Dequantize (q * scale, float32) from the descriptor's layout to the model's NCHW order;
    // BOOL and INT64 outputs keep their dtype and values.
    const std::vector<int64_t> shape(out_desc.valid_shape().begin(), out_desc.valid_shape().end());
    const bool unquantized = Unquantized(out_desc.dtype());
    const DType dtype = out_desc.dtype() == hbm::TensorDesc::BOOL    ? DType::kBool
                        : out_desc.dtype() == hbm::TensorDesc::INT64 ? DType::kInt64
                                                                     : DType::kFloat32;
    Tensor y(dtype, shape);
    const int64_t es = ESize(out_desc.dtype());
    const int64_t n = shape.empty() ? 1 : shape[0], c = shape.size() > 1 ? shape[1] : 1;
    const int64_t hw = y.num_elements() / std::max<int64_t>(1, n * c);
    std::vector<double> shown(static_cast<size_t>(y.num_elements()));  // for the summary line
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) {
        const float s =
            unquantized ? 1.f
                        : out_desc.scales(out_desc.scales_size() == 1 ? 0 : static_cast<int>(ch));
        for (int64_t p = 0; p < hw; ++p) {
          const int64_t at = (i * c + ch) * hw + p;
          const uint8_t* src =
              &raw[static_cast<size_t>(ElementAt(out_desc.layout(), i, ch, p, c, hw) * es)];
          if (dtype == DType::kBool) {
            y.data<bool>()[at] = src[0] != 0;
            shown[static_cast<size_t>(at)] = src[0] != 0 ? 1 : 0;
            continue;
          }
          if (dtype == DType::kInt64) {
            int64_t v = 0;
            std::memcpy(&v, src, 8);
            y.data<int64_t>()[at] = v;
            shown[static_cast<size_t>(at)] = static_cast<double>(v);
            continue;
          }
          int32_t q = 0;
          if (es == 1) q = static_cast<int8_t>(src[0]);
          if (es == 2) q = static_cast<int16_t>(src[0] | (src[1] << 8));
          if (es == 4) std::memcpy(&q, src, 4);
          y.data<float>()[at] = static_cast<float>(q) * s;
          shown[static_cast<size_t>(at)] = y.data<float>()[at];
        }
      }
    }
    const int64_t count = y.num_elements();
    const int64_t best = std::max_element(shown.begin(), shown.end()) - shown.begin();
    std::vector<std::string> head;
    for (int64_t i = 0; i < std::min<int64_t>(count, 8); ++i) {
      const double v = shown[static_cast<size_t>(i)];
      head.push_back(dtype == DType::kBool    ? std::string(v != 0 ? "true" : "false")
                     : dtype == DType::kInt64 ? absl::StrCat(static_cast<int64_t>(v))
                                              : absl::StrCat(static_cast<float>(v)));
    }
    std::printf("output '%s' %s: [%s%s], argmax %lld\n", out_desc.name().c_str(),
                ShapeToString(shape).c_str(), absl::StrJoin(head, ", ").c_str(),
                count > 8 ? ", ..." : "", static_cast<long long>(best));
    if (!args.output.empty()) {
      const std::string path =
          model.outputs_size() == 1 ? args.output : absl::StrCat(args.output, o, ".npy");
      if (absl::Status st = WriteNpy(path, y); !st.ok()) return Fail(st);
      std::printf("wrote %s\n", path.c_str());
    }
  }
  return 0;
}

}  // namespace openbpu::tools
