// Base64 decoding in place, as brookd decodes every record of a JSON
// PutRecords: with the table lookups alone, with AVX2, and through
// DecodeBase64InPlace(), which takes AVX2 where the CPU has it.

#include <cstring>
#include <random>
#include <string>

#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "common/base64.h"

namespace brook {
namespace {

using DecodeFunction = absl::optional<size_t> (*)(const char*, size_t, char*);

// DecodeBase64InPlace() in the internal decoders' form, called in place
// only (`text` is also the input).
absl::optional<size_t> DecodePublic(const char*, size_t size, char* text) {
  const absl::StatusOr<size_t> decoded =
      DecodeBase64InPlace(absl::MakeSpan(text, size));
  if (!decoded.ok()) return absl::nullopt;
  return *decoded;
}

// Each round decodes a fresh copy of the text of a record of `record_bytes`
// random bytes, as brookd decodes the copy its JSON parser made; the copy is
// part of the time.
void BM_DecodeBase64InPlace(benchmark::State& state, DecodeFunction decode) {
  if (decode == &base64_internal::DecodeAvx2 &&
      !base64_internal::Avx2Available()) {
    state.SkipWithError("this CPU has no AVX2");
    return;
  }
  std::mt19937 random(1);
  std::string bytes(state.range(0), '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  const std::string text = EncodeBase64(bytes);
  std::string buffer = text;
  for (auto _ : state) {
    std::memcpy(buffer.data(), text.data(), text.size());
    benchmark::DoNotOptimize(
        decode(buffer.data(), buffer.size(), buffer.data()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK_CAPTURE(BM_DecodeBase64InPlace, portable,
                  &base64_internal::DecodePortable)
    ->ArgNames({"record_bytes"})
    ->Arg(1024)
    ->Arg(64 * 1024);
BENCHMARK_CAPTURE(BM_DecodeBase64InPlace, avx2, &base64_internal::DecodeAvx2)
    ->ArgNames({"record_bytes"})
    ->Arg(1024)
    ->Arg(64 * 1024);
BENCHMARK_CAPTURE(BM_DecodeBase64InPlace, public, &DecodePublic)
    ->ArgNames({"record_bytes"})
    ->Arg(1024)
    ->Arg(64 * 1024);

}  // namespace
}  // namespace brook
