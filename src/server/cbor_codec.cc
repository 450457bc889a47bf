#include "server/cbor_codec.h"

#include <cbor.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "brook/error.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "schema/kinesis_shapes.h"

namespace brook {
namespace {

namespace json = boost::json;
using schema::Shape;
using schema::ShapeType;

const Shape* ShapeNamed(absl::string_view name) {
  return name.empty() ? nullptr : schema::FindShape(name);
}

const Shape* ElementOf(const Shape* shape) {
  if (shape == nullptr || shape->element == schema::kNoShape) return nullptr;
  return &schema::ShapeAt(shape->element);
}

const Shape* MemberShape(const Shape* structure, absl::string_view name) {
  if (structure == nullptr || structure->type != ShapeType::kStructure) {
    return nullptr;
  }
  const schema::Member* member = schema::FindMember(*structure, name);
  return member == nullptr ? nullptr : &schema::ShapeAt(member->shape);
}

const Shape* ValueShape(const Shape* shape, absl::string_view key) {
  if (shape != nullptr && shape->type == ShapeType::kMap) {
    return ElementOf(shape);
  }
  return MemberShape(shape, key);
}

bool Is(const Shape* shape, ShapeType type) {
  return shape != nullptr && shape->type == type;
}

absl::Status NotCbor(absl::string_view why) {
  return MakeError(ErrorName::kSerializationException,
                   absl::StrCat("the request body is not CBOR the Kinesis "
                                "API reads: ",
                                why));
}

// --- CBOR → JSON
// ---------------------------------------------------------------

// Writes the JSON text of one CBOR item as libcbor's streaming decoder
// reports its parts, without building the item in memory: every part is
// written as it arrives, with the shape of the member it belongs to.
class JsonWriter {
 public:
  explicit JsonWriter(const Shape* shape) : root_(shape) {}

  absl::StatusOr<std::string> Decode(absl::string_view cbor) {
    out_.reserve(cbor.size() * 3 / 2);  // Blobs grow by a third in base64.
    const auto* data = reinterpret_cast<const unsigned char*>(cbor.data());
    size_t at = 0;
    while (at < cbor.size() && error_.ok()) {
      if (done_) return NotCbor("bytes after the item");
      const cbor_decoder_result result =
          cbor_stream_decode(data + at, cbor.size() - at, &kCallbacks, this);
      if (result.status != CBOR_DECODER_FINISHED) {
        return NotCbor("not one well-formed item");
      }
      at += result.read;
    }
    BROOK_RETURN_IF_ERROR(error_);
    if (!done_) return NotCbor("not one well-formed item");
    return std::move(out_);
  }

 private:
  // An open array, map or string of chunks. `remaining` counts the items
  // (arrays) or pairs (maps) still to come; -1 if indefinite.
  struct Frame {
    enum Kind { kArray, kMap, kText, kBytes } kind;
    int64_t remaining;
    const Shape* shape;
    bool expect_key = true;  // Maps: the next item is a key.
    bool first = true;
    std::string key;     // Maps: of the value that comes next.
    std::string chunks;  // Strings of chunks.
  };
  static constexpr size_t kMaxDepth = 64;

  static JsonWriter& Of(void* context) {
    return *static_cast<JsonWriter*>(context);
  }

  void Fail(absl::string_view why) {
    if (error_.ok()) error_ = NotCbor(why);
  }

  // The shape of the value that comes next.
  const Shape* NextShape() const {
    if (stack_.empty()) return root_;
    const Frame& top = stack_.back();
    if (top.kind == Frame::kArray) return ElementOf(top.shape);
    return ValueShape(top.shape, top.key);
  }

  // Opens the next value: its separator. False if it cannot come here.
  bool BeginValue() {
    if (stack_.empty()) return !done_;
    Frame& top = stack_.back();
    if (top.kind == Frame::kMap && top.expect_key) {
      Fail("a map key that is not a text string");
      return false;
    }
    if (top.kind == Frame::kArray && !std::exchange(top.first, false)) {
      out_ += ',';
    }
    return true;
  }

  // A value is complete: counts it, and closes what it completed.
  void EndValue() {
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.kind == Frame::kMap) top.expect_key = true;
      if (top.remaining < 0 || --top.remaining > 0) return;
      Close();
    }
    done_ = true;
  }

