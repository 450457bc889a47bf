// The benchmark tools' result lines as JSON with every number written out
// plainly: Boost.JSON writes a double in its shortest form, which is often
// an exponent (1e+06, 2.5E-1), and the tables and scripts that read the
// results (bench/*.sh, docs/benchmarks.md) quote numbers as people write
// them.
//
// Thread safety: a pure function.

#ifndef BROOK_BENCH_TOOL_PLAIN_JSON_H_
#define BROOK_BENCH_TOOL_PLAIN_JSON_H_

#include <string>

#include "boost/json/value.hpp"

namespace brook::bench {

// Serializes `value` as boost::json::serialize() does, except that a double
// is written in fixed notation with the fewest digits that read back as
// the same double (1000000, 0.25, 0.0000015), and a double that is not
// finite as null (JSON has no infinity or NaN).
std::string PlainJson(const boost::json::value& value);

}  // namespace brook::bench

#endif  // BROOK_BENCH_TOOL_PLAIN_JSON_H_
