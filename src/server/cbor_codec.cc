#include "server/cbor_codec.h"

#include <cbor.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "boost/json/value_stack.hpp"
#include "brook/error.h"
#include "common/base64.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "schema/kinesis_shapes.h"
#include "server/json_fields.h"

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

// --- CBOR → value tree
// -------------------------------------------------------

// Builds the value tree of one CBOR item as libcbor's streaming decoder
// reports its parts, each with the shape of the member it belongs to, so
// that blobs and timestamps take their model types as they arrive.
class TreeReader {
 public:
  TreeReader(const Shape* shape, BlobForm blobs, json::storage_ptr storage)
      : root_(shape), blobs_(blobs) {
    values_.reset(std::move(storage));
  }

  absl::StatusOr<json::value> Read(absl::string_view cbor) {
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
    return values_.release();
  }

 private:
  // An open array, map or string of chunks.
  struct Frame {
    enum Kind { kArray, kMap, kText, kBytes };
    Frame(Kind kind, int64_t size, const Shape* shape)
        : kind(kind), size(size), shape(shape) {}

    Kind kind;
    int64_t size;  // Items (arrays) or pairs (maps); -1 if indefinite.
    const Shape* shape;
    int64_t count = 0;                   // Items or pairs complete so far.
    bool expect_key = true;              // Maps: the next item is a key.
    const Shape* value_shape = nullptr;  // Maps: of the value that follows.
    std::string chunks;                  // Strings of chunks.
  };
  static constexpr size_t kMaxDepth = 64;

  friend struct Callbacks;
  static TreeReader& Of(void* context) {
    return *static_cast<TreeReader*>(context);
  }

  void Fail(absl::string_view why) {
    if (error_.ok()) error_ = NotCbor(why);
  }

  // Runs one of the value stack's pushes, which throw only when memory
  // runs out: no exception may unwind through libcbor.
  template <typename Pushes>
  void Push(Pushes push) {
    try {
      push(values_);
    } catch (const std::exception&) {
      Fail("a value too large to hold");
    }
  }

  // The shape of the value that comes next.
  const Shape* NextShape() const {
    if (stack_.empty()) return root_;
    const Frame& top = stack_.back();
    return top.kind == Frame::kArray ? ElementOf(top.shape) : top.value_shape;
  }

  bool InChunks() const {
    return !stack_.empty() && (stack_.back().kind == Frame::kText ||
                               stack_.back().kind == Frame::kBytes);
  }

  // Whether a value may come next.
  bool BeginValue() {
    if (!error_.ok()) return false;
    if (stack_.empty()) return !done_;
    if (InChunks()) {
      // RFC 8949 section 3.2.3: only definite strings of the same type.
      Fail("an item inside a chunked string that is not a chunk");
      return false;
    }
    if (stack_.back().kind == Frame::kMap && stack_.back().expect_key) {
      Fail("a map key that is not a text string");
      return false;
    }
    return true;
  }

  // A value is complete: counts it, and closes what it completed.
  void EndValue() {
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.kind == Frame::kMap) top.expect_key = true;
      ++top.count;
      if (top.size < 0 || top.count < top.size) return;
      Close();
    }
    done_ = true;
  }

  void Close() {
    const Frame& top = stack_.back();
    const size_t count = static_cast<size_t>(top.count);
    if (top.kind == Frame::kMap) {
      Push([count](json::value_stack& values) { values.push_object(count); });
    } else {
      Push([count](json::value_stack& values) { values.push_array(count); });
    }
    stack_.pop_back();
  }

  void Open(Frame::Kind kind, int64_t size) {
    if (!BeginValue()) return;
    if (stack_.size() >= kMaxDepth) return Fail("nested too deep");
    stack_.emplace_back(kind, size, NextShape());
    if (size == 0) {
      Close();
      EndValue();
    }
  }

  void Text(absl::string_view text, bool bytes) {
    if (InChunks()) {
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
      Push([text](json::value_stack& values) {
        values.push_key(json::string_view(text.data(), text.size()));
      });
      top.value_shape = ValueShape(top.shape, text);
      top.expect_key = false;
      return;
    }
    if (!BeginValue()) return;
    const bool blob = Is(NextShape(), ShapeType::kBlob);
    if (blob && !bytes && blobs_ == BlobForm::kBytes) {
      // A blob sent as base64 text, as JSON would carry it.
      absl::StatusOr<std::string> decoded = DecodeBase64(text);
      if (!decoded.ok()) return Fail("a blob that is text but not base64");
      PushString(*decoded);
    } else if (bytes && !(blob && blobs_ == BlobForm::kBytes)) {
      PushString(EncodeBase64(text));  // Text is all a JSON value holds.
    } else {
      PushString(text);
    }
    EndValue();
  }

  void PushString(absl::string_view text) {
    Push([text](json::value_stack& values) {
      values.push_string(json::string_view(text.data(), text.size()));
    });
  }

  void Integer(uint64_t magnitude, bool negative) {
    if (!BeginValue()) return;
    if (magnitude > uint64_t{INT64_MAX}) return Fail("an integer");
    const int64_t value = negative ? -1 - static_cast<int64_t>(magnitude)
                                   : static_cast<int64_t>(magnitude);
    if (Is(NextShape(), ShapeType::kTimestamp)) {
      // The Java SDK's timestamps: epoch milliseconds; the tree's: seconds.
      Push([value](json::value_stack& values) {
        values.push_double(static_cast<double>(value) / 1000.0);
      });
    } else {
      Push([value](json::value_stack& values) { values.push_int64(value); });
    }
    EndValue();
  }

  void Float(double value) {
    if (!BeginValue()) return;
    if (!std::isfinite(value)) return Fail("a number JSON cannot hold");
    Push([value](json::value_stack& values) { values.push_double(value); });
    EndValue();
  }

  void Null() {
    if (!BeginValue()) return;
    Push([](json::value_stack& values) { values.push_null(); });
    EndValue();
  }

  void Boolean(bool value) {
    if (!BeginValue()) return;
    Push([value](json::value_stack& values) { values.push_bool(value); });
    EndValue();
  }

  void Break() {
    if (stack_.empty() || stack_.back().size >= 0) {
      return Fail("a break outside an indefinite item");
    }
    Frame& top = stack_.back();
    if (InChunks()) {
      const std::string chunks = std::move(top.chunks);
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
    if (InChunks()) return Fail("nested chunked strings");
    stack_.emplace_back(kind, -1, nullptr);
  }

  static const cbor_callbacks kCallbacks;

  const Shape* const root_;
  const BlobForm blobs_;
  json::value_stack values_;
  std::vector<Frame> stack_;
  bool done_ = false;
  absl::Status error_;
};