  void Close() {
    out_ += stack_.back().kind == Frame::kMap ? '}' : ']';
    stack_.pop_back();
  }

  void Open(Frame::Kind kind, int64_t size) {
    if (!BeginValue()) return;
    if (stack_.size() >= kMaxDepth) return Fail("nested too deep");
    const Shape* shape = NextShape();
    out_ += kind == Frame::kMap ? '{' : '[';
    stack_.push_back(Frame{kind, size, shape, true, true, {}, {}});
    if (size == 0) {
      Close();
      EndValue();
    }
  }

  void Text(absl::string_view text, bool bytes) {
    if (!stack_.empty() && (stack_.back().kind == Frame::kText ||
                            stack_.back().kind == Frame::kBytes)) {
      if ((stack_.back().kind == Frame::kBytes) != bytes) {
        return Fail("a chunk of another type");
      }
      stack_.back().chunks.append(text.data(), text.size());
      return;
    }
    if (!stack_.empty() && stack_.back().kind == Frame::kMap &&
        stack_.back().expect_key) {
      if (bytes) return Fail("a map key that is not a text string");
      Frame& top = stack_.back();
      if (!std::exchange(top.first, false)) out_ += ',';
      top.key = std::string(text);
      AppendQuoted(text);
      out_ += ':';
      top.expect_key = false;
      return;
    }
    if (!BeginValue()) return;
    if (bytes) {
      out_ += '"';
      out_ += absl::Base64Escape(text);  // Needs no escaping.
      out_ += '"';
    } else {
      AppendQuoted(text);
    }
    EndValue();
  }

  void Integer(uint64_t magnitude, bool negative) {
    if (!BeginValue()) return;
    if (magnitude > uint64_t{INT64_MAX}) return Fail("an integer");
    const int64_t value = negative ? -1 - static_cast<int64_t>(magnitude)
                                   : static_cast<int64_t>(magnitude);
    if (Is(NextShape(), ShapeType::kTimestamp)) {
      // The Java SDK's timestamps: epoch milliseconds; JSON's: seconds.
      absl::StrAppend(&out_, absl::StrFormat("%.3f", value / 1000.0));
    } else {
      absl::StrAppend(&out_, value);
    }
    EndValue();
  }

  void Float(double value) {
    if (!BeginValue()) return;
    if (!std::isfinite(value)) return Fail("a number JSON cannot hold");
    absl::StrAppend(&out_, absl::StrFormat("%.17g", value));
    EndValue();
  }

  void Literal(absl::string_view text) {
    if (!BeginValue()) return;
    out_.append(text.data(), text.size());
    EndValue();
  }

  void Break() {
    if (stack_.empty() || stack_.back().remaining >= 0) {
      return Fail("a break outside an indefinite item");
    }
    Frame& top = stack_.back();
    if (top.kind == Frame::kText || top.kind == Frame::kBytes) {
      std::string chunks = std::move(top.chunks);
      const bool bytes = top.kind == Frame::kBytes;
      stack_.pop_back();
      Text(chunks, bytes);
      return;
    }
    if (top.kind == Frame::kMap && !top.expect_key) {
      return Fail("a map key without a value");
    }
    Close();
    EndValue();
  }

  void StartChunks(Frame::Kind kind) {
    if (!stack_.empty() && (stack_.back().kind == Frame::kText ||
                            stack_.back().kind == Frame::kBytes)) {
      return Fail("nested chunked strings");
    }
    stack_.push_back(Frame{kind, -1, nullptr, true, true, {}, {}});
  }

  // `text` as a JSON string, copied in runs between the characters that
  // need escaping.
  void AppendQuoted(absl::string_view text) {
    out_ += '"';
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(text.data() + run, i - run);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += static_cast<char>(c);
      } else {
        absl::StrAppend(&out_, absl::StrFormat("\\u%04x", c));
      }
      run = i + 1;
    }
    out_.append(text.data() + run, text.size() - run);
    out_ += '"';
  }

  static const cbor_callbacks kCallbacks;

  const Shape* const root_;
  std::vector<Frame> stack_;
  std::string out_;
  bool done_ = false;
  absl::Status error_;

  friend struct Callbacks;
};

