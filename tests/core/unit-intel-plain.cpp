// Plain IP / CIDR lists ("intel-plain-list").
#include <catch2/catch.hpp>

#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

TEST_CASE("intel-plain-list: detection") {
  CHECK(sniffBest(fixture("intel/plain-ipsum.txt")) == "intel-plain-list");
  CHECK(sniffBest(fixture("intel/plain-cidr-crlf.txt")) == "intel-plain-list");
  SECTION("an ASN list is not an IP list") { CHECK(factory("intel-plain-list").sniff("AS45090 # Tencent\nAS13335 # Cloudflare\n", "") == 0); }
  SECTION("a CSV of ranges is not an IP list") {
    CHECK(factory("intel-plain-list").sniff("3.0.0.0,3.1.255.255,Amazon AWS,http://x\n4.0.0.0,4.1.0.0,Y,http://y\n", "") == 0);
  }
}

TEST_CASE("intel-plain-list: IP<TAB>count with a # comment header (ipsum)") {
  auto s = run("intel-plain-list", fixture("intel/plain-ipsum.txt"));
  CHECK(s.indicators == std::vector<std::string>{"I L8 NetworkIP=192.0.2.20@1 Active=true@0", "I L9 NetworkIP=192.0.2.21@1 Active=true@0",
                                                 "I L10 NetworkIP=198.51.100.22@1 Active=true@0"});
  CHECK(s.skips.empty());
  CHECK(s.others.empty());
  SECTION("every split offset") { checkEverySplit("intel-plain-list", fixture("intel/plain-ipsum.txt")); }
}

TEST_CASE("intel-plain-list: CIDRs, IPv6, CRLF, trailing comments and NO-BREAK SPACE, bad lines, no final newline") {
  auto s = run("intel-plain-list", fixture("intel/plain-cidr-crlf.txt"));
  CHECK(s.indicators == std::vector<std::string>{
                            "I L1 NetworkCidrBlock=1.12.0.0/14@1 Active=true@0",
                            "I L3 NetworkCidrBlock=2001:db8::/32@1 Active=true@0",
                            "I L4 NetworkIP=192.0.2.30@3 Active=true@0",
                            "I L8 NetworkIP=2001:db8:0:0:0:0:0:31@1 Active=true@0",
                            "I L9 NetworkIP=192.0.2.32@1 Active=true@0",
                        });
  CHECK(s.skips == std::vector<std::string>{"not an IP address or CIDR 6:1 expected an IP address or CIDR block, found \"not-an-ip\"",
                                            "not an IP address or CIDR 7:1 expected an IP address or CIDR block, found \"192.0.2.0/33\""});
  SECTION("every split offset") { checkEverySplit("intel-plain-list", fixture("intel/plain-cidr-crlf.txt")); }
}
