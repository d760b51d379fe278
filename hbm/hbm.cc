#include "hbm/hbm.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "hbm/crc32.h"
#include "hbm/segment.h"
#include "isa/march.h"
#include "isa/program.h"

namespace openbpu::hbm {
namespace {

uint32_t ReadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void AppendU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

absl::Status Invalid(const std::string& where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

std::string ShapeText(const google::protobuf::RepeatedField<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ","), "]");
}

uint64_t DTypeBytes(TensorDesc::DType dtype) {
  absl::StatusOr<DType> d = FromProtoDType(dtype);
  return d.ok() ? DTypeSize(*d) : 0;
}

// `offset + bytes <= size`, without overflow.
bool Within(uint64_t offset, uint64_t bytes, uint64_t size) {
  return bytes <= size && offset <= size - bytes;
}

absl::Status ValidateTensor(const TensorDesc& t, const std::string& where, uint64_t region_bytes,
                            absl::string_view region) {
  if (t.name().empty()) return Invalid(where, "empty tensor name");
  const uint64_t elem_bytes = DTypeBytes(t.dtype());
  if (elem_bytes == 0) {
    return Invalid(
        where,
        absl::StrCat("dtype ", TensorDesc::DType_Name(t.dtype()),
                     " is not one of INT8, INT16, INT32, FLOAT32, BOOL, INT64, UINT8, FLOAT64"));
  }
  if (!TensorDesc::Layout_IsValid(t.layout())) {
    return Invalid(where, absl::StrCat("unknown layout ", static_cast<int>(t.layout())));
  }
  if (t.valid_shape_size() != t.aligned_shape_size()) {
    return Invalid(where,
                   absl::StrCat("valid_shape ", ShapeText(t.valid_shape()), " and aligned_shape ",
                                ShapeText(t.aligned_shape()), " differ in rank"));
  }
  uint64_t bytes = elem_bytes;
  bool overflow = false;
  for (int i = 0; i < t.valid_shape_size(); ++i) {
    const int64_t v = t.valid_shape(i), a = t.aligned_shape(i);
    if (v < 0 || a < 0) {
      return Invalid(where,
                     absl::StrCat("negative dimension in valid_shape ", ShapeText(t.valid_shape()),
                                  " or aligned_shape ", ShapeText(t.aligned_shape())));
    }
    if (v > a) {
      return Invalid(
          where, absl::StrCat("valid_shape ", ShapeText(t.valid_shape()), " exceeds aligned_shape ",
                              ShapeText(t.aligned_shape()), " in dimension ", i));
    }
    const uint64_t d = static_cast<uint64_t>(a);
    if (d != 0 && bytes > std::numeric_limits<uint64_t>::max() / d) overflow = true;
    bytes *= d;
  }
  if (overflow || bytes > t.ddr_bytes()) {
    return Invalid(where, absl::StrCat("aligned_shape ", ShapeText(t.aligned_shape()), " of ",
                                       TensorDesc::DType_Name(t.dtype()), " needs ",
                                       overflow ? "more than 2^64" : absl::StrCat(bytes),
                                       " bytes, more than ddr_bytes ", t.ddr_bytes()));
  }
  switch (t.quant_type()) {
    case TensorDesc::NONE:
      if (t.scales_size() != 0) return Invalid(where, "quant type NONE with scales");
      break;
    case TensorDesc::SCALE: {
      if (t.dtype() == TensorDesc::BOOL || t.dtype() == TensorDesc::INT64) {
        return Invalid(where, absl::StrCat("a ", TensorDesc::DType_Name(t.dtype()),
                                           " tensor has quant type NONE, not SCALE"));
      }
      if (t.scales_size() == 0) return Invalid(where, "quant type SCALE without scales");
      for (float s : t.scales()) {
        if (!std::isfinite(s) || s <= 0) {
          return Invalid(where, absl::StrCat("scale ", s, " is not finite and positive"));
        }
      }
      if (t.scales_size() > 1) {
        if (t.quant_axis() < 0 || t.quant_axis() >= t.valid_shape_size()) {
          return Invalid(where, absl::StrCat("quant axis ", t.quant_axis(), " outside rank ",
                                             t.valid_shape_size()));
        }
        if (t.scales_size() != t.valid_shape(t.quant_axis())) {
          return Invalid(where, absl::StrCat(t.scales_size(), " scales for dimension ",
                                             t.valid_shape(t.quant_axis()), " of quant axis ",
                                             t.quant_axis()));
        }
      }
      break;
    }
    default:
      return Invalid(where, absl::StrCat("unknown quant type ", static_cast<int>(t.quant_type())));
  }
  if (t.source() != "ddr") {
    return Invalid(where, absl::StrCat("source '", t.source(), "' is not \"ddr\""));
  }
  if (!Within(t.ddr_offset(), t.ddr_bytes(), region_bytes)) {
    return Invalid(where, absl::StrCat("ddr_offset ", t.ddr_offset(), " + ddr_bytes ",
                                       t.ddr_bytes(), " exceeds the program's DDR ", region,
                                       " region of ", region_bytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateHybridModel(const Model& model, isa::MarchId march,
                                 absl::string_view march_name);

absl::Status ValidateModel(const Model& model, isa::MarchId march, absl::string_view march_name) {
  const std::string where = absl::StrCat("model '", model.name(), "'");
  if (model.segments_size() > 0) return ValidateHybridModel(model, march, march_name);
  absl::StatusOr<isa::Program> program = isa::ParseProgram(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(model.program().data()), model.program().size()));
  if (!program.ok()) {
    return Invalid(where, absl::StrCat("program does not parse: ", program.status().message()));
  }
  if (program->march != march) {
    return Invalid(where, absl::StrCat("program is for march ", isa::MarchName(program->march),
                                       ", the header says ", march_name));
  }
  for (int i = 0; i < model.inputs_size(); ++i) {
    OPENBPU_RETURN_IF_ERROR(ValidateTensor(
        model.inputs(i), absl::StrCat(where, ": input ", i, " '", model.inputs(i).name(), "'"),
        program->ddr_input_bytes, "input"));
  }
  for (int i = 0; i < model.outputs_size(); ++i) {
    OPENBPU_RETURN_IF_ERROR(ValidateTensor(
        model.outputs(i), absl::StrCat(where, ": output ", i, " '", model.outputs(i).name(), "'"),
        program->ddr_output_bytes, "output"));
  }
  const uint64_t instructions = program->instructions.size();
  for (int i = 0; i < model.layers_size(); ++i) {
    const Layer& layer = model.layers(i);
    const std::string lw = absl::StrCat(where, ": layer ", i, " '", layer.name(), "'");
    if (layer.name().empty()) return Invalid(lw, "empty layer name");
    if (layer.first_instruction() > layer.last_instruction() ||
        layer.last_instruction() >= instructions) {
      return Invalid(lw, absl::StrCat("instructions ", layer.first_instruction(), "..",
                                      layer.last_instruction(), " outside the program's ",
                                      instructions, " instructions"));
    }
  }
  const MemoryPlan& plan = model.memory_plan();
  if (plan.scratch_peak_bytes() > plan.scratch_bytes()) {
    return Invalid(where, absl::StrCat("memory plan: scratch peak ", plan.scratch_peak_bytes(),
                                       " bytes exceeds scratch ", plan.scratch_bytes(), " bytes"));
  }
  const std::map<std::string, uint64_t> regions = {{"input", program->ddr_input_bytes},
                                                   {"output", program->ddr_output_bytes},
                                                   {"scratch", program->ddr_scratch_bytes},
                                                   {"param", program->params.size()}};
  // Values an O2 program keeps on chip: region "sram", by feature SRAM address.
  absl::StatusOr<const isa::March*> sram_march = isa::FindMarch(program->march);
  const uint64_t sram_bytes =
      sram_march.ok() ? static_cast<uint64_t>((*sram_march)->feature_sram_bytes.value) : 0;
  for (int i = 0; i < plan.buffers_size(); ++i) {
    const Buffer& b = plan.buffers(i);
    const std::string bw = absl::StrCat(where, ": memory plan buffer ", i, " '", b.name(), "'");
    auto region = regions.find(b.region());
    if (region == regions.end() && b.region() != "sram") {
      return Invalid(bw, absl::StrCat("unknown region '", b.region(),
                                      "' (input, output, scratch, param, sram)"));
    }
    const uint64_t limit = region == regions.end() ? sram_bytes : region->second;
    if (!Within(b.offset(), b.bytes(), limit)) {
      return Invalid(
          bw, absl::StrCat("offset ", b.offset(), " + bytes ", b.bytes(),
                           region == regions.end() ? " exceeds the march's feature SRAM of "
                                                   : absl::StrCat(" exceeds the program's DDR ",
                                                                  b.region(), " region of "),
                           limit, " bytes"));
    }
    if (b.first_layer() > b.last_layer() ||
        (model.layers_size() > 0 && b.last_layer() >= static_cast<uint32_t>(model.layers_size()))) {
      return Invalid(bw, absl::StrCat("live layers ", b.first_layer(), "..", b.last_layer(),
                                      " outside the model's ", model.layers_size(), " layers"));
    }
  }
  return absl::OkStatus();
}

// Model.segments (proto/hbm.proto, hbm/segment.h): the model's own descriptors in its memory
// plan's regions, BPU segments valid models without segments, CPU segments well-formed, and
// every value read defined before.
absl::Status ValidateHybridModel(const Model& model, isa::MarchId march,
                                 absl::string_view march_name) {
  const std::string where = absl::StrCat("model '", model.name(), "'");
  if (!model.program().empty() || model.layers_size() > 0) {
    return Invalid(where, "a hybrid model (with segments) has a program or layers of its own");
  }
  std::set<std::string> defined;
  auto check_descs = [&](const google::protobuf::RepeatedPtrField<TensorDesc>& descs,
                         absl::string_view kind, uint64_t region_bytes) -> absl::Status {
    for (int i = 0; i < descs.size(); ++i) {
      const std::string tw = absl::StrCat(where, ": ", kind, " ", i, " '", descs[i].name(), "'");
      OPENBPU_RETURN_IF_ERROR(ValidateTensor(descs[i], tw, region_bytes, kind));
      if (descs[i].value().empty()) return Invalid(tw, "names no value");
    }
    return absl::OkStatus();
  };
  OPENBPU_RETURN_IF_ERROR(check_descs(model.inputs(), "input", model.memory_plan().input_bytes()));
  OPENBPU_RETURN_IF_ERROR(
      check_descs(model.outputs(), "output", model.memory_plan().output_bytes()));
  for (const TensorDesc& in : model.inputs()) defined.insert(in.value());
  std::set<std::string> names;
  for (int i = 0; i < model.segments_size(); ++i) {
    const Segment& segment = model.segments(i);
    const std::string sw = absl::StrCat(where, ": segment ", i, " '", segment.name(), "'");
    if (segment.name().empty() || !names.insert(segment.name()).second) {
      return Invalid(sw, "empty or duplicate segment name");
    }
    switch (segment.kind_case()) {
      case Segment::kBpu: {
        const Model& bpu = segment.bpu();
        if (bpu.segments_size() > 0) return Invalid(sw, "a BPU segment has segments");
        OPENBPU_RETURN_IF_ERROR(ValidateModel(bpu, march, march_name));
        for (const TensorDesc& in : bpu.inputs()) {
          if (!defined.count(in.value())) {
            return Invalid(sw, absl::StrCat("input '", in.value(),
                                            "' is not defined by a model input or an earlier "
                                            "segment"));
          }
        }
        for (const TensorDesc& out : bpu.outputs()) {
          if (out.value().empty()) return Invalid(sw, "an output names no value");
          defined.insert(out.value());
        }
        break;
      }
      case Segment::kCpu:
        OPENBPU_RETURN_IF_ERROR(ValidateCpuSegment(segment.cpu(), sw, defined));
        break;
      default:
        return Invalid(sw, "neither a BPU nor a CPU segment");
    }
  }
  for (const TensorDesc& out : model.outputs()) {
    if (!defined.count(out.value())) {
      return Invalid(where, absl::StrCat("output '", out.name(), "' (value '", out.value(),
                                         "') is computed by no segment"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePayload(const Payload& payload) {
  const Header& header = payload.header();
  if (header.magic() != std::string(kHbmMagic, 4)) {
    return absl::InvalidArgumentError(
        absl::StrCat("header magic '", header.magic(), "' is not \"OBHM\""));
  }
  if (header.format_version() != kHbmFormatVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("header format_version ", header.format_version(),
                     " differs from this build's format version ", kHbmFormatVersion));
  }
  absl::StatusOr<const isa::March*> march = isa::FindMarch(header.march());
  if (!march.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown march '", header.march(),
                                                   "' in the header (bernoulli2, bayes, bayes-e)"));
  }
  if (payload.models_size() == 0) return absl::InvalidArgumentError("no models in the .hbm");
  std::set<std::string> names;
  for (const Model& model : payload.models()) {
    if (model.name().empty()) return absl::InvalidArgumentError("a model has an empty name");
    if (!names.insert(model.name()).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate model name '", model.name(), "'"));
    }
    OPENBPU_RETURN_IF_ERROR(ValidateModel(model, (*march)->id, header.march()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> WriteHbm(const Payload& payload) {
  OPENBPU_RETURN_IF_ERROR(ValidatePayload(payload));
  if (payload.ByteSizeLong() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("payload over 2 GiB: protobuf cannot serialize it");
  }
  std::string serialized;
  {
    google::protobuf::io::StringOutputStream stream(&serialized);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!payload.SerializeToCodedStream(&coded)) {
      return absl::InternalError("serializing the .hbm payload failed");
    }
  }
  return FrameHbm(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(serialized.data()), serialized.size()));
}

std::vector<uint8_t> FrameHbm(absl::Span<const uint8_t> payload_bytes) {
  std::vector<uint8_t> out(kHbmMagic, kHbmMagic + 4);
  AppendU32(out, kHbmFormatVersion);
  out.insert(out.end(), payload_bytes.begin(), payload_bytes.end());
  AppendU32(out, Crc32(out));
  return out;
}

absl::StatusOr<Payload> ReadHbm(absl::Span<const uint8_t> bytes) {
  if (bytes.size() < kHbmPrefixBytes + kHbmCrcBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("truncated .hbm: ", bytes.size(), " bytes, fewer than the ",
                     kHbmPrefixBytes + kHbmCrcBytes, " of prefix and CRC"));
  }
  if (std::memcmp(bytes.data(), kHbmMagic, 4) != 0) {
    return absl::InvalidArgumentError("not an .hbm file (no \"OBHM\" magic)");
  }
  const uint32_t version = ReadU32(bytes.data() + 4);
  if (version != kHbmFormatVersion) {
    const std::string message = absl::StrCat(".hbm written by format version ", version,
                                             "; this build reads version ", kHbmFormatVersion);
    return version > kHbmFormatVersion ? absl::UnimplementedError(message)
                                       : absl::InvalidArgumentError(message);
  }
  const size_t body = bytes.size() - kHbmCrcBytes;
  const uint32_t stored = ReadU32(bytes.data() + body);
  const uint32_t computed = Crc32(bytes.first(body));
  if (stored != computed) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "corrupt .hbm: CRC mismatch (stored 0x%08x, computed 0x%08x)", stored, computed));
  }
  const size_t payload_bytes = body - kHbmPrefixBytes;
  if (payload_bytes > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::InvalidArgumentError("corrupt .hbm: payload over 2 GiB");
  }
  Payload payload;
  if (!payload.ParseFromArray(bytes.data() + kHbmPrefixBytes, static_cast<int>(payload_bytes))) {
    return absl::InvalidArgumentError("corrupt .hbm: the payload does not parse");
  }
  absl::Status valid = ValidatePayload(payload);
  if (!valid.ok()) {
    return absl::Status(valid.code(), absl::StrCat("invalid .hbm: ", valid.message()));
  }
  return payload;
}

absl::StatusOr<Payload> Pack(const std::vector<Payload>& payloads) {
  if (payloads.empty()) return absl::InvalidArgumentError("pack: no files to pack");
  auto first_model = [](const Payload& p) {
    return p.models_size() > 0 ? absl::StrCat(" (model '", p.models(0).name(), "')")
                               : std::string();
  };
  std::map<std::string, size_t> file_of;  // model name -> file index
  Payload out;
  *out.mutable_header() = payloads[0].header();
  for (size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    absl::Status valid = ValidatePayload(p);
    if (!valid.ok()) {
      return absl::Status(valid.code(), absl::StrCat("pack: file ", i, ": ", valid.message()));
    }
    if (p.header().march() != payloads[0].header().march()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pack: file 0", first_model(payloads[0]), " is for march ", payloads[0].header().march(),
          " but file ", i, first_model(p), " is for march ", p.header().march()));
    }
    for (const Model& model : p.models()) {
      auto [it, inserted] = file_of.emplace(model.name(), i);
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            "pack: model '", model.name(), "' is in file ", it->second, " and file ", i));
      }
      *out.add_models() = model;
    }
  }
  OPENBPU_RETURN_IF_ERROR(ValidatePayload(out));
  return out;
}

}  // namespace openbpu::hbm
