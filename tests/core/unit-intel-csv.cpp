// Observable-per-row intel CSV ("intel-ioc-csv"): ThreatIntelIndicators exports, Microsoft IOC CSVs,
// Sentinel's import template.
#include <catch2/catch.hpp>

#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

TEST_CASE("intel-ioc-csv: detection") {
  for (const char* f : {"intel/ioc-indicators.csv", "intel/ioc-bom-nbsp.csv", "intel/threatintelindicators.csv", "intel/import-template.csv"}) {
    SECTION(f) { CHECK(sniffBest(fixture(f)) == "intel-ioc-csv"); }
  }
  SECTION("a ThreatIntelligenceIndicator CSV (NetworkIP column) is not ours") {
    CHECK(factory("intel-ioc-csv").sniff("TimeGenerated,NetworkIP,Type,Active\n", "") == 0);
  }
}

TEST_CASE("intel-ioc-csv: Microsoft IOC CSV (IoC/IoC_Type, US dates, CRLF, TRUE/FALSE)") {
  auto s = run("intel-ioc-csv", fixture("intel/ioc-indicators.csv"));
  REQUIRE(s.fatals.empty());
  CHECK(s.indicators == std::vector<std::string>{
                            "I L3 TimeGenerated=2022-12-07T00:00:00Z@1 NetworkIP=192.0.2.248@11 ThreatType=Cryptocurrency Industry@74 "
                            "ConfidenceScore=100@70 Description=Storm-0000  targeted attacks@35 Active=true@98 "
                            "ExpirationDateTime=2023-01-07T00:00:00Z@26",
                            "I L6 TimeGenerated=2022-12-21T00:00:00Z@1 NetworkIP=2001:db8::5@12 ThreatType=Botnet@68 ConfidenceScore=90@65 "
                            "Description=Storm-0001, botnet@38 Active=false@75 ExpirationDateTime=2025-12-21T00:00:00Z@27"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator", "non-IP indicator"});
  CHECK(s.skips == std::vector<std::string>{
                       "unparseable IP indicator 5:12 expected an IP address or CIDR block (type IP), found \"192.0.2.256\""});
  SECTION("every split offset") { checkEverySplit("intel-ioc-csv", fixture("intel/ioc-indicators.csv")); }
}

TEST_CASE("intel-ioc-csv: UTF-8 BOM, trailing NO-BREAK SPACE, empty FirstSeen, DateAdded as the time") {
  auto s = run("intel-ioc-csv", fixture("intel/ioc-bom-nbsp.csv"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L3 TimeGenerated=2021-05-28T00:00:00Z@1 NetworkIP=192.0.2.177@12 ThreatType=Malicious IP Address@61 "
                            "Description=May 21 Example Indicators@35 Active=true@0",
                            "I L4 TimeGenerated=2021-05-28T00:00:00Z@1 NetworkIP=198.51.100.239@12 ThreatType=Malicious IP Address@64 "
                            "Description=May 21 Example Indicators@38 Active=true@0"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
  SECTION("every split offset") { checkEverySplit("intel-ioc-csv", fixture("intel/ioc-bom-nbsp.csv")); }
}

TEST_CASE("intel-ioc-csv: ThreatIntelIndicators export (ObservableKey, locale times, Revoked/IsDeleted, Pattern)") {
  auto s = run("intel-ioc-csv", fixture("intel/threatintelindicators.csv"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L2 TimeGenerated=2025-09-01T14:32:49.068Z@38 NetworkIP=192.0.2.9@94 ConfidenceScore=80@138 Active=true@141 "
                            "ExpirationDateTime=2025-12-01T00:00:00.000Z@187",
                            "I L3 TimeGenerated=2025-09-01T14:32:49.068Z@38 NetworkDestinationIP=198.51.100.4@108 ConfidenceScore=50@122 "
                            "Active=false@125",
                            "I L5 TimeGenerated=2025-09-01T14:32:49.068Z@38 NetworkCidrBlock=192.0.2.0/24@98 ConfidenceScore=50@115 "
                            "Active=false@118"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
  CHECK(s.skips == std::vector<std::string>{
                       "malformed CSV record 6:103 expected a delimiter or the end of the line after a closing quote"});
  SECTION("every split offset") { checkEverySplit("intel-ioc-csv", fixture("intel/threatintelindicators.csv")); }
}

TEST_CASE("intel-ioc-csv: Sentinel import template (observableType / observableValue, revoked)") {
  auto s = run("intel-ioc-csv", fixture("intel/import-template.csv"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L3 TimeGenerated=2022-07-18T12:00:00.000Z@36 NetworkIP=192.0.2.44@104 ThreatType=C2@1 ConfidenceScore=90@27 "
                            "Description=VPS C2@20 Active=true@0 ExpirationDateTime=2023-07-18T12:00:00.000Z@61",
                            "I L4 TimeGenerated=2022-07-18T12:00:00.000Z@29 NetworkIP=2001:db8::44@73 ThreatType=C2@1 ConfidenceScore=90@21 "
                            "Description=Revoked IP@9 Active=false@0"});
  CHECK(s.others == std::vector<std::string>{"non-IP indicator"});
}

TEST_CASE("intel-ioc-csv: a header without a value column") {
  auto s = run("intel-ioc-csv", "a,b\n1,2\n");
  CHECK(s.fatals == std::vector<std::string>{"1:1 expected an IoC, Indicator or ObservableValue column in the CSV header"});
}
