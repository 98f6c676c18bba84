// The detection contract (detection_harness.hpp) over every detection: beacon in seed and beyond
// mode, inbound, signin, infrastructure. Each case is small enough that every split offset of
// every file is tried, and makes rows of the detections it is about.
#include <catch2/catch.hpp>

#include "detection_harness.hpp"

using test::SignIn;

namespace {

const std::string H = "2026-11-24T10:00:00Z";

std::string beaconEvents() {
  test::Ev implant;
  implant.ip = "45.77.143.40";
  implant.process = "updater.exe";
  implant.cmdline = "\"C:\\ProgramData\\u\\updater.exe\" --beacon \"<img src=x>\"";
  auto rows = test::series(H, 14, 240, implant);  // 14 in the 10:00 hour... and the 11:00 hour
  test::Ev second = implant;
  second.ip = "2a03:b0c0:3:d0::1a2f";
  second.device = "ws-2";
  second.port = "8443";
  auto more = test::series("2026-11-24T11:00:00Z", 13, 250, second);
  rows.insert(rows.end(), more.begin(), more.end());
  test::Ev quiet;
  quiet.ip = "13.107.6.158";
  quiet.process = "outlook.exe";
  more = test::series(H, 5, 600, quiet);
  rows.insert(rows.end(), more.begin(), more.end());
  return test::eventsCsv(rows);
}

std::string inboundEvents() {
  std::vector<test::Ev> rows;
  auto scan = [&](const std::string& src, int devices, const std::string& port, const std::string& action) {
    for (int d = 0; d < devices; ++d) {
      test::Ev e;
      e.time = test::at(H, 7.0 * double(rows.size()));
      e.ip = src;
      e.device = "srv-" + std::to_string(d);
      e.action = action;
      e.localPort = port;
      e.port = "5" + std::to_string(1000 + d);
      rows.push_back(e);
    }
  };
  scan("51.38.10.20", 12, "22", "InboundConnectionFailed");
  scan("73.162.10.20", 2, "443", "InboundConnectionAccepted");
  return test::eventsCsvWithLocal(rows);
}

std::string signins() {
  std::vector<SignIn> rows;
  // Some of the spray the day before: outside the lookback when now is the latest sign-in.
  test::append(rows, test::sprayFrom("51.38.10.20", test::userNames(6), "2026-11-23T08:00:00Z", 60));
  test::append(rows, test::sprayFrom("51.38.10.20", test::userNames(14, 10), "2026-11-24T09:00:00Z", 30));
  rows.push_back({"2026-11-24T09:10:00Z", "51.38.10.20", "User012@Contoso.Example", "0"});
  rows.push_back({"2026-11-24T09:20:00Z", "10.1.2.3", "dc-sync@contoso.example", "0"});  // internal: filtered
  rows.push_back({"2026-11-24T12:00:00Z", "73.162.10.20", "alice@contoso.example", "50126", "Azure Portal", "7922"});
  rows.push_back({"2026-11-24T12:01:00Z", "73.162.10.20", "alice@contoso.example", "0", "Azure Portal", "7922"});
  return test::entraCsv(rows);
}

const std::string TI = "TimeGenerated,NetworkIP,ThreatType,ConfidenceScore,Description,Active\n"
                       "2026-11-23T10:00:00Z,45.77.143.40,C2,80,\"implant, contoso\",True\n";

}  // namespace

TEST_CASE("detection contract: beacon (seed)", "[detections][beacon]") {
  test::DetectionCase c;
  c.name = "beacon seed";
  c.files = {{"DeviceNetworkEvents.csv", beaconEvents()}, {"ti.csv", TI, vpshunt::FileKind::Intel}};
  c.expect = {"beacon", "infrastructure"};
  test::checkDetectionContract(c);
}

TEST_CASE("detection contract: beacon (beyond)", "[detections][beacon]") {
  test::DetectionCase c;
  c.name = "beacon beyond";
  c.files = {{"DeviceNetworkEvents.csv", beaconEvents()}, {"ti.csv", TI, vpshunt::FileKind::Intel}};
  c.rule.mode = "beyond";
  c.expect = {"beacon", "infrastructure"};
  test::checkDetectionContract(c);
}

TEST_CASE("detection contract: inbound", "[detections][inbound]") {
  test::DetectionCase c;
  c.name = "inbound";
  c.files = {{"DeviceNetworkEvents.csv", inboundEvents()}};
  c.expect = {"inbound", "infrastructure"};
  test::checkDetectionContract(c);
}

TEST_CASE("detection contract: signin", "[detections][signin]") {
  test::DetectionCase c;
  c.name = "signin";
  c.files = {{"SigninLogs.csv", signins()}};
  c.expect = {"signin", "infrastructure"};
  test::checkDetectionContract(c);
}

TEST_CASE("detection contract: signin without the ASN database, now given", "[detections][signin]") {
  test::DetectionCase c;
  c.name = "signin, no ASN database";
  c.files = {{"SigninLogs.csv", signins()}};
  c.withAsn = false;
  c.now = "2026-11-24T12:30:00Z";
  c.expect = {"signin", "infrastructure"};
  test::checkDetectionContract(c);
}

TEST_CASE("detection contract: infrastructure over all three traces", "[detections][infrastructure]") {
  test::DetectionCase c;
  c.name = "infrastructure";
  c.files = {{"DeviceNetworkEvents.csv", beaconEvents()},
             {"inbound.csv", inboundEvents()},
             {"SigninLogs.csv", signins()},
             {"ti.csv", TI, vpshunt::FileKind::Intel}};
  c.expect = {"beacon", "inbound", "signin", "infrastructure"};
  c.maxSplits = 600;  // each file is split at every offset in its own case above
  test::checkDetectionContract(c);
}
