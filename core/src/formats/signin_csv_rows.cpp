// Column maps and row conversion of the sign-in CSV tables, and the per-file date-order decision
// (contract: signin_csv.hpp).
#include <cstdio>
#include <string>

#include "formats/signin_codes.hpp"
#include "formats/signin_csv.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoreCaseAscii(s.substr(0, prefix.size()), prefix);
}

// A cell that says nothing: empty, Windows' "-", or SecurityEvent's Account of an empty domain and
// user ("\\").
bool nothing(std::string_view v) { return v.empty() || v == "-" || v == "\\"; }

// "0x0", "0x00000000", "0": a status that reports no failure.
bool zeroStatus(std::string_view v) {
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) v.remove_prefix(2);
  if (v.empty()) return false;
  for (char c : v)
    if (c != '0') return false;
  return true;
}

// The raw text of a top-level member of the JSON object `json` (a string keeps its quotes), or ""
// when `json` is not an object or lacks the member. Enough JSON for Log Analytics' dynamic cells
// (Status, ResponseElements): strings with escapes, nested objects and arrays are skipped whole.
std::string_view jsonMember(std::string_view json, std::string_view key) {
  size_t i = 0, n = json.size();
  auto ws = [&] {
    while (i < n && blank(json[i])) ++i;
  };
  auto skipString = [&]() -> bool {  // at '"'; leaves i after the closing quote
    for (++i; i < n; ++i) {
      if (json[i] == '\\') ++i;
      else if (json[i] == '"') {
        ++i;
        return true;
      }
    }
    return false;
  };
  auto skipValue = [&]() -> bool {
    if (i >= n) return false;
    if (json[i] == '"') return skipString();
    if (json[i] == '{' || json[i] == '[') {
      int depth = 0;
      while (i < n) {
        char c = json[i];
        if (c == '"') {
          if (!skipString()) return false;
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') {
          if (--depth == 0) {
            ++i;
            return true;
          }
        }
        ++i;
      }
      return false;
    }
    while (i < n && json[i] != ',' && json[i] != '}' && !blank(json[i])) ++i;
    return true;
  };
  ws();
  if (i >= n || json[i] != '{') return {};
  ++i;
  for (;;) {
    ws();
    if (i >= n || json[i] != '"') return {};
    size_t keyStart = i + 1;
    if (!skipString()) return {};
    std::string_view k = json.substr(keyStart, i - 1 - keyStart);
    ws();
    if (i >= n || json[i] != ':') return {};
    ++i;
    ws();
    size_t valueStart = i;
    if (!skipValue()) return {};
    if (k == key) return json.substr(valueStart, i - valueStart);
    ws();
    if (i >= n || json[i] != ',') return {};
    ++i;
  }
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// The text of a raw JSON string value (from jsonMember): a view inside its quotes when it has no
// escapes, else its unescaped text in `scratch` (reused). "" for a value that is not a string.
std::string_view jsonStringText(std::string_view raw, std::string& scratch) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return {};
  std::string_view in = raw.substr(1, raw.size() - 2);
  if (in.find('\\') == std::string_view::npos) return in;
  scratch.clear();
  auto hex4 = [&](size_t at, uint32_t& v) {
    if (at + 4 > in.size()) return false;
    v = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = in[at + k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
      else return false;
    }
    return true;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '\\' || i + 1 >= in.size()) {
      scratch += c;
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 'n': scratch += '\n'; break;
      case 't': scratch += '\t'; break;
      case 'r': scratch += '\r'; break;
      case 'b': scratch += '\b'; break;
      case 'f': scratch += '\f'; break;
      case 'u': {
        uint32_t cp;
        if (!hex4(i + 1, cp)) {
          scratch += "\\u";
          break;
        }
        i += 4;
        uint32_t low;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < in.size() && in[i + 1] == '\\' && in[i + 2] == 'u' &&
            hex4(i + 3, low) && low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        } else if (cp >= 0xD800 && cp < 0xE000) {
          cp = 0xFFFD;  // a lone surrogate
        }
        appendUtf8(scratch, cp);
        break;
      }
      default: scratch += e;  // \" \\ \/
    }
  }
  return scratch;
}

// `["interactiveUser"]` -> `interactiveUser` (AADSignInEventsBeta's LogonType); other text as is.
std::string_view singleJsonArrayString(std::string_view v) {
  if (v.size() >= 4 && v.substr(0, 2) == "[\"" && v.substr(v.size() - 2) == "\"]") {
    std::string_view inner = v.substr(2, v.size() - 4);
    if (inner.find('"') == std::string_view::npos && inner.find('\\') == std::string_view::npos) return inner;
  }
  return v;
}

// A host name where an address belongs (CloudTrail writes the calling service's name, such as
// `ec2.amazonaws.com`, or `AWS Internal`, for calls AWS made itself).
bool serviceNameNotAddress(std::string_view v) {
  if (v.empty()) return false;
  IpAddress ip;
  if (parseIp(v, ip)) return false;
  if (equalsIgnoreCaseAscii(v, "AWS Internal")) return true;
  bool letter = false, dot = false;
  for (char c : v) {
    if (c == '.') dot = true;
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-') return false;
  }
  return letter && dot;
}

// The header cell's name part: trimmed, without " [UTC]" or a KQL union suffix.
std::string_view headerStem(std::string_view n) {
  n = trim(n);
  if (!n.empty() && n.back() == ']') {
    size_t open = n.rfind(" [");
    if (open != std::string_view::npos) n = trim(n.substr(0, open));
  }
  static constexpr std::string_view suffixes[] = {"_string", "_long", "_int", "_dynamic", "_datetime",
                                                  "_real", "_bool", "_guid", "_timespan", "_decimal"};
  for (auto s : suffixes)
    if (n.size() > s.size() && equalsIgnoreCaseAscii(n.substr(n.size() - s.size()), s)) return n.substr(0, n.size() - s.size());
  return n;
}

