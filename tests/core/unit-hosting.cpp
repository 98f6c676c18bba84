// Hosting attribution beyond the curated list: categories, sources, the imported public lists and
// their exclusions, the organisation-name signal, AttackEvidence, confidence and reasons, and what
// the beacon detection makes of vpn / proxy / inferred attributions.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/asn.hpp"

using vpshunt::AsnDatabase;
using vpshunt::AttackEvidence;
using vpshunt::HostingCategory;
using vpshunt::HostingConfidence;
using vpshunt::HostingList;
using vpshunt::IpAddress;
using vpshunt::OrgNameSignal;
using vpshunt::Problem;

namespace {

IpAddress ip(const char* text) {
  IpAddress a;
  REQUIRE(vpshunt::parseIp(text, a));
  return a;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Made-up organisations in documentation ranges (RFC 5737) and private-use ASNs (RFC 6996), plus
// the real ASNs the curated and imported lists and the exclusions name, for attribution without
// asn.bin.
const char* kDbCsv =
    "192.0.2.0,192.0.2.255,64500,Example Hosting Ltd\n"
    "198.51.100.0,198.51.100.127,64501,Kovalenko EOOD\n"
    "198.51.100.128,198.51.100.255,64502,\"Comcast Cable Communications, LLC\"\n"
    "203.0.113.0,203.0.113.63,64503,Example VPN Services\n"
    "203.0.113.64,203.0.113.127,41012,The Cloud Networks Limited\n"   // excluded: Sky's Wi-Fi
    "203.0.113.128,203.0.113.191,29465,MTN NIGERIA Communication limited\n"  // excluded (brianhama)
    "203.0.113.192,203.0.113.255,9009,M247 Europe SRL\n"
    "100.64.0.0,100.64.0.255,209854,Cyberzone S.A.\n"      // X4BNet vpn list only
    "100.64.1.0,100.64.1.255,7489,HostUS\n"                 // brianhama and X4BNet datacenter
    "100.64.2.0,100.64.2.255,398391,Check Point Software Technologies Inc.\n"
    "100.64.3.0,100.64.3.255,14061,\"DigitalOcean, LLC\"\n";

AsnDatabase smallDb() {
  AsnDatabase db;
  std::string error;
  REQUIRE(db.loadCsv(kDbCsv, error));
  return db;
}

}  // namespace

TEST_CASE("hosting categories and confidences", "[hosting]") {
  SECTION("every category round-trips through its name") {
    const HostingCategory all[] = {HostingCategory::Hosting, HostingCategory::Cloud, HostingCategory::Vps,
                                   HostingCategory::Bulletproof, HostingCategory::Vpn, HostingCategory::Proxy};
    const char* names[] = {"hosting", "cloud", "vps", "bulletproof", "vpn", "proxy"};
    for (size_t i = 0; i < 6; ++i) {
      CHECK(vpshunt::hostingCategoryName(all[i]) == names[i]);
      HostingCategory back = HostingCategory::Hosting;
      REQUIRE(vpshunt::parseHostingCategory(names[i], back));
      CHECK(back == all[i]);
    }
    HostingCategory c = HostingCategory::Hosting;
    CHECK(vpshunt::parseHostingCategory(" VPN ", c));
    CHECK(c == HostingCategory::Vpn);
    CHECK_FALSE(vpshunt::parseHostingCategory("cdn", c));
    CHECK_FALSE(vpshunt::parseHostingCategory("", c));
  }
  SECTION("sections [vpn] and [proxy] in a list") {
    HostingList list;
    std::vector<Problem> problems;
    CHECK(list.load("[vpn]\nAS64500 Example VPN\n[proxy]\nAS64501 Example Proxy # egress\n[VPS]\nAS64502\n", &problems) == 3);
    CHECK(problems.empty());
    CHECK(list.find(64500)->category == HostingCategory::Vpn);
    CHECK(list.find(64501)->category == HostingCategory::Proxy);
    CHECK(list.find(64502)->category == HostingCategory::Vps);
  }
  SECTION("confidence names") {
    CHECK(vpshunt::hostingConfidenceName(HostingConfidence::None) == "none");
    CHECK(vpshunt::hostingConfidenceName(HostingConfidence::Listed) == "listed");
    CHECK(vpshunt::hostingConfidenceName(HostingConfidence::InferredFromName) == "inferred-name");
    CHECK(vpshunt::hostingConfidenceName(HostingConfidence::InferredFromActivity) == "inferred-activity");
  }
}

TEST_CASE("HostingList sources and exclusions", "[hosting]") {
  SECTION("each entry keeps the list it came from; unnamed lists are the analyst's") {
    HostingList list;
    vpshunt::HostingListLoad how;
    how.source = "Example list";
    list.load("AS64500 # a\n", nullptr, how);
    list.load("AS64501 # b\n");
    CHECK(list.sourceName(*list.find(64500)) == "Example list");
    CHECK(list.sourceName(*list.find(64501)) == HostingList::kUserSource);
    HostingList other;
    other.merge(list);  // sources travel with the entries
    CHECK(other.sourceName(*other.find(64500)) == "Example list");
    CHECK(other.sourceName(*other.find(64501)) == HostingList::kUserSource);
  }
  SECTION("exclusions filter the loads that honour them, not the others") {
    HostingList list;
    std::vector<Problem> problems;
    CHECK(list.loadExclusions("AS64500 Example Cable  # a home ISP\nAS64501 # no name\n[vpn]\nASX\n", &problems) == 2);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].line == 3);
    CHECK(problems[0].message == "sections have no meaning in an exclusion list");
    CHECK(problems[1].line == 4);
    REQUIRE(list.exclusion(64500));
    CHECK(list.exclusion(64500)->name == "Example Cable");
    CHECK(list.exclusion(64500)->reason == "a home ISP");
    CHECK(list.exclusion(64501)->name.empty());
    vpshunt::HostingListLoad imported;
    imported.honourExclusions = true;
    CHECK(list.load("AS64500\nAS64502\n", nullptr, imported) == 1);
    CHECK_FALSE(list.contains(64500));
    CHECK(list.contains(64502));
    CHECK(list.load("AS64500 # the analyst's word wins\n") == 1);
    CHECK(list.contains(64500));
  }
}

