// The inbound detection: one row per remote source, direction from the event, never a beacon, and a
// Score that ranks scanners and brute forcers on rented servers above a residential admin, a
// platform's health probes and a partner calling an API.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "vpshunt/output.hpp"

using test::Ev;

namespace {

const std::string H = "2026-11-24T10:00:00Z";

// n inbound connections from `src` to `device` on `port`, every `step` seconds from `start`.
std::vector<Ev> inbound(const std::string& start, int n, double step, const std::string& src, const std::string& device,
                        const std::string& port, const std::string& action = "InboundConnectionAccepted") {
  Ev proto;
  proto.ip = src;
  proto.device = device;
  proto.localPort = port;
  proto.port = "51234";
  proto.action = action;
  proto.process = port == "3389" || port == "445" ? "svchost.exe" : port == "22" ? "sshd" : "w3wp.exe";
  return test::series(start, n, step, proto);
}

const vpshunt::InboundRow* rowFor(const vpshunt::Results& r, const std::string& ip) {
  for (const auto& row : r.inbound)
    if (row.remoteIp == ip) return &row;
  return nullptr;
}

void append(std::vector<Ev>& to, const std::vector<Ev>& more) { to.insert(to.end(), more.begin(), more.end()); }

}  // namespace

TEST_CASE("inbound: the issue's Zeek conn.log of 40 inbound SSH connections gives an inbound row, no beacon", "[inbound]") {
  // 45.33.32.156 (a Linode host) to 10.1.1.5:22, local_orig F, local_resp T.
  std::string log =
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
      "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\tlocal_orig\tlocal_resp\t"
      "orig_bytes\tresp_bytes\n"
      "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tbool\tbool\tcount\tcount\n";
  for (int i = 0; i < 40; ++i)
    log += std::to_string(1764000000 + i * 30) + ".25\tC" + std::to_string(i) + "\t45.33.32.156\t" + std::to_string(40000 + i) +
           "\t10.1.1.5\t22\ttcp\tSF\tF\tT\t1200\t3400\n";
  for (const char* mode : {"seed", "beyond"}) {
    SECTION(mode) {
      vpshunt::Rule rule;
      rule.mode = mode;
      auto r = test::runWithAsn(log, "", "", rule);
      CHECK(r.rows.empty());  // no beacon
      REQUIRE(r.inbound.size() == 1);
      const auto& row = r.inbound[0];
      CHECK(row.remoteIp == "45.33.32.156");
      CHECK(row.connectionCount == 40);
      CHECK(row.refusedCount == 0);
      CHECK(row.targetCount == 1);
      CHECK(row.targets == std::vector<std::string>{"10.1.1.5"});
      CHECK(row.targetPorts == std::vector<int64_t>{22});
      CHECK(row.isHosting);
      CHECK(row.hostingCategory == "vps");
      CHECK(row.reasons[0] == "AS63949 Linode (Akamai Connected Cloud) (vps)");
      CHECK(row.reasons[1] == "reached 1 address on 22 within 20 min");
      CHECK(row.reasons[2] == "40 connections to remote-access ports (22)");
      CHECK(row.score >= 45);
    }
  }
}

TEST_CASE("inbound: Defender InboundConnectionAccepted rows never reach the beacon detection", "[inbound]") {
  auto rows = inbound(H, 30, 60, "198.51.100.7", "srv-1", "3389");
  const std::string csv = test::eventsCsvWithLocal(rows);
  SECTION("both detections: an inbound row, no beacon") {
    auto r = test::run(csv);
    CHECK(r.rows.empty());
    REQUIRE(r.inbound.size() == 1);
    CHECK(r.inbound[0].targets == std::vector<std::string>{"srv-1"});
    CHECK(r.inbound[0].targetPorts == std::vector<int64_t>{3389});
    CHECK(r.files[0].kept == 30);
    CHECK(r.inbound[0].reasons[1] == "reached 1 device on 3389 within 29 min");
  }
  SECTION("beacon only: the rows are filtered by ActionType, as the seed does") {
    vpshunt::Analysis a;
    a.setDetections({"beacon"});
    a.beginFile("e.csv");
    a.feed(csv.data(), csv.size());
    a.endFile();
    auto r = a.finish();
    CHECK(r.rows.empty());
    CHECK(r.inbound.empty());
    CHECK(r.files[0].filtered.at("ActionType InboundConnectionAccepted") == 30);
    REQUIRE(r.detections.size() == 1);
    CHECK(r.detections[0].detection == "beacon");
  }
  SECTION("an unknown detection name is refused") { CHECK_THROWS_AS(vpshunt::Analysis().setDetections({"beacons"}), std::invalid_argument); }
}