bool timeZoneColumn(std::string_view cell) {
  cell = trim(cell);
  return (cell.size() > 6 && cell.substr(cell.size() - 6) == " [UTC]") ||
         (cell.size() > 13 && cell.substr(cell.size() - 13) == " [Local Time]");
}

std::string quoted(std::string_view v) {
  std::string s = "\"";
  for (char c : cutUtf8(v, 120)) {
    if (c == '\n') s += "\\n";
    else if (c == '\r') s += "\\r";
    else if (c == '"') s += "\\\"";
    else if (static_cast<unsigned char>(c) < 0x20) s += '?';
    else s += c;
  }
  if (v.size() > 120) s += "...";
  return s + "\"";
}

}  // namespace

bool headerNameIs(std::string_view cell, std::string_view name) {
  std::string_view n = headerStem(cell);
  size_t i = 0, k = 0;
  while (i < n.size() && k < name.size()) {
    if (blank(n[i]) && name[k] == ' ') {
      while (i < n.size() && blank(n[i])) ++i;
      ++k;
      continue;
    }
    if (lower(n[i]) != lower(name[k])) return false;
    ++i;
    ++k;
  }
  return i == n.size() && k == name.size();
}

std::string_view signInTableName(SignInTable t) {
  switch (t) {
    case SignInTable::EntraSignInLogs: return "SigninLogs";
    case SignInTable::EntraPortalDownload: return "Entra admin center sign-ins download";
    case SignInTable::AadSignInEvents: return "AADSignInEventsBeta";
    case SignInTable::IdentityLogonEvents: return "IdentityLogonEvents";
    case SignInTable::DeviceLogonEvents: return "DeviceLogonEvents";
    case SignInTable::SecurityEvent: return "SecurityEvent";
    case SignInTable::AwsCloudTrail: return "AWSCloudTrail";
  }
  return "";
}

SignInHeaderMatch matchSignInHeader(const std::vector<std::string_view>& cells) {
  auto has = [&](std::string_view name) {
    for (auto c : cells)
      if (headerNameIs(c, name)) return true;
    return false;
  };
  if (cells.size() < 2 || has("RemoteIP") || has("NetworkIP")) return {};
  const bool laExport = [&] {
    for (auto c : cells)
      if (timeZoneColumn(c)) return true;
    return false;
  }();
  SignInHeaderMatch m;
  auto offer = [&](SignInTable t, int score) {
    if (score > m.score) m = {t, score};
  };
  if (has("EventName")) {
    if (has("SourceIpAddress")) offer(SignInTable::AwsCloudTrail, 95);
    else if (has("UserIdentityType") || has("ResponseElements")) offer(SignInTable::AwsCloudTrail, 80);
    return m;
  }
  if (has("EventID")) {
    if (has("IpAddress") || has("TargetUserName") || has("LogonTypeName") || has("SubStatus"))
      offer(SignInTable::SecurityEvent, 95);
    else if (has("Activity") || has("EventSourceName") || has("AccountType"))
      offer(SignInTable::SecurityEvent, laExport ? 70 : 60);
    return m;
  }
  if (has("ResultType") && (has("UserPrincipalName") || has("ServicePrincipalName") || has("AppDisplayName")))
    offer(SignInTable::EntraSignInLogs, has("IPAddress") ? 95 : 80);
  if (has("Date (UTC)") && has("IP address") &&
      (has("Username") || has("Sign-in error code") || has("Service principal ID")))
    offer(SignInTable::EntraPortalDownload, 95);
  if (has("ErrorCode") && has("IPAddress") && (has("AccountUpn") || has("AccountObjectId")))
    offer(SignInTable::AadSignInEvents, 95);
  if (has("ActionType") && has("IPAddress") && (has("LogonType") || has("FailureReason")) && !has("ErrorCode"))
    offer(SignInTable::IdentityLogonEvents, 95);
  return m;
}

// ---------------------------------------------------------------------------------------------

struct SignInCsvRows::Impl {
  explicit Impl(RecordSink& s) : sink(s) {}

  RecordSink& sink;
  SignInTable table = SignInTable::EntraSignInLogs;
  std::vector<std::string> names;  // header cells, for messages

  // Columns (-1 = absent).
  int time = -1, timeFallback = -1, type = -1;
  std::vector<int> zoneColumns;  // every `[UTC]` / `[Local Time]` column: evidence of the date order
  int user[4] = {-1, -1, -1, -1};
  int domain = -1, account = -1;  // composed as DOMAIN\account (SecurityEvent: TargetDomainName\TargetUserName)
  int remoteIp = -1, remotePort = -1;
  int code = -1, code2 = -1, text = -1, status = -1;
  int app = -1, target[3] = {-1, -1, -1}, logonType[2] = {-1, -1}, protocol[2] = {-1, -1};
  int asn = -1, asOrg = -1, userAgent = -1, isInteractive = -1;
  int eventId = -1, subStatus = -1, failureReason = -1, packageName = -1;
  int eventName = -1, responseElements = -1;
  int actionType = -1;
  std::string_view source;      // the table's name when the row has no Type
  std::string_view logonTypeDefault;  // Entra: what a row with no IsInteractive value was

  std::string userScratch, textScratch;
  char otherBuf[64];
  // What the file report should say about this table, said with the first row (a union export
  // whose rows of this table never come says nothing).
  std::vector<std::string> notes, missing;
  bool announced = false;
  void announce() {
    if (announced) return;
    announced = true;
    for (auto& n : notes) sink.note(std::move(n));
    for (auto& m : missing) sink.missingColumn(std::move(m));
  }

