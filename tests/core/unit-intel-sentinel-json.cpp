// Sentinel threat-intel rows as JSON ("intel-sentinel-json").
#include <catch2/catch.hpp>

#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

TEST_CASE("intel-sentinel-json: detection") {
  for (const char* f : {"intel/sentinel-tii-array.json", "intel/sentinel-tii-lines.jsonl", "intel/threatintelindicators-value.json",
                        "intel/sentinel-la-query.json"}) {
    SECTION(f) { CHECK(sniffBest(fixture(f)) == "intel-sentinel-json"); }
  }
}

TEST_CASE("intel-sentinel-json: ThreatIntelligenceIndicator rows as a JSON array") {
  auto s = run("intel-sentinel-json", fixture("intel/sentinel-tii-array.json"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L2 TimeGenerated=2024-05-01T10:00:00.0000000Z@73 NetworkIP=203.0.113.77@118 ThreatType=C2@148 "
                            "ConfidenceScore=90@173 Description=Beacon host@192 Active=true@217 ExpirationDateTime=2024-08-01T00:00:00Z@245",
                            "I L4 TimeGenerated=2024-05-01T11:00:00Z@21 NetworkCidrBlock=198.51.100.0/24@65 ThreatType=Botnet@98 "
                            "ConfidenceScore=50@144 Active=false@118",
                            "I L5 TimeGenerated=2024-05-02T00:00:00Z@27 NetworkDestinationIP=2001:db8:0:0:0:0:0:25@82 Active=True@117"});
  SECTION("a domain row is other") { CHECK(s.others == std::vector<std::string>{"non-IP indicator"}); }
  SECTION("every split offset") { checkEverySplit("intel-sentinel-json", fixture("intel/sentinel-tii-array.json")); }
}

TEST_CASE("intel-sentinel-json: JSON Lines — a damaged line costs that line only") {
  auto s = run("intel-sentinel-json", fixture("intel/sentinel-tii-lines.jsonl"));
  CHECK(s.indicators.size() == 2);
  CHECK(s.skips == std::vector<std::string>{"malformed JSON 2:96 expected 'true', found '}'"});
  SECTION("every split offset") { checkEverySplit("intel-sentinel-json", fixture("intel/sentinel-tii-lines.jsonl")); }
}

TEST_CASE("intel-sentinel-json: ThreatIntelIndicators rows in a {\"value\": [...]} envelope") {
  auto s = run("intel-sentinel-json", fixture("intel/threatintelindicators-value.json"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L2 TimeGenerated=2025-09-01T00:00:00Z@21 NetworkIP=203.0.113.9@123 ThreatType=malicious-activity, c2@381 "
                            "ConfidenceScore=80@199 Description=VPS C2@351 Active=true@215 ExpirationDateTime=2025-12-01T00:00:00Z@310",
                            "I L3 TimeGenerated=2025-09-01T00:00:00Z@21 NetworkDestinationIP=198.51.100.4@115 Active=false@142",
                            "I L5 TimeGenerated=2025-09-01T00:00:00Z@21 NetworkCidrBlock=2001:db8::/32@77 Active=false@141",
                            "I L5 TimeGenerated=2025-09-01T00:00:00Z@21 NetworkIP=192.0.2.55@114 Active=false@141"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
  CHECK(s.skips == std::vector<std::string>{
                       "unparseable IP indicator 6:101 expected an IP address or CIDR block for ipv4-addr:value, found \"203.0.113.999\""});
  SECTION("every split offset") { checkEverySplit("intel-sentinel-json", fixture("intel/threatintelindicators-value.json")); }
}

TEST_CASE("intel-sentinel-json: Log Analytics query API ({\"tables\": [{\"columns\", \"rows\"}]})") {
  auto s = run("intel-sentinel-json", fixture("intel/sentinel-la-query.json"));
  CHECK(s.indicators == std::vector<std::string>{"I L2 TimeGenerated=2024-05-01T10:00:00Z@10 NetworkIP=203.0.113.5@33 ThreatType=C2@47 Active=true@52"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
  SECTION("every split offset") { checkEverySplit("intel-sentinel-json", fixture("intel/sentinel-la-query.json")); }
}

TEST_CASE("intel-sentinel-json: Microsoft Graph tiIndicator names") {
  CHECK(sniffBest(fixture("intel/graph-tiindicators.json")) == "intel-sentinel-json");
  auto s = run("intel-sentinel-json", fixture("intel/graph-tiindicators.json"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L2 TimeGenerated=2024-06-01T00:00:00Z@205 NetworkIP=192.0.2.70@280 ThreatType=C2@83 "
                            "ConfidenceScore=70@261 Description=VPS C2@125 Active=true@241 ExpirationDateTime=2024-09-01T00:00:00Z@157",
                            "I L3 NetworkDestinationIP=2001:db8::70@64 ThreatType=Proxy@29 Active=false@92"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
  SECTION("every split offset") { checkEverySplit("intel-sentinel-json", fixture("intel/graph-tiindicators.json")); }
}
