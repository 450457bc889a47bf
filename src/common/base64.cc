#include "common/base64.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "common/errors.h"

namespace brook {
namespace {

size_t PaddingOf(absl::string_view text) {
  size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  return padding;
}

}  // namespace

std::string EncodeBase64(absl::string_view bytes) {
  std::string text;
  AppendBase64(bytes, &text);
  return text;
}

void AppendBase64(absl::string_view bytes, std::string* out) {
  const size_t start = out->size();
  out->resize(start + 4 * ((bytes.size() + 2) / 3) + 1);  // With EVP's NUL.
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out->data() + start),
                      reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  out->resize(start + static_cast<size_t>(n));
}

bool IsBase64(absl::string_view text) {
  // Padding is at most two '=' at the end.
  const size_t padding = PaddingOf(text);
  return text.size() % 4 == 0 && padding <= 2 &&
         std::all_of(text.begin(), text.end() - padding, [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                  c == '+' || c == '/';
         });
}

absl::StatusOr<std::string> DecodeBase64(absl::string_view text) {
  // OpenSSL's decoder is lenient about '=' inside the text: check the form
  // first.
  if (!IsBase64(text)) return InvalidArgument("not valid base64");
  const size_t padding = PaddingOf(text);
  std::string bytes(3 * (text.size() / 4), '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                      reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (n < 0) return InvalidArgument("not valid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  bytes.resize(static_cast<size_t>(n) - padding);
  return bytes;
}

}  // namespace brook