  // Date order.
  bool decided = false;
  DateOrder order = DateOrder::MonthFirst;
  std::string decidedBy;  // for contradiction messages
  bool sawAmPm = false, saw24h = false;
  std::string amPmExample, clockExample;

  struct Held {
    uint64_t line;
    SignInOutcome outcome;
    uint32_t present;
    uint32_t offset[kSignInFieldCount], size[kSignInFieldCount], column[kSignInFieldCount];
    uint32_t timeColumn;
    int timeIndex;
  };
  std::vector<Held> held;
  std::string heldText;

  // --- header ---------------------------------------------------------------------------------
  int find(std::initializer_list<std::string_view> candidates) const {
    for (std::string_view c : candidates)
      for (size_t i = 0; i < names.size(); ++i)
        if (headerNameIs(names[i], c)) return int(i);
    return -1;
  }

  // --- cells ----------------------------------------------------------------------------------
  static std::string_view cell(const CsvRecord& r, int i) { return i < 0 ? std::string_view() : trim(r.fields[i]); }
  static uint32_t col(const CsvRecord& r, int i) { return i < 0 ? 0 : r.columns[i]; }

  static void put(RawSignIn& s, SignInField f, const CsvRecord& r, int i) {
    if (i >= 0) s.set(f, cell(r, i), r.columns[i]);
  }
  // The first of `cols` that says something; empty (at the first present column) when none does.
  template <size_t N>
  static void putFirst(RawSignIn& s, SignInField f, const CsvRecord& r, const int (&cols)[N], bool noneIsBlank = false) {
    int firstPresent = -1;
    for (int i : cols) {
      if (i < 0) continue;
      if (firstPresent < 0) firstPresent = i;
      std::string_view v = cell(r, i);
      if (nothing(v) || (noneIsBlank && equalsIgnoreCaseAscii(v, "none"))) continue;
      s.set(f, v, r.columns[i]);
      return;
    }
    if (firstPresent >= 0) s.set(f, std::string_view(), r.columns[firstPresent]);
  }
  // DOMAIN\name, or the name alone when there is no domain or the name already carries one.
  bool putAccount(RawSignIn& s, const CsvRecord& r) {
    std::string_view name = cell(r, account);
    if (nothing(name)) return false;
    std::string_view dom = cell(r, domain);
    if (nothing(dom) || name.find('\\') != std::string_view::npos || name.find('@') != std::string_view::npos) {
      s.set(SignInField::User, name, col(r, account));
      return true;
    }
    userScratch.assign(dom.data(), dom.size());
    userScratch += '\\';
    userScratch.append(name.data(), name.size());
    s.set(SignInField::User, userScratch, col(r, account));
    return true;
  }

  // Rows of another table in a union export (its Type cell names a table this map does not read).
  bool otherTable(const CsvRecord& r, std::initializer_list<std::string_view> mine) {
    std::string_view t = cell(r, type);
    if (t.empty()) return false;
    for (std::string_view m : mine)
      if (equalsIgnoreCaseAscii(t, m)) return false;
    sink.other("row of another table (Type column)");
    return true;
  }
  void putSource(RawSignIn& s, const CsvRecord& r) {
    std::string_view t = cell(r, type);
    if (!t.empty()) s.set(SignInField::Source, t, col(r, type));
    else s.set(SignInField::Source, source);
  }

  bool begin(SignInTable t, const CsvRecord& h, std::vector<uint8_t>& wanted);
  void row(const CsvRecord& r);
  bool build(const CsvRecord& r, RawSignIn& s);  // false: the row was handed to other()/skip()
  bool buildEntra(const CsvRecord& r, RawSignIn& s);
  bool buildPortal(const CsvRecord& r, RawSignIn& s);
  bool buildAadEvents(const CsvRecord& r, RawSignIn& s);
  bool buildIdentity(const CsvRecord& r, RawSignIn& s);
  bool buildDevice(const CsvRecord& r, RawSignIn& s);
  bool buildSecurityEvent(const CsvRecord& r, RawSignIn& s);
  bool buildCloudTrail(const CsvRecord& r, RawSignIn& s);

  // --- time -----------------------------------------------------------------------------------
  void observe(const CsvRecord& r);
  void decide(DateOrder o, std::string how, std::string note);
  void decideUndecided(bool boundReached);
  void timeAndEmit(RawSignIn& s, const CsvRecord& r);
  void hold(const RawSignIn& s, uint32_t timeColumn, int timeIndex);
  void release();
  std::string_view orderWords(DateOrder o) const { return o == DateOrder::DayFirst ? "day/month/year" : "month/day/year"; }
};

