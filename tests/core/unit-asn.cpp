// Hosting attribution: AsnDatabase (asn.bin + CSV), HostingList, attribute().
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "samples.hpp"
#include "vpshunt/asn.hpp"

// The build always makes asn.bin from the npm package @ip-location-db/asn and names both here
// (core/src/net/asn-db.cmake): the ASN cases are never compiled away.
#if !defined(VPSHUNT_ASN_DB) || !defined(VPSHUNT_ASN_CSV_DIR)
#error "VPSHUNT_ASN_DB / VPSHUNT_ASN_CSV_DIR are not defined: the tests need the asn.bin the build makes"
#endif

using vpshunt::AsnDatabase;
using vpshunt::AsnInfo;
using vpshunt::HostingCategory;
using vpshunt::HostingList;
using vpshunt::IpAddress;
using vpshunt::Problem;

namespace {

IpAddress ip(const char* text) {
  IpAddress a;
  REQUIRE(vpshunt::parseIp(text, a));
  return a;
}

bool readFile(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream s;
  s << f.rdbuf();
  out = s.str();
  return true;
}

// A small database in the @ip-location-db/asn CSV format, exercising every rule: a header,
// adjacent ranges of one organisation (merged), a quoted name with a comma and with "" inside,
// gaps, a nested more-specific range, the very last IPv4 and IPv6 addresses, rows out of order.
const char* kSmallCsv =
    "ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization\n"
    "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
    "1.0.1.0,1.0.1.255,13335,\"Cloudflare, Inc.\"\n"
    "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\r\n"
    "2.26.200.0,2.26.215.255,201907,\"LLC \"\"SPUTNIK\"\"\"\n"
    "\n"
    "10.1.0.0,10.1.0.255,64501,Inner Org\n"  // before its outer range: order must not matter
    "10.0.0.0,10.255.255.255,64500,Outer Org\n"
    "255.255.255.0,255.255.255.255,64502,Last Org\n"
    "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64510,Doc Six\n"
    "2001:db8:1::,2001:db8:1:ffff:ffff:ffff:ffff:ffff,64511,Doc Six Inner\n"
    "ffff:ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64512,Top Six\n";

struct LookupCase {
  const char* name;
  const char* input;
  uint32_t asn;  // 0 = not found
  const char* org;
};

const LookupCase kSmallCases[] = {
    {"lowest address, in a gap", "0.0.0.0", 0, ""},
    {"one before the first range", "0.255.255.255", 0, ""},
    {"first address of the first range", "1.0.0.0", 13335, "Cloudflare, Inc."},
    {"last address of a merged range", "1.0.1.255", 13335, "Cloudflare, Inc."},
    {"one after a merged range", "1.0.2.0", 0, ""},
    {"first address after a gap", "1.0.4.0", 38803, "Gtelecom Pty Ltd"},
    {"last address before a gap", "1.0.7.255", 38803, "Gtelecom Pty Ltd"},
    {"quoted name with doubled quotes", "2.26.210.1", 201907, "LLC \"SPUTNIK\""},
    {"outer range, before the nested one", "10.0.255.255", 64500, "Outer Org"},
    {"nested range, first address", "10.1.0.0", 64501, "Inner Org"},
    {"nested range, last address", "10.1.0.255", 64501, "Inner Org"},
    {"outer range resumes after the nested one", "10.1.1.0", 64500, "Outer Org"},
    {"outer range, last address", "10.255.255.255", 64500, "Outer Org"},
    {"one after the outer range", "11.0.0.0", 0, ""},
    {"one before the last range", "255.255.254.255", 0, ""},
    {"highest IPv4 address", "255.255.255.255", 64502, "Last Org"},
    {"IPv4-mapped IPv6 spelling", "::ffff:1.0.0.1", 13335, "Cloudflare, Inc."},
    {"IPv6 ::", "::", 0, ""},
    {"IPv6 one before a range", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 0, ""},
    {"IPv6 first address", "2001:db8::", 64510, "Doc Six"},
    {"IPv6 nested range", "2001:db8:1::5", 64511, "Doc Six Inner"},
    {"IPv6 outer range resumes", "2001:db8:2::", 64510, "Doc Six"},
    {"IPv6 last address of a range", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 64510, "Doc Six"},
    {"IPv6 one after a range", "2001:db9::", 0, ""},
    {"highest IPv6 address", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 64512, "Top Six"},
};

void checkSmallCases(const AsnDatabase& db) {
  for (const LookupCase& c : kSmallCases) {
    SECTION(c.name) {
      AsnInfo info = db.lookup(ip(c.input));
      CHECK(info.asn == c.asn);
      CHECK(info.found() == (c.asn != 0));
      CHECK(std::string(info.org) == c.org);
    }
  }
}

AsnDatabase smallDb() {
  AsnDatabase db;
  std::string error;
  std::vector<Problem> problems;
  REQUIRE(db.loadCsv(kSmallCsv, error, &problems));
  REQUIRE(problems.empty());
  return db;
}

void putU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
}

}  // namespace

