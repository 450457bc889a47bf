// Base64 (RFC 4648, with padding), the form the Kinesis JSON API gives
// record data in, for brookd and the remote Broker alike.
//
// The decoders are strict about the form (only the alphabet, and at most two
// '=' at the end) and lenient, as OpenSSL's EVP_DecodeBlock is, about the
// unused bits of a padded last group ("Zh==" is "f"). brookd decodes every
// record of a JSON PutRecords with them, so they decode in one pass of table
// lookups and can decode in place.
//
// Thread safety: pure functions.

#ifndef BROOK_COMMON_BASE64_H_
#define BROOK_COMMON_BASE64_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace brook {

std::string EncodeBase64(absl::string_view bytes);
// Appends the base64 form of `bytes` to `*out`.
void AppendBase64(absl::string_view bytes, std::string* out);

// Fails with InvalidArgumentException unless `text` is padded base64.
absl::StatusOr<std::string> DecodeBase64(absl::string_view text);

// Decodes the padded base64 in `text` into its own first bytes and returns
// how many bytes it decoded to (3/4 of its size, less its padding); the
// bytes after those keep their text. Fails
// with InvalidArgumentException unless `text` is padded base64, and then
// leaves `text` as it was.
absl::StatusOr<size_t> DecodeBase64InPlace(absl::Span<char> text);

}  // namespace brook

#endif  // BROOK_COMMON_BASE64_H_
