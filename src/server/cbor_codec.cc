#include "server/cbor_codec.h"

#include <cbor.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
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

// Owns one reference to a libcbor item.
struct ItemDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using Item = std::unique_ptr<cbor_item_t, ItemDeleter>;

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

// The bytes of a text or byte string, definite or in chunks.
std::string BytesOf(const cbor_item_t* item) {
  const bool text = cbor_isa_string(item);
  const bool definite =
      text ? cbor_string_is_definite(item) : cbor_bytestring_is_definite(item);
  if (definite) {
    const unsigned char* data =
        text ? cbor_string_handle(item) : cbor_bytestring_handle(item);
    const size_t length =
        text ? cbor_string_length(item) : cbor_bytestring_length(item);
    return std::string(reinterpret_cast<const char*>(data), length);
  }
  std::string out;
  cbor_item_t** chunks = text ? cbor_string_chunks_handle(item)
                              : cbor_bytestring_chunks_handle(item);
  const size_t count =
      text ? cbor_string_chunk_count(item) : cbor_bytestring_chunk_count(item);
  for (size_t i = 0; i < count; ++i) out += BytesOf(chunks[i]);
  return out;
}

// --- CBOR → JSON
// ---------------------------------------------------------------

absl::StatusOr<json::value> ToJson(const cbor_item_t* item,
                                   const Shape* shape) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
    case CBOR_TYPE_NEGINT: {
      const uint64_t magnitude = cbor_get_int(item);
      if (magnitude > uint64_t{INT64_MAX}) return NotCbor("an integer");
      const int64_t value = cbor_isa_uint(item)
                                ? static_cast<int64_t>(magnitude)
                                : -1 - static_cast<int64_t>(magnitude);
      // The Java SDK's timestamps: epoch milliseconds.
      if (Is(shape, ShapeType::kTimestamp)) {
        return json::value(static_cast<double>(value) / 1000.0);
      }
      return json::value(value);
    }
    case CBOR_TYPE_BYTESTRING:
      return json::value(absl::Base64Escape(BytesOf(item)));
    case CBOR_TYPE_STRING:
      return json::value(BytesOf(item));
    case CBOR_TYPE_ARRAY: {
      json::array array;
      const size_t size = cbor_array_size(item);
      cbor_item_t** elements = cbor_array_handle(item);
      array.reserve(size);
      for (size_t i = 0; i < size; ++i) {
        BROOK_ASSIGN_OR_RETURN(json::value element,
                               ToJson(elements[i], ElementOf(shape)));
        array.push_back(std::move(element));
      }
      return json::value(std::move(array));
    }
    case CBOR_TYPE_MAP: {
      json::object object;
      const size_t size = cbor_map_size(item);
      const cbor_pair* pairs = cbor_map_handle(item);
      for (size_t i = 0; i < size; ++i) {
        if (!cbor_isa_string(pairs[i].key)) return NotCbor("a map key");
        const std::string key = BytesOf(pairs[i].key);
        BROOK_ASSIGN_OR_RETURN(json::value value,
                               ToJson(pairs[i].value, ValueShape(shape, key)));
        object[key] = std::move(value);
      }
      return json::value(std::move(object));
    }
    case CBOR_TYPE_TAG: {
      // Tag 1 (epoch time) and any other: the tagged item is what counts.
      Item tagged(cbor_tag_item(item));
      return ToJson(tagged.get(), shape);
    }
    case CBOR_TYPE_FLOAT_CTRL:
      if (cbor_float_ctrl_is_ctrl(item)) {
        if (cbor_is_bool(item)) return json::value(cbor_get_bool(item));
        if (cbor_is_null(item) || cbor_is_undef(item)) return json::value();
        return NotCbor("a simple value");
      }
      // Epoch seconds, for a timestamp, as RFC 8949 has them.
      return json::value(cbor_float_get_float(item));
  }
  return NotCbor("an item");
}

// --- JSON → CBOR
// ---------------------------------------------------------------

cbor_item_t* Take(Item item) { return cbor_move(item.release()); }

// An integer in its shortest form (RFC 8949 section 4.2.1), as the SDKs'
// writers make them.
Item Integer(uint64_t magnitude, bool negative) {
  cbor_item_t* item;
  if (magnitude <= UINT8_MAX) {
    item = negative ? cbor_build_negint8(static_cast<uint8_t>(magnitude))
                    : cbor_build_uint8(static_cast<uint8_t>(magnitude));
  } else if (magnitude <= UINT16_MAX) {
    item = negative ? cbor_build_negint16(static_cast<uint16_t>(magnitude))
                    : cbor_build_uint16(static_cast<uint16_t>(magnitude));
  } else if (magnitude <= UINT32_MAX) {
    item = negative ? cbor_build_negint32(static_cast<uint32_t>(magnitude))
                    : cbor_build_uint32(static_cast<uint32_t>(magnitude));
  } else {
    item = negative ? cbor_build_negint64(magnitude)
                    : cbor_build_uint64(magnitude);
  }
  return Item(item);
}