TEST_CASE("the built-in hosting list: curated, imported, excluded", "[hosting]") {
  const HostingList& builtin = HostingList::builtin();
  const HostingList& curated = HostingList::curatedOnly();
  CHECK(builtin.size() > curated.size() + 700);
  CHECK(builtin.inference());
  CHECK_FALSE(curated.inference());

  SECTION("a listed ASN from each imported list carries its source") {
    struct Case {
      uint32_t asn;
      const char* source;
      HostingCategory category;
    } cases[] = {
        {209854, "X4BNet lists_vpn", HostingCategory::Vpn},          // Surfshark, input/vpn/ASN.txt
        {60729, "X4BNet lists_vpn", HostingCategory::Vpn},           // Tor exits, input/vpn/ASN.txt
        {14956, "X4BNet lists_vpn", HostingCategory::Hosting},       // RouterHosting, datacenter list only
        {3842, "X4BNet lists_vpn", HostingCategory::Hosting},        // InMotion: both lists, X4BNet first
        {20448, "X4BNet lists_vpn", HostingCategory::Vpn},           // VPNtranet: vpn list wins over brianhama
        {15391, "X4BNet lists_vpn", HostingCategory::Hosting},       // Sysclay: datacenter list only
        {35467, "brianhama bad-asn-list", HostingCategory::Hosting}, // DDFR IT Infra & Security: brianhama only
    };
    for (const Case& c : cases) {
      INFO("AS" << c.asn);
      const vpshunt::HostingEntry* e = builtin.find(c.asn);
      REQUIRE(e != nullptr);
      CHECK(builtin.sourceName(*e) == c.source);
      CHECK(e->category == c.category);
      CHECK_FALSE(curated.contains(c.asn));
    }
  }
  SECTION("the curated list wins where the lists disagree") {
    struct Case {
      uint32_t asn;
      const char* provider;
      HostingCategory category;
    } cases[] = {
        {9009, "M247", HostingCategory::Vpn},                          // X4BNet: "M247, GB (NordVPN)"
        {212238, "Datacamp (CDN77)", HostingCategory::Vpn},            // X4BNet: "Datacamp VPN?"
        {398391, "Check Point Harmony SASE", HostingCategory::Proxy},  // X4BNet vpn list: "Checkpoint VPN"
        {8075, "Microsoft Azure", HostingCategory::Cloud},             // both lists: hosting
        {45090, "Tencent Cloud", HostingCategory::Cloud},
    };
    for (const Case& c : cases) {
      INFO("AS" << c.asn);
      const vpshunt::HostingEntry* e = builtin.find(c.asn);
      REQUIRE(e != nullptr);
      CHECK(e->provider == c.provider);
      CHECK(e->category == c.category);
      CHECK(builtin.sourceName(*e) == HostingList::kCuratedSource);
    }
  }
  SECTION("excluded access networks, carriers and CDNs stay unmarked") {
    // Each of these is on an imported list (the test reads the files to prove it).
    std::string imported = readFile(std::string(VPSHUNT_SOURCE_DIR) + "/core/src/net/hosting/x4bnet-datacenter-asn.txt") +
                           readFile(std::string(VPSHUNT_SOURCE_DIR) + "/core/src/net/hosting/brianhama-bad-asn-list.csv");
    REQUIRE(imported.size() > 40000);
    const uint32_t excluded[] = {29465, 36873, 36290, 41828, 394330, 37170, 6939, 20940, 16625, 132225};
    for (uint32_t asn : excluded) {
      INFO("AS" << asn);
      CHECK(imported.find(std::to_string(asn)) != std::string::npos);
      CHECK_FALSE(builtin.contains(asn));
      REQUIRE(builtin.exclusion(asn) != nullptr);
      CHECK_FALSE(builtin.exclusion(asn)->reason.empty());
    }
  }
  SECTION("the exclusion list and the curated list do not overlap, and parse cleanly") {
    std::string text = readFile(std::string(VPSHUNT_SOURCE_DIR) + "/core/src/net/hosting/exclusions.txt");
    REQUIRE_FALSE(text.empty());
    HostingList x;
    std::vector<Problem> problems;
    CHECK(x.loadExclusions(text, &problems) == builtin.exclusions().size());
    for (const Problem& p : problems) FAIL_CHECK("exclusions.txt line " << p.line << ": " << p.message);
    for (const vpshunt::HostingExclusion& e : builtin.exclusions()) {
      INFO("AS" << e.asn);
      CHECK_FALSE(curated.contains(e.asn));
      CHECK_FALSE(e.reason.empty());
    }
  }
  SECTION("residential and mobile ISPs are on no list") {
    const uint32_t isps[] = {7922, 3320, 5089, 2856, 5607, 35228, 12392, 11351, 55836, 3352, 20115, 7552};
    for (uint32_t asn : isps) {
      INFO("AS" << asn);
      CHECK_FALSE(builtin.contains(asn));
    }
  }
}

