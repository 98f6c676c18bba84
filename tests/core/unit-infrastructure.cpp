// The infrastructure detection: the other detections' rows rolled up per network. A network seen
// by two traces comes first; a spray spread over many addresses of one provider, each unremarkable
// alone, surfaces here; benign egress and home networks stay at the bottom.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "detections/infrastructure/infrastructure.hpp"
#include "tenant.hpp"
#include "vpshunt/output.hpp"

using test::SignIn;

namespace {

const std::string T0 = "2026-11-24T09:00:00Z";

const vpshunt::InfrastructureRow* network(const vpshunt::Results& r, const std::string& cidr) {
  for (const auto& row : r.infrastructure)
    if (row.network == cidr) return &row;
  return nullptr;
}

size_t rank(const vpshunt::Results& r, const std::string& cidr) {
  for (size_t i = 0; i < r.infrastructure.size(); ++i)
    if (r.infrastructure[i].network == cidr) return i;
  return SIZE_MAX;
}

}  // namespace

TEST_CASE("infrastructure: two traces first, the distributed spray surfaces, benign networks last", "[infrastructure]") {
  const test::Tenant t = test::infrastructureTenant();
  auto r = test::runFiles({{"SigninLogs.csv", t.signins}, {"DeviceNetworkEvents.csv", t.events}});
  std::map<std::string, int> score;
  for (const auto& row : r.infrastructure) score[row.network] = row.score;
  INFO("two traces (Vultr) " << score["45.77.143.0/24"] << ", OVH spray " << score["51.38.10.0/24"] << ", distributed spray "
                             << score["51.75.24.0/24"] << ", NordVPN " << score["2.58.36.0/24"] << ", Zscaler "
                             << score["136.226.10.0/24"] << ", home " << score["73.162.10.0/24"]);
  SECTION("a network seen by two traces comes first") {
    REQUIRE(!r.infrastructure.empty());
    const auto& first = r.infrastructure.front();
    CHECK(first.network == "45.77.143.0/24");
    CHECK(first.detections == std::vector<std::string>{"beacon", "signin"});
    CHECK(first.ipCount == 2);
    CHECK(first.beaconRows >= 1);
    CHECK(first.beaconDevices == 1);
    CHECK(first.signinRows == 1);
    CHECK(first.signinUsers == 30);
    CHECK(first.hostingProvider == "Vultr (Choopa)");
    CHECK(first.reasons[0] == "AS20473 Vultr (Choopa) (vps)");
    CHECK(first.reasons[1] == "2 traces: beacon, signin");
    // ... above a spray that found a password but left no other trace.
    CHECK(first.score > score["51.38.10.0/24"]);
    const auto* spray = test::rowFor(r.signin, "51.38.10.20");
    const auto* vultr = test::rowFor(r.signin, "45.77.143.28");
    REQUIRE(spray);
    REQUIRE(vultr);
    CHECK(spray->score > vultr->score);  // more of one trace, alone, in signin
  }
  SECTION("the distributed spray: each address low in signin, the network high here") {
    const auto* net = network(r, "51.75.24.0/24");
    REQUIRE(net);
    int best = 0;
    for (int a = 0; a < 40; ++a) {
      const auto* row = test::rowFor(r.signin, "51.75.24." + std::to_string(10 + a));
      REQUIRE(row);
      CHECK(row->score < 40);
      CHECK_FALSE(test::hasReasonStarting(row->reasons, "password spray"));
      best = std::max(best, row->score);
    }
    CHECK(net->score >= 50);
    CHECK(net->score > best + 15);
    CHECK(net->ipCount == 40);
    CHECK(net->remoteIps.size() == 10);
    CHECK(net->signinRows == 40);
    CHECK(net->signinUsers == 120);
    CHECK(net->signinFailures == 120);
    CHECK(test::hasReasonStarting(net->reasons, "distributed spray: 120 users from 40 addresses, 100% of attempts failed"));
    CHECK(rank(r, "51.75.24.0/24") < rank(r, "2.58.36.0/24"));
  }
  SECTION("benign networks rank below every attacker network") {
    for (const char* attacker : {"45.77.143.0/24", "51.38.10.0/24", "51.75.24.0/24"})
      for (const char* benign : {"2.58.36.0/24", "136.226.10.0/24", "73.162.10.0/24"}) {
        INFO(attacker << " vs " << benign);
        REQUIRE(network(r, attacker));
        REQUIRE(network(r, benign));
        CHECK(rank(r, attacker) < rank(r, benign));
      }
    CHECK_FALSE(network(r, "13.107.6.0/24"));  // traffic under every threshold makes no row, so no network
    CHECK(score["136.226.10.0/24"] <= 15);
    CHECK(score["73.162.10.0/24"] <= 15);
  }
  for (size_t i = 1; i < r.infrastructure.size(); ++i) CHECK(r.infrastructure[i - 1].score >= r.infrastructure[i].score);
}

