#include "common/kernels/broadcast.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace openbpu::kernels {

absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return absl::InvalidArgumentError(absl::StrCat("shapes ", ShapeToString(a), " and ",
                                                     ShapeToString(b), " do not broadcast"));
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> BroadcastIndex(const Shape& in, const Shape& out) {
  const int rank = static_cast<int>(out.size());
  const int offset = rank - static_cast<int>(in.size());
  std::vector<int64_t> in_strides(rank, 0);
  int64_t stride = 1;
  for (int i = rank - 1; i >= offset; --i) {
    const int64_t d = in[i - offset];
    in_strides[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  const int64_t n = NumElements(out);
  std::vector<int64_t> index(n);
  std::vector<int64_t> coord(rank, 0);
  int64_t flat = 0;
  for (int64_t i = 0; i < n; ++i) {
    index[i] = flat;
    for (int d = rank - 1; d >= 0; --d) {
      ++coord[d];
      flat += in_strides[d];
      if (coord[d] < out[d]) break;
      flat -= in_strides[d] * coord[d];
      coord[d] = 0;
    }
  }
  return index;
}

absl::StatusOr<Shape> BroadcastShapesN(const std::vector<Shape>& shapes) {
  Shape out;
  for (const Shape& s : shapes) {
    absl::StatusOr<Shape> next = BroadcastShapes(out, s);
    if (!next.ok()) return next.status();
    out = *std::move(next);
  }
  return out;
}

absl::StatusOr<Shape> WhereOutputShape(DType cond, DType x, DType y, const Shape& cs,
                                       const Shape& xs, const Shape& ys) {
  if (cond != DType::kBool) {
    return absl::InvalidArgumentError(
        absl::StrCat("condition must be bool, got ", DTypeName(cond)));
  }
  if (x != y) {
    return absl::InvalidArgumentError(
        absl::StrCat("X and Y dtypes differ: ", DTypeName(x), " and ", DTypeName(y)));
  }
  return BroadcastShapesN({cs, xs, ys});
}

absl::Status CheckPReluSlope(const Shape& x, const Shape& slope) {
  absl::StatusOr<Shape> shape = BroadcastShapes(x, slope);
  if (!shape.ok() || *shape != x) {
    return absl::InvalidArgumentError(absl::StrCat("slope shape ", ShapeToString(slope),
                                                   " does not broadcast to the input shape ",
                                                   ShapeToString(x)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Shape> VariadicOutputShape(const std::vector<DType>& dtypes,
                                          const std::vector<Shape>& shapes) {
  for (size_t i = 1; i < dtypes.size(); ++i) {
    if (dtypes[i] != dtypes[0]) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " has dtype ",
                                                     DTypeName(dtypes[i]), ", input 0 has ",
                                                     DTypeName(dtypes[0])));
    }
  }
  return BroadcastShapesN(shapes);
}

}  // namespace openbpu::kernels
