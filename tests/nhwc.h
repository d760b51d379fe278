// The dense NHWC bytes of an NCHW integer tensor (rank 2 [N, C] as H = W = 1; the dimensions
// after C folded into one pixel axis): how the back end and the hand-built simulator programs lay
// out values in DDR. Shared by the tests that feed or compare simulator memory.
#ifndef OPENBPU_TESTS_NHWC_H_
#define OPENBPU_TESTS_NHWC_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/tensor.h"

namespace openbpu::test_util {

inline std::vector<uint8_t> NhwcBytes(const Tensor& t) {
  const int64_t n = t.rank() > 0 ? t.dim(0) : 1, c = t.rank() > 1 ? t.dim(1) : 1;
  const int64_t hw = t.num_elements() / std::max<int64_t>(1, n * c);
  const int64_t es = static_cast<int64_t>(DTypeSize(t.dtype()));
  const uint8_t* src = static_cast<const uint8_t*>(t.raw());
  std::vector<uint8_t> out(static_cast<size_t>(t.num_elements() * es));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < hw; ++p)
        std::memcpy(&out[static_cast<size_t>(((i * hw + p) * c + ch) * es)],
                    src + ((i * c + ch) * hw + p) * es, static_cast<size_t>(es));
  return out;
}

}  // namespace openbpu::test_util

#endif  // OPENBPU_TESTS_NHWC_H_
