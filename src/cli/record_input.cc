#include "cli/record_input.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/coding.h"
#include "common/errors.h"

namespace brook::cli {
namespace {

constexpr uint32_t kMaxRecordBytes = uint32_t{10} << 20;

}  // namespace

absl::StatusOr<absl::optional<std::string>> RecordInput::Next() {
  return framing_ == Framing::kLines ? NextLine() : NextLengthPrefixed();
}

absl::StatusOr<absl::optional<std::string>> RecordInput::NextLine() {
  std::string line;
  while (true) {
    const int c = std::fgetc(file_);
    if (c == EOF) {
      if (std::ferror(file_)) {
        return InternalFailureFrom("reading", std::strerror(errno));
      }
      if (line.empty()) return absl::nullopt;
      return line;
    }
    if (c != '\n') {
      line.push_back(static_cast<char>(c));
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) return line;
  }
}

absl::StatusOr<absl::optional<std::string>> RecordInput::NextLengthPrefixed() {
  char header[4];
  const size_t got = std::fread(header, 1, sizeof(header), file_);
  if (got == 0 && std::feof(file_)) return absl::nullopt;
  if (got != sizeof(header)) {
    return InvalidArgument("the input ends inside a record's length");
  }
  const uint32_t length = DecodeFixed32BE(header);
  // Kinesis' largest record; a longer length is not a record boundary.
  if (length > kMaxRecordBytes) {
    return InvalidArgument(
        absl::StrCat("a record length of ", length, " bytes is above 10 MiB"));
  }
  std::string record(length, '\0');
  if (std::fread(record.data(), 1, length, file_) != length) {
    return InvalidArgument(
        absl::StrCat("the input ends inside a record of ", length, " bytes"));
  }
  return record;
}

}  // namespace brook::cli
