#include "support.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <iterator>

#include "vpshunt/time.hpp"

namespace test {

std::string csvQuote(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string eventsCsv(const std::vector<Ev>& rows, bool bytes) {
  std::string out =
      "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,"
      "InitiatingProcessCommandLine,InitiatingProcessAccountName";
  if (bytes) out += ",SentBytes,ReceivedBytes";
  out += "\n";
  for (const auto& e : rows) {
    out += e.time + "," + csvQuote(e.device) + "," + e.action + "," + e.ip + "," + e.port + "," + e.ipType + "," +
           csvQuote(e.process) + "," + csvQuote(e.cmdline) + "," + csvQuote(e.account);
    if (bytes) out += "," + e.sent + "," + e.received;
    out += "\n";
  }
  return out;
}

std::string eventsCsvWithLocal(const std::vector<Ev>& rows) {
  std::string out =
      "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,LocalIP,LocalPort,InitiatingProcessFileName,"
      "InitiatingProcessCommandLine,InitiatingProcessAccountName\n";
  for (const auto& e : rows)
    out += e.time + "," + csvQuote(e.device) + "," + e.action + "," + e.ip + "," + e.port + "," + e.ipType + "," + e.localIp +
           "," + e.localPort + "," + csvQuote(e.process) + "," + csvQuote(e.cmdline) + "," + csvQuote(e.account) + "\n";
  return out;
}

std::shared_ptr<const vpshunt::AsnDatabase> builtAsnDatabase() {
#ifndef VPSHUNT_ASN_DB
  FAIL("the build makes asn.bin (core/src/net/asn-db.cmake): VPSHUNT_ASN_DB must be defined");
  return nullptr;
#else
  static std::shared_ptr<const vpshunt::AsnDatabase> db = [] {
    std::ifstream in(VPSHUNT_ASN_DB, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto d = std::make_shared<vpshunt::AsnDatabase>();
    std::string error;
    if (!d->load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), error)) d.reset();
    return std::shared_ptr<const vpshunt::AsnDatabase>(d);
  }();
  REQUIRE(db != nullptr);  // built by the build: missing means a broken build, never a skip
  return db;
#endif
}

std::string intelCsv(const std::vector<Ti>& rows) {
  std::string out = "TimeGenerated,NetworkIP,ThreatType,ConfidenceScore,Description,Active\n";
  for (const auto& t : rows)
    out += t.time + "," + t.ip + "," + t.type + "," + t.confidence + "," + csvQuote(t.description) + "," + t.active + "\n";
  return out;
}

std::string at(const std::string& base, double seconds) {
  vpshunt::Ticks t = 0;
  vpshunt::parseIsoTime(base, t);
  t += vpshunt::Ticks(std::llround(seconds * double(vpshunt::kTicksPerSecond)));
  return vpshunt::formatIsoTime(t);
}

std::vector<Ev> series(const std::string& start, int n, double step, Ev proto) {
  std::vector<Ev> out;
  for (int i = 0; i < n; ++i) {
    proto.time = at(start, i * step);
    out.push_back(proto);
  }
  return out;
}

namespace {
vpshunt::Results runAnalysis(vpshunt::Analysis& a, const std::string& events, const std::string& intel, const std::string& now,
                             size_t chunk) {
  auto feed = [&](const std::string& name, const std::string& text, vpshunt::FileKind kind) {
    a.beginFile(name, kind);
    if (chunk == 0) {
      a.feed(text.data(), text.size());
    } else {
      for (size_t i = 0; i < text.size(); i += chunk) a.feed(text.data() + i, std::min(chunk, text.size() - i));
    }
    a.endFile();
  };
  std::optional<vpshunt::Ticks> n;
  if (!now.empty()) {
    vpshunt::Ticks t;
    vpshunt::parseIsoTime(now, t);
    n = t;
  }
  feed("events.csv", events, vpshunt::FileKind::Events);
  if (!intel.empty()) feed("intel.csv", intel, vpshunt::FileKind::Intel);
  auto r = a.finish(n);
  if (!r.collectGroups.empty()) {  // as the front ends do: one collect pass over the event file
    a.beginCollect(r.collectGroups);
    feed("events.csv", events, vpshunt::FileKind::Events);
    a.endCollect();
    r = a.finish(n);
    REQUIRE(r.collectGroups.empty());
  }
  return r;
}
}  // namespace

vpshunt::Results run(const std::string& events, const std::string& intel, const std::string& now, vpshunt::Rule rule,
                     size_t chunk) {
  vpshunt::Analysis a(rule);
  return runAnalysis(a, events, intel, now, chunk);
}

vpshunt::Results runWithAsn(const std::string& events, const std::string& intel, const std::string& now, vpshunt::Rule rule,
                            size_t chunk) {
  vpshunt::Analysis a(rule);
  a.setAsnDatabase(builtAsnDatabase());
  return runAnalysis(a, events, intel, now, chunk);
}

}  // namespace test
