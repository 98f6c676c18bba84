// STIX 2.0 / 2.1 threat intel ("intel-stix") and the STIX pattern scanner.
#include <catch2/catch.hpp>

#include "formats/intel_json_common.hpp"
#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

TEST_CASE("scanStixPattern") {
  struct Case {
    const char* name;
    const char* pattern;
    std::vector<std::string> expected;  // "field=value@offset"
    bool sawAddressPath;
  };
  const Case cases[] = {
      {"ipv4-addr:value", "[ipv4-addr:value = '192.0.2.1']", {"NetworkIP=192.0.2.1@20"}, true},
      {"ipv6-addr:value", "[ipv6-addr:value = '2001:db8::1']", {"NetworkIP=2001:db8::1@20"}, true},
      {"a CIDR inside the pattern", "[ipv4-addr:value = '223.166.0.0/15']", {"NetworkIP=223.166.0.0/15@20"}, true},
      {"network-traffic dst_ref (MISP's STIX export), with the type comparison ignored",
       "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.181']",
       {"NetworkDestinationIP=192.0.2.181@81"}, true},
      {"network-traffic src_ref", "[network-traffic:src_ref.value = '192.0.2.2']", {"NetworkSourceIP=192.0.2.2@34"}, true},
      {"OR inside one observation and across observations",
       "[ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = '192.0.2.2'] OR [ipv4-addr:value='192.0.2.3']",
       {"NetworkIP=192.0.2.1@20", "NetworkIP=192.0.2.2@53", "NetworkIP=192.0.2.3@86"}, true},
      {"IN list", "[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", {"NetworkIP=192.0.2.1@22", "NetworkIP=192.0.2.2@35"}, true},
      {"ISSUBSET", "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", {"NetworkIP=198.51.100.0/24@27"}, true},
      {"!= and NOT are not assertions", "[ipv4-addr:value != '192.0.2.1' AND ipv4-addr:value NOT = '192.0.2.2']", {}, true},
      {"domain and hashes are ignored",
       "[domain-name:value = 'c2.example' AND file:hashes.'SHA-256' = 'ef53'] OR [x509-certificate:issuer = 'CN=ipv4-addr:value = 1.2.3.4']",
       {}, false},
      {"a qualifier after the observation", "[ipv4-addr:value = '192.0.2.9'] REPEATS 5 TIMES WITHIN 10 SECONDS START t'2016-06-01T00:00:00Z'",
       {"NetworkIP=192.0.2.9@20"}, true},
      {"an address path inside a string literal is not a path", "[artifact:payload_bin MATCHES 'ipv4-addr:value = \\'192.0.2.1\\'']", {}, false},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      std::vector<intel::PatternAddress> out;
      bool saw = false;
      intel::scanStixPattern(c.pattern, out, saw);
      std::vector<std::string> got;
      for (const auto& a : out) got.push_back(std::string(intelFieldName(a.field)) + "=" + std::string(a.value) + "@" + std::to_string(a.offset));
      CHECK(got == c.expected);
      CHECK(saw == c.sawAddressPath);
    }
  }
}

TEST_CASE("intel-stix: detection") {
  for (const char* f : {"intel/stix20-misp-bundle.json", "intel/stix21-bundle.json", "intel/sentinel-import-template.json"}) {
    SECTION(f) { CHECK(sniffBest(fixture(f)) == "intel-stix"); }
  }
}

TEST_CASE("intel-stix: STIX 2.0 bundle from MISP (version on the bundle, one minified line, network-traffic patterns)") {
  auto s = run("intel-stix", fixture("intel/stix20-misp-bundle.json"));
  REQUIRE(s.fatals.empty());
  CHECK(s.indicators == std::vector<std::string>{
                            "I L1 TimeGenerated=2024-04-18T19:35:00.000Z@454 NetworkIP=192.0.2.181@575 "
                            "ThreatType=Network activity@0 Active=true@0",
                            "I L1 TimeGenerated=2024-04-18T19:34:07.000Z@953 NetworkIP=2001:db8::7@1074 ThreatType=c2@0 Active=true@0"});
  SECTION("identity and x-misp-attribute objects are other, not problems") {
    CHECK(s.others == std::vector<std::string>{"STIX object other than an indicator", "STIX object other than an indicator"});
    CHECK(s.skips.empty());
  }
  SECTION("the bundle's version is noted") { CHECK(s.notes == std::vector<std::string>{"STIX 2.0 bundle"}); }
  SECTION("every split offset") { checkEverySplit("intel-stix", fixture("intel/stix20-misp-bundle.json")); }
}