TEST_CASE("the organisation-name signal", "[hosting]") {
  SECTION("hosting words, in several languages and forms") {
    struct Case {
      const char* org;
      const char* word;
      HostingCategory category;
    } cases[] = {
        {"Example Hosting Ltd", "hosting", HostingCategory::Hosting},
        {"EXAMPLE WEBHOSTING GMBH", "hosting", HostingCategory::Hosting},
        {"Ultahost, Inc.", "host", HostingCategory::Hosting},
        {"HostKey B.V.", "host", HostingCategory::Hosting},
        {"Example Servers LLC", "servers", HostingCategory::Hosting},
        {"Serverius Holding B.V.", "server", HostingCategory::Hosting},
        {"Exemple H\xc3\xa9" "bergement SAS", "h\xc3\xa9" "berg", HostingCategory::Hosting},
        {"Example Hospedagem na Internet Ltda", "hospedagem", HostingCategory::Hosting},
        {"Example Data Center Inc.", "data center", HostingCategory::Hosting},
        {"Centro de Datos Ejemplo S.A.", "centro de datos", HostingCategory::Hosting},
        {"Example Colocation LLC", "colocation", HostingCategory::Hosting},
        {"DIGI VPS", "vps", HostingCategory::Hosting},
        {"Example Cloud Ltd", "cloud", HostingCategory::Hosting},
        {"Upcloud Ltd", "cloud", HostingCategory::Hosting},
        {"CHINANET Example province IDC network", "idc", HostingCategory::Hosting},
        {"Example VPN Services", "vpn", HostingCategory::Vpn},
        {"ExampleVPN AB", "vpn", HostingCategory::Vpn},
    };
    for (const Case& c : cases) {
      INFO(c.org);
      OrgNameSignal s = vpshunt::orgNameSignal(c.org);
      CHECK(s.kind == OrgNameSignal::Kind::Hosting);
      CHECK(s.word == c.word);
      CHECK(s.category == c.category);
    }
  }
  SECTION("access networks and other names are not hosting") {
    const char* orgs[] = {
        "Comcast Cable Communications, LLC", "Deutsche Telekom AG", "Vodafone GmbH", "Vodafone Limited",
        "Reliance Jio Infocomm Limited", "British Telecommunications PLC", "Telefonica UK Limited", "Sky UK Limited",
        "Virgin Media Limited", "Charter Communications Inc", "China Mobile", "T-Mobile USA, Inc.", "Orange S.A.",
        "Bharti Airtel Limited", "Google Fiber Inc.", "VOO S.A.", "Cloudflare, Inc.", "Leibniz-Rechenzentrum",
        "", "   ", "-",
        // a hosting word with a word of an access network
        "VPS Broadband And Telecommunications Pvt Ltd", "Server ISP", "Example Cable and Hosting",
        "Example University Data Center", "Cloud Telecom SAS", "Example Mobile Cloud",
    };
    for (const char* org : orgs) {
      INFO(org);
      CHECK(vpshunt::orgNameSignal(org).kind == OrgNameSignal::Kind::None);
    }
    CHECK(vpshunt::orgNameSignal("VPS Broadband And Telecommunications Pvt Ltd").veto == "broadband");
    CHECK(vpshunt::orgNameSignal("Cloud Telecom SAS").veto == "telecom");
  }
  SECTION("sole proprietors are a weaker signal, and telecom names cancel it") {
    struct Case {
      const char* org;
      const char* word;
    } cases[] = {{"FOP Example Ivan", "fop"},
                 {"Kovalenko EOOD", "eood"},
                 {"Example Person trading as Example Net", "trading as"},
                 {"Ivanov Ivan Ivanovich", "ovich"},
                 {"Private entrepreneur Example", "private entrepreneur"}};
    for (const Case& c : cases) {
      INFO(c.org);
      OrgNameSignal s = vpshunt::orgNameSignal(c.org);
      CHECK(s.kind == OrgNameSignal::Kind::SoleProprietor);
      CHECK(s.word == c.word);
    }
    CHECK(vpshunt::orgNameSignal("FOP Example Telecom").kind == OrgNameSignal::Kind::None);
    CHECK(vpshunt::orgNameSignal("FOP Examplenet").kind == OrgNameSignal::Kind::None);
    // a hosting word wins over the sole-proprietor form
    CHECK(vpshunt::orgNameSignal("Ferdinand Example trading as Tube-Hosting").kind == OrgNameSignal::Kind::Hosting);
  }
  SECTION("long names are read up to a bound, without trouble") {
    std::string longName(5000, 'x');
    CHECK(vpshunt::orgNameSignal(longName).kind == OrgNameSignal::Kind::None);
    CHECK(vpshunt::orgNameSignal("Hosting " + longName).kind == OrgNameSignal::Kind::Hosting);
    std::string words;
    for (int i = 0; i < 200; ++i) words += "a ";
    CHECK(vpshunt::orgNameSignal(words + "hosting").kind == OrgNameSignal::Kind::None);  // beyond 40 words
  }
}

