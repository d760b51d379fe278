// RequantRow::Run with AVX-512 (eltwise.h): eight channels per step in int64 lanes, FastRequant's
// arithmetic lane for lane, the eight channels' constants in registers while they run down every
// pixel. vpmuldq multiplies the low 32 bits of each lane as signed integers, exact for
// |x + bias| < 2^31 and multipliers < 2^31; vpsllvq / vpsravq shift each lane by its channel's
// amount; the clamp keeps the narrowing (vpmovqb / vpmovqw) exact.
#include <immintrin.h>

#include "simulator/eltwise.h"

namespace openbpu::sim::internal {

#define OPENBPU_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw")))

OPENBPU_AVX512 void RequantRowsAvx512(const RequantRow& r, const RequantOperands& o,
                                      RequantRow::Slow slow) {
  const auto sumin = [&](const uint8_t* s, int i) -> int64_t {
    if (s == nullptr) return 0;
    return o.s_bits == 8 ? reinterpret_cast<const int8_t*>(s)[i]
                         : reinterpret_cast<const int16_t*>(s)[i];
  };
  for (int c = 0; c < r.channels; c += 8) {
    const int lanes = r.channels - c < 8 ? r.channels - c : 8;
    const __mmask8 m = static_cast<__mmask8>((1u << lanes) - 1);
    const __m512i bias = _mm512_loadu_si512(r.bias.data() + c);
    const __m512i limit = _mm512_loadu_si512(r.limit.data() + c);
    const __m512i neg_limit = _mm512_sub_epi64(_mm512_setzero_si512(), limit);
    const __m512i ma = _mm512_loadu_si512(r.ma.data() + c);
    const __m512i da = _mm512_loadu_si512(r.da.data() + c);
    const __m512i ms = _mm512_loadu_si512(r.ms.data() + c);
    const __m512i ds = _mm512_loadu_si512(r.ds.data() + c);
    const __m512i half = _mm512_loadu_si512(r.half.data() + c);
    const __m512i n = _mm512_loadu_si512(r.n.data() + c);
    const __m512i lo = _mm512_loadu_si512(r.lo.data() + c);
    const __m512i hi = _mm512_loadu_si512(r.hi.data() + c);
    for (int64_t p = 0; p < o.pixels; ++p) {
      const auto* x = reinterpret_cast<const int32_t*>(o.x + p * o.x_stride);
      const uint8_t* s = o.s != nullptr ? o.s + p * o.s_stride : nullptr;
      uint8_t* out = o.out + p * o.out_stride;
      const __m512i t =
          _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(m, x + c)), bias);
      // |t| < limit in every lane, else this group of this pixel element by element.
      const __mmask8 inside =
          _mm512_cmplt_epi64_mask(t, limit) & _mm512_cmpgt_epi64_mask(t, neg_limit);
      if ((inside & m) != m) {
        for (int i = c; i < c + lanes; ++i) {
          int64_t v;
          if (!r.fast[static_cast<size_t>(i)].Apply(x[i], sumin(s, i), &v)) v = slow(p, i, x[i]);
          if (o.out_bits == 8) {
            reinterpret_cast<int8_t*>(out)[i] = static_cast<int8_t>(v);
          } else {
            reinterpret_cast<int16_t*>(out)[i] = static_cast<int16_t>(v);
          }
        }
        continue;
      }
      __m512i v = _mm512_sllv_epi64(_mm512_mul_epi32(t, ma), da);
      if (s != nullptr) {
        const __m512i sv = o.s_bits == 8 ? _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(m, s + c))
                                         : _mm512_cvtepi16_epi64(_mm_maskz_loadu_epi16(
                                               m, reinterpret_cast<const int16_t*>(s) + c));
        v = _mm512_add_epi64(v, _mm512_sllv_epi64(_mm512_mul_epi32(sv, ms), ds));
      }
      // (v + half) >> n; lanes with n = 0 have half = 0 and shift by 0.
      v = _mm512_srav_epi64(_mm512_add_epi64(v, half), n);
      v = _mm512_min_epi64(_mm512_max_epi64(v, lo), hi);
      if (o.out_bits == 8) {
        _mm512_mask_cvtepi64_storeu_epi8(out + c, m, v);
      } else {
        _mm512_mask_cvtepi64_storeu_epi16(reinterpret_cast<int16_t*>(out) + c, m, v);
      }
    }
  }
}

}  // namespace openbpu::sim::internal

namespace openbpu::sim::internal {

// vae.mul over an int8 row: a * b exact in a lane (|a * b| <= 2^14), times the record's
// multiplier (< 2^31: below 2^46), then Requantize's rounding shift (0..62) or left shift
// (at most 16: below 2^62), and the clamp. Other shifts: false (the caller's scalar path).
OPENBPU_AVX512 bool MulRowS8Avx512(const numerics::MulParams& p, int64_t lo, int64_t hi,
                                   const int8_t* a, const int8_t* b, int64_t b_step, int8_t* out,
                                   int64_t n) {
  const int shift = p.out.shift;
  if (shift > 62 || shift < -16) return false;
  if (b_step == 0 && b >= out && b < out + n) return false;  // the broadcast y overwritten
  const __m512i m = _mm512_set1_epi64(p.out.multiplier);
  const __m512i half = _mm512_set1_epi64(shift > 0 ? int64_t{1} << (shift - 1) : 0);
  const __m128i right = _mm_cvtsi64_si128(shift > 0 ? shift : 0);
  const __m128i left = _mm_cvtsi64_si128(shift < 0 ? -shift : 0);
  const __m512i vlo = _mm512_set1_epi64(lo), vhi = _mm512_set1_epi64(hi);
  const __m512i b0 = _mm512_set1_epi64(b[0]);
  for (int64_t i = 0; i < n; i += 8) {
    const int lanes = n - i < 8 ? static_cast<int>(n - i) : 8;
    const __mmask8 k = static_cast<__mmask8>((1u << lanes) - 1);
    const __m512i av = _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(k, a + i));
    const __m512i bv = b_step == 0 ? b0 : _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(k, b + i));
    __m512i v = _mm512_mul_epi32(_mm512_mul_epi32(av, bv), m);
    v = _mm512_sll_epi64(_mm512_sra_epi64(_mm512_add_epi64(v, half), right), left);
    v = _mm512_min_epi64(_mm512_max_epi64(v, vlo), vhi);
    _mm512_mask_cvtepi64_storeu_epi8(out + i, k, v);
  }
  return true;
}

}  // namespace openbpu::sim::internal