TEST_CASE("AsnDatabase from CSV", "[asn]") {
  AsnDatabase db = smallDb();

  SECTION("segments: adjacent ranges merged, gaps explicit") {
    // 0 gap, 1.0.0.0 CF, 1.0.2.0 gap, 1.0.4.0 Gtelecom, 1.0.8.0 gap, 2.26.200.0 Sputnik,
    // 2.26.216.0 gap, 10/8 outer, inner, outer, 11.0.0.0 gap, 255.255.255.0 last
    CHECK(db.v4SegmentCount() == 12);
    // :: gap, db8 outer, inner, outer, db9 gap, ffff:ffff::
    CHECK(db.v6SegmentCount() == 6);
    CHECK(db.orgCount() == 9);
  }
  SECTION("lookups") { checkSmallCases(db); }
  SECTION("the numeric (-num.csv) form reads the same") {
    AsnDatabase num;
    std::string error;
    REQUIRE(num.loadCsv("16777216,16777471,13335,\"Cloudflare, Inc.\"\n"
                        "42540766411282592856903984951653826560,42540766490510755371168322545197776895,64510,Doc Six\n",
                        error));
    CHECK(num.lookup(ip("1.0.0.200")).asn == 13335);
    CHECK(num.lookup(ip("2001:db8::1")).asn == 64510);
    CHECK(num.lookup(ip("1.0.1.0")).asn == 0);
  }
  SECTION("partly overlapping ranges: the one that starts later wins from its start") {
    // As in the real data: 214.95.0.0-215.0.255.255 AS749 and 215.0.0.0-215.1.3.255 AS721.
    AsnDatabase overlap;
    std::string error;
    REQUIRE(overlap.loadCsv("3.0.0.0,3.0.0.255,1,First\n3.0.0.128,3.0.1.255,2,Second\n", error));
    const LookupCase cases[] = {{"before the overlap", "3.0.0.127", 1, "First"},
                                {"start of the overlap", "3.0.0.128", 2, "Second"},
                                {"end of the first range", "3.0.0.255", 2, "Second"},
                                {"end of the second range", "3.0.1.255", 2, "Second"},
                                {"after both", "3.0.2.0", 0, ""}};
    for (const LookupCase& c : cases) {
      INFO(c.name);
      AsnInfo info = overlap.lookup(ip(c.input));
      CHECK(info.asn == c.asn);
      CHECK(std::string(info.org) == c.org);
    }
  }
  SECTION("the IPv4 and IPv6 files given separately") {
    AsnDatabase two;
    std::string error;
    std::vector<Problem> problems;
    REQUIRE(two.loadCsv({"1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n",
                         "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64510,Doc Six\nbad\n"},
                        error, &problems));
    CHECK(two.lookup(ip("1.0.0.1")).asn == 13335);
    CHECK(two.lookup(ip("2001:db8::1")).asn == 64510);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 2);
    CHECK(problems[0].message == "file 2: expected 4 fields: start,end,asn,org");
  }
}

