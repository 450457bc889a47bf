// CRC32C against the test vectors of RFC 3720, appendix B.4, and the
// catalogue check value of "123456789", on the software path and (where the
// CPU has SSE4.2) the hardware path.

#include "common/crc32c.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace brook {
namespace {

using ExtendFunction = uint32_t (*)(uint32_t, absl::string_view);

struct Vector {
  std::string data;
  uint32_t crc;
};

std::vector<Vector> Rfc3720Vectors() {
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  // The iSCSI SCSI Read (10) command PDU of B.4.
  const unsigned char pdu[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  return {
      {std::string(32, '\0'), 0x8A9136AA},
      {std::string(32, '\xff'), 0x62A8AB43},
      {ascending, 0x46DD794E},
      {descending, 0x113FDB5C},
      {std::string(reinterpret_cast<const char*>(pdu), sizeof(pdu)),
       0xD9963A56},
      {"123456789", 0xE3069283},
      {"", 0},
  };
}

class Crc32cTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (std::string(GetParam()) == "hardware" &&
        !crc32c_internal::HardwareAvailable()) {
      GTEST_SKIP() << "this CPU has no SSE4.2";
    }
  }
  ExtendFunction extend() const {
    return std::string(GetParam()) == "hardware"
               ? &crc32c_internal::ExtendHardware
               : &crc32c_internal::ExtendPortable;
  }
};

TEST_P(Crc32cTest, MatchesRfc3720Vectors) {
  for (const Vector& vector : Rfc3720Vectors()) {
    EXPECT_EQ(extend()(0, vector.data), vector.crc)
        << "length " << vector.data.size();
  }
}

TEST_P(Crc32cTest, ExtendingInPiecesEqualsTheWhole) {
  for (const Vector& vector : Rfc3720Vectors()) {
    for (size_t cut = 0; cut <= vector.data.size(); ++cut) {
      const absl::string_view data = vector.data;
      EXPECT_EQ(extend()(extend()(0, data.substr(0, cut)), data.substr(cut)),
                vector.crc);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, Crc32cTest,
                         ::testing::Values("portable", "hardware"));

TEST(Crc32cPathsTest, AgreeOnEveryLengthAndAlignment) {
  if (!crc32c_internal::HardwareAvailable()) GTEST_SKIP();
  std::mt19937 random(7);
  // Past three lanes of 4 KiB the hardware path splits the input into
  // three interleaved chains and combines them.
  std::string bytes(3 * 3 * 4096 + 64, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t length :
         {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 4096, 3 * 4096 - 1, 3 * 4096,
          3 * 4096 + 1, 3 * 4096 + 13, 6 * 4096, 9 * 4096 + 55}) {
      const absl::string_view data(bytes.data() + offset, length);
      EXPECT_EQ(crc32c_internal::ExtendHardware(0x12345678, data),
                crc32c_internal::ExtendPortable(0x12345678, data))
          << "offset " << offset << " length " << length;
    }
  }
}

TEST(Crc32cPublicTest, AgreesWithTheVectors) {
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  // Long enough for the interleaved chains: the portable path's value, from
  // a state other than the initial one.
  const std::string long_input(5 * 4096 + 3, '\x5a');
  EXPECT_EQ(Crc32cExtend(0xDEADBEEF, long_input),
            crc32c_internal::ExtendPortable(0xDEADBEEF, long_input));
  EXPECT_EQ(Crc32cExtend(Crc32c("1234"), "56789"), 0xE3069283u);
}

}  // namespace
}  // namespace brook