TEST_CASE("infrastructure: the rows behind a network are listed by detection and row key", "[infrastructure]") {
  const test::Tenant t = test::infrastructureTenant();
  vpshunt::Analysis a;
  a.setAsnDatabase(test::builtAsnDatabase());
  auto r = test::runFiles(a, {{"SigninLogs.csv", t.signins}, {"DeviceNetworkEvents.csv", t.events}});
  const auto* vultr = network(r, "45.77.143.0/24");
  REQUIRE(vultr);
  auto members = a.infrastructureMembers(vultr->networkId);
  REQUIRE(members.size() == vultr->beaconRows + vultr->signinRows);
  for (const auto& m : members) {
    if (m.detection == "beacon") {
      auto it = std::find_if(r.rows.begin(), r.rows.end(), [&](const auto& row) { return row.groupId == m.key; });
      REQUIRE(it != r.rows.end());
      CHECK(it->remoteIp == "45.77.143.40");
    } else {
      REQUIRE(m.detection == "signin");
      auto it = std::find_if(r.signin.begin(), r.signin.end(), [&](const auto& row) { return row.sourceId == m.key; });
      REQUIRE(it != r.signin.end());
      CHECK(it->remoteIp == "45.77.143.28");
    }
  }
  CHECK(a.infrastructureMembers(12345).empty());
  SECTION("streamed rows carry the same keys") {
    struct Keys : vpshunt::ResultSink {
      std::map<std::string, std::vector<uint64_t>> keys;
      void row(const vpshunt::Row& row) override { keys[std::string(row.schema->detection)].push_back(row.key); }
    } sink;
    a.finishEach(std::nullopt, &sink);
    CHECK(std::count(sink.keys["infrastructure"].begin(), sink.keys["infrastructure"].end(), vultr->networkId) == 1);
    CHECK(a.infrastructureMembers(vultr->networkId).size() == members.size());
  }
}

TEST_CASE("infrastructure: only infrastructure asked for still rolls up the others, which are not output", "[infrastructure]") {
  const test::Tenant t = test::infrastructureTenant();
  auto all = test::runFiles({{"SigninLogs.csv", t.signins}, {"DeviceNetworkEvents.csv", t.events}});
  vpshunt::Analysis a;
  a.setAsnDatabase(test::builtAsnDatabase());
  CHECK_FALSE(a.setDetections({"infrastructure"}));
  auto only = test::runFiles(a, {{"SigninLogs.csv", t.signins}, {"DeviceNetworkEvents.csv", t.events}});
  REQUIRE(only.detections.size() == 1);
  CHECK(only.detections[0].detection == "infrastructure");
  CHECK(only.rows.empty());
  CHECK(only.signin.empty());
  REQUIRE(only.infrastructure.size() == all.infrastructure.size());
  for (size_t i = 0; i < all.infrastructure.size(); ++i)
    CHECK(vpshunt::infrastructureRowToJson(only.infrastructure[i]) == vpshunt::infrastructureRowToJson(all.infrastructure[i]));
  SECTION("turning a rolled-up detection on needs no second read") {
    CHECK_FALSE(a.setDetections({"signin"}));
  }
}

TEST_CASE("infrastructure: the network of an address", "[infrastructure]") {
  auto db = test::builtAsnDatabase();
  vpshunt::InfrastructureRule rule;
  auto net = [&](const vpshunt::AsnDatabase* d, const char* ip) {
    vpshunt::IpAddress a;
    REQUIRE(vpshunt::parseIp(ip, a));
    return vpshunt::networkOf(d, a, rule).text();
  };
  CHECK(net(db.get(), "51.38.10.20") == "51.38.10.0/24");      // in OVH's 51.38.0.0/16: the /24
  CHECK(net(db.get(), "78.128.114.10") == "78.128.114.0/24");  // an announced /24
  CHECK(net(db.get(), "4.14.227.100") == "4.14.227.96/27");    // an announced range smaller than a /24
  CHECK(net(db.get(), "2a03:b0c0:3:d0::1a2f") == "2a03:b0c0:3::/48");
  CHECK(net(nullptr, "51.38.10.20") == "51.38.10.0/24");  // no database: the /24, the /48
  CHECK(net(nullptr, "2a03:b0c0:3:d0::1a2f") == "2a03:b0c0:3::/48");
  rule.ipv4Prefix = 16;
  CHECK(net(nullptr, "51.38.10.20") == "51.38.0.0/16");
}

