// xsimd TAE kernels instantiated for avx512bw (this file alone is compiled with avx512bw flags;
// tae_kernels.cc picks the best available architecture at run time).
#include "simulator/tae_kernels_simd.h"

OPENBPU_INSTANTIATE_TAE_KERNELS(xsimd::avx512bw);