TEST_CASE("AsnDatabase binary round trip", "[asn]") {
  AsnDatabase original = smallDb();
  std::vector<uint8_t> bytes = original.serialize();
  auto u32At = [&](size_t at) {
    return uint32_t(bytes[at]) | uint32_t(bytes[at + 1]) << 8 | uint32_t(bytes[at + 2]) << 16 | uint32_t(bytes[at + 3]) << 24;
  };
  const size_t pool = std::string("Cloudflare, Inc.Gtelecom Pty LtdLLC \"SPUTNIK\"Inner OrgOuter OrgLast Org"
                                  "Doc SixDoc Six InnerTop Six").size();
  REQUIRE(bytes.size() >= 36);
  CHECK(u32At(8) == 12);  // IPv4 segments
  CHECK(u32At(12) == 6);  // IPv6 segments
  CHECK(u32At(16) == 9);  // organisations
  CHECK(u32At(20) == pool);
  CHECK(bytes.size() == 36 + u32At(24) + u32At(28) + u32At(32) + pool);
  AsnDatabase db;
  std::string error;
  REQUIRE(db.load(bytes, error));
  CHECK(error.empty());
  SECTION("lookups") { checkSmallCases(db); }
  SECTION("serialize(load(x)) == x") { CHECK(db.serialize() == bytes); }
  SECTION("the header") {
    CHECK(std::string(bytes.begin(), bytes.begin() + 4) == "VASN");
    CHECK(bytes[4] == 2);
  }
}

TEST_CASE("AsnDatabase CSV problems", "[asn]") {
  struct Case {
    const char* name;
    const char* input;
    uint64_t line;
    uint64_t column;
    const char* message;
  };
  const Case cases[] = {
      {"bad start", "1.0.0.0,1.0.0.255,1,A\nbogus,1.0.0.255,1,B\n", 2, 1,
       "expected an IP address or a decimal number as the range start, found \"bogus\""},
      {"bad end", "1.0.0.0,1.0.0.255,1,A\n1.0.0.0,1.0.0.256,1,B\n", 2, 9,
       "expected an IP address or a decimal number as the range end, found \"1.0.0.256\""},
      {"bad ASN", "1.0.0.0,1.0.0.255,1,A\n1.0.1.0,1.0.1.255,AS-x,B\n", 2, 19,
       "expected an AS number (0 to 4294967295), found \"AS-x\""},
      {"end below start", "1.0.0.0,1.0.0.255,1,A\n2.0.0.0,1.0.0.0,5,D\n", 2, 9, "the range end is below its start"},
      {"mixed versions", "1.0.0.0,1.0.0.255,1,A\n1.0.0.0,::1,5,E\n", 2, 9,
       "the range start and end are not the same IP version"},
      {"unclosed quote", "1.0.0.0,1.0.0.255,1,A\n3.0.0.0,3.0.0.255,7,\"unclosed\n", 2, 21,
       "the quoted organisation name has no closing quote"},
      {"too few fields", "1.0.0.0,1.0.0.255,1,A\n3.0.0.0,3.0.0.255\n", 2, 18, "expected 4 fields: start,end,asn,org"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      AsnDatabase db;
      std::string error;
      std::vector<Problem> problems;
      REQUIRE(db.loadCsv(c.input, error, &problems));
      REQUIRE(problems.size() == 1);
      CHECK(problems[0].line == c.line);
      CHECK(problems[0].column == c.column);
      CHECK(problems[0].message == c.message);
      CHECK(db.lookup(ip("1.0.0.1")).asn == 1);  // the good row still counts
    }
  }
  SECTION("no rows at all") {
    AsnDatabase db;
    std::string error;
    CHECK_FALSE(db.loadCsv("ip_range_start,ip_range_end,asn,org\n", error));
    CHECK(error == "no IP-to-ASN rows found: expected lines like 1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"");
    CHECK(db.empty());
  }
  SECTION("AS0 rows mean 'not announced'") {
    AsnDatabase db;
    std::string error;
    REQUIRE(db.loadCsv("1.0.0.0,1.0.0.255,0,Nobody\n", error));
    CHECK_FALSE(db.lookup(ip("1.0.0.1")).found());
  }
}

// Builds asn.bin files by hand (format version 2, see asn.hpp), to corrupt one thing at a time.
struct FileBuilder {
  std::vector<uint8_t> v4, v6, orgs, pool;
  uint32_t v4Count = 0, v6Count = 0, orgCount = 0;
  static void var(std::vector<uint8_t>& out, uint64_t v) {
    while (v >= 0x80) {
      out.push_back(uint8_t(v | 0x80));
      v >>= 7;
    }
    out.push_back(uint8_t(v));
  }
  FileBuilder& seg4(uint64_t delta, uint64_t org) {
    var(v4, delta);
    var(v4, org);
    ++v4Count;
    return *this;
  }
  FileBuilder& seg6(uint8_t shift, uint64_t m, uint64_t lo, uint64_t org) {
    v6.push_back(shift);
    var(v6, m);
    var(v6, lo);
    var(v6, org);
    ++v6Count;
    return *this;
  }
  FileBuilder& org(uint64_t asn, uint64_t offset, uint64_t length) {
    var(orgs, asn);
    var(orgs, offset);
    var(orgs, length);
    ++orgCount;
    return *this;
  }
  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b = {'V', 'A', 'S', 'N'};
    for (uint32_t v : {2u, v4Count, v6Count, orgCount, uint32_t(pool.size()), uint32_t(v4.size()), uint32_t(v6.size()),
                       uint32_t(orgs.size())})
      for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
    for (const auto* part : {&v4, &v6, &orgs, &pool}) b.insert(b.end(), part->begin(), part->end());
    return b;
  }
};

