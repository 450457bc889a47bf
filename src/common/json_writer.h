// AppendJson(): a Boost.JSON value as JSON text, with each double written
// by the caller. Boost.JSON writes a double in its shortest form, often an
// exponent (1.796031598107E9, 1e+06), which some readers cannot take
// (the AWS SDK for Java v2 reading timestamps) and people do not quote;
// everything else has one form and is written as boost::json::serialize()
// writes it.
//
// Thread safety: a pure function.

#ifndef BROOK_COMMON_JSON_WRITER_H_
#define BROOK_COMMON_JSON_WRITER_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "boost/json/value.hpp"

namespace brook {

// Appends `value` to `out`, calling `append_double` for every double in it.
void AppendJson(const boost::json::value& value,
                absl::FunctionRef<void(double, std::string*)> append_double,
                std::string* out);

}  // namespace brook

#endif  // BROOK_COMMON_JSON_WRITER_H_