// libcbor's callbacks, each handing its part to the JsonWriter.
struct Callbacks {
  static void Uint8(void* c, uint8_t v) { JsonWriter::Of(c).Integer(v, false); }
  static void Uint16(void* c, uint16_t v) {
    JsonWriter::Of(c).Integer(v, false);
  }
  static void Uint32(void* c, uint32_t v) {
    JsonWriter::Of(c).Integer(v, false);
  }
  static void Uint64(void* c, uint64_t v) {
    JsonWriter::Of(c).Integer(v, false);
  }
  static void Negint8(void* c, uint8_t v) {
    JsonWriter::Of(c).Integer(v, true);
  }
  static void Negint16(void* c, uint16_t v) {
    JsonWriter::Of(c).Integer(v, true);
  }
  static void Negint32(void* c, uint32_t v) {
    JsonWriter::Of(c).Integer(v, true);
  }
  static void Negint64(void* c, uint64_t v) {
    JsonWriter::Of(c).Integer(v, true);
  }
  static void Bytes(void* c, cbor_data data, uint64_t length) {
    JsonWriter::Of(c).Text(
        absl::string_view(reinterpret_cast<const char*>(data), length), true);
  }
  static void String(void* c, cbor_data data, uint64_t length) {
    JsonWriter::Of(c).Text(
        absl::string_view(reinterpret_cast<const char*>(data), length), false);
  }
  static void BytesStart(void* c) {
    JsonWriter::Of(c).StartChunks(JsonWriter::Frame::kBytes);
  }
  static void StringStart(void* c) {
    JsonWriter::Of(c).StartChunks(JsonWriter::Frame::kText);
  }
  static void ArrayStart(void* c, uint64_t size) {
    JsonWriter::Of(c).Open(
        JsonWriter::Frame::kArray,
        static_cast<int64_t>(std::min<uint64_t>(size, INT64_MAX)));
  }
  static void IndefArrayStart(void* c) {
    JsonWriter::Of(c).Open(JsonWriter::Frame::kArray, -1);
  }
  static void MapStart(void* c, uint64_t size) {
    JsonWriter::Of(c).Open(
        JsonWriter::Frame::kMap,
        static_cast<int64_t>(std::min<uint64_t>(size, INT64_MAX)));
  }
  static void IndefMapStart(void* c) {
    JsonWriter::Of(c).Open(JsonWriter::Frame::kMap, -1);
  }
  // Tag 1 (epoch time) and any other: the tagged item is what counts.
  static void Tag(void*, uint64_t) {}
  static void Float(void* c, float v) { JsonWriter::Of(c).Float(v); }
  static void Double(void* c, double v) { JsonWriter::Of(c).Float(v); }
  static void Null(void* c) { JsonWriter::Of(c).Literal("null"); }
  static void Boolean(void* c, bool v) {
    JsonWriter::Of(c).Literal(v ? "true" : "false");
  }
  static void Break(void* c) { JsonWriter::Of(c).Break(); }
};

const cbor_callbacks JsonWriter::kCallbacks = {
    .uint8 = &Callbacks::Uint8,
    .uint16 = &Callbacks::Uint16,
    .uint32 = &Callbacks::Uint32,
    .uint64 = &Callbacks::Uint64,
    .negint64 = &Callbacks::Negint64,
    .negint32 = &Callbacks::Negint32,
    .negint16 = &Callbacks::Negint16,
    .negint8 = &Callbacks::Negint8,
    .byte_string_start = &Callbacks::BytesStart,
    .byte_string = &Callbacks::Bytes,
    .string = &Callbacks::String,
    .string_start = &Callbacks::StringStart,
    .indef_array_start = &Callbacks::IndefArrayStart,
    .array_start = &Callbacks::ArrayStart,
    .indef_map_start = &Callbacks::IndefMapStart,
    .map_start = &Callbacks::MapStart,
    .tag = &Callbacks::Tag,
    .float2 = &Callbacks::Float,
    .float4 = &Callbacks::Float,
    .float8 = &Callbacks::Double,
    .undefined = &Callbacks::Null,
    .null = &Callbacks::Null,
    .boolean = &Callbacks::Boolean,
    .indef_break = &Callbacks::Break,
};

