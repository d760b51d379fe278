#include "runtime/test_model.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "hbm/hbm.h"
#include "hbm/segment.h"
#include "isa/march.h"
#include "isa/program.h"
#include "proto/hbm.pb.h"
#include "simulator/test_programs.h"

namespace openbpu::runtime::testing {
namespace {

constexpr int64_t kH = 56, kW = 56, kC = 64;

hbm::TensorDesc Desc(const std::string& name, uint64_t bytes) {
  hbm::TensorDesc d;
  d.set_name(name);
  d.set_dtype(hbm::TensorDesc::INT8);
  for (int64_t v : {int64_t{1}, kC, kH, kW}) d.add_valid_shape(v);
  for (int64_t v : {int64_t{1}, kC, kH, kW}) d.add_aligned_shape(v);
  d.set_layout(hbm::TensorDesc::NHWC);
  d.set_quant_type(hbm::TensorDesc::SCALE);
  d.add_scales(0.5f);
  d.set_quant_axis(-1);
  d.set_source("ddr");
  d.set_ddr_offset(0);
  d.set_ddr_bytes(bytes);
  return d;
}

hbm::TensorDesc Flat(const std::string& name, uint64_t bytes) {
  hbm::TensorDesc d;
  d.set_name(name);
  d.set_dtype(hbm::TensorDesc::INT8);
  d.add_valid_shape(1);
  d.add_valid_shape(static_cast<int64_t>(bytes));
  d.add_aligned_shape(1);
  d.add_aligned_shape(static_cast<int64_t>(bytes));
  d.set_layout(hbm::TensorDesc::NHWC);
  d.set_quant_type(hbm::TensorDesc::SCALE);
  d.add_scales(1.0f);
  d.set_quant_axis(-1);
  d.set_source("ddr");
  d.set_ddr_bytes(bytes);
  return d;
}

std::vector<uint8_t> Pack(const isa::Program& program, const std::string& name,
                          const hbm::TensorDesc& in, const hbm::TensorDesc& out) {
  absl::StatusOr<std::vector<uint8_t>> bytes = isa::SerializeProgram(program);
  if (!bytes.ok()) return {};
  hbm::Payload p;
  p.mutable_header()->set_magic(std::string(hbm::kHbmMagic, 4));
  p.mutable_header()->set_format_version(hbm::kHbmFormatVersion);
  p.mutable_header()->set_march(isa::MarchName(program.march));
  hbm::Model* model = p.add_models();
  model->set_name(name);
  *model->add_inputs() = in;
  *model->add_outputs() = out;
  model->set_program(bytes->data(), bytes->size());
  model->mutable_memory_plan()->set_input_bytes(program.ddr_input_bytes);
  model->mutable_memory_plan()->set_output_bytes(program.ddr_output_bytes);
  model->mutable_memory_plan()->set_scratch_bytes(program.ddr_scratch_bytes);
  absl::StatusOr<std::vector<uint8_t>> file = hbm::WriteHbm(p);
  return file.ok() ? *std::move(file) : std::vector<uint8_t>();
}

}  // namespace

TestModel TestProgramModel(const std::string& name) {
  TestModel m;
  for (const sim::testing::TestProgram& t : sim::testing::AllTestPrograms()) {
    if (t.name != name) continue;
    absl::StatusOr<isa::Program> program = sim::testing::Build(t);
    if (!program.ok()) return m;
    m.input = t.input;
    m.expected = t.expected;
    m.hbm = Pack(*program, name, Flat("x", program->ddr_input_bytes),
                 Flat("y", program->ddr_output_bytes));
  }
  return m;
}

const TestModel& Layer1Conv() {
  static const TestModel* model = [] {
    auto* m = new TestModel;
    const sim::testing::TestProgram t = sim::testing::ResNetConvLayer();
    m->input = t.input;
    m->expected = t.expected;
    absl::StatusOr<isa::Program> program = sim::testing::Build(t);
    if (!program.ok()) return m;
    m->hbm = Pack(*program, "layer1_conv", Desc("x", program->ddr_input_bytes),
                  Desc("y", program->ddr_output_bytes));
    return m;
  }();
  return *model;
}

namespace {

constexpr float kHybridScale = 0.5f;  // Layer1Conv's input and output scale

}  // namespace

void AddType(hbm::CpuSegment& seg, const std::string& name, hbm::TensorDesc::DType dtype) {
  hbm::ValueType* t = seg.add_values();
  t->set_name(name);
  t->set_dtype(dtype);
  for (int64_t d : {int64_t{1}, kC, kH, kW}) t->add_shape(d);
}

void AddNode(hbm::CpuSegment& seg, const std::string& op, std::vector<std::string> in,
             const std::string& out) {
  hbm::CpuNode* n = seg.add_nodes();
  n->set_name(absl::StrCat(op, "_", out));
  n->set_op(op);
  for (const std::string& v : in) n->add_inputs(v);
  n->add_outputs(out);
}

void AddQuantConstants(hbm::CpuSegment& seg) {
  *seg.add_constants() = *hbm::ToConstant("scale", Tensor::Scalar<float>(kHybridScale));
  *seg.add_constants() = *hbm::ToConstant("zero", Tensor(DType::kInt8, {}));
}

hbm::TensorDesc FloatDesc(const std::string& name, const std::string& value) {
  hbm::TensorDesc d;
  d.set_name(name);
  d.set_value(value);
  d.set_dtype(hbm::TensorDesc::FLOAT32);
  for (int64_t v : {int64_t{1}, kC, kH, kW}) {
    d.add_valid_shape(v);
    d.add_aligned_shape(v);
  }
  d.set_layout(hbm::TensorDesc::NCHW);
  d.set_quant_type(hbm::TensorDesc::NONE);
  d.set_source("ddr");
  d.set_ddr_bytes(kC * kH * kW * 4);
  return d;
}

// x (float) -> cpu0: QuantizeLinear -> xq -> bpu1: the conv -> yq -> cpu2: DequantizeLinear, Relu.
hbm::Payload HybridLayer1Payload() {
  absl::StatusOr<hbm::Payload> conv = hbm::ReadHbm(Layer1Conv().hbm);
  if (!conv.ok()) std::abort();
  hbm::Payload p = *conv;
  hbm::Model bpu = p.models(0);
  bpu.mutable_inputs(0)->set_value("xq");
  bpu.mutable_outputs(0)->set_value("yq");
  hbm::Model m;
  m.set_name("hybrid");
  *m.add_inputs() = FloatDesc("x", "x");
  *m.add_outputs() = FloatDesc("y", "y");
  m.mutable_memory_plan()->set_input_bytes(kC * kH * kW * 4);
  m.mutable_memory_plan()->set_output_bytes(kC * kH * kW * 4);
  hbm::Segment* s0 = m.add_segments();
  s0->set_name("cpu0");
  hbm::CpuSegment& c0 = *s0->mutable_cpu();
  AddQuantConstants(c0);
  c0.add_inputs("x");
  AddType(c0, "x", hbm::TensorDesc::FLOAT32);
  AddNode(c0, "QuantizeLinear", {"x", "scale", "zero"}, "xq");
  AddType(c0, "xq", hbm::TensorDesc::INT8);
  c0.add_outputs("xq");
  hbm::Segment* s1 = m.add_segments();
  s1->set_name("bpu1");
  *s1->mutable_bpu() = bpu;
  hbm::Segment* s2 = m.add_segments();
  s2->set_name("cpu2");
  hbm::CpuSegment& c2 = *s2->mutable_cpu();
  AddQuantConstants(c2);
  c2.add_inputs("yq");
  AddType(c2, "yq", hbm::TensorDesc::INT8);
  AddNode(c2, "DequantizeLinear", {"yq", "scale", "zero"}, "yf");
  AddType(c2, "yf", hbm::TensorDesc::FLOAT32);
  AddNode(c2, "Relu", {"yf"}, "y");
  AddType(c2, "y", hbm::TensorDesc::FLOAT32);
  c2.add_outputs("y");
  p.clear_models();
  *p.add_models() = m;
  return p;
}

}  // namespace openbpu::runtime::testing

extern "C" int obpu_test_write_layer1_hbm(const char* path) {
  const auto& m = openbpu::runtime::testing::Layer1Conv();
  if (m.hbm.empty()) return 1;
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) return 1;
  const bool ok = std::fwrite(m.hbm.data(), 1, m.hbm.size(), f) == m.hbm.size();
  return std::fclose(f) == 0 && ok ? 0 : 1;
}
extern "C" int64_t obpu_test_layer1_bytes(void) {
  return static_cast<int64_t>(openbpu::runtime::testing::Layer1Conv().input.size());
}
extern "C" const uint8_t* obpu_test_layer1_input(void) {
  return openbpu::runtime::testing::Layer1Conv().input.data();
}
extern "C" const uint8_t* obpu_test_layer1_expected(void) {
  return openbpu::runtime::testing::Layer1Conv().expected.data();
}
