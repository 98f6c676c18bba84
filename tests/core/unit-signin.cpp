// The signin detection: one row per client address, users compared case-insensitively, the log's
// ASN used (and a disagreement said), and a Score that ranks sprays and compromises from rented
// servers above a VPN exit, and that above a security proxy's egress and home ISPs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "events/signin_event.hpp"
#include "ingest/file_ingest.hpp"
#include "tenant.hpp"
#include "vpshunt/output.hpp"

using test::SignIn;

namespace {

const std::string T0 = "2026-11-24T09:00:00Z";

}  // namespace

TEST_CASE("signin: sprays and a compromise from rented servers rank above a VPN exit, which ranks above egress and home ISPs",
          "[signin]") {
  auto r = test::runFiles({{"SigninLogs.csv", test::entraCsv(test::signinTenant())}});
  REQUIRE(r.signin.size() == 6);
  std::map<std::string, int> score;
  for (const auto& row : r.signin) score[row.remoteIp] = row.score;
  const int ovh = score["51.38.10.20"], doSpray = score["5.101.100.7"], doSuccess = score["5.101.104.9"], vpn = score["2.58.36.10"],
            zscaler = score["136.226.10.5"], home = score["73.162.10.20"];
  INFO("OVH spray " << ovh << ", DigitalOcean spray " << doSpray << ", DigitalOcean success after failures " << doSuccess << ", NordVPN "
                    << vpn << ", Zscaler " << zscaler << ", home ISP " << home);
  for (int attack : {ovh, doSpray, doSuccess}) {
    CHECK(attack >= 60);
    CHECK(attack > vpn + 20);
  }
  CHECK(vpn >= 20);
  CHECK(vpn <= 50);
  CHECK(zscaler <= 15);
  CHECK(home <= 15);
  CHECK(vpn > std::max(zscaler, home) + 10);
  CHECK(ovh > doSpray);  // the spray that found a password outranks the one that did not
  for (size_t i = 1; i < r.signin.size(); ++i) CHECK(r.signin[i - 1].score >= r.signin[i].score);

  SECTION("the spray's row: counts, users, the compromise named") {
    const auto* row = test::rowFor(r.signin, "51.38.10.20");
    REQUIRE(row);
    CHECK(row->userCount == 120);  // m.jones and M.Jones are one user
    CHECK(row->failureCount == 125);
    CHECK(row->successCount == 1);
    CHECK(row->successUsers == std::vector<std::string>{"m.jones@contoso.example"});  // the first spelling seen
    CHECK(row->users.size() == 10);
    CHECK(row->users[0] == "m.jones@contoso.example");  // the most attempts first
    CHECK(row->apps == std::vector<std::string>{"Office 365 Exchange Online"});
    CHECK(row->failureReasons == std::vector<std::string>{"50126 wrong user name or password"});
    CHECK(row->isHosting);
    CHECK(row->hostingCategory == "vps");
    CHECK(row->remoteAsn == 16276);
    REQUIRE(row->reasons.size() >= 4);
    CHECK(row->reasons[0] == "AS16276 OVHcloud (vps)");
    CHECK(row->reasons[1] == "120 users tried in 40 min, 125 failed (50126 wrong user name or password), 1 succeeded");
    CHECK(test::hasReason(row->reasons, "password spray: 120 users with failures, 99% of 126 attempts failed"));
    CHECK(test::hasReason(row->reasons, "1 success: m.jones@contoso.example after 6 failures"));
    CHECK(row->reasons.back() == "no TI");
    CHECK(vpshunt::formatIsoTime(row->firstSeen) == T0);
  }
  SECTION("a success from a VPS after failures names the user") {
    const auto* row = test::rowFor(r.signin, "5.101.104.9");
    REQUIRE(row);
    CHECK(row->reasons[0] == "AS14061 DigitalOcean (vps)");
    CHECK(test::hasReason(row->reasons, "1 success: k.lee@contoso.example after 6 failures"));
    CHECK(row->successUsers == std::vector<std::string>{"k.lee@contoso.example"});
  }
  SECTION("the benign rows say why they are benign") {
    const auto* z = test::rowFor(r.signin, "136.226.10.5");
    REQUIRE(z);
    CHECK(z->reasons[0] == "AS22616 Zscaler (proxy)");
    CHECK(z->userCount == 50);
    CHECK(z->successUsers.size() == 10);
    CHECK(test::hasReasonStarting(z->reasons, "shared egress: 50 users signed in, 1% of attempts failed"));
    const auto* v = test::rowFor(r.signin, "2.58.36.10");
    REQUIRE(v);
    CHECK(v->hostingCategory == "vpn");
    CHECK(test::hasReasonStarting(v->reasons, "signed in through a VPN exit (p.novak@contoso.example)"));
    const auto* h = test::rowFor(r.signin, "73.162.10.20");
    REQUIRE(h);
    CHECK(h->userCount == 1);
    CHECK(h->reasons[0] == "AS7922 Comcast Cable Communications, LLC (not a listed hosting provider)");
    CHECK(h->reasons[1] == "1 user tried in 2 min, 2 failed (50126 wrong user name or password), 1 succeeded");
  }
}