TEST_CASE("AttackEvidence", "[hosting]") {
  AttackEvidence e;
  CHECK(e.empty());
  e.add(ip("198.51.100.1"), 64501);
  e.add(ip("198.51.100.1"), 64501);  // a repeat
  e.add(ip("::ffff:198.51.100.2"), 64501);
  e.add(ip("192.0.2.9"), 0);         // no AS known: counted as an address only
  CHECK(e.size() == 3);
  CHECK(e.attacked(ip("198.51.100.2")));
  CHECK_FALSE(e.attacked(ip("198.51.100.3")));
  CHECK(e.attackersInAs(64501) == 2);
  CHECK(e.attackersInAs(64500) == 0);
  AsnDatabase db = smallDb();
  AttackEvidence f;
  f.add(db, ip("198.51.100.77"));
  CHECK(f.attackersInAs(64501) == 1);
}

TEST_CASE("attribute(): confidence, source and reason", "[hosting]") {
  AsnDatabase db = smallDb();
  const HostingList& builtin = HostingList::builtin();
  struct Case {
    const char* name;
    const char* address;
    bool withEvidence;
    bool hosting;
    HostingConfidence confidence;
    HostingCategory category;
    const char* provider;
    const char* source;
    const char* reason;
  } cases[] = {
      {"curated", "100.64.3.9", false, true, HostingConfidence::Listed, HostingCategory::Vps, "DigitalOcean",
       "vpshunt curated list", "AS14061 DigitalOcean (vps)"},
      {"curated vpn", "203.0.113.200", false, true, HostingConfidence::Listed, HostingCategory::Vpn, "M247",
       "vpshunt curated list", "AS9009 M247 (vpn)"},
      {"curated proxy", "100.64.2.1", false, true, HostingConfidence::Listed, HostingCategory::Proxy,
       "Check Point Harmony SASE", "vpshunt curated list", "AS398391 Check Point Harmony SASE (proxy)"},
      // imported lists: their text is a comment ("Surfshark", "HOSTUS-GLOBAL-AS HostUS, HK"), so
      // the organisation name of the IP data is shown
      {"imported vpn", "100.64.0.1", false, true, HostingConfidence::Listed, HostingCategory::Vpn, "Cyberzone S.A.",
       "X4BNet lists_vpn", "AS209854 Cyberzone S.A. (vpn; X4BNet lists_vpn)"},
      {"imported hosting", "100.64.1.1", false, true, HostingConfidence::Listed, HostingCategory::Hosting, "HostUS",
       "X4BNet lists_vpn", "AS7489 HostUS (hosting; X4BNet lists_vpn)"},
      {"inferred from the name", "192.0.2.1", false, true, HostingConfidence::InferredFromName, HostingCategory::Hosting,
       "Example Hosting Ltd", "organisation name",
       "AS64500 Example Hosting Ltd (hosting; inferred from the word 'hosting' in the organisation name)"},
      {"inferred vpn name", "203.0.113.1", false, true, HostingConfidence::InferredFromName, HostingCategory::Vpn,
       "Example VPN Services", "organisation name",
       "AS64503 Example VPN Services (vpn; inferred from the word 'vpn' in the organisation name)"},
      {"sole proprietor without attacks", "198.51.100.1", false, false, HostingConfidence::None, HostingCategory::Hosting,
       "", "", "AS64501 Kovalenko EOOD (not a listed hosting provider)"},
      {"sole proprietor with attacks", "198.51.100.1", true, true, HostingConfidence::InferredFromActivity,
       HostingCategory::Hosting, "Kovalenko EOOD", "organisation name and activity in the loaded data",
       "AS64501 Kovalenko EOOD (hosting; inferred from the sole-proprietor-style organisation name ('eood') and 2 "
       "addresses of this AS that attacked in the loaded data)"},
      {"a home ISP with attacks", "198.51.100.200", true, false, HostingConfidence::None, HostingCategory::Hosting, "",
       "", "AS64502 Comcast Cable Communications, LLC (not a listed hosting provider)"},
      {"excluded: a hosting word, but Wi-Fi hotspots", "203.0.113.70", false, false, HostingConfidence::None,
       HostingCategory::Hosting, "", "", "AS41012 The Cloud Networks Limited (not a listed hosting provider)"},
      {"excluded: an imported mobile operator", "203.0.113.130", true, false, HostingConfidence::None,
       HostingCategory::Hosting, "", "", "AS29465 MTN NIGERIA Communication limited (not a listed hosting provider)"},
      {"no AS", "10.1.2.3", false, false, HostingConfidence::None, HostingCategory::Hosting, "", "", "no ASN for this address"},
  };
  AttackEvidence evidence;
  for (const char* a : {"198.51.100.5", "198.51.100.6", "198.51.100.201", "203.0.113.131"}) evidence.add(db, ip(a));
  for (const Case& c : cases) {
    SECTION(c.name) {
      vpshunt::HostingAttribution a = vpshunt::attribute(db, builtin, ip(c.address), c.withEvidence ? &evidence : nullptr);
      CHECK(a.isHosting == c.hosting);
      CHECK(a.confidence == c.confidence);
      if (c.hosting) CHECK(a.category == c.category);
      CHECK(a.provider == c.provider);
      CHECK(a.source == c.source);
      CHECK(a.reason == c.reason);
      vpshunt::HostingMatch m = vpshunt::matchHosting(db, builtin, ip(c.address), c.withEvidence ? &evidence : nullptr);
      CHECK(m.isHosting() == c.hosting);
      CHECK(vpshunt::hostingReason(m) == c.reason);
    }
  }
  SECTION("no inference when the list says so") {
    HostingList quiet = builtin;
    quiet.setInference(false);
    CHECK_FALSE(vpshunt::attribute(db, quiet, ip("192.0.2.1")).isHosting);
    CHECK_FALSE(vpshunt::attribute(db, quiet, ip("198.51.100.1"), &evidence).isHosting);
    CHECK(vpshunt::attribute(db, quiet, ip("100.64.0.1")).isHosting);
    CHECK_FALSE(vpshunt::attribute(db, HostingList::curatedOnly(), ip("100.64.0.1")).isHosting);
  }
  SECTION("a user list names no source, and may list an excluded AS") {
    HostingList mine = builtin;
    mine.load("AS29465 # mine\n");
    vpshunt::HostingAttribution a = vpshunt::attribute(db, mine, ip("203.0.113.130"));
    CHECK(a.isHosting);
    CHECK(a.source == "your hosting list");
    CHECK(a.reason == "AS29465 mine (hosting; your hosting list)");
    CHECK(a.provider == "mine");
  }
}

