// How `brook tail` prints a record: as its data alone (text), as a JSON
// object per line, as hex, or through a format string in the style of
// kcat's -f:
//   %s data          %S data size in bytes
//   %k partition key %K partition key size in bytes
//   %t stream        %p shard id
//   %o sequence number
//   %T arrival time in Unix milliseconds
//   %% a percent sign; \n, \t and \\ their characters.
//
// Thread safety: a RecordFormatter is immutable once made.

#ifndef BROOK_CLI_RECORD_FORMAT_H_
#define BROOK_CLI_RECORD_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/records.h"

namespace brook::cli {

enum class OutputFormat { kText, kJson, kHex };

// "text", "json" or "hex"; InvalidArgumentException otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name);

// A record and where it came from.
struct RecordPlace {
  absl::string_view stream;
  absl::string_view shard_id;
};

class RecordFormatter {
 public:
  // RecordFormatter::Parse()
  //
  // Compiles a kcat-style format string; fails with InvalidArgumentException
  // on an unknown % or \ sequence, or one cut short at the end.
  static absl::StatusOr<RecordFormatter> Parse(absl::string_view format);
  // Prints records as `format` does, each on its own line.
  static RecordFormatter ForOutput(OutputFormat format);

  // Appends `record`, printed, to `out`.
  void Append(const RecordPlace& place, const Record& record,
              std::string* out) const;

 private:
  // A literal text, or a field (a letter of the table above).
  struct Piece {
    char field = 0;  // 0 for a literal.
    std::string literal;
  };
  enum class Whole { kNone, kJson, kHex };

  RecordFormatter(std::vector<Piece> pieces, Whole whole)
      : pieces_(std::move(pieces)), whole_(whole) {}

  std::vector<Piece> pieces_;
  Whole whole_;
};

// The JSON object `brook tail --output json` prints for a record: stream,
// shard_id, sequence_number, partition_key, arrival (RFC 3339) and
// arrival_ms, and data (when it is valid UTF-8) or data_base64.
std::string RecordJson(const RecordPlace& place, const Record& record);

}  // namespace brook::cli

#endif  // BROOK_CLI_RECORD_FORMAT_H_
