// The rule JSON's "suppressions" list (vpshunt/rule.hpp, Suppression): read with the same strictness
// as every other rule key (unknown keys, keys of another kind, missing who/why, bad addresses and
// times are RuleErrors naming the entry and key, e.g. `rule: "suppressions[2].remoteIp" must be an
// address or a CIDR, not "10.0.0.300"`), and written back so that ruleFromJson(ruleToJson(r)) == r.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "vpshunt/rule.hpp"

namespace vpshunt::tuning {

std::vector<Suppression> suppressionsFromJson(const nlohmann::json& v);  // throws RuleError
nlohmann::json suppressionsToJson(const std::vector<Suppression>& list);

}  // namespace vpshunt::tuning
