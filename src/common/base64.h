// Base64 (RFC 4648, with padding), the form the Kinesis JSON API gives
// record data in, for brookd and the remote Broker alike.
//
// Thread safety: pure functions.

#ifndef BROOK_COMMON_BASE64_H_
#define BROOK_COMMON_BASE64_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {

std::string EncodeBase64(absl::string_view bytes);
// Appends the base64 form of `bytes` to `*out`.
void AppendBase64(absl::string_view bytes, std::string* out);

// Whether `text` is padded base64, without decoding it.
bool IsBase64(absl::string_view text);

// Fails with InvalidArgumentException unless `text` is padded base64.
absl::StatusOr<std::string> DecodeBase64(absl::string_view text);

}  // namespace brook

#endif  // BROOK_COMMON_BASE64_H_
