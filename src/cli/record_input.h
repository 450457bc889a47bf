// Records read from a stream of bytes (brook put's stdin): one per line
// (the newline, and a carriage return before it, are not part of the
// record; empty lines are skipped), or length-prefixed: a 4-byte
// big-endian length, then that many bytes.
//
// Thread safety: not thread-safe.

#ifndef BROOK_CLI_RECORD_INPUT_H_
#define BROOK_CLI_RECORD_INPUT_H_

#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/optional.h"

namespace brook::cli {

class RecordInput {
 public:
  enum class Framing { kLines, kLengthPrefixed };

  // `file` must outlive the RecordInput.
  RecordInput(FILE* file, Framing framing) : file_(file), framing_(framing) {}

  // The next record, or nullopt at the end. Fails with
  // InvalidArgumentException on a length-prefixed input cut short, and
  // InternalFailure on a read error.
  absl::StatusOr<absl::optional<std::string>> Next();

 private:
  absl::StatusOr<absl::optional<std::string>> NextLine();
  absl::StatusOr<absl::optional<std::string>> NextLengthPrefixed();

  FILE* const file_;
  const Framing framing_;
};

}  // namespace brook::cli

#endif  // BROOK_CLI_RECORD_INPUT_H_