// libcbor's callbacks, each handing its part to the TreeReader.
struct Callbacks {
  static void Uint8(void* c, uint8_t v) { TreeReader::Of(c).Integer(v, false); }
  static void Uint16(void* c, uint16_t v) {
    TreeReader::Of(c).Integer(v, false);
  }
  static void Uint32(void* c, uint32_t v) {
    TreeReader::Of(c).Integer(v, false);
  }
  static void Uint64(void* c, uint64_t v) {
    TreeReader::Of(c).Integer(v, false);
  }
  static void Negint8(void* c, uint8_t v) {
    TreeReader::Of(c).Integer(v, true);
  }
  static void Negint16(void* c, uint16_t v) {
    TreeReader::Of(c).Integer(v, true);
  }
  static void Negint32(void* c, uint32_t v) {
    TreeReader::Of(c).Integer(v, true);
  }
  static void Negint64(void* c, uint64_t v) {
    TreeReader::Of(c).Integer(v, true);
  }
  static void Bytes(void* c, cbor_data data, uint64_t length) {
    TreeReader::Of(c).Text(
        absl::string_view(reinterpret_cast<const char*>(data), length), true);
  }
  static void String(void* c, cbor_data data, uint64_t length) {
    TreeReader::Of(c).Text(
        absl::string_view(reinterpret_cast<const char*>(data), length), false);
  }
  static void BytesStart(void* c) {
    TreeReader::Of(c).StartChunks(TreeReader::Frame::kBytes);
  }
  static void StringStart(void* c) {
    TreeReader::Of(c).StartChunks(TreeReader::Frame::kText);
  }
  static void ArrayStart(void* c, uint64_t size) {
    TreeReader::Of(c).Open(
        TreeReader::Frame::kArray,
        static_cast<int64_t>(std::min<uint64_t>(size, INT64_MAX)));
  }
  static void IndefArrayStart(void* c) {
    TreeReader::Of(c).Open(TreeReader::Frame::kArray, -1);
  }
  static void MapStart(void* c, uint64_t size) {
    TreeReader::Of(c).Open(
        TreeReader::Frame::kMap,
        static_cast<int64_t>(std::min<uint64_t>(size, INT64_MAX)));
  }
  static void IndefMapStart(void* c) {
    TreeReader::Of(c).Open(TreeReader::Frame::kMap, -1);
  }
  // Tag 1 (epoch time) and any other: the tagged item is what counts.
  static void Tag(void*, uint64_t) {}
  static void Float(void* c, float v) { TreeReader::Of(c).Float(v); }
  static void Double(void* c, double v) { TreeReader::Of(c).Float(v); }
  static void Null(void* c) { TreeReader::Of(c).Null(); }
  static void Boolean(void* c, bool v) { TreeReader::Of(c).Boolean(v); }
  static void Break(void* c) { TreeReader::Of(c).Break(); }
};

const cbor_callbacks TreeReader::kCallbacks = {
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

// --- value tree → CBOR
// -------------------------------------------------------

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
        absl::StatusOr<std::string> bytes = DecodeBase64(text);
        if (!bytes.ok())
          return InternalFailure("a response blob is not base64");
        Text(*bytes, true);
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

absl::StatusOr<json::value> ReadCbor(absl::string_view shape_name,
                                     absl::string_view cbor, BlobForm blobs,
                                     json::storage_ptr storage) {
  return TreeReader(ShapeNamed(shape_name), blobs, std::move(storage))
      .Read(cbor);
}

absl::StatusOr<std::string> WriteCbor(absl::string_view shape_name,
                                      const json::value& value) {
  CborWriter writer;
  BROOK_RETURN_IF_ERROR(writer.Value(value, ShapeNamed(shape_name)));
  return writer.Take();
}

absl::StatusOr<std::string> CborToJson(absl::string_view shape_name,
                                       absl::string_view cbor) {
  BROOK_ASSIGN_OR_RETURN(json::value value,
                         ReadCbor(shape_name, cbor, BlobForm::kBase64));
  return SerializeResponse(value);
}

absl::StatusOr<std::string> JsonToCbor(absl::string_view shape_name,
                                       absl::string_view json_text) {
  boost::system::error_code error;
  json::value value =
      json::parse(json::string_view(json_text.data(), json_text.size()), error);
  if (error) return InternalFailure("a response is not JSON");
  return WriteCbor(shape_name, value);
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
