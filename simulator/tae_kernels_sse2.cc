// xsimd TAE kernels instantiated for sse2 (this file alone is compiled with sse2 flags;
// tae_kernels.cc picks the best available architecture at run time).
#include "simulator/tae_kernels_simd.h"

OPENBPU_INSTANTIATE_TAE_KERNELS(xsimd::sse2);
