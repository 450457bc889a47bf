// CRC32C (Castagnoli, polynomial 0x1EDC6F41 reflected, the CRC of iSCSI,
// RFC 3720 B.4): the checksum of stored record batches. Computed with the
// SSE4.2 crc32 instruction where the CPU has it (checked once, at run time)
// and with an eight-table software loop elsewhere; both give the same
// values. Debian 12 packages no CRC32C library, and RocksDB's own is not a
// public interface.
//
// Thread safety: pure functions, safe for concurrent use.

#ifndef BROOK_COMMON_CRC32C_H_
#define BROOK_COMMON_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace brook {

// The CRC32C of `data`.
uint32_t Crc32c(absl::string_view data);

// The CRC32C of A followed by `data`, given `crc`, the CRC32C of A:
// Crc32cExtend(Crc32c(a), b) == Crc32c(a + b). Crc32cExtend(0, x) ==
// Crc32c(x).
uint32_t Crc32cExtend(uint32_t crc, absl::string_view data);

namespace crc32c_internal {

// Whether the CPU has SSE4.2's crc32 instruction.
bool HardwareAvailable();

// Crc32cExtend() computed one way: in software, and with the instruction
// (REQUIRES: HardwareAvailable()). For tests that pin both to the same
// values.
uint32_t ExtendPortable(uint32_t crc, absl::string_view data);
uint32_t ExtendHardware(uint32_t crc, absl::string_view data);

}  // namespace crc32c_internal
}  // namespace brook

#endif  // BROOK_COMMON_CRC32C_H_
