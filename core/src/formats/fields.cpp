#include <cstring>

#include "formats/record.hpp"

namespace vpshunt {

namespace {

constexpr std::string_view kEventNames[] = {
    "Timestamp",        "DeviceName",     "AccountName",  "InitiatingProcessAccountName",
    "InitiatingProcessFileName", "InitiatingProcessCommandLine", "RemoteIP", "RemotePort",
    "ActionType",       "RemoteIPType",   "SentBytes",    "ReceivedBytes", "LocalIP",
    "LocalPort",
    "InitiatingProcessFolderPath", "InitiatingProcessVersionInfoCompanyName",
    "InitiatingProcessVersionInfoProductName"};
static_assert(sizeof kEventNames / sizeof kEventNames[0] == kEventFieldCount);

constexpr std::string_view kIntelNames[] = {
    "TimeGenerated", "NetworkIP",       "NetworkSourceIP", "NetworkDestinationIP", "NetworkCidrBlock",
    "ThreatType",    "ConfidenceScore", "Description",     "Active",               "ExpirationDateTime"};
static_assert(sizeof kIntelNames / sizeof kIntelNames[0] == kIntelFieldCount);

constexpr std::string_view kSignInNames[] = {"Time",   "User",     "RemoteIP",  "RemotePort", "ResultCode",
                                             "ResultText", "Application", "Target", "LogonType", "Protocol",
                                             "Asn",    "AsOrg",    "UserAgent", "Source"};
static_assert(sizeof kSignInNames / sizeof kSignInNames[0] == kSignInFieldCount);

bool iequals(std::string_view a, std::string_view b) { return equalsIgnoreCaseAscii(a, b); }

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// "RemoteIP_string" -> "RemoteIP"; "Timestamp [UTC]" -> "Timestamp"; "  x " -> "x".
std::string_view normalize(std::string_view n) {
  while (!n.empty() && space(n.front())) n.remove_prefix(1);
  while (!n.empty() && space(n.back())) n.remove_suffix(1);
  if (!n.empty() && n.back() == ']') {
    size_t open = n.rfind(" [");
    if (open != std::string_view::npos) n = n.substr(0, open);
  }
  static constexpr std::string_view suffixes[] = {"_string", "_long", "_int", "_dynamic", "_datetime",
                                                  "_real", "_bool", "_guid", "_timespan", "_decimal"};
  for (auto s : suffixes) {
    if (n.size() > s.size() && iequals(n.substr(n.size() - s.size()), s)) {
      n.remove_suffix(s.size());
      break;
    }
  }
  return n;
}

}  // namespace

bool equalsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view eventFieldName(EventField f) { return kEventNames[static_cast<size_t>(f)]; }
std::string_view signInFieldName(SignInField f) { return kSignInNames[static_cast<size_t>(f)]; }
std::string_view intelFieldName(IntelField f) { return kIntelNames[static_cast<size_t>(f)]; }

bool eventFieldByName(std::string_view name, EventField& out) {
  name = normalize(name);
  for (size_t i = 0; i < kEventFieldCount; ++i) {
    if (iequals(name, kEventNames[i])) {
      out = static_cast<EventField>(i);
      return true;
    }
  }
  return false;
}

bool intelFieldByName(std::string_view name, IntelField& out) {
  name = normalize(name);
  for (size_t i = 0; i < kIntelFieldCount; ++i) {
    if (iequals(name, kIntelNames[i])) {
      out = static_cast<IntelField>(i);
      return true;
    }
  }
  return false;
}

}  // namespace vpshunt
