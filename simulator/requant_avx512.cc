// RequantRow with AVX-512 (eltwise.h): eight channels per step in int64 lanes, FastRequant's
// arithmetic lane for lane. vpmuldq multiplies the low 32 bits of each lane as signed integers,
// exact for |x + bias| < 2^31 and multipliers < 2^31; vpsllvq / vpsravq shift each lane by its
// channel's amount; the clamp keeps the narrowing (vpmovqb / vpmovqw) exact.
#include <immintrin.h>

#include "simulator/eltwise.h"

namespace openbpu::sim::internal {

#define OPENBPU_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw")))

OPENBPU_AVX512 void RequantRowAvx512(const RequantRow& r, const int32_t* x, const int8_t* s8,
                                     const int16_t* s16, int8_t* out8, int16_t* out16,
                                     RequantRow::Slow slow) {
  for (int c = 0; c < r.channels; c += 8) {
    const int lanes = r.channels - c < 8 ? r.channels - c : 8;
    const __mmask8 m = static_cast<__mmask8>((1u << lanes) - 1);
    const __m512i xv = _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(m, x + c));
    const __m512i t = _mm512_add_epi64(xv, _mm512_loadu_si512(r.bias.data() + c));
    const __m512i limit = _mm512_loadu_si512(r.limit.data() + c);
    // |t| < limit in every lane, else the caller's exact path.
    const __mmask8 inside =
        _mm512_cmplt_epi64_mask(t, limit) &
        _mm512_cmpgt_epi64_mask(t, _mm512_sub_epi64(_mm512_setzero_si512(), limit));
    if ((inside & m) != m) {  // this group element by element (reads before its writes)
      for (int i = c; i < c + lanes; ++i) {
        const int64_t sv = s8 != nullptr ? s8[i] : s16 != nullptr ? s16[i] : 0;
        int64_t v;
        if (!r.fast[static_cast<size_t>(i)].Apply(x[i], sv, &v)) v = slow(i, x[i]);
        if (out8 != nullptr) {
          out8[i] = static_cast<int8_t>(v);
        } else {
          out16[i] = static_cast<int16_t>(v);
        }
      }
      continue;
    }
    __m512i v = _mm512_sllv_epi64(_mm512_mul_epi32(t, _mm512_loadu_si512(r.ma.data() + c)),
                                  _mm512_loadu_si512(r.da.data() + c));
    if (s8 != nullptr || s16 != nullptr) {
      const __m512i sv = s8 != nullptr ? _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(m, s8 + c))
                                       : _mm512_cvtepi16_epi64(_mm_maskz_loadu_epi16(m, s16 + c));
      v = _mm512_add_epi64(
          v, _mm512_sllv_epi64(_mm512_mul_epi32(sv, _mm512_loadu_si512(r.ms.data() + c)),
                               _mm512_loadu_si512(r.ds.data() + c)));
    }
    // (v + half) >> n; lanes with n = 0 have half = 0 and shift by 0.
    v = _mm512_srav_epi64(_mm512_add_epi64(v, _mm512_loadu_si512(r.half.data() + c)),
                          _mm512_loadu_si512(r.n.data() + c));
    v = _mm512_max_epi64(v, _mm512_loadu_si512(r.lo.data() + c));
    v = _mm512_min_epi64(v, _mm512_loadu_si512(r.hi.data() + c));
    if (out8 != nullptr) {
      _mm512_mask_cvtepi64_storeu_epi8(out8 + c, m, v);
    } else {
      _mm512_mask_cvtepi64_storeu_epi16(out16 + c, m, v);
    }
  }
}

}  // namespace openbpu::sim::internal