#ifdef VPSHUNT_ASN_DB
TEST_CASE("the built asn.bin: imported lists and inference on real addresses", "[hosting][data]") {
  std::string bytes = readFile(VPSHUNT_ASN_DB);
  REQUIRE_FALSE(bytes.empty());  // the build always makes it
  auto db = std::make_shared<AsnDatabase>();
  std::string err;
  REQUIRE(db->load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), err));
  // Ranges of @ip-location-db/asn: 2.59.202.0/23 Cyberzone (Surfshark, AS209854), 8.34.34.0/24
  // Zscaler (AS22616), 2.56.16.0/22 M247 (AS9009), 41.206.0.0/19 MTN Nigeria (AS29465),
  // 23.133.0.0/22 HostUS (AS7489), 73.0.0.0/8 Comcast (AS7922).
  struct Case {
    const char* address;
    bool hosting;
    HostingCategory category;
    const char* source;
  } cases[] = {
      {"2.59.202.10", true, HostingCategory::Vpn, "X4BNet lists_vpn"},
      {"8.34.34.10", true, HostingCategory::Proxy, "vpshunt curated list"},
      {"2.56.16.10", true, HostingCategory::Vpn, "vpshunt curated list"},
      {"23.133.0.10", true, HostingCategory::Hosting, "X4BNet lists_vpn"},
      {"41.206.0.10", false, HostingCategory::Hosting, ""},
      {"73.45.67.89", false, HostingCategory::Hosting, ""},
  };
  for (const Case& c : cases) {
    INFO(c.address);
    vpshunt::HostingAttribution a = vpshunt::attribute(*db, HostingList::builtin(), ip(c.address));
    CHECK(a.isHosting == c.hosting);
    if (c.hosting) CHECK(a.category == c.category);
    CHECK(a.source == c.source);
  }

  SECTION("the beacon detection: vpn and proxy exits score less and do not override the exclusion lists") {
    // svchost.exe (on the seed's system list) beaconing in beyond mode: to a VPS the row is kept
    // (hostingOverridesExclusions), to a VPN exit or a security proxy it stays excluded.
    vpshunt::Rule rule;
    rule.mode = "beyond";
    struct Flow {
      const char* address;
      bool kept;
    } flows[] = {{"45.32.100.7", true}, {"2.56.16.10", false}, {"8.34.34.10", false}};
    for (const Flow& f : flows) {
      INFO(f.address);
      test::Ev e;
      e.ip = f.address;
      e.process = "svchost.exe";
      e.cmdline = "svchost.exe -k netsvcs";
      vpshunt::Analysis a(rule);
      a.setAsnDatabase(db);
      std::string csv = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 30, 60, e));
      a.beginFile("e.csv");
      a.feed(csv.data(), csv.size());
      a.endFile();
      auto r = a.finish();
      if (!r.collectGroups.empty()) {
        a.beginCollect(r.collectGroups);
        a.beginFile("e.csv");
        a.feed(csv.data(), csv.size());
        a.endFile();
        a.endCollect();
        r = a.finish();
      }
      CHECK(r.rows.size() == (f.kept ? 1u : 0u));
    }
    // The points: the same beacon to a VPS, a VPN exit and a proxy, from a process not on the lists.
    int scores[3] = {};
    std::string reasons[3];
    for (int i = 0; i < 3; ++i) {
      test::Ev e;
      e.ip = flows[i].address;
      vpshunt::Analysis a(rule);
      a.setAsnDatabase(db);
      std::string csv = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 30, 60, e));
      a.beginFile("e.csv");
      a.feed(csv.data(), csv.size());
      a.endFile();
      auto r = a.finish();
      if (!r.collectGroups.empty()) {
        a.beginCollect(r.collectGroups);
        a.beginFile("e.csv");
        a.feed(csv.data(), csv.size());
        a.endFile();
        a.endCollect();
        r = a.finish();
      }
      REQUIRE(r.rows.size() == 1);
      scores[i] = r.rows[0].vpsScore;
      reasons[i] = r.rows[0].vpsReasons.at(0);
    }
    CHECK(reasons[0] == "AS20473 Vultr (Choopa) (vps)");
    CHECK(reasons[1] == "AS9009 M247 (vpn)");
    CHECK(reasons[2] == "AS22616 Zscaler (proxy)");
    CHECK(scores[0] - scores[1] == 15);  // 25 - 10
    CHECK(scores[0] - scores[2] == 25);  // 25 - 0
  }
}
#endif