TEST_CASE("signin: the log's ASN is used, and a disagreement with the ASN database is said", "[signin]") {
  std::vector<SignIn> rows = test::sprayFrom("51.38.10.20", test::userNames(3), T0);
  for (auto& s : rows) s.asn = "14061";  // the log says DigitalOcean; asn.bin says OVH
  std::vector<SignIn> agree = test::sprayFrom("5.101.100.7", test::userNames(2), T0);
  for (auto& s : agree) s.asn = "14061";
  test::append(rows, agree);
  SECTION("with the ASN database") {
    auto r = test::runFiles({{"s.csv", test::entraCsv(rows)}});
    const auto* row = test::rowFor(r.signin, "51.38.10.20");
    REQUIRE(row);
    CHECK(row->remoteAsn == 14061);
    CHECK(row->hostingProvider == "DigitalOcean");
    CHECK(row->reasons[0] == "AS14061 DigitalOcean (vps)");
    CHECK(row->reasons[1] == "the log names AS14061, the ASN database AS16276 OVH SAS: the log's is used");
    const auto* same = test::rowFor(r.signin, "5.101.100.7");
    REQUIRE(same);
    CHECK_FALSE(test::hasReasonStarting(same->reasons, "the log names"));
  }
  SECTION("without it, the log's ASN still attributes the address") {
    auto r = test::runFiles({{"s.csv", test::entraCsv(rows)}}, "", {}, false);
    const auto* row = test::rowFor(r.signin, "51.38.10.20");
    REQUIRE(row);
    CHECK(row->remoteAsn == 14061);
    CHECK(row->hostingCategory == "vps");
    CHECK(row->reasons[0] == "AS14061 DigitalOcean (vps)");
  }
}

TEST_CASE("signin: what is filtered and what is rejected, counted and located", "[signin]") {
  std::vector<SignIn> rows = {
      {test::at(T0, 0), "51.38.10.20", "a@contoso.example", "50126"},
      {test::at(T0, 1), "10.1.2.3", "a@contoso.example", "0"},      // an internal logon
      {test::at(T0, 2), "127.0.0.1", "a@contoso.example", "0"},     // loopback
      {test::at(T0, 3), "-", "a@contoso.example", "0"},             // no client named
      {test::at(T0, 4), "", "a@contoso.example", "0"},
      {test::at(T0, 5), "51.38.10.x", "a@contoso.example", "0"},    // unparseable
      {"yesterday", "51.38.10.20", "a@contoso.example", "0"},      // bad time
  };
  const std::string csv = test::entraCsv(rows);
  auto columnOf = [&](const std::string& text) {  // 1-based, in its line
    const size_t at = csv.find(text);
    return at - csv.rfind('\n', at);
  };
  auto r = test::runFiles({{"s.csv", csv}});
  REQUIRE(r.files.size() == 1);
  const auto& f = r.files[0];
  CHECK(f.records == 7);
  CHECK(f.kept == 1);
  CHECK(f.filtered.at("signin: from a non-public address (an internal logon)") == 2);
  CHECK(f.filtered.at("signin: no client address") == 2);
  CHECK(f.skipReasons.at("unparseable RemoteIP") == 1);
  CHECK(f.skipReasons.at("unparseable time") == 1);  // the reader's own (it decides the file's date order)
  REQUIRE(f.problems.size() == 2);
  CHECK(f.problems[0].line == 7);
  CHECK(f.problems[0].column == columnOf("51.38.10.x"));
  CHECK(f.problems[0].message == "expected the client's IPv4 or IPv6 address, found \"51.38.10.x\"");
  CHECK(f.problems[1].line == 8);
  CHECK(f.problems[1].column == columnOf("yesterday"));
  REQUIRE(r.signin.size() == 1);
  CHECK(r.signin[0].remoteIp == "51.38.10.20");
}