bool SignInCsvRows::Impl::begin(SignInTable t, const CsvRecord& h, std::vector<uint8_t>& wanted) {
  table = t;
  names.assign(h.fields, h.fields + h.count);
  for (size_t i = 0; i < names.size(); ++i)
    if (timeZoneColumn(names[i])) zoneColumns.push_back(int(i));
  type = find({"Type"});
  source = signInTableName(t);
  std::string timeNames;
  switch (t) {
    case SignInTable::EntraSignInLogs: {
      time = find({"TimeGenerated"});
      timeFallback = find({"CreatedDateTime"});
      timeNames = "TimeGenerated or CreatedDateTime";
      const int upn = find({"UserPrincipalName"}), spn = find({"ServicePrincipalName"});
      user[0] = upn;
      user[1] = find({"UserDisplayName"});
      user[2] = find({"Identity"});
      user[3] = spn;
      remoteIp = find({"IPAddress"});
      code = find({"ResultType"});
      text = find({"ResultDescription"});
      status = find({"Status"});
      app = find({"AppDisplayName"});
      target[0] = find({"ResourceDisplayName"});
      protocol[0] = find({"AuthenticationProtocol"});
      protocol[1] = find({"ClientAppUsed"});
      asn = find({"AutonomousSystemNumber"});
      userAgent = find({"UserAgent"});
      isInteractive = find({"IsInteractive"});
      // Without a Type column, the table shows in the columns only it has.
      if (find({"SignInEventTypes"}) >= 0 || find({"ProcessingTimeInMs"}) >= 0) {
        source = "AADNonInteractiveUserSignInLogs";
        logonTypeDefault = "nonInteractiveUser";
      } else if (upn < 0 && spn >= 0) {
        source = "AADServicePrincipalSignInLogs";
        logonTypeDefault = "servicePrincipal";
      }
      if (asn < 0) notes.push_back("no AutonomousSystemNumber column (exports before 2022 lack it): addresses are attributed from vpshunt's own IP-to-ASN data");
      break;
    }
    case SignInTable::EntraPortalDownload:
      time = find({"Date (UTC)", "Date"});
      timeNames = "Date (UTC)";
      user[0] = find({"Username"});
      user[1] = find({"User"});
      user[2] = find({"Service principal name"});
      user[3] = find({"User ID", "Service principal ID"});
      remoteIp = find({"IP address"});
      code = find({"Sign-in error code"});
      text = find({"Failure reason"});
      status = find({"Status"});
      app = find({"Application"});
      target[0] = find({"Resource"});
      protocol[0] = find({"Authentication Protocol"});
      protocol[1] = find({"Client app"});
      asn = find({"Autonomous system number"});
      userAgent = find({"User agent"});
      type = -1;
      source = "Entra admin center download";
      break;
    case SignInTable::AadSignInEvents:
      time = find({"Timestamp"});
      timeFallback = find({"TimeGenerated"});
      timeNames = "Timestamp or TimeGenerated";
      user[0] = find({"AccountUpn"});
      user[1] = find({"AccountDisplayName"});
      user[2] = find({"AccountObjectId"});
      remoteIp = find({"IPAddress"});
      code = find({"ErrorCode"});
      app = find({"Application"});
      target[0] = find({"ResourceDisplayName"});
      logonType[0] = find({"LogonType"});
      protocol[0] = find({"ClientAppUsed"});
      userAgent = find({"UserAgent"});
      if (find({"AadDeviceId"}) < 0 && (find({"IsThroughGlobalSecureAccess"}) >= 0 || find({"UniqueTokenId"}) >= 0))
        source = "EntraIdSignInEvents";
      break;
    case SignInTable::IdentityLogonEvents:
      time = find({"Timestamp"});
      timeFallback = find({"TimeGenerated"});
      timeNames = "Timestamp or TimeGenerated";
      user[0] = find({"AccountUpn"});
      domain = find({"AccountDomain"});
      account = find({"AccountName"});
      user[1] = find({"AccountDisplayName"});
      remoteIp = find({"IPAddress"});
      remotePort = find({"Port"});
      actionType = find({"ActionType"});
      code = find({"FailureReason"});
      app = find({"Application"});
      target[0] = find({"DestinationDeviceName"});
      target[1] = find({"TargetDeviceName"});
      target[2] = find({"DestinationIPAddress"});
      logonType[0] = find({"LogonType"});
      protocol[0] = find({"Protocol"});
      asOrg = find({"Isp"});  // `ISP` in Log Analytics: names compare without case
      break;
    case SignInTable::DeviceLogonEvents:
      time = find({"Timestamp"});
      timeFallback = find({"TimeGenerated"});
      timeNames = "Timestamp or TimeGenerated";
      domain = find({"AccountDomain"});
      account = find({"AccountName"});
      user[0] = find({"AccountUpn"});
      remoteIp = find({"RemoteIP"});
      remotePort = find({"RemotePort"});
      actionType = find({"ActionType"});
      code = find({"FailureReason"});
      target[0] = find({"DeviceName"});
      logonType[0] = find({"LogonType"});
      protocol[0] = find({"Protocol"});
      break;
    case SignInTable::SecurityEvent:
      time = find({"TimeGenerated"});
      timeNames = "TimeGenerated";
      eventId = find({"EventID"});
      account = find({"TargetUserName"});
      domain = find({"TargetDomainName"});
      user[0] = find({"TargetAccount"});
      user[1] = find({"Account"});
      remoteIp = find({"IpAddress"});
      remotePort = find({"IpPort"});
      code = find({"Status"});
      subStatus = find({"SubStatus"});
      failureReason = find({"FailureReason"});
      target[0] = find({"Computer"});
      logonType[0] = find({"LogonTypeName"});
      logonType[1] = find({"LogonType"});
      packageName = find({"AuthenticationPackageName"});
      if (eventId < 0) {
        sink.fatal(h.line, 1, "expected a SecurityEvent header with an EventID column");
        return false;
      }
      if (remoteIp < 0) missing.push_back("IpAddress");
      break;
    case SignInTable::AwsCloudTrail:
      time = find({"TimeGenerated", "EventTime"});
      timeNames = "TimeGenerated";
      eventName = find({"EventName"});
      user[0] = find({"UserIdentityUserName"});
      user[1] = find({"UserIdentityArn"});
      user[2] = find({"UserIdentityPrincipalid"});
      remoteIp = find({"SourceIpAddress"});
      code = find({"ErrorCode"});
      text = find({"ErrorMessage"});
      responseElements = find({"ResponseElements"});
      target[0] = find({"RecipientAccountId"});
      target[1] = find({"UserIdentityAccountId"});
      logonType[0] = find({"UserIdentityType"});
      userAgent = find({"UserAgent"});
      if (eventName < 0) {
        sink.fatal(h.line, 1, "expected an AWSCloudTrail header with an EventName column");
        return false;
      }
      break;
  }
  if (time < 0) time = timeFallback, timeFallback = -1;
  if (time < 0) {
    sink.fatal(h.line, 1, "expected a " + std::string(signInTableName(t)) + " header with a time column (" + timeNames + ")");
    return false;
  }
  if (remoteIp < 0 && t != SignInTable::SecurityEvent) {
    static constexpr std::string_view kIpName[] = {"IPAddress", "IP address", "IPAddress", "IPAddress", "RemoteIP", "IpAddress", "SourceIpAddress"};
    missing.push_back(std::string(kIpName[size_t(t)]));
  }

  notes.push_back("table " + std::string(source) + ": rows are sign-in records, time from " + std::string(trim(names[size_t(time)])));
  std::string_view timeName = trim(names[size_t(time)]);
  if (timeName.size() > 13 && timeName.substr(timeName.size() - 13) == " [Local Time]")
    notes.push_back("times are in the exporting browser's local time zone (" + std::string(timeName) +
                    "), which the export does not name: read as UTC");

  const int all[] = {time, timeFallback, type, user[0], user[1], user[2], user[3], domain, account, remoteIp,
                     remotePort, code, code2, text, status, app, target[0], target[1], target[2], logonType[0],
                     logonType[1], protocol[0], protocol[1], asn, asOrg, userAgent, isInteractive, eventId,
                     subStatus, failureReason, packageName, eventName, responseElements, actionType};
  if (wanted.size() < names.size()) wanted.resize(names.size(), 0);
  for (int i : all)
    if (i >= 0) wanted[size_t(i)] = 1;
  for (int i : zoneColumns) wanted[size_t(i)] = 1;
  return true;
}