TEST_CASE("intel-stix: STIX 2.1 bundle (version on each object)") {
  auto s = run("intel-stix", fixture("intel/stix21-bundle.json"));
  REQUIRE(s.fatals.empty());
  REQUIRE(s.indicators.size() == 6);
  SECTION("a CIDR inside the pattern -> NetworkIP (matched as a range); name and description; a stray blank line inside the object") {
    CHECK(s.indicators[0] ==
          "I L5 TimeGenerated=2015-05-15T09:12:16.432Z@25 NetworkIP=198.51.0.0/16@45 ThreatType=malicious-activity@0 "
          "Description=HTRAN Hop Point Accessor - Range used for hop points.@0 Active=true@0");
  }
  SECTION("several literals -> several indicators; revoked -> Active false; modified -> TimeGenerated; valid_until; labels") {
    const std::string common =
        " ThreatType=c2, vps@0 ConfidenceScore=85@27 Description=Two C2 servers@0 Active=false@24 ExpirationDateTime=2022-01-01T00:00:00Z@28";
    CHECK(s.indicators[1] == "I L28 TimeGenerated=2021-02-03T04:05:06.000Z@25 NetworkIP=192.0.2.10@45" + common);
    CHECK(s.indicators[2] == "I L28 TimeGenerated=2021-02-03T04:05:06.000Z@25 NetworkIP=192.0.2.11@79" + common);
    CHECK(s.indicators[3] == "I L28 TimeGenerated=2021-02-03T04:05:06.000Z@25 NetworkIP=2001:db8::10@117" + common);
    CHECK(s.indicators[4] == "I L28 TimeGenerated=2021-02-03T04:05:06.000Z@25 NetworkIP=2001:db8::11@133" + common);
    CHECK(s.indicators[5] == "I L28 TimeGenerated=2021-02-03T04:05:06.000Z@25 NetworkIP=192.0.2.128/25@218" + common);
  }
  SECTION("domains, hashes, snort patterns and relationships are other") {
    CHECK(s.others == std::vector<std::string>{"non-IP indicator", "indicator with a non-STIX pattern", "STIX object other than an indicator"});
  }
  SECTION("a bad address in a pattern is skipped at its line and column") {
    CHECK(s.skips == std::vector<std::string>{
                         "unparseable address in a STIX pattern 57:45 expected an IP address or CIDR block in the pattern, found '192.0.2.300'"});
  }
  SECTION("every split offset") { checkEverySplit("intel-stix", fixture("intel/stix21-bundle.json")); }
}

TEST_CASE("intel-stix: Sentinel import template (bare array, confidence as a string, a tab in the indentation)") {
  auto s = run("intel-stix", fixture("intel/sentinel-import-template.json"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L2 TimeGenerated=2022-07-27T12:00:00.000Z@19 NetworkIP=198.51.100.5@39 "
                            "ThreatType=anonymization, malicious-activity@0 ConfidenceScore=95@21 Description=Sample IPv4 indicator@0 Active=true@0"});
  SECTION("every split offset") { checkEverySplit("intel-stix", fixture("intel/sentinel-import-template.json")); }
}

TEST_CASE("intel-stix: JSON Lines of indicators and errors") {
  SECTION("one indicator a line") {
    auto s = run("intel-stix",
                 "{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value = '192.0.2.1']\",\"valid_from\":\"2024-01-01T00:00:00Z\"}\n"
                 "{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value = '192.0.2.2']\",\"created\":\"2024-01-02T00:00:00Z\"}\n");
    CHECK(s.indicators == std::vector<std::string>{
                              "I L1 TimeGenerated=2024-01-01T00:00:00Z@78 NetworkIP=192.0.2.1@52 Active=true@0",
                              "I L2 TimeGenerated=2024-01-02T00:00:00Z@75 NetworkIP=192.0.2.2@52 Active=true@0"});
  }
  SECTION("an indicator without a pattern") {
    auto s = run("intel-stix", "[{\"type\":\"indicator\",\"name\":\"x\"}]");
    CHECK(s.skips == std::vector<std::string>{"indicator without a pattern 1:2 expected a \"pattern\" member in the STIX indicator"});
  }
  SECTION("malformed JSON is fatal, at its line and column") {
    auto s = run("intel-stix", "{\"type\": \"bundle\",\n \"objects\": [}");
    REQUIRE(s.fatals.size() == 1);
    CHECK(s.fatals[0].rfind("2:14 ", 0) == 0);
  }
}
