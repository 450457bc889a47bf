// Base64 (RFC 4648, with padding), the form the Kinesis JSON API gives
// record data in, for brookd and the remote Broker alike.
//
// The decoders are strict about the form (only the alphabet, and at most two
// '=' at the end) and lenient, as OpenSSL's EVP_DecodeBlock is, about the
// unused bits of a padded last group ("Zh==" is "f"). brookd decodes every
// record of a JSON PutRecords with them, so they decode in one pass that
// also validates, and can decode in place: 32 characters at a time with AVX2
// where the CPU has it (checked once, at run time), and with table lookups
// elsewhere and for the last groups of a text. Both give the same results.
//
// Thread safety: pure functions.

#ifndef BROOK_COMMON_BASE64_H_
#define BROOK_COMMON_BASE64_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
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

namespace base64_internal {

// Whether the CPU has AVX2.
bool Avx2Available();

// The decoders' pass computed one way: with table lookups alone, and with
// AVX2 (REQUIRES: Avx2Available()). Decodes the `size` characters at `in` to
// `out`, which is `in` or has room for 3/4 of `size` bytes, and returns how
// many bytes it decoded to, or nullopt (and leaves `in` as it was) unless
// they are padded base64. For tests that pin both to the same results.
absl::optional<size_t> DecodePortable(const char* in, size_t size, char* out);
absl::optional<size_t> DecodeAvx2(const char* in, size_t size, char* out);

}  // namespace base64_internal
}  // namespace brook

#endif  // BROOK_COMMON_BASE64_H_