TEST_CASE("AsnDatabase rejects bad files without crashing", "[asn]") {
  const std::vector<uint8_t> good = smallDb().serialize();
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    std::string message;  // empty: any message
  };
  auto mutated = [&](size_t at, uint32_t v) {
    std::vector<uint8_t> b = good;
    putU32(b, at, v);
    return b;
  };
  std::vector<uint8_t> extra = good;
  extra.push_back(0);
  FileBuilder oneOrg;
  oneOrg.org(64500, 0, 3).pool = {'A', 'B', 'C'};
  auto with = [](FileBuilder b, auto&& change) {
    change(b);
    return b.bytes();
  };
  const Case cases[] = {
      {"empty", {}, "not an ASN database: the file does not start with the asn.bin magic \"VASN\""},
      {"text", std::vector<uint8_t>(std::begin("hello, this is not a database"), std::end("hello, this is not a database")),
       "not an ASN database: the file does not start with the asn.bin magic \"VASN\""},
      {"version 1", mutated(4, 1),
       "unsupported asn.bin version 1 (this build reads version 2); rebuild the database with scripts/build-asn-db.mjs"},
      {"header cut short", std::vector<uint8_t>(good.begin(), good.begin() + 30),
       "asn.bin is truncated: 30 bytes, shorter than its 36-byte header"},
      {"truncated", std::vector<uint8_t>(good.begin(), good.end() - 1),
       "asn.bin is truncated: its header says " + std::to_string(good.size()) + " bytes, the file has " +
           std::to_string(good.size() - 1)},
      {"trailing byte", extra,
       "asn.bin is corrupt: 1 unexpected bytes after the end its header gives (" + std::to_string(good.size()) + " bytes)"},
      {"huge counts", mutated(8, 0xFFFFFFFFu), "asn.bin is corrupt: its header gives more entries than its sections can hold"},
      {"first IPv4 start not 0", FileBuilder().seg4(5, 0).bytes(),
       "asn.bin is corrupt: the first IPv4 segment does not start at 0.0.0.0"},
      {"IPv4 out of order", FileBuilder().seg4(0, 0).seg4(0, 0).bytes(), "asn.bin is corrupt: IPv4 segment 1 is out of order"},
      {"IPv4 beyond the address space", FileBuilder().seg4(0, 0).seg4(0xFFFFFFFF, 0).seg4(1, 0).bytes(),
       "asn.bin is corrupt: IPv4 segment 2 starts beyond 255.255.255.255"},
      {"organisation index out of range", with(oneOrg, [](FileBuilder& b) { b.seg4(0, 2); }),
       "asn.bin is corrupt: IPv4 segment 0 cannot be read (bad number, organisation index, or past the end of its section)"},
      {"varint longer than 64 bits", with(FileBuilder(), [](FileBuilder& b) {
         b.v4.assign(11, 0x80);
         b.v4.push_back(0);
         b.v4Count = 1;
       }),
       "asn.bin is corrupt: IPv4 segment 0 cannot be read (bad number, organisation index, or past the end of its section)"},
      {"IPv4 section with bytes left over", with(FileBuilder().seg4(0, 0), [](FileBuilder& b) { b.v4.push_back(0); }),
       "asn.bin is corrupt: the IPv4 section has bytes left over"},
      {"first IPv6 start not ::", FileBuilder().seg6(0, 1, 0, 0).bytes(),
       "asn.bin is corrupt: the first IPv6 segment does not start at ::"},
      {"IPv6 out of order", FileBuilder().seg6(0, 0, 0, 0).seg6(0, 0, 5, 0).seg6(0, 0, 5, 0).bytes(),
       "asn.bin is corrupt: IPv6 segment 2 is out of order"},
      {"IPv6 shift too large", FileBuilder().seg6(0, 0, 0, 0).seg6(64, 1, 0, 0).bytes(),
       "asn.bin is corrupt: IPv6 segment 1 starts beyond the address space"},
      {"IPv6 beyond the address space", FileBuilder().seg6(0, 0, 0, 0).seg6(63, 1, 0, 0).seg6(63, 1, 0, 0).bytes(),
       "asn.bin is corrupt: IPv6 segment 2 starts beyond the address space"},
      {"AS number 0", with(FileBuilder(), [](FileBuilder& b) { b.org(0, 0, 0); }),
       "asn.bin is corrupt: organisation 0 has AS number 0"},
      {"name outside the pool", with(oneOrg, [](FileBuilder& b) { b.org(64501, 2, 2); }),
       "asn.bin is corrupt: the name of organisation 1 lies outside the string pool"},
      {"organisation section with bytes left over", with(oneOrg, [](FileBuilder& b) { b.orgs.push_back(1); }),
       "asn.bin is corrupt: the organisation section has bytes left over"},
  };
  SECTION("a hand-built file is valid before it is corrupted") {
    AsnDatabase db;
    std::string error;
    REQUIRE(db.load(with(oneOrg, [](FileBuilder& b) { b.seg4(0, 0).seg4(1u << 24, 1).seg6(0, 0, 0, 1); }), error));
    CHECK(db.lookup(ip("1.2.3.4")).asn == 64500);
    CHECK(std::string(db.lookup(ip("1.2.3.4")).org) == "ABC");
    CHECK(db.lookup(ip("0.2.3.4")).asn == 0);
    CHECK(db.lookup(ip("2001:db8::1")).asn == 64500);
  }
  for (const Case& c : cases) {
    SECTION(c.name) {
      AsnDatabase db = smallDb();
      std::string error;
      CHECK_FALSE(db.load(c.bytes.data(), c.bytes.size(), error));
      if (!c.message.empty()) CHECK(error == c.message);
      CHECK_FALSE(error.empty());
      CHECK(db.empty());
      CHECK_FALSE(db.lookup(ip("1.0.0.1")).found());
    }
  }
  SECTION("every truncation") {
    for (size_t n = 0; n < good.size(); ++n) {
      AsnDatabase db;
      std::string error;
      CHECK_FALSE(db.load(good.data(), n, error));
    }
  }
  SECTION("random corruption: loads cleanly or fails cleanly") {
    std::mt19937 rng(12345);
    for (int round = 0; round < 20000; ++round) {
      std::vector<uint8_t> b = good;
      int flips = 1 + int(rng() % 4);
      for (int i = 0; i < flips; ++i) b[rng() % b.size()] = uint8_t(rng());
      AsnDatabase db;
      std::string error;
      if (db.load(b, error)) {
        for (const LookupCase& c : kSmallCases) (void)db.lookup(ip(c.input));
      } else {
        CHECK_FALSE(error.empty());
      }
    }
  }
}