TEST_CASE("inbound: sources from private space, outbound connections and listening sockets make no row", "[inbound]") {
  std::vector<Ev> rows = inbound(H, 5, 60, "10.9.9.9", "srv-1", "445");
  for (auto& e : rows) e.ipType = "Private";
  append(rows, test::series(H, 5, 60));  // outbound
  auto listen = inbound(H, 3, 60, "0.0.0.0", "srv-1", "445", "ListeningConnectionCreated");
  append(rows, listen);
  auto r = test::run(test::eventsCsvWithLocal(rows));
  CHECK(r.inbound.empty());
  CHECK(r.files[0].filtered.at("inbound: from a non-public address") == 5);
  CHECK(r.files[0].filtered.at("ActionType ListeningConnectionCreated") == 3);
}

TEST_CASE("inbound: the lookback cutoff is exact — sources before it are recounted by a collect pass", "[inbound]") {
  // now = the latest event (11:30); lookback 60 min: the cutoff is 10:30 exactly.
  std::vector<Ev> rows = inbound("2026-11-24T10:00:00Z", 31, 60, "203.0.113.40", "srv-1", "22");      // 10:00..10:30
  append(rows, inbound("2026-11-24T10:30:00.0000001Z", 10, 60, "203.0.113.40", "srv-2", "23"));       // after it
  append(rows, inbound("2026-11-24T11:30:00Z", 1, 60, "203.0.113.41", "srv-3", "80"));                // now
  vpshunt::Rule rule;
  rule.inbound.lookbackMinutes = 60;
  auto r = test::run(test::eventsCsvWithLocal(rows), "", "", rule);
  const auto* a = rowFor(r, "203.0.113.40");
  REQUIRE(a != nullptr);
  CHECK(a->connectionCount == 10);  // the 31 at or before 10:30 are out
  CHECK(a->targets == std::vector<std::string>{"srv-2"});
  CHECK(a->targetPorts == std::vector<int64_t>{23});
  SECTION("with now given before reading, the early rows are dropped as they arrive (one pass)") {
    auto again = test::run(test::eventsCsvWithLocal(rows), "", "2026-11-24T11:30:00Z", rule);
    CHECK(rowFor(again, "203.0.113.40")->connectionCount == 10);
  }
}