Item Integer(int64_t value) {
  return value >= 0 ? Integer(static_cast<uint64_t>(value), false)
                    : Integer(static_cast<uint64_t>(-1 - value), true);
}

absl::StatusOr<Item> ToCbor(const json::value& value, const Shape* shape) {
  switch (value.kind()) {
    case json::kind::null:
      return Item(cbor_new_null());
    case json::kind::bool_:
      return Item(cbor_build_bool(value.get_bool()));
    case json::kind::int64:
      return Integer(value.get_int64());
    case json::kind::uint64:
      return Integer(value.get_uint64(), false);
    case json::kind::double_: {
      const double v = value.get_double();
      if (Is(shape, ShapeType::kTimestamp)) {
        // Tag 1 and epoch milliseconds, as the Java SDK writes them.
        Item millis = Integer(static_cast<int64_t>(std::llround(v * 1000.0)));
        return Item(cbor_build_tag(1, Take(std::move(millis))));
      }
      return Item(cbor_build_float8(v));
    }
    case json::kind::string: {
      const json::string& text = value.get_string();
      if (Is(shape, ShapeType::kBlob)) {
        std::string bytes;
        if (!absl::Base64Unescape(absl::string_view(text.data(), text.size()),
                                  &bytes)) {
          return InternalFailure("a response blob is not base64");
        }
        return Item(cbor_build_bytestring(
            reinterpret_cast<const unsigned char*>(bytes.data()),
            bytes.size()));
      }
      return Item(cbor_build_stringn(text.data(), text.size()));
    }
    case json::kind::array: {
      const json::array& array = value.get_array();
      Item out(cbor_new_definite_array(array.size()));
      for (const json::value& element : array) {
        BROOK_ASSIGN_OR_RETURN(Item item, ToCbor(element, ElementOf(shape)));
        if (!cbor_array_push(out.get(), Take(std::move(item)))) {
          return InternalFailure("cannot build a CBOR array");
        }
      }
      return out;
    }
    case json::kind::object: {
      const json::object& object = value.get_object();
      Item out(cbor_new_definite_map(object.size()));
      for (const auto& [key, member] : object) {
        const absl::string_view name(key.data(), key.size());
        BROOK_ASSIGN_OR_RETURN(Item item,
                               ToCbor(member, ValueShape(shape, name)));
        Item key_item(cbor_build_stringn(key.data(), key.size()));
        if (!cbor_map_add(out.get(),
                          {Take(std::move(key_item)), Take(std::move(item))})) {
          return InternalFailure("cannot build a CBOR map");
        }
      }
      return out;
    }
  }
  return InternalFailure("an unknown JSON value");
}

}  // namespace

absl::StatusOr<std::string> CborToJson(absl::string_view shape_name,
                                       absl::string_view cbor) {
  cbor_load_result result;
  Item item(cbor_load(reinterpret_cast<const unsigned char*>(cbor.data()),
                      cbor.size(), &result));
  if (item == nullptr || result.error.code != CBOR_ERR_NONE) {
    return NotCbor("not one well-formed item");
  }
  if (result.read != cbor.size()) return NotCbor("bytes after the item");
  BROOK_ASSIGN_OR_RETURN(json::value value,
                         ToJson(item.get(), ShapeNamed(shape_name)));
  return json::serialize(value);
}

absl::StatusOr<std::string> JsonToCbor(absl::string_view shape_name,
                                       absl::string_view json_text) {
  boost::system::error_code error;
  json::value value =
      json::parse(json::string_view(json_text.data(), json_text.size()), error);
  if (error) return InternalFailure("a response is not JSON");
  BROOK_ASSIGN_OR_RETURN(Item item, ToCbor(value, ShapeNamed(shape_name)));
  unsigned char* buffer = nullptr;
  size_t capacity = 0;
  const size_t length = cbor_serialize_alloc(item.get(), &buffer, &capacity);
  std::unique_ptr<unsigned char, decltype(&free)> owned(buffer, &free);
  if (length == 0) return InternalFailure("cannot serialize CBOR");
  return std::string(reinterpret_cast<const char*>(buffer), length);
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