// --- JSON → CBOR
// ---------------------------------------------------------------

// Appends CBOR items to a string with libcbor's encoders.
class CborWriter {
 public:
  template <typename Encode, typename... Args>
  void Head(Encode encode, Args... args) {
    unsigned char buffer[16];
    const size_t n = encode(args..., buffer, sizeof(buffer));
    out_.append(reinterpret_cast<const char*>(buffer), n);
  }

  // An integer in its shortest form (RFC 8949 section 4.2.1).
  void Integer(int64_t value) {
    if (value >= 0) {
      Head(&cbor_encode_uint, static_cast<uint64_t>(value));
    } else {
      Head(&cbor_encode_negint, static_cast<uint64_t>(-1 - value));
    }
  }

  void Text(absl::string_view text, bool bytes) {
    if (bytes) {
      Head(&cbor_encode_bytestring_start, text.size());
    } else {
      Head(&cbor_encode_string_start, text.size());
    }
    out_.append(text.data(), text.size());
  }

  absl::Status Value(const json::value& value, const Shape* shape) {
    switch (value.kind()) {
      case json::kind::null:
        Head(&cbor_encode_null);
        return absl::OkStatus();
      case json::kind::bool_:
        Head(&cbor_encode_bool, value.get_bool());
        return absl::OkStatus();
      case json::kind::int64:
        Integer(value.get_int64());
        return absl::OkStatus();
      case json::kind::uint64:
        Head(&cbor_encode_uint, value.get_uint64());
        return absl::OkStatus();
      case json::kind::double_:
        if (Is(shape, ShapeType::kTimestamp)) {
          // Tag 1 and epoch milliseconds, as the Java SDK writes them.
          Head(&cbor_encode_tag, uint64_t{1});
          Integer(
              static_cast<int64_t>(std::llround(value.get_double() * 1000)));
        } else {
          Head(&cbor_encode_double, value.get_double());
        }
        return absl::OkStatus();
      case json::kind::string: {
        const absl::string_view text(value.get_string().data(),
                                     value.get_string().size());
        if (!Is(shape, ShapeType::kBlob)) {
          Text(text, false);
          return absl::OkStatus();
        }
        std::string bytes;
        if (!absl::Base64Unescape(text, &bytes)) {
          return InternalFailure("a response blob is not base64");
        }
        Text(bytes, true);
        return absl::OkStatus();
      }
      case json::kind::array:
        Head(&cbor_encode_array_start, value.get_array().size());
        for (const json::value& element : value.get_array()) {
          BROOK_RETURN_IF_ERROR(Value(element, ElementOf(shape)));
        }
        return absl::OkStatus();
      case json::kind::object:
        Head(&cbor_encode_map_start, value.get_object().size());
        for (const auto& [key, member] : value.get_object()) {
          const absl::string_view name(key.data(), key.size());
          Text(name, false);
          BROOK_RETURN_IF_ERROR(Value(member, ValueShape(shape, name)));
        }
        return absl::OkStatus();
    }
    return InternalFailure("an unknown JSON value");
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

absl::StatusOr<std::string> CborToJson(absl::string_view shape_name,
                                       absl::string_view cbor) {
  return JsonWriter(ShapeNamed(shape_name)).Decode(cbor);
}

absl::StatusOr<std::string> JsonToCbor(absl::string_view shape_name,
                                       absl::string_view json_text) {
  boost::system::error_code error;
  json::value value =
      json::parse(json::string_view(json_text.data(), json_text.size()), error);
  if (error) return InternalFailure("a response is not JSON");
  CborWriter writer;
  BROOK_RETURN_IF_ERROR(writer.Value(value, ShapeNamed(shape_name)));
  return writer.Take();
}

std::string InputShapeOf(absl::string_view operation) {
  const schema::Operation* op = schema::FindOperation(operation);
  if (op == nullptr || op->input == schema::kNoShape) return "";
  return std::string(schema::ShapeAt(op->input).name);
}

std::string OutputShapeOf(absl::string_view operation) {
  const schema::Operation* op = schema::FindOperation(operation);
  if (op == nullptr || op->output == schema::kNoShape) return "";
  return std::string(schema::ShapeAt(op->output).name);
}

}  // namespace brook
