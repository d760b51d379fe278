#include "compiler/backend/hbm_model.h"

#include "absl/strings/str_cat.h"
#include "hbm/hbm.h"
#include "hbm/segment.h"
#include "isa/program.h"

namespace openbpu::backend {
namespace {}  // namespace

absl::Status DescribeTensor(const TensorDesc& d, hbm::TensorDesc* out) {
  out->set_name(d.name);
  out->set_value(d.value);
  absl::StatusOr<hbm::TensorDesc::DType> dtype = hbm::ToProtoDType(d.dtype);
  if (!dtype.ok()) return dtype.status();
  out->set_dtype(*dtype);
  for (int64_t v : d.shape) {
    out->add_valid_shape(v);
    out->add_aligned_shape(v);  // dense in DDR: aligned = valid
  }
  out->set_layout(d.layout == "NCHW" ? hbm::TensorDesc::NCHW : hbm::TensorDesc::NHWC);
  if (d.dtype == DType::kBool || d.dtype == DType::kInt64 || d.scales.empty()) {
    // A comparison's 0 / 1 bytes and ArgMax / TopK indices, a hybrid model's float values: no
    // quantization.
    out->set_quant_type(hbm::TensorDesc::NONE);
  } else {
    out->set_quant_type(hbm::TensorDesc::SCALE);
    for (float s : d.scales) out->add_scales(s);
    out->set_quant_axis(d.axis);
  }
  out->set_source("ddr");
  out->set_ddr_offset(d.offset);
  out->set_ddr_bytes(d.bytes);
  return absl::OkStatus();
}

absl::StatusOr<hbm::Model> ToHbmModel(const CompiledModel& model, const std::string& name) {
  hbm::Model m;
  m.set_name(name);
  for (const TensorDesc& d : model.inputs) {
    if (absl::Status st = DescribeTensor(d, m.add_inputs()); !st.ok()) return st;
  }
  for (const TensorDesc& d : model.outputs) {
    if (absl::Status st = DescribeTensor(d, m.add_outputs()); !st.ok()) return st;
  }
  absl::StatusOr<std::vector<uint8_t>> program = isa::SerializeProgram(model.program);
  if (!program.ok()) return program.status();
  m.set_program(std::string(program->begin(), program->end()));
  hbm::MemoryPlan* plan = m.mutable_memory_plan();
  plan->set_input_bytes(model.program.ddr_input_bytes);
  plan->set_output_bytes(model.program.ddr_output_bytes);
  plan->set_scratch_bytes(model.program.ddr_scratch_bytes);
  plan->set_scratch_peak_bytes(model.scratch_peak_bytes);
  for (const BufferInfo& b : model.buffers) {
    hbm::Buffer* out = plan->add_buffers();
    out->set_name(b.value);
    out->set_region(b.region);
    out->set_offset(b.offset);
    out->set_bytes(b.bytes);
    out->set_first_layer(static_cast<uint32_t>(b.first_layer));
    out->set_last_layer(static_cast<uint32_t>(b.last_layer));
  }
  for (const LayerInfo& l : model.layers) {
    hbm::Layer* out = m.add_layers();
    out->set_name(l.name);
    out->set_first_instruction(static_cast<uint32_t>(l.first_instruction));
    out->set_last_instruction(static_cast<uint32_t>(l.last_instruction));
    out->add_ops(l.op);
  }
  return m;
}

absl::StatusOr<hbm::Payload> ToHbmPayload(const CompiledModel& model, const std::string& name,
                                          const std::string& march,
                                          const std::map<std::string, std::string>& options) {
  absl::StatusOr<hbm::Model> m = ToHbmModel(model, name);
  if (!m.ok()) return m.status();
  return ToHbmPayload(*std::move(m), march, options);
}

absl::StatusOr<hbm::Payload> ToHbmPayload(hbm::Model model, const std::string& march,
                                          const std::map<std::string, std::string>& options) {
  hbm::Payload payload;
  hbm::Header* h = payload.mutable_header();
  h->set_magic(std::string(hbm::kHbmMagic, 4));
  h->set_format_version(hbm::kHbmFormatVersion);
  h->set_toolkit_version(kToolkitVersion);
  h->set_march(march);
  for (const auto& [k, v] : options) (*h->mutable_compile_options())[k] = v;
  *payload.add_models() = std::move(model);
  if (absl::Status st = hbm::ValidatePayload(payload); !st.ok()) return st;
  return payload;
}

}  // namespace openbpu::backend