// --- per table ----------------------------------------------------------------------------------

bool SignInCsvRows::Impl::buildEntra(const CsvRecord& r, RawSignIn& s) {
  if (otherTable(r, {"SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs",
                     "AADManagedIdentitySignInLogs"}))
    return false;
  putFirst(s, SignInField::User, r, user);
  put(s, SignInField::RemoteIP, r, remoteIp);
  std::string_view statusJson = cell(r, status);
  std::string_view resultCode = cell(r, code);
  if (code >= 0) s.set(SignInField::ResultCode, resultCode, col(r, code));
  if (resultCode.empty() && !statusJson.empty()) {  // ResultType empty: Status.errorCode says it
    std::string_view v = jsonMember(statusJson, "errorCode");
    if (!v.empty() && v.front() != '"') {
      resultCode = v;
      s.set(SignInField::ResultCode, v, col(r, status));
    }
  }
  s.outcome = signin::entraOutcome(resultCode);
  std::string_view words = cell(r, text);
  uint32_t wordsCol = col(r, text);
  if (words.empty() && !statusJson.empty() && s.outcome != SignInOutcome::Success) {
    words = trim(jsonStringText(jsonMember(statusJson, "failureReason"), textScratch));
    wordsCol = col(r, status);
  }
  if (words.empty() && s.outcome != SignInOutcome::Success) words = signin::entraCodeWords(resultCode), wordsCol = 0;
  if (!words.empty()) s.set(SignInField::ResultText, words, wordsCol);
  put(s, SignInField::Application, r, app);
  put(s, SignInField::Target, r, target[0]);
  putFirst(s, SignInField::Protocol, r, protocol, true);
  put(s, SignInField::Asn, r, asn);
  put(s, SignInField::UserAgent, r, userAgent);
  putSource(s, r);
  // LogonType in the words of AADSignInEventsBeta's LogonType and Graph's signInEventTypes.
  std::string_view inter = cell(r, isInteractive);
  std::string_view rowTable = cell(r, type);
  if (equalsIgnoreCaseAscii(inter, "true")) s.set(SignInField::LogonType, "interactiveUser", col(r, isInteractive));
  else if (equalsIgnoreCaseAscii(inter, "false")) s.set(SignInField::LogonType, "nonInteractiveUser", col(r, isInteractive));
  else if (equalsIgnoreCaseAscii(rowTable, "AADNonInteractiveUserSignInLogs")) s.set(SignInField::LogonType, "nonInteractiveUser");
  else if (equalsIgnoreCaseAscii(rowTable, "AADServicePrincipalSignInLogs")) s.set(SignInField::LogonType, "servicePrincipal");
  else if (equalsIgnoreCaseAscii(rowTable, "AADManagedIdentitySignInLogs")) s.set(SignInField::LogonType, "managedIdentity");
  else if (!logonTypeDefault.empty() && rowTable.empty()) s.set(SignInField::LogonType, logonTypeDefault);
  return true;
}

bool SignInCsvRows::Impl::buildPortal(const CsvRecord& r, RawSignIn& s) {
  putFirst(s, SignInField::User, r, user);
  put(s, SignInField::RemoteIP, r, remoteIp);
  std::string_view resultCode = cell(r, code);
  put(s, SignInField::ResultCode, r, code);
  std::string_view st = cell(r, status);
  if (equalsIgnoreCaseAscii(st, "Success")) s.outcome = SignInOutcome::Success;
  else if (equalsIgnoreCaseAscii(st, "Failure")) s.outcome = SignInOutcome::Failure;
  else if (equalsIgnoreCaseAscii(st, "Interrupted")) s.outcome = SignInOutcome::Interrupted;
  else s.outcome = signin::entraOutcome(resultCode);
  std::string_view words = cell(r, text);
  if (!words.empty()) s.set(SignInField::ResultText, words, col(r, text));
  else if (s.outcome != SignInOutcome::Success && !signin::entraCodeWords(resultCode).empty())
    s.set(SignInField::ResultText, signin::entraCodeWords(resultCode));
  put(s, SignInField::Application, r, app);
  put(s, SignInField::Target, r, target[0]);
  putFirst(s, SignInField::Protocol, r, protocol, true);
  put(s, SignInField::Asn, r, asn);
  put(s, SignInField::UserAgent, r, userAgent);
  s.set(SignInField::Source, source);
  return true;
}

