#include "cli/record_format.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "common/errors.h"

namespace brook::cli {
namespace {

namespace json = boost::json;

json::string_view JsonView(absl::string_view s) {
  return json::string_view(s.data(), s.size());
}

// Whether `text` is valid UTF-8, so that JSON can carry it as a string.
bool IsUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    if (lead >= 0x80) {
      if ((lead >> 5) == 0x6) {
        extra = 1;
      } else if ((lead >> 4) == 0xe) {
        extra = 2;
      } else if ((lead >> 3) == 0x1e) {
        extra = 3;
      } else {
        return false;
      }
    }
    if (text.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    }
    i += extra + 1;
  }
  return true;
}

int64_t ArrivalMs(const Record& record) {
  return absl::ToUnixMillis(record.approximate_arrival_timestamp);
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "json") return OutputFormat::kJson;
  if (name == "hex") return OutputFormat::kHex;
  return InvalidArgument(
      absl::StrCat("unknown output format '", name, "': text, json or hex"));
}

absl::StatusOr<RecordFormatter> RecordFormatter::Parse(
    absl::string_view format) {
  std::vector<Piece> pieces;
  auto literal = [&](absl::string_view text) {
    if (pieces.empty() || pieces.back().field != 0) pieces.emplace_back();
    pieces.back().literal.append(text.data(), text.size());
  };
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c != '%' && c != '\\') {
      literal(format.substr(i, 1));
      continue;
    }
    if (i + 1 == format.size()) {
      return InvalidArgument(
          absl::StrCat("format ends in a lone '", std::string(1, c), "'"));
    }
    const char next = format[++i];
    if (c == '\\') {
      switch (next) {
        case 'n':
          literal("\n");
          break;
        case 't':
          literal("\t");
          break;
        case '\\':
          literal("\\");
          break;
        default:
          return InvalidArgument(
              absl::StrCat("unknown escape '\\", std::string(1, next), "'"));
      }
      continue;
    }
    if (next == '%') {
      literal("%");
    } else if (absl::string_view("sSkKtpoT").find(next) !=
               absl::string_view::npos) {
      pieces.push_back(Piece{next, ""});
    } else {
      return InvalidArgument(absl::StrCat("unknown format field '%",
                                          std::string(1, next),
                                          "': %s %S %k %K %t %p %o %T or %%"));
    }
  }
  return RecordFormatter(std::move(pieces), Whole::kNone);
}

RecordFormatter RecordFormatter::ForOutput(OutputFormat format) {
  switch (format) {
    case OutputFormat::kJson:
      return RecordFormatter({}, Whole::kJson);
    case OutputFormat::kHex:
      return RecordFormatter({}, Whole::kHex);
    case OutputFormat::kText:
      break;
  }
  return RecordFormatter({Piece{'s', ""}, Piece{0, "\n"}}, Whole::kNone);
}

void RecordFormatter::Append(const RecordPlace& place, const Record& record,
                             std::string* out) const {
  switch (whole_) {
    case Whole::kJson:
      absl::StrAppend(out, RecordJson(place, record), "\n");
      return;
    case Whole::kHex:
      absl::StrAppend(out, absl::BytesToHexString(record.data), "\n");
      return;
    case Whole::kNone:
      break;
  }
  for (const Piece& piece : pieces_) {
    switch (piece.field) {
      case 0:
        absl::StrAppend(out, piece.literal);
        break;
      case 's':
        absl::StrAppend(out, record.data);
        break;
      case 'S':
        absl::StrAppend(out, record.data.size());
        break;
      case 'k':
        absl::StrAppend(out, record.partition_key);
        break;
      case 'K':
        absl::StrAppend(out, record.partition_key.size());
        break;
      case 't':
        absl::StrAppend(out, place.stream);
        break;
      case 'p':
        absl::StrAppend(out, place.shard_id);
        break;
      case 'o':
        absl::StrAppend(out, record.sequence_number.ToString());
        break;
      case 'T':
        absl::StrAppend(out, ArrivalMs(record));
        break;
    }
  }
}

std::string RecordJson(const RecordPlace& place, const Record& record) {
  json::object object;
  object["stream"] = JsonView(place.stream);
  object["shard_id"] = JsonView(place.shard_id);
  object["sequence_number"] = record.sequence_number.ToString();
  object["partition_key"] = JsonView(record.partition_key);
  object["arrival"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                                       record.approximate_arrival_timestamp,
                                       absl::UTCTimeZone());
  object["arrival_ms"] = ArrivalMs(record);
  if (IsUtf8(record.data)) {
    object["data"] = JsonView(record.data);
  } else {
    object["data_base64"] = absl::Base64Escape(record.data);
  }
  return json::serialize(object);
}

}  // namespace brook::cli
