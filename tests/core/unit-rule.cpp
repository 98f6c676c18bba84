// The rule as JSON: defaults are the seed's, round trip, precise errors, re-read decisions.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "vpshunt/output.hpp"
#include "vpshunt/rule.hpp"

using namespace vpshunt;
using nlohmann::json;

TEST_CASE("rule defaults are the seed's values", "[rule]") {
  Rule r;
  CHECK(r.beaconMinConnections == 12);
  CHECK(r.observationWindowMinutes == 60);
  CHECK(r.lookbackMinutes == 24 * 60);
  CHECK(r.tiLookbackMinutes == 7 * 24 * 60);
  CHECK(r.actionTypes == std::vector<std::string>{"ConnectionSuccess", "NetworkSignatureInspected"});
  CHECK(r.remoteIpType == "Public");
  REQUIRE(r.riskScore.size() == 6);
  CHECK(r.riskScore[0].score == 95);
  CHECK(r.defaultRiskScore == 20);
}

TEST_CASE("rule JSON round trip and errors", "[rule]") {
  Rule r;
  r.beaconMinConnections = 7;
  r.browserProcesses = {"x.exe"};
  Rule back = ruleFromJson(ruleToJson(r));
  CHECK(ruleToJson(back) == ruleToJson(r));
  CHECK(ruleFromJson(json::parse(R"({"lookbackMinutes": 60})")).lookbackMinutes == 60);

  struct Case {
    const char* input;
    const char* message;
  } cases[] = {
      {R"({"beaconMinConections": 3})", "rule: \"beaconMinConections\" is not a known rule key"},
      {R"({"beaconMinConnections": "12"})", "rule: \"beaconMinConnections\" must be a whole number"},
      {R"({"beaconMinConnections": 0})", "rule: \"beaconMinConnections\" must be between 1 and 1000000000"},
      {R"({"browserProcesses": "chrome.exe"})", "rule: \"browserProcesses\" must be an array of strings"},
      {R"({"riskScore": [{"minConnections": 3}]})", "rule: \"riskScore[0]\" needs a \"score\""},
      {R"({"exclusionPreset": "long"})", "rule: \"exclusionPreset\" must be \"seed\", \"extended\" or \"custom\""},
      {R"([1])", "rule: expected a JSON object"},
  };
  for (const auto& c : cases) {
    SECTION(c.input) {
      try {
        ruleFromJson(json::parse(c.input));
        FAIL("no error");
      } catch (const RuleError& e) {
        CHECK(std::string(e.what()) == c.message);
      }
    }
  }
}

TEST_CASE("which rule changes need the files read again", "[rule]") {
  Rule a, b;
  b.beaconMinConnections = 3;
  b.browserProcesses.clear();
  b.lookbackMinutes = 10;
  CHECK_FALSE(ruleChangeNeedsReread(a, b));
  b.observationWindowMinutes = 30;
  CHECK(ruleChangeNeedsReread(a, b));
  Rule c;
  c.actionTypes.push_back("ConnectionFailed");
  CHECK(ruleChangeNeedsReread(a, c));
}

TEST_CASE("CSV cells are guarded against formula injection", "[output]") {
  CHECK(csvCell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0");
  CHECK(csvCell("+1") == "'+1");
  CHECK(csvCell("-2") == "'-2");
  CHECK(csvCell("@SUM(1)") == "'@SUM(1)");
  CHECK(csvCell("a,b") == "\"a,b\"");
  CHECK(csvCell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csvCell("plain") == "plain");
}

TEST_CASE("rule: the signin and infrastructure parameters, with the same schema as every detection's", "[rule][signin][infrastructure]") {
  Rule r;
  CHECK(r.signin.lookbackMinutes == 24 * 60);
  CHECK(r.signin.sprayMinUsers == 10);
  CHECK(r.signin.sprayMinFailurePercent == 80);
  CHECK(r.signin.compromiseMinFailures == 3);
  CHECK(r.signin.egressMinUsers == 10);
  CHECK(r.signin.codeWords.empty());
  CHECK(r.infrastructure.traceMinScore == 35);
  CHECK(r.infrastructure.ipv4Prefix == 24);
  CHECK(r.infrastructure.ipv6Prefix == 48);
  const json printed = ruleToJson(r);
  CHECK(printed["signin"]["sprayMinUsers"] == 10);
  CHECK(printed["signin"]["codeWords"] == json::object());
  CHECK(printed["infrastructure"]["traceMinScore"] == 35);

  Rule tuned = ruleFromJson(json::parse(
      R"({"signin": {"lookbackMinutes": 60, "sprayMinUsers": 5, "codeWords": {"50126": "wrong password", "0xC000006A": "bad password"}},
          "infrastructure": {"traceMinScore": 50, "ipv6Prefix": 56}})"));
  CHECK(tuned.signin.lookbackMinutes == 60);
  CHECK(tuned.signin.sprayMinUsers == 5);
  REQUIRE(tuned.signin.codeWords.size() == 2);
  CHECK(tuned.infrastructure.traceMinScore == 50);
  CHECK(tuned.infrastructure.ipv6Prefix == 56);
  CHECK(tuned.infrastructure.ipv4Prefix == 24);  // left out: the default
  CHECK(ruleToJson(ruleFromJson(ruleToJson(tuned))) == ruleToJson(tuned));
  CHECK_FALSE(ruleChangeNeedsReread(r, tuned));  // applied over the aggregates held

  struct Case {
    const char* input;
    const char* message;
  } cases[] = {
      {R"({"signin": 3})", "rule: \"signin\" must be an object"},
      {R"({"signin": {"sprayMinUser": 3}})", "rule: \"signin.sprayMinUser\" is not a known rule key"},
      {R"({"signin": {"sprayMinFailurePercent": 101}})", "rule: \"signin.sprayMinFailurePercent\" must be between 0 and 100"},
      {R"({"signin": {"codeWords": ["50126"]}})", "rule: \"signin.codeWords\" must be an object of code: words"},
      {R"({"signin": {"codeWords": {"50126": 1}}})", "rule: \"signin.codeWords.50126\" must be a string"},
      {R"({"infrastructure": {"ipv4Prefix": 33}})", "rule: \"infrastructure.ipv4Prefix\" must be between 8 and 32"},
      {R"({"infrastructure": {"traces": 2}})", "rule: \"infrastructure.traces\" is not a known rule key"},
  };
  for (const auto& c : cases) {
    SECTION(c.input) {
      try {
        ruleFromJson(json::parse(c.input));
        FAIL("no error");
      } catch (const RuleError& e) {
        CHECK(std::string(e.what()) == c.message);
      }
    }
  }
}
