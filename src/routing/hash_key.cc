#include "routing/hash_key.h"

#include <openssl/evp.h>

#include <cstdint>

namespace brook {

namespace {

// OpenSSL 3 looks the algorithm up on every EVP_Digest() call; fetching it
// once and reusing one context per thread makes a hash several times
// cheaper on the put path.
class Md5 {
 public:
  Md5()
      : md5_(EVP_MD_fetch(nullptr, "MD5", nullptr)),
        context_(EVP_MD_CTX_new()) {}
  ~Md5() {
    EVP_MD_CTX_free(context_);
    EVP_MD_free(md5_);
  }

  // Returns false only if OpenSSL cannot compute MD5 at all.
  bool Digest(absl::string_view data, unsigned char* digest) {
    unsigned int size = 0;
    return md5_ != nullptr && context_ != nullptr &&
           EVP_DigestInit_ex(context_, md5_, nullptr) == 1 &&
           EVP_DigestUpdate(context_, data.data(), data.size()) == 1 &&
           EVP_DigestFinal_ex(context_, digest, &size) == 1;
  }

 private:
  EVP_MD* const md5_;
  EVP_MD_CTX* const context_;
};

}  // namespace

absl::uint128 PartitionKeyHash(absl::string_view partition_key) {
  thread_local Md5 md5;
  unsigned char digest[EVP_MAX_MD_SIZE];
  if (!md5.Digest(partition_key, digest)) {
    // Not expected with any OpenSSL build; the one-shot call is the
    // fallback, and cannot fail for MD5 with valid arguments.
    EVP_Digest(partition_key.data(), partition_key.size(), digest, nullptr,
               EVP_md5(), nullptr);
  }
  uint64_t high = 0;
  uint64_t low = 0;
  for (int i = 0; i < 8; ++i) high = (high << 8) | digest[i];
  for (int i = 8; i < 16; ++i) low = (low << 8) | digest[i];
  return absl::MakeUint128(high, low);
}

std::vector<HashKeyRange> SplitHashKeySpaceEvenly(int shard_count) {
  // floor(2^128 / n) computed as floor((2^128 - 1) / n), corrected when n
  // divides 2^128 exactly (n a power of two).
  const absl::uint128 n = static_cast<uint64_t>(shard_count);
  absl::uint128 width = absl::Uint128Max() / n;
  if (absl::Uint128Max() % n == n - 1) width += 1;
  std::vector<HashKeyRange> ranges(shard_count);
  for (int i = 0; i < shard_count; ++i) {
    ranges[i].starting_hash_key = width * static_cast<uint64_t>(i);
    ranges[i].ending_hash_key = i + 1 == shard_count
                                    ? absl::Uint128Max()
                                    : width * static_cast<uint64_t>(i + 1) - 1;
  }
  return ranges;
}

}  // namespace brook
