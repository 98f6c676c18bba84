// Addresses: parsing, canonical form, CIDR, and Defender-style classification.
#include <catch2/catch.hpp>

#include "vpshunt/ip.hpp"

using namespace vpshunt;

TEST_CASE("IP parsing and canonical form", "[ip]") {
  struct Case {
    const char* input;
    const char* canonical;  // nullptr = invalid
  } cases[] = {
      {"203.0.113.10", "203.0.113.10"},
      {"010.001.002.003", "10.1.2.3"},
      {"2a03:b0c0:0003:00d0:0000:0000:0000:1a2f", "2a03:b0c0:3:d0::1a2f"},
      {"fe80:0000:0000:0000:3816:a1b2:c3d4:e5f6", "fe80::3816:a1b2:c3d4:e5f6"},
      {"2a02:cf40::", "2a02:cf40::"},
      {"::1", "::1"},
      {"::", "::"},
      {"::ffff:198.51.100.7", "198.51.100.7"},
      {"[2001:db8::1]", "2001:db8::1"},
      {"fe80::1%eth0", "fe80::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
      {"256.1.1.1", nullptr},
      {"1.2.3", nullptr},
      {"1.2.3.4.5", nullptr},
      {"-", nullptr},
      {"", nullptr},
      {"1:2:3:4:5:6:7:8:9", nullptr},
      {"1::2::3", nullptr},
      {"12345::", nullptr},
  };
  for (const auto& c : cases) {
    SECTION(c.input) {
      IpAddress ip;
      bool ok = parseIp(c.input, ip);
      CHECK(ok == (c.canonical != nullptr));
      if (ok && c.canonical) CHECK(formatIp(ip) == c.canonical);
    }
  }
}

TEST_CASE("CIDR containment", "[ip]") {
  IpAddress net, ip;
  int prefix;
  REQUIRE(parseCidr("223.166.0.0/15", net, prefix));
  CHECK(prefix == 96 + 15);
  REQUIRE(parseIp("223.167.255.255", ip));
  CHECK(cidrContains(net, prefix, ip));
  REQUIRE(parseIp("223.168.0.0", ip));
  CHECK_FALSE(cidrContains(net, prefix, ip));
  REQUIRE(parseCidr("2001:db8::/32", net, prefix));
  REQUIRE(parseIp("2001:db8:ffff::1", ip));
  CHECK(cidrContains(net, prefix, ip));
  CHECK_FALSE(parseCidr("10.0.0.0/33", net, prefix));
}

TEST_CASE("address classification as Defender's RemoteIPType", "[ip]") {
  struct Case {
    const char* ip;
    const char* type;
  } cases[] = {
      {"8.8.8.8", "Public"},         {"10.1.2.3", "Private"},       {"172.16.0.1", "Private"},
      {"172.32.0.1", "Public"},      {"192.168.1.115", "Private"},  {"100.64.0.1", "Private"},
      {"127.0.0.1", "Loopback"},     {"169.254.1.1", "LinkLocal"},  {"224.0.0.251", "Multicast"},
      {"255.255.255.255", "Reserved"}, {"0.0.0.0", "Unspecified"}, {"192.0.2.1", "Reserved"},
      {"::1", "Loopback"},           {"fe80::1", "LinkLocal"},      {"fd00::1", "Private"},
      {"ff02::1", "Multicast"},      {"2001:db8::1", "Reserved"},   {"2a02:cf40::", "Public"},
      {"41.108.179.197", "Public"},
  };
  for (const auto& c : cases) {
    SECTION(c.ip) {
      IpAddress ip;
      REQUIRE(parseIp(c.ip, ip));
      CHECK(ipTypeName(classifyIp(ip)) == c.type);
    }
  }
}
