// vpshunt_gen's shapes beyond the default Defender export (shapes.cpp): short, full, zeek, results.
#pragma once
#include <string>

#include "gen_common.hpp"

namespace gen {

// True for the names --shape takes besides "default".
bool isShape(const std::string& name);
// The --groups a shape uses when none is given: flows (short, full, zeek) or devices (results).
const char* defaultGroups(const std::string& shape);
// Writes o.shape's export (and o.intel when set), prints the summary line on stderr; the exit status.
int runShape(const Options& o);

}  // namespace gen
