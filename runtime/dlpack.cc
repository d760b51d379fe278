#include "runtime/dlpack.h"

#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace openbpu::runtime {
namespace {

struct Owned {
  Tensor tensor;
  std::vector<int64_t> shape;
  DLManagedTensor managed;
};

DLDataType ToDLDataType(DType d) {
  switch (d) {
    case DType::kFloat32:
      return {kDLFloat, 32, 1};
    case DType::kInt8:
      return {kDLInt, 8, 1};
    case DType::kInt16:
      return {kDLInt, 16, 1};
    case DType::kInt32:
      return {kDLInt, 32, 1};
    case DType::kInt64:
      return {kDLInt, 64, 1};
    case DType::kBool:
      return {kDLUInt, 8, 1};  // DLPack 0.6 has no bool code: one byte, 0 or 1
    default:
      return {kDLOpaqueHandle, 8, 1};
  }
}

// Element strides of a DLTensor (row-major when it has none).
std::vector<int64_t> StridesOf(const DLTensor& t) {
  std::vector<int64_t> s(static_cast<size_t>(t.ndim));
  int64_t step = 1;
  for (int k = t.ndim - 1; k >= 0; --k) {
    s[static_cast<size_t>(k)] = t.strides != nullptr ? t.strides[k] : step;
    step *= t.shape[k];
  }
  return s;
}

bool Contiguous(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  int64_t step = 1;
  for (int k = t.ndim - 1; k >= 0; --k) {
    if (t.shape[k] != 1 && t.strides[k] != step) return false;
    step *= t.shape[k];
  }
  return true;
}

Shape ShapeOf(const DLTensor& t) { return Shape(t.shape, t.shape + t.ndim); }

}  // namespace

absl::StatusOr<DType> FromDLDataType(DLDataType t) {
  if (t.lanes != 1) return absl::InvalidArgumentError("DLPack vector lanes are not supported");
  if (t.code == kDLFloat && t.bits == 32) return DType::kFloat32;
  if (t.code == kDLInt && t.bits == 8) return DType::kInt8;
  if (t.code == kDLInt && t.bits == 16) return DType::kInt16;
  if (t.code == kDLInt && t.bits == 32) return DType::kInt32;
  if (t.code == kDLInt && t.bits == 64) return DType::kInt64;
  if (t.code == kDLUInt && t.bits == 8) return DType::kBool;
  return absl::InvalidArgumentError(
      absl::StrCat("DLPack dtype code ", t.code, " with ", t.bits, " bits is not supported"));
}

DLManagedTensor* ToDLPack(Tensor tensor) {
  auto* owned = new Owned;
  owned->tensor = std::move(tensor);
  owned->shape = owned->tensor.shape();
  DLTensor& t = owned->managed.dl_tensor;
  t.data = owned->tensor.raw();
  t.device = {kDLCPU, 0};
  t.ndim = static_cast<int>(owned->shape.size());
  t.dtype = ToDLDataType(owned->tensor.dtype());
  t.shape = owned->shape.data();
  t.strides = nullptr;  // compact row-major
  t.byte_offset = 0;
  owned->managed.manager_ctx = owned;
  owned->managed.deleter = [](DLManagedTensor* self) {
    delete static_cast<Owned*>(self->manager_ctx);
  };
  return &owned->managed;
}

absl::StatusOr<std::vector<DLManagedTensor*>> RunDLPack(const Model& model,
                                                        const std::vector<const DLTensor*>& inputs,
                                                        const RunOptions& options, RunStats* stats,
                                                        bool raw_outputs) {
  if (inputs.size() != model.inputs().size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model '", model.name(), "' has ", model.inputs().size(), " inputs; got ", inputs.size()));
  }
  std::vector<std::vector<uint8_t>> quantized(inputs.size());
  std::vector<absl::Span<const uint8_t>> spans;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& info = model.inputs()[i];
    const DLTensor* t = inputs[i];
    if (t == nullptr || t->data == nullptr || t->ndim < 0 || (t->ndim > 0 && t->shape == nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat("input '", info.name, "': no DLTensor data"));
    }
    if (t->device.device_type != kDLCPU) {
      return absl::InvalidArgumentError(absl::StrCat("input '", info.name, "': device type ",
                                                     t->device.device_type, ", not the CPU"));
    }
    absl::StatusOr<DType> dtype = FromDLDataType(t->dtype);
    if (!dtype.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", info.name, "': ", dtype.status().message()));
    }
    const auto* base = static_cast<const uint8_t*>(t->data) + t->byte_offset;
    const Shape shape = ShapeOf(*t);
    if (*dtype == info.dtype && shape == info.aligned_shape && Contiguous(*t)) {
      spans.emplace_back(base, info.bytes);  // the stored integers: used in place
      continue;
    }
    if (*dtype != DType::kFloat32 || shape != info.valid_shape) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", info.name, "' must be float32 ", ShapeToString(info.valid_shape),
                       " or ", DTypeName(info.dtype), " ", ShapeToString(info.aligned_shape),
                       " (contiguous); got ", DTypeName(*dtype), " ", ShapeToString(shape)));
    }
    absl::StatusOr<std::vector<uint8_t>> q =
        QuantizeInputFrom(reinterpret_cast<const float*>(base), StridesOf(*t), info);
    if (!q.ok()) return q.status();
    quantized[i] = *std::move(q);
    spans.emplace_back(quantized[i]);
  }
  absl::StatusOr<std::vector<std::vector<uint8_t>>> out = model.RunRaw(spans, options, stats);
  if (!out.ok()) return out.status();
  std::vector<DLManagedTensor*> result;
  for (size_t i = 0; i < out->size(); ++i) {
    const TensorInfo& info = model.outputs()[i];
    if (raw_outputs) {
      Tensor raw(info.dtype, info.aligned_shape);
      std::memcpy(raw.raw(), (*out)[i].data(), (*out)[i].size());
      result.push_back(ToDLPack(std::move(raw)));
      continue;
    }
    absl::StatusOr<Tensor> y = DequantizeOutput((*out)[i], info);
    if (!y.ok()) {
      for (DLManagedTensor* m : result) m->deleter(m);
      return y.status();
    }
    result.push_back(ToDLPack(*std::move(y)));
  }
  return result;
}

}  // namespace openbpu::runtime