TEST_CASE("infrastructure: the jsonl row has the contracted fields and only those", "[infrastructure][output]") {
  auto r = test::runFiles({{"s.csv", test::entraCsv(test::sprayFrom("51.38.10.20", test::userNames(2), T0))}});
  REQUIRE(r.infrastructure.size() == 1);
  auto j = vpshunt::infrastructureRowToJson(r.infrastructure[0]);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  // The issue's part 4, with the counts behind each detection.
  std::vector<std::string> contract = {"Detection",     "Network",        "RemoteASN",          "RemoteOrg",   "HostingProvider",
                                       "HostingCategory", "RemoteIPs",    "IPCount",            "Detections",  "BeaconRows",
                                       "BeaconDevices", "InboundRows",    "InboundConnections", "SignInRows",  "SignInUsers",
                                       "SignInFailures", "SignInSuccesses", "Score",            "Reasons"};
  std::sort(contract.begin(), contract.end());
  CHECK(keys == contract);
  CHECK(j["Detection"] == "infrastructure");
  CHECK(j["Network"] == "51.38.10.0/24");
  CHECK(j["RemoteASN"] == 16276);
  CHECK(j["HostingCategory"] == "vps");
  CHECK(j["Detections"] == nlohmann::json::array({"signin"}));
}

// The figures the README quotes: `build/vpshunt_tests "[.figures]"` prints every row's Score of the
// two generated tenants (hidden: it checks nothing the tests above do not).
TEST_CASE("figures: the generated tenants' scores", "[.figures]") {
  auto s = test::runFiles({{"SigninLogs.csv", test::entraCsv(test::signinTenant())}});
  std::string out = "signin tenant (signin rows):\n";
  for (const auto& row : s.signin) out += "  " + std::to_string(row.score) + "  " + row.remoteIp + "  " + row.reasons[0] + "\n";
  const test::Tenant t = test::infrastructureTenant();
  auto r = test::runFiles({{"SigninLogs.csv", t.signins}, {"DeviceNetworkEvents.csv", t.events}});
  out += "infrastructure tenant (infrastructure rows):\n";
  for (const auto& row : r.infrastructure) {
    std::string seen;
    for (const auto& d : row.detections) seen += (seen.empty() ? "" : "+") + d;
    out += "  " + std::to_string(row.score) + "  " + row.network + "  " + seen + "  " + std::to_string(row.ipCount) + " IPs\n";
    std::string why;
    for (const auto& reason : row.reasons) why += (why.empty() ? "" : " · ") + reason;
    out += "      " + why + "\n";
  }
  int best = 0;
  for (const auto& row : r.signin)
    if (row.remoteIp.rfind("51.75.24.", 0) == 0) best = std::max(best, row.score);
  out += "  (best signin score of a distributed-spray address: " + std::to_string(best) + ")\n";
  std::printf("%s", out.c_str());
  CHECK(!r.infrastructure.empty());
}

// --- infrastructure members in the session's detail (page2) ---
#include <fstream>
#include <sstream>

#include "vpshunt/session.hpp"

namespace {

std::string scenarioBytes(const std::string& name) {
  const std::string path = std::string(VPSHUNT_SOURCE_DIR) + "/examples/scenario/" + name;
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("infrastructure: a network's detail lists the rows behind it, each with its cells from the store", "[infrastructure][session]") {
  using nlohmann::json;
  vpshunt::Session s("");
  for (const char* name : {"SigninLogs.csv", "DeviceNetworkEvents.csv", "conn.log", "ThreatIntelligenceIndicator.csv"}) {
    const std::string bytes = scenarioBytes(name);
    s.beginFile(name, "auto", "");
    s.feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    s.endFile();
  }
  s.refresh("");
  const json view = json::parse(s.view(R"({"detection":"infrastructure","filter":"5.75.240.0/24","limit":5})"));
  REQUIRE(view["rows"].size() == 1);
  const json network = view["rows"][0];
  const json detail = json::parse(s.detail("infrastructure", network["_key"].get<uint64_t>()));
  REQUIRE(detail.contains("members"));
  const json& members = detail["members"];
  // The scenario's adversary: six beacon hours, one scanner, seven sign-in sources (examples/README.md).
  CHECK(detail["memberCount"] == network["BeaconRows"].get<int>() + network["InboundRows"].get<int>() + network["SignInRows"].get<int>());
  CHECK(detail["memberCount"] == 14);
  REQUIRE(members.size() == 14);
  std::map<std::string, int> perDetection;
  std::set<std::string> addresses;
  for (const auto& m : members) {
    const std::string d = m["detection"].get<std::string>();
    ++perDetection[d];
    INFO(m.dump());
    const json& row = m["row"];
    CHECK(row["Detection"] == d);
    CHECK(row["RemoteIP"].get<std::string>().rfind("5.75.240.", 0) == 0);
    addresses.insert(row["RemoteIP"].get<std::string>());
    // The same row as the member's own detail gives.
    const json own = json::parse(s.detail(d, m["key"].get<uint64_t>()));
    CHECK(own["row"] == row);
    CHECK_FALSE(own.contains("members"));
  }
  CHECK(perDetection == std::map<std::string, int>{{"beacon", 6}, {"inbound", 1}, {"signin", 7}});
  std::set<std::string> listed;
  for (const auto& ip : network["RemoteIPs"]) listed.insert(ip.get<std::string>());
  CHECK(addresses == listed);
  CHECK(network["IPCount"] == 9);
}
// --- end infrastructure members ---
