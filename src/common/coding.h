// Byte encodings shared by every persisted or exchanged format: big-endian
// fixed-width integers (so that encoded keys sort as their numbers do) and
// LEB128 varints (for compact lengths inside values).
//
// Thread safety: pure functions; a Decoder is not thread-safe.

#ifndef BROOK_COMMON_CODING_H_
#define BROOK_COMMON_CODING_H_

#include <cstdint>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace brook {

void PutFixed32BE(std::string* dst, uint32_t value);
void PutFixed64BE(std::string* dst, uint64_t value);
// The high 64 bits, then the low, each big-endian.
void PutFixed128BE(std::string* dst, absl::uint128 value);
void PutVarint64(std::string* dst, uint64_t value);
// A varint length followed by the bytes.
void PutLengthPrefixed(std::string* dst, absl::string_view value);

uint32_t DecodeFixed32BE(const char* p);
uint64_t DecodeFixed64BE(const char* p);

// Reads the encodings above from the front of a buffer. Each Read* returns
// false, consuming nothing usable, when the buffer is too short or
// malformed; callers treat that as corruption.
class Decoder {
 public:
  explicit Decoder(absl::string_view input) : input_(input) {}

  bool ReadFixed32BE(uint32_t* value);
  bool ReadFixed64BE(uint64_t* value);
  bool ReadFixed128BE(absl::uint128* value);
  bool ReadVarint64(uint64_t* value);
  bool ReadLengthPrefixed(absl::string_view* value);
  bool ReadBytes(size_t n, absl::string_view* value);

  bool empty() const { return input_.empty(); }
  absl::string_view remaining() const { return input_; }

 private:
  absl::string_view input_;
};

}  // namespace brook

#endif  // BROOK_COMMON_CODING_H_