bool SignInCsvRows::Impl::buildAadEvents(const CsvRecord& r, RawSignIn& s) {
  if (otherTable(r, {"AADSignInEventsBeta", "EntraIdSignInEvents"})) return false;
  putFirst(s, SignInField::User, r, user);
  put(s, SignInField::RemoteIP, r, remoteIp);
  std::string_view resultCode = cell(r, code);
  put(s, SignInField::ResultCode, r, code);
  s.outcome = signin::entraOutcome(resultCode);  // ErrorCode is an integer here: 0 = success
  if (s.outcome != SignInOutcome::Success && !signin::entraCodeWords(resultCode).empty())
    s.set(SignInField::ResultText, signin::entraCodeWords(resultCode));
  put(s, SignInField::Application, r, app);
  put(s, SignInField::Target, r, target[0]);
  if (logonType[0] >= 0) s.set(SignInField::LogonType, singleJsonArrayString(cell(r, logonType[0])), col(r, logonType[0]));
  put(s, SignInField::Protocol, r, protocol[0]);
  put(s, SignInField::UserAgent, r, userAgent);
  putSource(s, r);
  return true;
}

// Defender's logon ActionTypes: LogonSuccess / LogonFailed (LogonAttempted: no outcome stated).
SignInOutcome defenderLogonOutcome(std::string_view a) {
  if (a == "LogonSuccess") return SignInOutcome::Success;
  if (a == "LogonFailed") return SignInOutcome::Failure;
  return SignInOutcome::Unknown;
}

bool SignInCsvRows::Impl::buildIdentity(const CsvRecord& r, RawSignIn& s) {
  if (otherTable(r, {"IdentityLogonEvents"})) return false;
  std::string_view action = cell(r, actionType);
  if (actionType >= 0 && cell(r, type).empty() && !startsWithNoCase(action, "Logon")) {
    sink.other("row of another Identity table (ActionType is not a logon)");
    return false;
  }
  std::string_view upn = cell(r, user[0]);
  if (!nothing(upn)) s.set(SignInField::User, upn, col(r, user[0]));
  else if (!putAccount(s, r)) putFirst(s, SignInField::User, r, {user[1], user[0]});
  put(s, SignInField::RemoteIP, r, remoteIp);
  put(s, SignInField::RemotePort, r, remotePort);
  s.outcome = defenderLogonOutcome(action);
  // FailureReason is both the code and the words ("UnknownUser", "WrongPassword").
  put(s, SignInField::ResultCode, r, code);
  put(s, SignInField::ResultText, r, code);
  put(s, SignInField::Application, r, app);
  putFirst(s, SignInField::Target, r, target);
  put(s, SignInField::LogonType, r, logonType[0]);
  put(s, SignInField::Protocol, r, protocol[0]);
  put(s, SignInField::AsOrg, r, asOrg);
  putSource(s, r);
  return true;
}

bool SignInCsvRows::Impl::buildDevice(const CsvRecord& r, RawSignIn& s) {
  if (!putAccount(s, r)) putFirst(s, SignInField::User, r, {user[0], account});
  put(s, SignInField::RemoteIP, r, remoteIp);
  put(s, SignInField::RemotePort, r, remotePort);
  s.outcome = defenderLogonOutcome(cell(r, actionType));
  put(s, SignInField::ResultCode, r, code);
  put(s, SignInField::ResultText, r, code);
  put(s, SignInField::Target, r, target[0]);
  put(s, SignInField::LogonType, r, logonType[0]);
  put(s, SignInField::Protocol, r, protocol[0]);
  s.set(SignInField::Source, "DeviceLogonEvents");
  return true;
}