TEST_CASE("HostingList formats", "[asn][hosting]") {
  SECTION("AS lines with comments (X4BNet lists_vpn ASN.txt)") {
    // The quirks of that file: a comment after the number, two blanks or a tab before the '#'.
    HostingList list;
    std::vector<Problem> problems;
    CHECK(list.load("AS45090 # Tencent cloud computing, they dont really monitor their network\n"
                    "AS8560  # IONOS SE\n"
                    "AS55286\t# SERVER-MANIA, CA\n"
                    "AS6939\n",
                    &problems) == 4);
    CHECK(problems.empty());
    struct Expected {
      uint32_t asn;
      const char* provider;
    };
    const Expected expected[] = {{45090, "Tencent cloud computing, they dont really monitor their network"},
                                 {8560, "IONOS SE"},
                                 {55286, "SERVER-MANIA, CA"},
                                 {6939, ""}};
    for (const Expected& e : expected) {
      const vpshunt::HostingEntry* h = list.find(e.asn);
      REQUIRE(h != nullptr);
      CHECK(h->provider == e.provider);
      CHECK(h->category == HostingCategory::Hosting);
    }
    CHECK(list.find(1) == nullptr);
  }
  SECTION("CSV with an ASN column (brianhama bad-asn-list.csv)") {
    // The quirks of that file: quoted and unquoted names, a blank before the quote, a quoted ASN,
    // doubled quotes inside a name, a name with commas.
    HostingList list;
    std::vector<Problem> problems;
    CHECK(list.load("ASN,Entity\n"
                    "198375,\"INULOGIC SARL, FR\"\n"
                    "51447, \"RootLayer Web Services Ltd, NL\"\n"
                    "15497,\"COLOCALL Internet Data Center \"\"ColoCALL\"\", UA\"\n"
                    "20264,WEBAIR-INTERNET-2 - Webair Internet Development Company Inc.\n"
                    "\"20248\",\"Take 2 Hosting, Inc.\"\r\n"
                    "not-a-number,\"Broken\"\n"
                    "\"398779\",\"ACEHOST\"",
                    &problems) == 6);
    struct Expected {
      uint32_t asn;
      const char* provider;
    };
    const Expected expected[] = {{198375, "INULOGIC SARL, FR"},
                                 {51447, "RootLayer Web Services Ltd, NL"},
                                 {15497, "COLOCALL Internet Data Center \"ColoCALL\", UA"},
                                 {20264, "WEBAIR-INTERNET-2 - Webair Internet Development Company Inc."},
                                 {20248, "Take 2 Hosting, Inc."},
                                 {398779, "ACEHOST"}};
    for (const Expected& e : expected) {
      const vpshunt::HostingEntry* h = list.find(e.asn);
      REQUIRE(h != nullptr);
      CHECK(h->provider == e.provider);
    }
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 7);
    CHECK(problems[0].column == 1);
    CHECK(problems[0].message == "expected an AS number like 64500 or AS64500, found \"not-a-number\"");
  }
  SECTION("CSV with the ASN in another column") {
    HostingList list;
    std::vector<Problem> problems;
    CHECK(list.load("Name,as_number\nExample Hosting,AS64500\n", &problems) == 1);
    CHECK(problems.empty());
    REQUIRE(list.find(64500));
    CHECK(list.find(64500)->provider == "Example Hosting");
  }
  SECTION("problems carry line numbers") {
    struct Case {
      const char* name;
      const char* input;
      uint64_t line;
      const char* message;
    };
    const Case cases[] = {
        {"not an AS number", "AS1\n\n# comment\nASX # nope\n", 4, "expected an AS number like AS64500, found \"ASX\""},
        {"AS0", "AS0 # reserved\n", 1, "expected an AS number like AS64500, found \"AS0\""},
        {"too large", "AS4294967296\n", 1, "expected an AS number like AS64500, found \"AS4294967296\""},
        {"unknown section", "[cdn]\nAS1\n", 1,
         "expected a section [hosting], [cloud], [vps], [bulletproof], [vpn] or [proxy], found \"[cdn]\""},
        {"CSV without an ASN header", "Provider,Country\nX,Y\n", 1,
         "expected a CSV header naming an ASN column (ASN, as_number, ...), found \"Provider,Country\""},
        {"CSV unclosed quote", "ASN,Entity\n1,\"open\n", 2, "a quoted cell has no closing quote"},
    };
    for (const Case& c : cases) {
      SECTION(c.name) {
        HostingList list;
        std::vector<Problem> problems;
        list.load(c.input, &problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].line == c.line);
        CHECK(problems[0].message == c.message);
      }
    }
  }
  SECTION("sections set the category; the first entry of an ASN wins") {
    HostingList list;
    list.load("[bulletproof]\nAS64500 Evil Hosting # report\n[cloud]\nAS64501 Big Cloud\n");
    list.load("AS64500 # renamed by a later list\nAS64502 # new\n");
    REQUIRE(list.size() == 3);
    CHECK(list.find(64500)->provider == "Evil Hosting");
    CHECK(list.find(64500)->note == "report");
    CHECK(list.find(64500)->category == HostingCategory::Bulletproof);
    CHECK(list.find(64501)->category == HostingCategory::Cloud);
    CHECK(list.find(64502)->category == HostingCategory::Hosting);
    HostingList other;
    other.add({64503, "Added", HostingCategory::Vps, ""});
    other.add({64500, "Ignored", HostingCategory::Vps, ""});
    list.merge(other);
    CHECK(list.size() == 4);
    CHECK(list.find(64500)->provider == "Evil Hosting");
    CHECK(vpshunt::hostingCategoryName(list.find(64503)->category) == "vps");
  }
}

