// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF): the
// checksum that ends every .hbm file. Table-driven; zlib is not among the wired system libraries.
#ifndef OPENBPU_HBM_CRC32_H_
#define OPENBPU_HBM_CRC32_H_

#include <cstdint>

#include "absl/types/span.h"

namespace openbpu::hbm {

// crc32("123456789") == 0xCBF43926. `crc` continues a running checksum (0 to start).
uint32_t Crc32(absl::Span<const uint8_t> bytes, uint32_t crc = 0);

}  // namespace openbpu::hbm

#endif  // OPENBPU_HBM_CRC32_H_
