// The rule JSON parser (--config, the page's rule editor): any text either parses into a Rule or is
// refused with a RuleError / parse error, never anything else; and a rule that parses writes out as
// JSON that parses back to the same JSON (so --print-config output is always a valid --config).
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vpshunt/rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vpshunt;
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  Rule r;
  try {
    r = ruleFromJson(j);
  } catch (const RuleError& e) {
    VPSHUNT_FUZZ_CHECK(*e.what() != 0, "RuleError without a message");
    return 0;
  }
  nlohmann::json out = ruleToJson(r);
  std::string text = out.dump(2);
  Rule back;
  try {
    back = ruleFromJson(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    fuzz::fail("ruleToJson output is refused by ruleFromJson", std::string(e.what()) + "\n" + text);
  }
  if (ruleToJson(back).dump(2) != text) fuzz::fail("rule JSON does not round-trip", text);
  VPSHUNT_FUZZ_CHECK(!ruleChangeNeedsReread(r, back), "a round-tripped rule needs a re-read");
  return 0;
}
