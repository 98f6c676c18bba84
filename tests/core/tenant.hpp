// Generated tenants for the signin and infrastructure tests: sign-in logs as Entra ID's Log
// Analytics "Export to CSV" writes them (the entra-signin-csv reader's shape), and runs of several
// files through one Analysis, as the front ends do (a collect pass when the results ask for one).
// The addresses are real addresses of real networks (looked up in asn.bin) standing in for
// made-up activity.
#pragma once
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "support.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/time.hpp"

namespace test {

struct SignIn {
  std::string time;
  std::string ip;
  std::string user;
  std::string code = "0";  // ResultType: 0 success, 50126 wrong password, 50074 MFA required, ...
  std::string app = "Office 365 Exchange Online";
  std::string asn;          // AutonomousSystemNumber ("" when the log has none for the row)
};

inline std::string entraDescription(const std::string& code) {
  if (code == "50126") return "Invalid username or password or Invalid on-premise username or password.";
  if (code == "50074") return "Strong Authentication is required.";
  if (code == "50053") return "Account is locked because user tried to sign in too many times with an incorrect user ID or password.";
  return "";
}

// SigninLogs rows, in the order given.
inline std::string entraCsv(const std::vector<SignIn>& rows) {
  std::string out =
      "TenantId,\"TimeGenerated [UTC]\",ResultType,ResultDescription,AppDisplayName,ClientAppUsed,IPAddress,"
      "UserPrincipalName,AutonomousSystemNumber,Type\n";
  for (const auto& r : rows)
    out += "00000000-1111-2222-3333-444444444444," + r.time + "," + r.code + "," + csvQuote(entraDescription(r.code)) + "," +
           csvQuote(r.app) + ",Browser," + r.ip + "," + csvQuote(r.user) + "," + r.asn + ",SigninLogs\n";
  return out;
}

// `users` each failing once from `ip`, `step` seconds apart from `start`.
inline std::vector<SignIn> sprayFrom(const std::string& ip, const std::vector<std::string>& users, const std::string& start,
                                     double step = 20, const std::string& code = "50126") {
  std::vector<SignIn> out;
  for (size_t i = 0; i < users.size(); ++i) out.push_back({at(start, double(i) * step), ip, users[i], code});
  return out;
}

// "user001@contoso.example" ... : n user names from `first`.
inline std::vector<std::string> userNames(int n, int first = 1, const std::string& prefix = "user") {
  std::vector<std::string> out;
  char buf[64];
  for (int i = first; i < first + n; ++i) {
    std::snprintf(buf, sizeof buf, "%s%03d@contoso.example", prefix.c_str(), i);
    out.push_back(buf);
  }
  return out;
}

inline void append(std::vector<SignIn>& to, const std::vector<SignIn>& more) { to.insert(to.end(), more.begin(), more.end()); }

struct File {
  std::string name;
  std::string text;
  vpshunt::FileKind kind = vpshunt::FileKind::Events;
};

inline void feedFile(vpshunt::Analysis& a, const File& f, size_t chunk = 0) {
  a.beginFile(f.name, f.kind);
  if (chunk == 0 || chunk >= f.text.size()) {
    a.feed(f.text.data(), f.text.size());
  } else {
    for (size_t i = 0; i < f.text.size(); i += chunk) a.feed(f.text.data() + i, std::min(chunk, f.text.size() - i));
  }
  a.endFile();
}

inline std::optional<vpshunt::Ticks> ticksOf(const std::string& iso) {
  if (iso.empty()) return std::nullopt;
  vpshunt::Ticks t = 0;
  REQUIRE(vpshunt::parseIsoTime(iso, t));
  return t;
}

// Every file, then a collect pass over the event files when the results ask for one; the kept rows.
inline vpshunt::Results runFiles(vpshunt::Analysis& a, const std::vector<File>& files, const std::string& now = "", size_t chunk = 0) {
  const auto n = ticksOf(now);
  for (const File& f : files) feedFile(a, f, chunk);
  auto r = a.finish(n);
  if (!r.collectGroups.empty()) {
    a.beginCollect(r.collectGroups);
    for (const File& f : files)
      if (f.kind != vpshunt::FileKind::Intel) feedFile(a, f, chunk);
    a.endCollect();
    r = a.finish(n);
    REQUIRE(r.collectGroups.empty());
  }
  return r;
}

inline vpshunt::Results runFiles(const std::vector<File>& files, const std::string& now = "", vpshunt::Rule rule = {},
                                 bool withAsn = true) {
  vpshunt::Analysis a(rule);
  if (withAsn) a.setAsnDatabase(builtAsnDatabase());
  return runFiles(a, files, now);
}

template <class Row>
const Row* rowFor(const std::vector<Row>& rows, const std::string& ip) {
  for (const auto& r : rows)
    if (r.remoteIp == ip) return &r;
  return nullptr;
}

inline bool hasReason(const std::vector<std::string>& reasons, const std::string& text) {
  for (const auto& r : reasons)
    if (r == text) return true;
  return false;
}

inline bool hasReasonStarting(const std::vector<std::string>& reasons, const std::string& prefix) {
  for (const auto& r : reasons)
    if (r.rfind(prefix, 0) == 0) return true;
  return false;
}

const std::string kTenantStart = "2026-11-24T09:00:00Z";

// The tenant of the issue: a spray from OVH that finds one password, a spray from DigitalOcean, a
// success from a DigitalOcean server after failures, an employee on NordVPN, Zscaler's egress with
// 50 users, and a home user who mistypes twice.
inline std::vector<SignIn> signinTenant() {
  std::vector<SignIn> rows;
  append(rows, sprayFrom("51.38.10.20", userNames(119), kTenantStart, 20));  // 119 users in 40 min
  for (int i = 0; i < 6; ++i) rows.push_back({at(kTenantStart, 600 + i * 30), "51.38.10.20", "m.jones@contoso.example", "50126"});
  rows.push_back({at(kTenantStart, 2390), "51.38.10.20", "M.Jones@Contoso.Example", "0"});
  append(rows, sprayFrom("5.101.100.7", userNames(120, 200), at(kTenantStart, 3600), 15));  // DigitalOcean
  for (int i = 0; i < 6; ++i) rows.push_back({at(kTenantStart, 5000 + i * 40), "5.101.104.9", "k.lee@contoso.example", "50126"});
  rows.push_back({at(kTenantStart, 5300), "5.101.104.9", "k.lee@contoso.example", "0"});
  for (int i = 0; i < 3; ++i) rows.push_back({at(kTenantStart, 1000 + i * 7200), "2.58.36.10", "p.novak@contoso.example", "0", "Microsoft Teams"});
  for (const auto& u : userNames(50, 1, "staff"))
    for (int k = 0; k < 2; ++k) rows.push_back({at(kTenantStart, 120.0 * double(rows.size() % 300) + k * 3600), "136.226.10.5", u, "0", "Microsoft Teams"});
  rows.push_back({at(kTenantStart, 7000), "136.226.10.5", "staff007@contoso.example", "50126"});
  rows.push_back({at(kTenantStart, 7100), "73.162.10.20", "alice@contoso.example", "50126", "Azure Portal"});
  rows.push_back({at(kTenantStart, 7160), "73.162.10.20", "alice@contoso.example", "50126", "Azure Portal"});
  rows.push_back({at(kTenantStart, 7200), "73.162.10.20", "Alice@contoso.example", "0", "Azure Portal"});
  return rows;
}


// A generated tenant: the benign traffic of the signin test (Zscaler egress, a NordVPN employee, a
// home user), a spray from OVH that finds a password (one address, one trace), a distributed spray
// of 3 users from each of 40 addresses of another OVH /24, and a Vultr network that both sprays and
// receives a compromised workstation's beacon (two traces).
struct Tenant {
  std::string signins, events;
};
inline Tenant infrastructureTenant() {
  std::vector<SignIn> s;
  append(s, sprayFrom("51.38.10.20", userNames(119), kTenantStart, 20));
  for (int i = 0; i < 6; ++i) s.push_back({at(kTenantStart, 600 + i * 30), "51.38.10.20", "m.jones@contoso.example", "50126"});
  s.push_back({at(kTenantStart, 2390), "51.38.10.20", "m.jones@contoso.example", "0"});
  for (int a = 0; a < 40; ++a) {
    const std::string ip = "51.75.24." + std::to_string(10 + a);
    append(s, sprayFrom(ip, userNames(3, 300 + 3 * a), at(kTenantStart, 90.0 * a), 25));
  }
  append(s, sprayFrom("45.77.143.28", userNames(30, 500), at(kTenantStart, 4000), 30));
  for (int i = 0; i < 3; ++i) s.push_back({at(kTenantStart, 1000 + i * 7200), "2.58.36.10", "p.novak@contoso.example", "0"});
  for (const auto& u : userNames(50, 1, "staff")) s.push_back({at(kTenantStart, 3000), "136.226.10.5", u, "0"});
  s.push_back({at(kTenantStart, 7100), "73.162.10.20", "alice@contoso.example", "50126"});
  s.push_back({at(kTenantStart, 7200), "73.162.10.20", "alice@contoso.example", "0"});
  // The implant on m.jones's workstation calls a server in the Vultr network every 2 minutes.
  Ev implant;
  implant.ip = "45.77.143.40";
  implant.device = "fin-ws-07";
  implant.account = "m.jones";
  implant.process = "onedrive_update.exe";
  implant.cmdline = "onedrive_update.exe /silent";
  auto events = series("2026-11-24T08:00:00Z", 30, 120, implant);
  Ev browsing;  // ordinary traffic under the threshold
  browsing.ip = "13.107.6.158";
  browsing.process = "outlook.exe";
  auto more = series("2026-11-24T08:00:00Z", 8, 400, browsing);
  events.insert(events.end(), more.begin(), more.end());
  return {entraCsv(s), eventsCsv(events)};
}

}  // namespace test