bool SignInCsvRows::Impl::buildSecurityEvent(const CsvRecord& r, RawSignIn& s) {
  if (otherTable(r, {"SecurityEvent"})) return false;
  std::string_view idText = cell(r, eventId);
  unsigned id = 0;
  bool number = !idText.empty() && idText.size() <= 5;
  for (char c : idText) {
    if (c < '0' || c > '9') number = false;
    else id = id * 10 + unsigned(c - '0');
  }
  if (!number || id > 65535) {
    sink.skip("unparseable EventID", r.line, col(r, eventId),
              "expected a Windows event ID (a number 0-65535) in EventID, found " +
                  (idText.empty() ? std::string("an empty value") : quoted(idText)));
    return false;
  }
  if (id != 4624 && id != 4625 && id != 4771 && id != 4776) {
    std::snprintf(otherBuf, sizeof otherBuf, "SecurityEvent %u", id);
    sink.other(otherBuf);
    return false;
  }
  std::string_view ip = cell(r, remoteIp);
  if ((id == 4771 || id == 4776) && nothing(ip)) {
    // Kerberos pre-authentication and NTLM credential validation on a DC: with no client address
    // (4776 never has one) there is nothing to attribute.
    std::snprintf(otherBuf, sizeof otherBuf, "SecurityEvent %u without a client address", id);
    sink.other(otherBuf);
    return false;
  }
  if (!putAccount(s, r)) putFirst(s, SignInField::User, r, {user[0], user[1], account});
  put(s, SignInField::RemoteIP, r, remoteIp);
  put(s, SignInField::RemotePort, r, remotePort);
  // The most specific code: SubStatus holds the reason when Status is the generic 0xc000006d.
  std::string_view sub = cell(r, subStatus), st = cell(r, code);
  int codeCol = -1;
  if (!nothing(sub) && !zeroStatus(sub)) codeCol = subStatus;
  else if (!nothing(st) && !zeroStatus(st)) codeCol = code;
  std::string_view resultCode = cell(r, codeCol);
  if (codeCol >= 0) s.set(SignInField::ResultCode, resultCode, col(r, codeCol));
  if (id == 4624) s.outcome = SignInOutcome::Success;
  else if (id == 4776) s.outcome = codeCol < 0 ? (nothing(st) ? SignInOutcome::Unknown : SignInOutcome::Success) : SignInOutcome::Failure;
  else s.outcome = SignInOutcome::Failure;
  std::string_view words = id == 4771 ? signin::kerberosResultWords(resultCode) : signin::windowsStatusWords(resultCode);
  uint32_t wordsCol = 0;
  if (words.empty() && s.outcome == SignInOutcome::Failure) {
    std::string_view reason = cell(r, failureReason);
    words = signin::windowsReasonTokenWords(reason);
    if (words.empty() && !nothing(reason) && reason.substr(0, 2) != "%%") words = reason;
    wordsCol = words.empty() ? 0 : col(r, failureReason);
  }
  if (!words.empty()) s.set(SignInField::ResultText, words, wordsCol);
  put(s, SignInField::Target, r, target[0]);
  putFirst(s, SignInField::LogonType, r, logonType);
  std::string_view package = cell(r, packageName);
  if (!nothing(package)) s.set(SignInField::Protocol, package, col(r, packageName));
  else if (id == 4771) s.set(SignInField::Protocol, "Kerberos");
  else if (id == 4776) s.set(SignInField::Protocol, "NTLM");
  s.set(SignInField::Source, idText, col(r, eventId));
  return true;
}

bool SignInCsvRows::Impl::buildCloudTrail(const CsvRecord& r, RawSignIn& s) {
  if (otherTable(r, {"AWSCloudTrail"})) return false;
  if (cell(r, eventName) != "ConsoleLogin") {
    sink.other("AWSCloudTrail event other than ConsoleLogin");
    return false;
  }
  std::string_view ip = cell(r, remoteIp);
  if (serviceNameNotAddress(ip)) {
    // Not a malformed row: AWS signed in on its own behalf, and there is no client to attribute.
    sink.other("ConsoleLogin by an AWS service (SourceIpAddress is a service name, not a client address)");
    return false;
  }
  putFirst(s, SignInField::User, r, user);
  put(s, SignInField::RemoteIP, r, remoteIp);
  std::string_view result = jsonStringText(jsonMember(cell(r, responseElements), "ConsoleLogin"), textScratch);
  std::string_view message = cell(r, text);
  if (result == "Success") s.outcome = SignInOutcome::Success;
  else if (result == "Failure" || !message.empty()) s.outcome = SignInOutcome::Failure;
  int codeCol = !cell(r, code).empty() ? code : text;
  if (!cell(r, codeCol).empty()) s.set(SignInField::ResultCode, cell(r, codeCol), col(r, codeCol));
  if (!message.empty()) s.set(SignInField::ResultText, message, col(r, text));
  s.set(SignInField::Application, "AWS Console");
  putFirst(s, SignInField::Target, r, {target[0], target[1]});
  put(s, SignInField::LogonType, r, logonType[0]);
  put(s, SignInField::UserAgent, r, userAgent);
  putSource(s, r);
  return true;
}

bool SignInCsvRows::Impl::build(const CsvRecord& r, RawSignIn& s) {
  switch (table) {
    case SignInTable::EntraSignInLogs: return buildEntra(r, s);
    case SignInTable::EntraPortalDownload: return buildPortal(r, s);
    case SignInTable::AadSignInEvents: return buildAadEvents(r, s);
    case SignInTable::IdentityLogonEvents: return buildIdentity(r, s);
    case SignInTable::DeviceLogonEvents: return buildDevice(r, s);
    case SignInTable::SecurityEvent: return buildSecurityEvent(r, s);
    case SignInTable::AwsCloudTrail: return buildCloudTrail(r, s);
  }
  return false;
}

// --- date order ---------------------------------------------------------------------------------

void SignInCsvRows::Impl::observe(const CsvRecord& r) {
  for (int i : zoneColumns) {
    std::string_view v = cell(r, i);
    LocaleDateTime d;
    if (v.empty() || !splitLocaleTime(v, d)) continue;
    if (!d.yearFirst && d.separator == '/') {
      auto where = [&] { return "line " + std::to_string(r.line) + " has " + quoted(v) + " in " + names[size_t(i)]; };
      if (d.first > 12 && d.second >= 1 && d.second <= 12) {
        decide(DateOrder::DayFirst, "decided by " + where(),
               "dates in this file are day/month/year: " + where() + ", and " + std::to_string(d.first) + " is not a month");
        return;
      }
      if (d.second > 12 && d.first >= 1 && d.first <= 12) {
        decide(DateOrder::MonthFirst, "decided by " + where(),
               "dates in this file are month/day/year: " + where() + ", and " + std::to_string(d.second) + " is not a month");
        return;
      }
    }
    if (d.hasClock && d.amPm && !sawAmPm) {
      sawAmPm = true;
      amPmExample = "line " + std::to_string(r.line) + ": " + quoted(v);
    } else if (d.hasClock && !d.amPm && d.hour > 12 && !saw24h) {
      saw24h = true;
      clockExample = "line " + std::to_string(r.line) + ": " + quoted(v);
    }
  }
}

