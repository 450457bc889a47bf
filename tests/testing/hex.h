// Golden bytes written as hex, with spaces between fields for the reader:
// FromHex("02 00000003 06") is the 6 bytes 02 00 00 00 03 06.

#ifndef BROOK_TESTS_TESTING_HEX_H_
#define BROOK_TESTS_TESTING_HEX_H_

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace brook::testing {

inline std::string FromHex(absl::string_view spaced_hex) {
  return absl::HexStringToBytes(absl::StrReplaceAll(spaced_hex, {{" ", ""}}));
}

}  // namespace brook::testing

#endif  // BROOK_TESTS_TESTING_HEX_H_
