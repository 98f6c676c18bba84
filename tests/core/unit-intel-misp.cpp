// MISP event JSON ("intel-misp").
#include <catch2/catch.hpp>

#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

TEST_CASE("intel-misp: detection") {
  for (const char* f : {"intel/misp-response.json", "intel/misp-event-objects.json"}) {
    SECTION(f) { CHECK(sniffBest(fixture(f)) == "intel-misp"); }
  }
}

TEST_CASE("intel-misp: {\"response\": [{\"Event\"}]}, domain|ip, to_ids false, tags after the attributes") {
  auto s = run("intel-misp", fixture("intel/misp-response.json"));
  REQUIRE(s.fatals.empty());
  REQUIRE(s.indicators.size() == 3);
  SECTION("domain|ip: the IP part, NetworkIP; epoch-string timestamp; event tags (galaxy value, no tlp:) as ThreatType") {
    CHECK(s.indicators[0] ==
          "I L12 t=2018-01-18T21:57:53.0000000Z TimeGenerated=1516312673@116 NetworkIP=192.0.2.191@166 "
          "ThreatType=APT00, ExampleLotus@0 Description=Example APT: rastls@0 Active=true@0");
  }
  SECTION("ip-dst with to_ids false is kept; the comment joins Event.info") {
    CHECK(s.indicators[1] ==
          "I L13 t=2018-01-18T21:57:54.0000000Z TimeGenerated=1516312674@113 NetworkIP=192.0.2.203@161 "
          "ThreatType=APT00, ExampleLotus@0 Description=Example APT: rastls - C2 server@0 Active=true@0");
  }
  SECTION("a deleted attribute is inactive; its ShadowAttribute is not an attribute") {
    CHECK(s.indicators[2] ==
          "I L15 t=2018-01-18T21:57:56.0000000Z TimeGenerated=1516312676@113 NetworkIP=192.0.2.204@137 "
          "ThreatType=APT00, ExampleLotus@0 Description=Example APT: rastls@0 Active=false@0");
  }
  SECTION("domains and hashes are other") { CHECK(s.others == std::vector<std::string>{"non-IP indicator", "non-IP indicator"}); }
  SECTION("every split offset") { checkEverySplit("intel-misp", fixture("intel/misp-response.json")); }
}

TEST_CASE("intel-misp: {\"Event\"} with Object[].Attribute[], ip-dst|port, ip-src, a CIDR, attribute tags") {
  auto s = run("intel-misp", fixture("intel/misp-event-objects.json"));
  REQUIRE(s.fatals.empty());
  CHECK(s.indicators == std::vector<std::string>{
                            "I L3 t=2018-10-10T20:28:13.0000000Z TimeGenerated=1539203293@73 NetworkIP=192.0.2.10@97 "
                            "ThreatType=kill-chain:Command and Control@0 Description=Watering hole with domain-ip objects@0 Active=true@0",
                            "I L8 t=2021-11-16T01:03:15.0000000Z TimeGenerated=1637024595@95 NetworkIP=192.0.2.191@119 "
                            "ThreatType=Network activity@0 Description=Watering hole with domain-ip objects@0 Active=true@0",
                            "I L11 t=2021-11-16T01:11:48.0000000Z TimeGenerated=1637025108@87 NetworkIP=2001:db8::66@96 "
                            "ThreatType=Network activity@0 Description=Watering hole with domain-ip objects@0 Active=true@0",
                            "I L12 t=2021-11-16T01:03:16.0000000Z TimeGenerated=1637024596@95 NetworkIP=192.0.2.0/28@119 "
                            "ThreatType=Network activity@0 Description=Watering hole with domain-ip objects@0 Active=true@0"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
  CHECK(s.skips == std::vector<std::string>{
                       "unparseable MISP address 13:119 expected an IP address or CIDR block in the ip-dst attribute, found \"not-an-ip\""});
  SECTION("every split offset") { checkEverySplit("intel-misp", fixture("intel/misp-event-objects.json")); }
}

TEST_CASE("intel-misp: files without events") {
  auto s = run("intel-misp", "{\"response\": []}");
  CHECK(s.fatals == std::vector<std::string>{"0:0 expected a MISP event ({\"Event\": {...}}), found none"});
}