TEST_CASE("signin: the lookback counts only sign-ins after now - 24 h, exactly, also for an address active on both sides",
          "[signin]") {
  std::vector<SignIn> rows;
  // 20 users failing the day before (outside), 3 users inside the lookback, from one address.
  test::append(rows, test::sprayFrom("51.38.10.20", test::userNames(20), "2026-11-23T06:00:00Z"));
  test::append(rows, test::sprayFrom("51.38.10.20", test::userNames(3, 100), "2026-11-24T08:00:00Z"));
  rows.push_back({"2026-11-24T09:00:00Z", "73.162.10.20", "alice@contoso.example", "0"});  // now
  for (const std::string now : {"", "2026-11-24T09:00:00Z"}) {
    SECTION(now.empty() ? "now = the latest sign-in (a collect pass)" : "now given before reading") {
      vpshunt::Analysis a;
      a.setAsnDatabase(test::builtAsnDatabase());
      if (!now.empty()) a.setNow(test::ticksOf(now));
      auto r = test::runFiles(a, {{"s.csv", test::entraCsv(rows)}}, now);
      const auto* row = test::rowFor(r.signin, "51.38.10.20");
      REQUIRE(row);
      CHECK(row->userCount == 3);
      CHECK(row->failureCount == 3);
      CHECK(vpshunt::formatIsoTime(row->firstSeen) == "2026-11-24T08:00:00Z");
      CHECK_FALSE(test::hasReasonStarting(row->reasons, "password spray"));
    }
  }
}

TEST_CASE("signin: a password accepted and stopped for MFA after failures, brute force, TI", "[signin]") {
  std::vector<SignIn> rows;
  for (int i = 0; i < 15; ++i) rows.push_back({test::at(T0, i * 10), "51.38.10.20", "ceo@contoso.example", "50126"});
  rows.push_back({test::at(T0, 200), "51.38.10.20", "ceo@contoso.example", "50074"});
  rows.push_back({test::at(T0, 300), "73.162.10.20", "bob@contoso.example", "0"});
  const std::string intel = test::intelCsv({{"2026-11-23T10:00:00Z", "73.162.10.20"}});
  auto r = test::runFiles({{"s.csv", test::entraCsv(rows)}, {"ti.csv", intel, vpshunt::FileKind::Intel}});
  const auto* row = test::rowFor(r.signin, "51.38.10.20");
  REQUIRE(row);
  CHECK(row->failureCount == 15);
  CHECK(row->successCount == 0);
  CHECK(row->successUsers.empty());
  CHECK(row->reasons[1] == "1 user tried in 3 min, 15 failed (50126 wrong user name or password), 1 stopped for MFA or another step");
  CHECK(test::hasReason(row->reasons, "brute force: 15 failures for ceo@contoso.example"));
  CHECK(test::hasReason(row->reasons, "password accepted after failures, stopped for MFA or another step: ceo@contoso.example (15 failures)"));
  CHECK(row->score >= 60);
  const auto* ti = test::rowFor(r.signin, "73.162.10.20");
  REQUIRE(ti);
  CHECK(ti->isTiMatch);
  CHECK(ti->reasons.back() == "TI: C2 (confidence 90)");
  CHECK(ti->score >= 30);
}

