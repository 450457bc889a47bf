#include "routing/hash_key.h"

// MD5's own functions rather than EVP: OpenSSL 3 deprecates them, but its
// EVP_DigestInit_ex() frees and allocates a provider context on every
// digest, which doubled the cost of hashing a short partition key, paid
// for every record put (bench/routing_bench.cc). The hash routes records;
// nothing relies on it for security, which is what EVP's providers serve.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>

#include <cstdint>

namespace brook {

absl::uint128 PartitionKeyHash(absl::string_view partition_key) {
  MD5_CTX context;
  unsigned char digest[MD5_DIGEST_LENGTH];
  // These return 0 only for a null context or digest.
  MD5_Init(&context);
  MD5_Update(&context, partition_key.data(), partition_key.size());
  MD5_Final(digest, &context);
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
