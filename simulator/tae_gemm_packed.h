// The packed int8 GEMM of the TAE host kernels: B (the weights) packed once into the
// micro-kernel's layout, A given in the kernel's operand form, and a register-blocked
// micro-kernel per instruction set chosen at run time: AVX-512 VNNI (vpdpbusd) or AVX2
// (vpmaddwd on int16-widened operands). Both give the exact int32 sums (wrapping modulo 2^32
// like the accumulator register) that GemmS8S32's scalar reference gives.
#ifndef OPENBPU_SIMULATOR_TAE_GEMM_PACKED_H_
#define OPENBPU_SIMULATOR_TAE_GEMM_PACKED_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace openbpu::sim {

// Which micro-kernel a PackedGemmB is laid out for.
enum class PackedIsa : uint8_t {
  kVnni,  // AVX-512 VNNI: A biased to uint8 (a ^ 0x80), B int8 in groups of 4 along K
  kAvx2,  // AVX2: A and B widened to int16, in pairs along K
};

// True when the host can run `isa`'s micro-kernel.
bool HostSupports(PackedIsa isa);

// B[n][k] (int8, rows ldb apart) in the micro-kernel's layout: column blocks of up to
// kBlockCols columns, each [k / kGroup][block columns rounded up to 16 (VNNI) / 8 (AVX2)][kGroup]
// elements, zero-padded; `bias` (VNNI) is 128 * the column sums, wrapping. Immutable once made:
// the simulator packs each conv's weights once and shares them between runs and threads.
struct PackedGemmB {
  PackedIsa isa = PackedIsa::kVnni;
  int n = 0, k = 0;
  int groups = 0;                 // k rounded up to kGroup, / kGroup
  std::vector<int64_t> block_at;  // element offset of each column block in data8 / data16
  std::vector<int8_t> data8;      // VNNI
  std::vector<int16_t> data16;    // AVX2
  std::vector<int32_t> bias;      // VNNI, one per (padded) column

  static constexpr int kBlockCols = 64;
  int group() const { return isa == PackedIsa::kVnni ? 4 : 2; }
  int blocks() const { return static_cast<int>(block_at.size()); }
  // Elements per row of A in the operand form: k rounded up to the group.
  int64_t a_row() const { return static_cast<int64_t>(groups) * group(); }
  size_t bytes() const {
    return data8.size() + 2 * data16.size() + 4 * bias.size() + 8 * block_at.size();
  }
};

PackedGemmB PackGemmB(const int8_t* b, int64_t ldb, int n, int k, PackedIsa isa);

// A row in the operand form of `isa`: VNNI stores a[i] ^ 0x80 as bytes, AVX2 stores a[i] as
// int16; both padded with zeros to b.a_row() elements. `dst` holds a_row() elements (bytes for
// VNNI, int16 for AVX2: pass the buffer as uint8_t and it is reinterpreted).
void ToOperandRow(const int8_t* a, int k, const PackedGemmB& b, void* dst);

// C[i][j] = (accumulate ? C[i][j] : 0) + sum_k A[i][k] * B[j][k] for rows [row_begin, row_end)
// and the columns of B's column blocks [block_begin, block_end) (-1: to the last), with A in the
// operand form (rows `lda` elements apart, lda >= b.a_row()). Every element is computed alone:
// disjoint row or block ranges may run on different threads.
void GemmPacked(const void* a, int64_t lda, const PackedGemmB& b, int32_t* c, int64_t ldc,
                int row_begin, int row_end, bool accumulate, int block_begin = 0,
                int block_end = -1);

}  // namespace openbpu::sim

#endif  // OPENBPU_SIMULATOR_TAE_GEMM_PACKED_H_
