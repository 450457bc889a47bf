#include "common/crc32c.h"

#include <array>
#include <cstring>
#include <string>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace brook {
namespace crc32c_internal {
namespace {

// The reflected Castagnoli polynomial.
constexpr uint32_t kPolynomial = 0x82F63B78;

// kTables[0][b] is the CRC of byte b; kTables[k][b] that of byte b followed
// by k zero bytes, so that eight bytes are folded in with eight lookups.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ ((crc & 1) != 0 ? kPolynomial : 0);
    }
    tables[0][b] = crc;
  }
  for (size_t k = 1; k < tables.size(); ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      const uint32_t previous = tables[k - 1][b];
      tables[k][b] = (previous >> 8) ^ tables[0][previous & 0xFF];
    }
  }
  return tables;
}

constexpr Tables kTables = MakeTables();

uint64_t LoadLittleEndian64(const char* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(p[i]);
  }
  return value;
}

}  // namespace

uint32_t ExtendPortable(uint32_t crc, absl::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  uint32_t state = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const uint64_t word = LoadLittleEndian64(p) ^ state;
    state = kTables[7][word & 0xFF] ^ kTables[6][(word >> 8) & 0xFF] ^
            kTables[5][(word >> 16) & 0xFF] ^ kTables[4][(word >> 24) & 0xFF] ^
            kTables[3][(word >> 32) & 0xFF] ^ kTables[2][(word >> 40) & 0xFF] ^
            kTables[1][(word >> 48) & 0xFF] ^ kTables[0][word >> 56];
  }
  for (; n > 0; ++p, --n) {
    state = (state >> 8) ^
            kTables[0][(state ^ static_cast<unsigned char>(*p)) & 0xFF];
  }
  return ~state;
}

#if defined(__x86_64__)

bool HardwareAvailable() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

namespace {

// Long inputs are taken in strides of three lanes of kLaneBytes, each lane
// a chain of crc32 instructions of its own, so that the three chains overlap
// in the pipeline (one alone waits three cycles per eight bytes). The CRC
// register is linear: the state after lanes A then B, from state s, is
// Shift(state after A from s) ^ (state after B from 0), where Shift advances
// a state over kLaneBytes zero bytes.
constexpr size_t kLaneBytes = 4096;

__attribute__((target("sse4.2"))) uint64_t Chain(uint64_t state, const char* p,
                                                 size_t n) {
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));  // x86 is little-endian.
    state = _mm_crc32_u64(state, word);
  }
  return state;
}

// Shift as four byte-indexed tables: kShift[k][b] advances the state b << 8k.
struct ShiftTables {
  std::array<std::array<uint32_t, 256>, 4> table;

  ShiftTables() {
    const std::string zeros(kLaneBytes, '\0');
    std::array<uint32_t, 32> basis;
    for (int bit = 0; bit < 32; ++bit) {
      basis[bit] = static_cast<uint32_t>(
          Chain(uint32_t{1} << bit, zeros.data(), zeros.size()));
    }
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t shifted = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if ((b >> bit) & 1) shifted ^= basis[8 * k + bit];
        }
        table[k][b] = shifted;
      }
    }
  }

  uint32_t Shift(uint32_t state) const {
    return table[0][state & 0xFF] ^ table[1][(state >> 8) & 0xFF] ^
           table[2][(state >> 16) & 0xFF] ^ table[3][state >> 24];
  }
};

}  // namespace

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(
    uint32_t crc, absl::string_view data) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t state = ~crc;
  if (n >= 3 * kLaneBytes) {
    static const ShiftTables* const shift = new ShiftTables();
    for (; n >= 3 * kLaneBytes; p += 3 * kLaneBytes, n -= 3 * kLaneBytes) {
      uint64_t a = state;
      uint64_t b = 0;
      uint64_t c = 0;
      for (size_t i = 0; i < kLaneBytes; i += 8) {
        uint64_t wa, wb, wc;
        std::memcpy(&wa, p + i, 8);
        std::memcpy(&wb, p + kLaneBytes + i, 8);
        std::memcpy(&wc, p + 2 * kLaneBytes + i, 8);
        a = _mm_crc32_u64(a, wa);
        b = _mm_crc32_u64(b, wb);
        c = _mm_crc32_u64(c, wc);
      }
      state = shift->Shift(static_cast<uint32_t>(
                  shift->Shift(static_cast<uint32_t>(a)) ^ b)) ^
              c;
    }
  }
  state = Chain(state, p, n);
  p += n & ~size_t{7};
  n &= 7;
  uint32_t state32 = static_cast<uint32_t>(state);
  for (; n > 0; ++p, --n) {
    state32 = _mm_crc32_u8(state32, static_cast<unsigned char>(*p));
  }
  return ~state32;
}

#else

bool HardwareAvailable() { return false; }

uint32_t ExtendHardware(uint32_t crc, absl::string_view data) {
  return ExtendPortable(crc, data);
}

#endif

}  // namespace crc32c_internal

uint32_t Crc32cExtend(uint32_t crc, absl::string_view data) {
  return crc32c_internal::HardwareAvailable()
             ? crc32c_internal::ExtendHardware(crc, data)
             : crc32c_internal::ExtendPortable(crc, data);
}

uint32_t Crc32c(absl::string_view data) { return Crc32cExtend(0, data); }

}  // namespace brook
