#include "tuning/suppressions_json.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vpshunt/ip.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

std::string_view suppressionKindName(Suppression::Kind k) {
  switch (k) {
    case Suppression::Kind::Flow: return "flow";
    case Suppression::Kind::Process: return "process";
    case Suppression::Kind::Destination: return "destination";
    case Suppression::Kind::KnownSoftware: return "knownSoftware";
  }
  return "flow";
}

bool Suppression::operator==(const Suppression& o) const {
  return kind == o.kind && device == o.device && account == o.account && process == o.process &&
         commandLine == o.commandLine && remoteIp == o.remoteIp && folder == o.folder && product == o.product &&
         who == o.who && why == o.why && added == o.added;
}

namespace tuning {

namespace {

using nlohmann::json;

// Far beyond what an analyst clicks together, small enough that a hostile rule file cannot make
// every row's check slow.
constexpr size_t kMaxEntries = 10000;
constexpr size_t kMaxText = 65536;  // a Windows command line is at most 32,767 UTF-16 units

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw RuleError("rule: \"" + key + "\" " + what);
}

// The keys each kind takes besides kind, who, why and added, in the order ruleToJson writes them.
const std::vector<const char*>& keysOf(Suppression::Kind k) {
  static const std::vector<const char*> flow{"device", "account", "process", "commandLine", "remoteIp"};
  static const std::vector<const char*> process{"process"};
  static const std::vector<const char*> destination{"remoteIp"};
  static const std::vector<const char*> known{"product", "process", "folder", "remoteIp"};
  switch (k) {
    case Suppression::Kind::Flow: return flow;
    case Suppression::Kind::Process: return process;
    case Suppression::Kind::Destination: return destination;
    case Suppression::Kind::KnownSoftware: return known;
  }
  return flow;
}

std::string keyList(Suppression::Kind k) {
  std::string s = "kind";
  for (const char* key : keysOf(k)) s += std::string(", ") + key;
  return s + ", who, why, added";
}

std::string* slot(Suppression& s, std::string_view key) {
  if (key == "device") return &s.device;
  if (key == "account") return &s.account;
  if (key == "process") return &s.process;
  if (key == "commandLine") return &s.commandLine;
  if (key == "remoteIp") return &s.remoteIp;
  if (key == "folder") return &s.folder;
  if (key == "product") return &s.product;
  if (key == "who") return &s.who;
  if (key == "why") return &s.why;
  if (key == "added") return &s.added;
  return nullptr;
}

const std::string& value(const Suppression& s, std::string_view key) {
  return *slot(const_cast<Suppression&>(s), key);
}

Suppression entryFromJson(const json& e, const std::string& where) {
  if (!e.is_object()) bad(where, "must be an object with \"kind\", the kind's keys, \"who\" and \"why\"");
  auto kindIt = e.find("kind");
  if (kindIt == e.end()) bad(where, "needs a \"kind\": \"flow\", \"process\", \"destination\" or \"knownSoftware\"");
  Suppression s;
  const std::string kind = kindIt->is_string() ? kindIt->get<std::string>() : std::string();
  if (kind == "flow") s.kind = Suppression::Kind::Flow;
  else if (kind == "process") s.kind = Suppression::Kind::Process;
  else if (kind == "destination") s.kind = Suppression::Kind::Destination;
  else if (kind == "knownSoftware") s.kind = Suppression::Kind::KnownSoftware;
  else bad(where + ".kind", "must be \"flow\", \"process\", \"destination\" or \"knownSoftware\"");
  const auto& keys = keysOf(s.kind);
  for (auto it = e.begin(); it != e.end(); ++it) {
    const std::string& k = it.key();
    if (k == "kind") continue;
    const std::string at = where + "." + k;
    const bool ofKind = std::find_if(keys.begin(), keys.end(), [&](const char* x) { return k == x; }) != keys.end();
    const bool common = k == "who" || k == "why" || k == "added";
    if (!ofKind && !common) {
      // A key of another kind would suggest a narrower entry than the one in force: refuse it.
      if (slot(s, k)) bad(at, "is not used by kind \"" + kind + "\" (its keys: " + keyList(s.kind) + ")");
      bad(at, "is not a known key (kind \"" + kind + "\" takes " + keyList(s.kind) + ")");
    }
    if (!it.value().is_string()) bad(at, "must be a string");
    std::string v = it.value().get<std::string>();
    if (v.size() > kMaxText) bad(at, "is longer than " + std::to_string(kMaxText) + " bytes");
    *slot(s, k) = std::move(v);
  }
  for (const char* k : keys)
    if (!e.contains(k)) bad(where, "(kind \"" + kind + "\") needs \"" + k + "\"");
  for (const char* k : {"who", "why"})
    if (value(s, k).empty()) bad(where, std::string("needs \"") + k + "\": who decided this, and why (any words)");
  if ((s.kind == Suppression::Kind::Process || s.kind == Suppression::Kind::KnownSoftware) && s.process.empty())
    bad(where + ".process", "must name a process file name");
  if (s.kind == Suppression::Kind::KnownSoftware && s.product.empty()) bad(where + ".product", "must name the product");
  IpAddress ip;
  int prefix;
  if (s.kind == Suppression::Kind::Flow) {
    if (!parseIp(s.remoteIp, ip)) bad(where + ".remoteIp", "must be an IPv4 or IPv6 address, not " + json(s.remoteIp).dump(-1, ' ', false, json::error_handler_t::replace));
  } else if (s.kind != Suppression::Kind::Process) {
    if (!parseCidr(s.remoteIp, ip, prefix))
      bad(where + ".remoteIp", "must be an address or a CIDR (a.b.c.d/n, v6/n), not " + json(s.remoteIp).dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (!s.added.empty()) {
    Ticks t;
    size_t at = 0;
    if (!parseIsoTime(s.added, t, &at))
      bad(where + ".added", "must be an ISO 8601 time such as 2026-11-24T15:00:00Z (column " + std::to_string(at + 1) + ")");
  }
  return s;
}

}  // namespace

std::vector<Suppression> suppressionsFromJson(const json& v) {
  const std::string k = "suppressions";
  if (!v.is_array()) bad(k, "must be an array of {kind, ..., who, why}");
  if (v.size() > kMaxEntries) bad(k, "holds more than " + std::to_string(kMaxEntries) + " entries");
  std::vector<Suppression> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) out.push_back(entryFromJson(v[i], k + "[" + std::to_string(i) + "]"));
  return out;
}

json suppressionsToJson(const std::vector<Suppression>& list) {
  json out = json::array();
  for (const Suppression& s : list) {
    json o = json::object();
    o["kind"] = std::string(suppressionKindName(s.kind));
    for (const char* k : keysOf(s.kind)) o[k] = value(s, k);
    o["who"] = s.who;
    o["why"] = s.why;
    if (!s.added.empty()) o["added"] = s.added;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace tuning

}  // namespace vpshunt
