#include "common/coding.h"

namespace brook {

void PutFixed32BE(std::string* dst, uint32_t value) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  dst->append(buf, sizeof(buf));
}

void PutFixed64BE(std::string* dst, uint64_t value) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  dst->append(buf, sizeof(buf));
}

void PutFixed128BE(std::string* dst, absl::uint128 value) {
  PutFixed64BE(dst, absl::Uint128High64(value));
  PutFixed64BE(dst, absl::Uint128Low64(value));
}

void PutVarint64(std::string* dst, uint64_t value) {
  while (value >= 0x80) {
    dst->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  dst->push_back(static_cast<char>(value));
}

void PutLengthPrefixed(std::string* dst, absl::string_view value) {
  PutVarint64(dst, value.size());
  dst->append(value.data(), value.size());
}

uint32_t DecodeFixed32BE(const char* p) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value = (value << 8) | static_cast<uint8_t>(p[i]);
  }
  return value;
}

uint64_t DecodeFixed64BE(const char* p) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<uint8_t>(p[i]);
  }
  return value;
}

bool Decoder::ReadFixed32BE(uint32_t* value) {
  if (input_.size() < 4) return false;
  *value = DecodeFixed32BE(input_.data());
  input_.remove_prefix(4);
  return true;
}

bool Decoder::ReadFixed64BE(uint64_t* value) {
  if (input_.size() < 8) return false;
  *value = DecodeFixed64BE(input_.data());
  input_.remove_prefix(8);
  return true;
}

bool Decoder::ReadFixed128BE(absl::uint128* value) {
  if (input_.size() < 16) return false;
  *value = absl::MakeUint128(DecodeFixed64BE(input_.data()),
                             DecodeFixed64BE(input_.data() + 8));
  input_.remove_prefix(16);
  return true;
}

bool Decoder::ReadVarint64(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !input_.empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(input_.front());
    input_.remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

bool Decoder::ReadLengthPrefixed(absl::string_view* value) {
  uint64_t length = 0;
  return ReadVarint64(&length) && ReadBytes(length, value);
}

bool Decoder::ReadBytes(size_t n, absl::string_view* value) {
  if (input_.size() < n) return false;
  *value = input_.substr(0, n);
  input_.remove_prefix(n);
  return true;
}

}  // namespace brook