TEST_CASE("HostingList::builtin", "[asn][hosting]") {
  const HostingList& builtin = HostingList::builtin();
  CHECK(builtin.size() > 120);
  struct Case {
    uint32_t asn;
    const char* provider;
    HostingCategory category;
  };
  const Case cases[] = {
      {20473, "Vultr (Choopa)", HostingCategory::Vps},   {14061, "DigitalOcean", HostingCategory::Vps},
      {16276, "OVHcloud", HostingCategory::Vps},         {24940, "Hetzner", HostingCategory::Vps},
      {63949, "Linode (Akamai Connected Cloud)", HostingCategory::Vps},
      {16509, "Amazon Web Services", HostingCategory::Cloud},
      {8075, "Microsoft Azure", HostingCategory::Cloud}, {396982, "Google Cloud", HostingCategory::Cloud},
      {44477, "Stark Industries Solutions", HostingCategory::Bulletproof},
      {206728, "Media Land (Yalishanda)", HostingCategory::Bulletproof},
  };
  for (const Case& c : cases) {
    const vpshunt::HostingEntry* e = builtin.find(c.asn);
    REQUIRE(e != nullptr);
    CHECK(e->provider == c.provider);
    CHECK(e->category == c.category);
    CHECK_FALSE(e->note.empty());
  }
  CHECK_FALSE(builtin.contains(7922));  // Comcast
  CHECK_FALSE(builtin.contains(3320));  // Deutsche Telekom
  CHECK_FALSE(builtin.contains(16591)); // Google Fiber: residential

  SECTION("the source file parses without problems, one line per ASN") {
    std::string text;
    REQUIRE(readFile(std::string(VPSHUNT_SOURCE_DIR) + "/core/src/net/hosting-asns.txt", text));
    HostingList again;
    std::vector<Problem> problems;
    again.load(text, &problems);
    for (const Problem& p : problems) FAIL_CHECK("hosting-asns.txt line " << p.line << ": " << p.message);
    CHECK(again.size() == HostingList::curatedOnly().size());
    CHECK(again.size() < builtin.size());  // the imported lists add to it
  }
}