TEST_CASE("inbound: scanners and brute forcers on rented servers outrank the benign", "[inbound]") {
  std::vector<Ev> rows;
  // A scanner on OVH: 120 devices on 22, 23 and 2323 within 9 minutes, most refused.
  for (int d = 0; d < 120; ++d) {
    const std::string port = d % 3 == 0 ? "22" : d % 3 == 1 ? "23" : "2323";
    append(rows, inbound(test::at(H, d * 4.5), 1, 1, "51.38.10.20", "host-" + std::to_string(d), port,
                         d % 5 ? "InboundConnectionFailed" : "InboundConnectionAccepted"));
  }
  // A brute forcer on DigitalOcean: 600 SSH connections to one server over 10 hours.
  append(rows, inbound(H, 600, 60, "64.225.56.201", "bastion", "22"));
  // An RDP brute forcer on Hostwinds, through the day.
  append(rows, inbound("2026-11-24T02:00:00Z", 200, 180, "104.168.141.190", "rds-1", "3389"));
  // A residential admin: 4 SSH sessions from home.
  append(rows, inbound("2026-11-24T08:00:00Z", 4, 3600, "73.162.10.20", "bastion", "22"));
  // Azure's platform address probing the web servers every 5 s.
  for (const char* web : {"web-1", "web-2", "web-3"})
    append(rows, inbound("2026-11-24T00:00:00Z", 2000, 5, "168.63.129.16", web, "80"));
  // A partner's integration on AWS calling the API behind two servers all day.
  for (const char* api : {"api-1", "api-2"}) append(rows, inbound("2026-11-24T00:00:00Z", 600, 120, "3.120.0.10", api, "443"));
  // A home user browsing the website.
  append(rows, inbound("2026-11-24T12:00:00Z", 15, 20, "98.207.10.20", "web-1", "443"));
  std::shuffle(rows.begin(), rows.end(), std::mt19937(7));

  auto r = test::runWithAsn(test::eventsCsvWithLocal(rows));
  REQUIRE(r.inbound.size() == 7);
  std::map<std::string, int> score;
  for (const auto& row : r.inbound) score[row.remoteIp] = row.score;
  INFO("scores: scanner " << score["51.38.10.20"] << ", ssh " << score["64.225.56.201"] << ", rdp " << score["104.168.141.190"]
                          << ", admin " << score["73.162.10.20"] << ", azure " << score["168.63.129.16"] << ", partner "
                          << score["3.120.0.10"] << ", visitor " << score["98.207.10.20"]);
  const int benignMax = std::max({score["73.162.10.20"], score["168.63.129.16"], score["3.120.0.10"], score["98.207.10.20"]});
  for (const char* attacker : {"51.38.10.20", "64.225.56.201", "104.168.141.190"}) CHECK(score[attacker] > benignMax + 15);
  CHECK(score["168.63.129.16"] <= 5);
  CHECK(benignMax < 35);
  // Rows come in the detection's order: Score desc.
  for (size_t i = 1; i < r.inbound.size(); ++i) CHECK(r.inbound[i - 1].score >= r.inbound[i].score);
  SECTION("the reasons say why") {
    const auto* scanner = rowFor(r, "51.38.10.20");
    CHECK(scanner->reasons[0] == "AS16276 OVHcloud (vps)");
    CHECK(scanner->reasons[1] == "reached 120 devices on 22, 23, 2323 within 9 min");
    CHECK(std::count(scanner->reasons.begin(), scanner->reasons.end(), "80% refused (96 of 120)") == 1);
    CHECK(scanner->reasons.back() == "no TI");
    const auto* azure = rowFor(r, "168.63.129.16");
    CHECK(azure->reasons[0] == "Azure platform address (health probes, DNS, DHCP): probes on purpose, scored low");
    CHECK(azure->targetCount == 3);
  }
}

TEST_CASE("inbound: a TI match adds its weight and is named", "[inbound]") {
  auto rows = inbound(H, 3, 60, "203.0.113.77", "srv-1", "443");
  auto r = test::run(test::eventsCsvWithLocal(rows), test::intelCsv({{"2026-11-23T10:00:00Z", "203.0.113.77"}}));
  REQUIRE(r.inbound.size() == 1);
  CHECK(r.inbound[0].isTiMatch);
  CHECK(r.inbound[0].reasons.back() == "TI: C2 (confidence 90)");
  CHECK(r.inbound[0].score >= 30);
}

TEST_CASE("inbound: the jsonl row has the contracted fields and only those", "[inbound][output]") {
  auto rows = inbound(H, 3, 60, "203.0.113.77", "srv-1", "443");
  auto r = test::run(test::eventsCsvWithLocal(rows));
  REQUIRE(r.inbound.size() == 1);
  auto j = vpshunt::inboundRowToJson(r.inbound[0]);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::vector<std::string> contract = {"Detection", "RemoteIP", "RemoteASN", "RemoteOrg", "IsHosting", "HostingProvider",
                                       "HostingCategory", "TargetCount", "Targets", "UniqueTargetPorts", "TargetPorts",
                                       "ConnectionCount", "RefusedCount", "FirstSeen", "LastSeen", "IsTIMatch", "Score", "Reasons"};
  std::sort(contract.begin(), contract.end());
  CHECK(keys == contract);
  CHECK(j["Detection"] == "inbound");
  CHECK(j["FirstSeen"] == "2026-11-24T10:00:00Z");
  CHECK(j["RemoteASN"].is_null());  // no ASN database loaded
}
