// Boost.JSON's implementation, compiled once for the benchmark tool.
#include "boost/json/src.hpp"