TEST_CASE("HostingList reads the imported public lists", "[asn][hosting]") {
  // The project's own copies (core/src/net/hosting/, with their licences), always present.
  struct Case {
    const char* path;
    size_t minEntries;
  };
  const Case cases[] = {{"/core/src/net/hosting/x4bnet-datacenter-asn.txt", 850},
                        {"/core/src/net/hosting/x4bnet-vpn-asn.txt", 10},
                        {"/core/src/net/hosting/brianhama-bad-asn-list.csv", 700}};
  for (const Case& c : cases) {
    INFO(c.path);
    std::string text;
    REQUIRE(readFile(std::string(VPSHUNT_SOURCE_DIR) + c.path, text));
    HostingList list;
    std::vector<Problem> problems;
    list.load(text, &problems);
    for (const Problem& p : problems) FAIL_CHECK("line " << p.line << ": " << p.message);
    CHECK(list.size() >= c.minEntries);
  }
}

TEST_CASE("the built asn.bin attributes real addresses", "[asn][hosting][data]") {
  std::string bytes;
  REQUIRE(readFile(VPSHUNT_ASN_DB, bytes));
  AsnDatabase db;
  std::string error;
  REQUIRE(db.load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), error));
  CHECK(db.v4SegmentCount() > 100000);
  CHECK(db.v6SegmentCount() > 10000);

  // Addresses from ranges of @ip-location-db/asn (asn-ipv4.csv / asn-ipv6.csv), e.g.
  //   45.32.0.0,45.32.255.255,20473,"The Constant Company, LLC"      (Vultr)
  //   104.131.0.0,104.131.255.255,14061,"DigitalOcean, LLC"
  //   51.38.0.0,51.38.255.255,16276,OVH SAS
  //   2001:19f0::,2001:19f0:5403:ffff:...,20473,"The Constant Company, LLC"
  //   2001:41d0::,2001:41d0:fbff:ffff:...,16276,OVH SAS
  //   73.0.0.0,73.255.255.255,7922,"Comcast Cable Communications, LLC"
  //   79.192.0.0,79.255.255.255,3320,Deutsche Telekom AG
  //   2003::,2003:1ff:ffff:...,3320,Deutsche Telekom AG
  struct Case {
    const char* name;
    const char* input;
    uint32_t asn;
    bool hosting;
    const char* provider;
  };
  const Case cases[] = {
      {"Vultr", "45.32.100.7", 20473, true, "Vultr (Choopa)"},
      {"DigitalOcean", "104.131.10.20", 14061, true, "DigitalOcean"},
      {"OVH", "51.38.1.2", 16276, true, "OVHcloud"},
      {"Vultr IPv6", "2001:19f0:5000::1", 20473, true, "Vultr (Choopa)"},
      {"OVH IPv6", "2001:41d0:1::1", 16276, true, "OVHcloud"},
      {"Comcast (residential)", "73.45.67.89", 7922, false, ""},
      {"Deutsche Telekom (residential)", "79.200.1.1", 3320, false, ""},
      {"Deutsche Telekom IPv6", "2003:e1::1", 3320, false, ""},
      {"private address", "192.168.1.1", 0, false, ""},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      vpshunt::HostingAttribution a = vpshunt::attribute(db, HostingList::builtin(), ip(c.input));
      CHECK(a.asn == c.asn);
      CHECK(a.isHosting == c.hosting);
      CHECK(a.provider == c.provider);
      CHECK(a.org.empty() == (c.asn == 0));
    }
  }
}

TEST_CASE("loadCsv writes the same asn.bin as scripts/build-asn-db.mjs", "[asn][data][slow]") {
  std::string v4, v6, built;
  REQUIRE(readFile(std::string(VPSHUNT_ASN_CSV_DIR) + "/asn-ipv4.csv", v4));
  REQUIRE(readFile(std::string(VPSHUNT_ASN_CSV_DIR) + "/asn-ipv6.csv", v6));
  REQUIRE(readFile(VPSHUNT_ASN_DB, built));
  AsnDatabase db;
  std::string error;
  std::vector<Problem> problems;
  REQUIRE(db.loadCsv({v4, v6}, error, &problems));
  std::vector<uint8_t> bytes = db.serialize();
  CHECK(bytes.size() == built.size());
  CHECK(std::equal(bytes.begin(), bytes.end(), reinterpret_cast<const uint8_t*>(built.data()),
                   reinterpret_cast<const uint8_t*>(built.data()) + built.size()));
}
