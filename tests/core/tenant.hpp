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

}  // namespace test