void SignInCsvRows::Impl::decideUndecided(bool boundReached) {
  const std::string rowsRead = boundReached ? "in the first " + std::to_string(held.size()) + " rows read" : "in every row read";
  std::string why = "dates in this file are ambiguous (day and month both <= 12 " + rowsRead + ")";
  if (saw24h && !sawAmPm) {
    decide(DateOrder::DayFirst, "read as day/month: the file's dates were ambiguous and its clock is 24-hour",
           why + "; read as day/month: its times use a 24-hour clock (" + clockExample + "), which en-US exports never write");
  } else {
    decide(DateOrder::MonthFirst, "read as month/day: the file's dates were ambiguous",
           why + "; read as month/day (en-US, the Log Analytics default)" +
               (sawAmPm ? std::string("; its times carry AM/PM (") + amPmExample + "), as en-US's do" : std::string()));
  }
}

void SignInCsvRows::Impl::decide(DateOrder o, std::string how, std::string note) {
  decided = true;
  order = o;
  decidedBy = std::move(how);
  sink.note(std::move(note));
  release();
}

void SignInCsvRows::Impl::hold(const RawSignIn& s, uint32_t timeColumn, int timeIndex) {
  Held h;
  h.line = s.line;
  h.outcome = s.outcome;
  h.present = s.present;
  h.timeColumn = timeColumn;
  h.timeIndex = timeIndex;
  for (size_t f = 0; f < kSignInFieldCount; ++f) {
    std::string_view v = s.get(SignInField(f));
    h.offset[f] = uint32_t(heldText.size());
    h.size[f] = uint32_t(v.size());
    h.column[f] = s.col(SignInField(f));
    heldText.append(v.data(), v.size());
  }
  held.push_back(h);
}

void SignInCsvRows::Impl::release() {
  for (const Held& h : held) {
    RawSignIn s;
    s.line = h.line;
    s.outcome = h.outcome;
    for (size_t f = 0; f < kSignInFieldCount; ++f)
      if (h.present & (1u << f)) s.set(SignInField(f), std::string_view(heldText.data() + h.offset[f], h.size[f]), h.column[f]);
    std::string_view t = s.get(SignInField::Time);
    Ticks ticks;
    if (!parseLocaleTime(t, order, ticks)) {  // cannot happen for a held row (valid either way): kept as a guard
      sink.skip("unparseable time", h.line, h.timeColumn,
                "expected a " + std::string(orderWords(order)) + " time in " + names[size_t(h.timeIndex)] + ", found " + quoted(t));
      continue;
    }
    s.hasTime = true;
    s.time = ticks;
    sink.onSignIn(s);
  }
  held.clear();
  heldText.clear();
}

void SignInCsvRows::Impl::timeAndEmit(RawSignIn& s, const CsvRecord& r) {
  int ti = time;
  std::string_view t = cell(r, time);
  if (t.empty() && timeFallback >= 0 && !cell(r, timeFallback).empty()) ti = timeFallback, t = cell(r, timeFallback);
  const std::string& name = names[size_t(ti)];
  s.set(SignInField::Time, t, r.columns[ti]);
  if (t.empty()) {
    sink.skip("no time", r.line, r.columns[ti], "expected a time in " + name + ", found an empty value");
    return;
  }
  Ticks ticks;
  if (parseIsoTime(t, ticks)) {
    s.hasTime = true;
    s.time = ticks;
    sink.onSignIn(s);
    return;
  }
  LocaleDateTime d;
  if (!splitLocaleTime(t, d)) {
    sink.skip("unparseable time", r.line, r.columns[ti],
              "expected a time such as 2025-04-21T09:45:54Z, 4/21/2025, 9:45:54.000 AM or 21/04/2025, 09:45:54.000 in " +
                  name + ", found " + quoted(t));
    return;
  }
  if (!decided && d.orderMatters()) {
    if (held.size() >= kMaxPendingRows || heldText.size() >= kMaxPendingBytes) decideUndecided(true);
    else {
      hold(s, r.columns[ti], ti);
      return;
    }
  }
  if (parseLocaleTime(t, order, ticks)) {
    s.hasTime = true;
    s.time = ticks;
    sink.onSignIn(s);
    return;
  }
  const DateOrder otherOrder = order == DateOrder::DayFirst ? DateOrder::MonthFirst : DateOrder::DayFirst;
  if (decided && parseLocaleTime(t, otherOrder, ticks)) {
    sink.skip("date order contradicts the file", r.line, r.columns[ti],
              "expected a " + std::string(orderWords(order)) + " date in " + name + " as in the rest of this file (" +
                  decidedBy + "), found " + quoted(t));
    return;
  }
  sink.skip("unparseable time", r.line, r.columns[ti],
            "expected a valid date and time in " + name + ", found " + quoted(t));
}

void SignInCsvRows::Impl::row(const CsvRecord& r) {
  announce();
  // Every row's dates count as evidence, also those of rows that are not sign-ins.
  if (!decided && !zoneColumns.empty()) observe(r);
  RawSignIn s;
  s.line = r.line;
  if (!build(r, s)) return;
  timeAndEmit(s, r);
}

// ---------------------------------------------------------------------------------------------

SignInCsvRows::SignInCsvRows(RecordSink& sink) : impl_(std::make_unique<Impl>(sink)) {}
SignInCsvRows::~SignInCsvRows() = default;
bool SignInCsvRows::begin(SignInTable table, const CsvRecord& header, std::vector<uint8_t>& wanted) {
  return impl_->begin(table, header, wanted);
}
void SignInCsvRows::row(const CsvRecord& r) { impl_->row(r); }
void SignInCsvRows::announce() { impl_->announce(); }
void SignInCsvRows::finish() {
  if (!impl_->held.empty()) impl_->decideUndecided(false);
}

}  // namespace vpshunt