TEST_CASE("signin: the rule's words for a code win over the built-in ones", "[signin][rule]") {
  vpshunt::Rule rule;
  rule.signin.codeWords = {{"50126", "wrong password"}};
  auto r = test::runFiles({{"s.csv", test::entraCsv(test::sprayFrom("51.38.10.20", test::userNames(2), T0))}}, "", rule);
  REQUIRE(r.signin.size() == 1);
  CHECK(r.signin[0].failureReasons == std::vector<std::string>{"50126 wrong password"});
  CHECK(r.signin[0].reasons[1] == "2 users tried in 20 s, 2 failed (50126 wrong password)");
}

TEST_CASE("signin: sprays from an unlisted sole proprietor's AS make it hosting, inferred from activity, for every detection",
          "[signin][hosting]") {
  // AS50360 Tamatiya EOOD is on no list; its name alone is not enough (most such names are small ISPs).
  std::vector<SignIn> rows = test::sprayFrom("78.128.114.10", test::userNames(12), T0);
  test::Ev beacon;
  beacon.ip = "78.128.114.77";  // another address of the same AS, called by an implant
  const std::string events = test::eventsCsv(test::series("2026-11-24T08:00:00Z", 20, 120, beacon));
  vpshunt::Rule rule;
  rule.mode = "beyond";
  SECTION("with the spray") {
    auto r = test::runFiles({{"s.csv", test::entraCsv(rows)}, {"e.csv", events}}, "", rule);
    const auto* row = test::rowFor(r.signin, "78.128.114.10");
    REQUIRE(row);
    CHECK(row->isHosting);
    CHECK(row->hostingCategory == "hosting");
    CHECK(row->reasons[0] ==
          "AS50360 Tamatiya EOOD (hosting; inferred from the sole-proprietor-style organisation name ('eood') and 1 address of this "
          "AS that attacked in the loaded data)");
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].isHosting);
    CHECK(r.rows[0].vpsReasons[0] == row->reasons[0]);
  }
  SECTION("without it, the beacon's address is not hosting") {
    auto r = test::runFiles({{"e.csv", events}}, "", rule);
    REQUIRE(r.rows.size() == 1);
    CHECK_FALSE(r.rows[0].isHosting);
  }
}

TEST_CASE("signin: the detail of a source lists its attempts after a collect pass", "[signin]") {
  std::vector<SignIn> rows = {{test::at(T0, 60), "51.38.10.20", "b@contoso.example", "0"},
                              {test::at(T0, 0), "51.38.10.20", "A@contoso.example", "50126"},
                              {test::at(T0, 30), "51.38.10.20", "a@contoso.example", "50126"}};
  const test::File file{"s.csv", test::entraCsv(rows)};
  vpshunt::Analysis a;
  auto r = test::runFiles(a, {file});
  REQUIRE(r.signin.size() == 1);
  const uint64_t id = r.signin[0].sourceId;
  CHECK_FALSE(a.detail(id).complete);
  CHECK(a.detail(id).total == 3);
  a.beginCollect({id});
  test::feedFile(a, file);
  a.endCollect();
  auto d = a.detail(id);
  REQUIRE(d.complete);
  CHECK(d.times.size() == 3);
  CHECK(d.targetNames == std::vector<std::string>{"A@contoso.example", "b@contoso.example"});
  CHECK(d.targets == std::vector<uint32_t>{0, 0, 1});
  CHECK(d.refused == std::vector<uint8_t>{1, 1, 0});
}

TEST_CASE("signin: the jsonl row has the contracted fields and only those", "[signin][output]") {
  auto r = test::runFiles({{"s.csv", test::entraCsv(test::sprayFrom("51.38.10.20", test::userNames(2), T0))}}, "", {}, false);
  REQUIRE(r.signin.size() == 1);
  auto j = vpshunt::signinRowToJson(r.signin[0]);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  // The output contract, and FailureReasons (its part 2 names the column).
  std::vector<std::string> contract = {"Detection", "RemoteIP", "RemoteASN", "RemoteOrg", "IsHosting", "HostingProvider",
                                       "HostingCategory", "UserCount", "FailureCount", "SuccessCount", "SuccessUsers", "Users",
                                       "Apps", "FailureReasons", "FirstSeen", "LastSeen", "IsTIMatch", "Score", "Reasons"};
  std::sort(contract.begin(), contract.end());
  CHECK(keys == contract);
  CHECK(j["Detection"] == "signin");
  CHECK(j["RemoteASN"].is_null());  // no ASN database, no ASN in the log
  CHECK(j["Users"] == nlohmann::json::array({"user001@contoso.example", "user002@contoso.example"}));
  CHECK(j["FirstSeen"] == "2026-11-24T09:00:00Z");
}

