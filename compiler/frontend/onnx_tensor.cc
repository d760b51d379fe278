// TensorProto decoding with every size checked before data is copied.
#include "compiler/frontend/onnx_tensor.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace openbpu::frontend {
namespace {

struct TypeEntry {
  int onnx;
  DType dtype;
};
constexpr TypeEntry kTypes[] = {
    {onnx::TensorProto::FLOAT, DType::kFloat32}, {onnx::TensorProto::UINT8, DType::kUInt8},
    {onnx::TensorProto::INT8, DType::kInt8},     {onnx::TensorProto::INT16, DType::kInt16},
    {onnx::TensorProto::INT32, DType::kInt32},   {onnx::TensorProto::INT64, DType::kInt64},
    {onnx::TensorProto::BOOL, DType::kBool},     {onnx::TensorProto::DOUBLE, DType::kFloat64},
};

// Elements stored in a repeated field of type F converted to T.
template <typename T, typename Field>
void CopyField(const Field& field, Tensor& out) {
  T* dst = out.data<T>();
  for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<T>(field.Get(i));
}

}  // namespace

absl::StatusOr<DType> DTypeFromOnnx(int onnx_type) {
  for (const TypeEntry& e : kTypes) {
    if (e.onnx == onnx_type) return e.dtype;
  }
  return absl::UnimplementedError(absl::StrCat(
      "ONNX element type ",
      onnx::TensorProto::DataType_IsValid(onnx_type)
          ? onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(onnx_type))
          : absl::StrCat(onnx_type),
      " is not supported"));
}

int OnnxFromDType(DType dtype) {
  for (const TypeEntry& e : kTypes) {
    if (e.dtype == dtype) return e.onnx;
  }
  return onnx::TensorProto::UNDEFINED;
}

absl::StatusOr<Tensor> TensorFromOnnx(const onnx::TensorProto& proto) {
  const std::string where = absl::StrCat("tensor '", proto.name(), "'");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL || proto.external_data_size() > 0) {
    return absl::UnimplementedError(absl::StrCat(where, ": external data is not supported"));
  }
  if (proto.has_segment()) {
    return absl::UnimplementedError(absl::StrCat(where, ": segmented tensors are not supported"));
  }
  absl::StatusOr<DType> dtype = DTypeFromOnnx(proto.data_type());
  if (!dtype.ok())
    return absl::Status(dtype.status().code(), absl::StrCat(where, ": ", dtype.status().message()));
  Shape shape;
  double count = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0) return absl::InvalidArgumentError(absl::StrCat(where, ": negative dimension ", d));
    count *= static_cast<double>(d);
    shape.push_back(d);
  }
  if (count > double(int64_t{1} << 34)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": shape ", ShapeToString(shape), " is too large"));
  }
  const int64_t n = static_cast<int64_t>(count);
  const size_t want_bytes = static_cast<size_t>(n) * DTypeSize(*dtype);
  auto mismatch = [&](size_t have, absl::string_view field) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", field, " holds ", have,
                                                   " elements/bytes, shape ", ShapeToString(shape),
                                                   " needs ", n));
  };
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != want_bytes) return mismatch(proto.raw_data().size(), "raw_data");
    Tensor t(*dtype, shape);
    if (want_bytes > 0) std::memcpy(t.raw(), proto.raw_data().data(), want_bytes);
    if (*dtype == DType::kBool) {
      for (int64_t i = 0; i < n; ++i) t.raw()[i] = t.raw()[i] != 0;
    }
    return t;
  }
  Tensor t(*dtype, shape);
  switch (*dtype) {
    case DType::kFloat32:
      if (proto.float_data_size() != n) return mismatch(proto.float_data_size(), "float_data");
      CopyField<float>(proto.float_data(), t);
      break;
    case DType::kFloat64:
      if (proto.double_data_size() != n) return mismatch(proto.double_data_size(), "double_data");
      CopyField<double>(proto.double_data(), t);
      break;
    case DType::kInt64:
      if (proto.int64_data_size() != n) return mismatch(proto.int64_data_size(), "int64_data");
      CopyField<int64_t>(proto.int64_data(), t);
      break;
    case DType::kInt32:
      if (proto.int32_data_size() != n) return mismatch(proto.int32_data_size(), "int32_data");
      CopyField<int32_t>(proto.int32_data(), t);
      break;
    case DType::kInt16:
      if (proto.int32_data_size() != n) return mismatch(proto.int32_data_size(), "int32_data");
      CopyField<int16_t>(proto.int32_data(), t);
      break;
    case DType::kInt8:
      if (proto.int32_data_size() != n) return mismatch(proto.int32_data_size(), "int32_data");
      CopyField<int8_t>(proto.int32_data(), t);
      break;
    case DType::kUInt8:
      if (proto.int32_data_size() != n) return mismatch(proto.int32_data_size(), "int32_data");
      CopyField<uint8_t>(proto.int32_data(), t);
      break;
    case DType::kBool: {
      if (proto.int32_data_size() != n) return mismatch(proto.int32_data_size(), "int32_data");
      bool* dst = t.data<bool>();
      for (int64_t i = 0; i < n; ++i) dst[i] = proto.int32_data(i) != 0;
      break;
    }
    default:
      return absl::UnimplementedError(absl::StrCat(where, ": unsupported dtype"));
  }
  return t;
}

}  // namespace openbpu::frontend