TEST_CASE("signin events: times, addresses and the log's ASN from a record", "[signin][events]") {
  struct Handler : vpshunt::RecordHandler {
    void onEvent(const vpshunt::RawEvent&, vpshunt::FileIngest&) override {}
    void onIndicator(const vpshunt::RawIndicator&, vpshunt::FileIngest&) override {}
    void onSignIn(const vpshunt::RawSignIn&, vpshunt::FileIngest&) override {}
    void onFileBegin(vpshunt::FileIngest&) override {}
    void onFileEnd(vpshunt::FileIngest&) override {}
  } handler;
  vpshunt::FileIngest file(handler);
  file.beginFile("x.json", vpshunt::FileKind::Events, "");
  auto make = [&](std::string_view time, std::string_view ip, std::string_view asn, vpshunt::SignInEvent& ev) {
    vpshunt::RawSignIn s;
    s.line = 4;
    s.set(vpshunt::SignInField::Time, time, 3);
    s.set(vpshunt::SignInField::RemoteIP, ip, 9);
    if (!asn.empty()) s.set(vpshunt::SignInField::Asn, asn, 12);
    s.set(vpshunt::SignInField::User, "  Bob@X.example ", 5);
    s.outcome = vpshunt::SignInOutcome::Failure;
    return vpshunt::makeSignInEvent(s, file, ev);
  };
  vpshunt::SignInEvent ev;
  CHECK(make("2026-11-24T09:00:00Z", "::ffff:51.38.10.20", "AS16276", ev) == vpshunt::SignInParse::Ok);
  CHECK(vpshunt::formatIp(ev.remote) == "51.38.10.20");
  CHECK(ev.logAsn == 16276);
  CHECK(ev.user == "Bob@X.example");
  CHECK(make("2026-11-24T09:00:00Z", "fe80::1", "", ev) == vpshunt::SignInParse::FilteredNotPublic);
  CHECK(make("2026-11-24T09:00:00Z", "::", "", ev) == vpshunt::SignInParse::FilteredNoAddress);
  CHECK(make("soon", "51.38.10.20", "", ev) == vpshunt::SignInParse::BadTime);
  CHECK(make("2026-11-24T09:00:00Z", "51.38.10.20", "sixteen", ev) == vpshunt::SignInParse::Ok);  // the sign-in counts
  CHECK(ev.logAsn == 0);
  const auto& rep = file.report();
  CHECK(rep.records == 5);
  CHECK(rep.skipReasons.at("unparseable time") == 1);
  REQUIRE(rep.problems.size() == 2);
  CHECK(rep.problems[0].line == 4);
  CHECK(rep.problems[0].column == 3);
  CHECK(rep.problems[0].message ==
        "expected an ISO 8601 or Log Analytics time for the sign-in (e.g. 2026-11-24T09:15:02Z), found \"soon\"");
  CHECK(rep.problems[1].column == 12);
  CHECK(rep.problems[1].message == "expected an AS number (e.g. 16276 or AS16276), found \"sixteen\"");

  uint32_t asn = 0;
  CHECK(vpshunt::parseAsnText(" as64500 ", asn));
  CHECK(asn == 64500);
  CHECK(vpshunt::parseAsnText("14061.0", asn));
  CHECK(asn == 14061);
  CHECK_FALSE(vpshunt::parseAsnText("0", asn));
  CHECK_FALSE(vpshunt::parseAsnText("-5", asn));
  CHECK_FALSE(vpshunt::parseAsnText("4294967296", asn));
  std::string folded;
  vpshunt::foldUser("M.Jones@Contoso.Example", folded);
  CHECK(folded == "m.jones@contoso.example");
}
