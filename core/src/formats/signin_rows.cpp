#include "formats/signin_rows.hpp"

#include "formats/signin_codes.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/time.hpp"
#include "events/values.hpp"

namespace vpshunt::signin {

namespace {

constexpr std::string_view kColNames[] = {
    "TimeGenerated", "Timestamp", "CreatedDateTime", "time", "TimeCreated", "@timestamp", "EventTime", "published",
    "Type", "Category",
    "IPAddress", "CallerIpAddress", "UserPrincipalName", "ServicePrincipalName", "ServicePrincipalId", "UserId",
    "ResultType", "ResultDescription", "status.errorCode", "status.failureReason", "AppDisplayName",
    "ResourceDisplayName", "ClientAppUsed", "AuthenticationProtocol", "SignInEventTypes", "IsInteractive",
    "AutonomousSystemNumber", "UserAgent",
    "ErrorCode", "AccountUpn", "AccountDisplayName", "AccountObjectId", "Application", "LogonType",
    "ActionType", "FailureReason", "AccountName", "AccountDomain", "Protocol", "Port", "RemoteIP", "RemotePort",
    "DeviceName", "DestinationDeviceName", "TargetDeviceName", "Isp",
    "EventID", "Channel", "EventSourceName", "Computer", "Account", "TargetAccount", "TargetUserName",
    "TargetDomainName", "IpPort", "Status", "SubStatus", "LogonTypeName", "AuthenticationPackageName",
    "LogonProcessName",
    "EventName", "EventSource", "SourceIpAddress", "UserIdentityType", "UserIdentityUserName", "UserIdentityArn",
    "UserIdentityPrincipalId", "UserIdentityAccountId", "RecipientAccountId", "ResponseElements", "ConsoleLogin",
    "ErrorMessage", "AdditionalEventData", "MFAUsed",
    "eventType", "outcome_result", "outcome_reason", "client_ipAddress", "request_ipChain_ip", "actor_alternateId",
    "securityContext_asNumber", "securityContext_asOrg", "securityContext_isp", "client_userAgent_rawUserAgent",
    "authenticationContext_credentialType", "target_appDisplayName",
};
static_assert(sizeof kColNames / sizeof kColNames[0] == kColCount, "one name per column");

bool ieq(std::string_view a, std::string_view b) { return equalsIgnoreCaseAscii(a, b); }

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool lookup(std::string_view n, Col& out) {
  if (ieq(n, "SourceName") || ieq(n, "ProviderName") || ieq(n, "Provider")) {  // NXLog, Get-WinEvent
    out = Col::Provider;
    return true;
  }
  for (size_t i = 0; i < kColCount; ++i)
    if (ieq(n, kColNames[i])) {
      out = Col(i);
      return true;
    }
  return false;
}

// "RemoteIP_string" -> "RemoteIP"; "TimeGenerated [UTC]" -> "TimeGenerated" (as fields.cpp does).
std::string_view normalizeKql(std::string_view n) {
  n = trim(n);
  if (!n.empty() && n.back() == ']') {
    size_t open = n.rfind(" [");
    if (open != std::string_view::npos) n = n.substr(0, open);
  }
  static constexpr std::string_view suffixes[] = {"_string", "_long", "_int", "_dynamic", "_datetime",
                                                  "_real", "_bool", "_guid", "_timespan", "_decimal"};
  for (auto s : suffixes)
    if (n.size() > s.size() && ieq(n.substr(n.size() - s.size()), s)) return n.substr(0, n.size() - s.size());
  return n;
}

// Entra's sign-in categories and tables, and the kind of sign-in each holds (Graph's signInEventTypes words).
struct EntraKind {
  std::string_view name, logonType;
};
constexpr EntraKind kEntraKinds[] = {
    {"SignInLogs", "interactiveUser"},
    {"SigninLogs", "interactiveUser"},
    {"NonInteractiveUserSignInLogs", "nonInteractiveUser"},
    {"AADNonInteractiveUserSignInLogs", "nonInteractiveUser"},
    {"ServicePrincipalSignInLogs", "servicePrincipal"},
    {"AADServicePrincipalSignInLogs", "servicePrincipal"},
    {"ManagedIdentitySignInLogs", "managedIdentity"},
    {"AADManagedIdentitySignInLogs", "managedIdentity"},
};

// `["interactiveUser"]` -> `interactiveUser`; other texts as they are.
std::string_view firstOfJsonArray(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return s;
  std::string_view in = trim(s.substr(1, s.size() - 2));
  if (in.size() >= 2 && in.front() == '"') {
    size_t close = in.find('"', 1);
    if (close != std::string_view::npos && in.find('\\') == std::string_view::npos) return in.substr(1, close - 1);
  }
  return in.empty() ? std::string_view() : s;
}

bool looksLikeHostName(std::string_view s) {
  bool letter = false;
  for (char c : s) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    letter |= alpha;
    if (!alpha && !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != ' ' && c != '_') return false;
  }
  return letter;
}

}  // namespace

std::string_view colName(Col c) { return kColNames[size_t(c)]; }

bool columnByName(std::string_view name, Col& out) {
  name = normalizeKql(name);
  if (lookup(name, out)) return true;
  // Custom tables (Okta_CL) add the type to every name: _s string, _d double, _t datetime, _b bool, _g guid.
  if (name.size() > 2 && name[name.size() - 2] == '_') {
    char t = name.back();
    if (t == 's' || t == 'd' || t == 't' || t == 'b' || t == 'g') return lookup(name.substr(0, name.size() - 2), out);
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string quote(std::string_view s) { return quoteForMessage(s); }

std::string_view jsonTextMember(std::string_view json, std::string_view key) {
  // Enough JSON for the small objects Log Analytics keeps as text: "key" : "value" (no escapes in the value).
  size_t pos = 0;
  while ((pos = json.find(key, pos)) != std::string_view::npos) {
    size_t end = pos + key.size();
    bool quoted = pos > 0 && json[pos - 1] == '"' && end < json.size() && json[end] == '"';
    pos = end;
    if (!quoted) continue;
    size_t i = end + 1;
    while (i < json.size() && space(json[i])) ++i;
    if (i >= json.size() || json[i] != ':') continue;
    ++i;
    while (i < json.size() && space(json[i])) ++i;
    if (i >= json.size() || json[i] != '"') return {};
    size_t close = json.find('"', i + 1);
    if (close == std::string_view::npos) return {};
    return json.substr(i + 1, close - i - 1);
  }
  return {};
}

bool Row::hasValue(Col c) const { return has(c) && !values_[size_t(c)].null && !trim(values_[size_t(c)].text).empty(); }

std::string_view Row::text(Col c) const {
  if (!has(c) || values_[size_t(c)].null) return {};
  return trim(values_[size_t(c)].text);
}

Family familyOf(const Row& r) {
  auto h = [&](Col c) { return r.has(c); };
  if (h(Col::EventID) && (h(Col::IPAddress) || h(Col::TargetUserName) || h(Col::LogonType) || h(Col::SubStatus)))
    return Family::Windows;
  if (h(Col::EventName) && (h(Col::SourceIpAddress) || h(Col::UserIdentityArn) || h(Col::UserIdentityType) ||
                            h(Col::ResponseElements) || h(Col::ConsoleLogin)))
    return Family::CloudTrail;
  if (h(Col::EventType) && (h(Col::ClientIpAddress) || h(Col::OutcomeResult) || h(Col::ActorAlternateId)))
    return Family::Okta;
  if ((h(Col::ResultType) || h(Col::StatusErrorCode)) &&
      (h(Col::UserPrincipalName) || h(Col::ServicePrincipalName) || h(Col::ServicePrincipalId) ||
       h(Col::AppDisplayName) || h(Col::IPAddress)))
    return Family::Entra;
  if (h(Col::ErrorCode) && (h(Col::AccountUpn) || h(Col::AccountObjectId) || h(Col::ServicePrincipalName)) &&
      !h(Col::ActionType))
    return Family::DefenderEntra;
  if (h(Col::ActionType) && (h(Col::LogonType) || h(Col::FailureReason))) {
    if (h(Col::RemoteIP)) return Family::DeviceLogon;
    if (h(Col::IPAddress)) return Family::IdentityLogon;
  }
  return Family::None;
}

std::string_view familyName(Family f) {
  switch (f) {
    case Family::Entra: return "SigninLogs";
    case Family::DefenderEntra: return "AADSignInEventsBeta";
    case Family::IdentityLogon: return "IdentityLogonEvents";
    case Family::DeviceLogon: return "DeviceLogonEvents";
    case Family::Windows: return "SecurityEvent";
    case Family::CloudTrail: return "AWSCloudTrail";
    case Family::Okta: return "Okta";
    default: return "";
  }
}

bool isLogonAction(std::string_view a) { return a == "LogonSuccess" || a == "LogonFailed" || a == "LogonAttempted"; }

bool isOktaSignIn(std::string_view t) {
  // Primary authentication, SSO into an app, and each verification of a credential or factor are
  // attempts (Elastic's Okta rules read the same four kinds). policy.evaluate_sign_on is the policy
  // decision about an attempt that has its own event; Builder::okta reads it only when it denies.
  static constexpr std::string_view exact[] = {"user.session.start", "user.authentication.sso",
                                               "user.authentication.verify", "user.authentication.authenticate",
                                               "policy.evaluate_sign_on"};
  for (auto e : exact)
    if (t == e) return true;
  constexpr std::string_view via = "user.authentication.auth_via_";
  return t.size() > via.size() && t.substr(0, via.size()) == via;
}

// ---------------------------------------------------------------------------------------------------

void Builder::put(const Row& r, RawSignIn& s, SignInField f, Col c) const {
  if (!r.hasValue(c)) return;
  putText(r, s, f, c, r.text(c));
}

void Builder::putText(const Row& r, RawSignIn& s, SignInField f, Col c, std::string_view text) const {
  const Value& v = r.get(c);
  s.set(f, text, r.has(c) && v.line == r.line ? static_cast<uint32_t>(v.column) : 0);
}

void Builder::noteOnce(RecordSink& sink, uint32_t bit, std::string text) {
  if (noted_ & bit) return;
  noted_ |= bit;
  sink.note(std::move(text));
}

bool Builder::setTime(const Row& r, RawSignIn& s, RecordSink& sink, const Col* order, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    Col c = order[i];
    if (!r.hasValue(c)) continue;
    const Value& v = r.get(c);
    std::string_view text = r.text(c);
    Ticks t;
    if (!(r.usLocaleTimes ? parseAnyTime(text, t) : parseIsoTime(text, t))) {
      sink.skip("unparseable time", v.line ? v.line : r.line, v.line ? v.column : r.column,
                "expected an ISO 8601 time in " + std::string(v.name.empty() ? colName(c) : v.name) + ", found " +
                    quote(text));
      return false;
    }
    s.hasTime = true;
    s.time = t;
    putText(r, s, SignInField::Time, c, text);
    return true;
  }
  std::string names;
  for (size_t i = 0; i < n; ++i) {
    if (!names.empty()) names += i + 1 == n ? " or " : ", ";
    names += colName(order[i]);
  }
  sink.skip("missing time", r.line, r.column, "expected a time (" + names + ") in the record");
  return false;
}

bool Builder::noClient(RawSignIn& s, RecordSink& sink, std::string_view source) {
  if (s.has(SignInField::RemoteIP) || s.has(SignInField::Asn)) return false;
  other_.assign(source).append(" without a client address");
  sink.other(other_);
  return true;
}

void Builder::entra(const Row& r, RecordSink& sink) {
  RawSignIn s;
  s.line = r.line;
  static constexpr Col times[] = {Col::CreatedDateTime, Col::TimeGenerated, Col::Timestamp, Col::EnvelopeTime};
  if (!setTime(r, s, sink, times, 4)) return;

  std::string_view kindName = r.hasValue(Col::Category) ? r.text(Col::Category) : r.text(Col::Type);
  std::string_view kindLogon;
  for (const auto& k : kEntraKinds)
    if (kindName == k.name) kindLogon = k.logonType;
  std::string_view source = !r.source.empty() ? r.source : !kindName.empty() ? kindName : std::string_view("Entra ID");

  if (r.hasValue(Col::IPAddress)) put(r, s, SignInField::RemoteIP, Col::IPAddress);
  else put(r, s, SignInField::RemoteIP, Col::CallerIpAddress);
  put(r, s, SignInField::Asn, Col::AutonomousSystemNumber);
  if (noClient(s, sink, source)) return;

  for (Col c : {Col::UserPrincipalName, Col::AccountUpn, Col::ServicePrincipalName, Col::ServicePrincipalId,
                Col::AccountObjectId, Col::UserId})
    if (r.hasValue(c)) {
      put(r, s, SignInField::User, c);
      break;
    }

  Col code = r.hasValue(Col::StatusErrorCode) ? Col::StatusErrorCode
             : r.hasValue(Col::ErrorCode)     ? Col::ErrorCode
                                              : Col::ResultType;
  if (r.hasValue(code)) {
    put(r, s, SignInField::ResultCode, code);
    s.outcome = entraOutcome(r.text(code));
  }
  if (s.outcome != SignInOutcome::Success) {
    if (r.hasValue(Col::StatusFailureReason)) put(r, s, SignInField::ResultText, Col::StatusFailureReason);
    else put(r, s, SignInField::ResultText, Col::ResultDescription);
  }

  if (r.hasValue(Col::AppDisplayName)) put(r, s, SignInField::Application, Col::AppDisplayName);
  else put(r, s, SignInField::Application, Col::Application);
  put(r, s, SignInField::Target, Col::ResourceDisplayName);

  Col logon = r.hasValue(Col::SignInEventTypes) ? Col::SignInEventTypes : Col::LogonType;
  std::string_view logonText = firstOfJsonArray(r.text(logon));
  if (!logonText.empty()) {
    putText(r, s, SignInField::LogonType, logon, logonText);
  } else if (!kindLogon.empty()) {
    putText(r, s, SignInField::LogonType, r.hasValue(Col::Category) ? Col::Category : Col::Type, kindLogon);
  } else if (r.hasValue(Col::IsInteractive)) {
    std::string_view i = r.text(Col::IsInteractive);
    if (ieq(i, "true") || ieq(i, "false"))
      putText(r, s, SignInField::LogonType, Col::IsInteractive, ieq(i, "true") ? "interactiveUser" : "nonInteractiveUser");
  }

  std::string_view protocol = r.text(Col::AuthenticationProtocol);
  if (!protocol.empty() && !ieq(protocol, "none")) put(r, s, SignInField::Protocol, Col::AuthenticationProtocol);
  else put(r, s, SignInField::Protocol, Col::ClientAppUsed);
  put(r, s, SignInField::UserAgent, Col::UserAgent);
  s.set(SignInField::Source, source);
  sink.onSignIn(s);
}

void Builder::defenderLogon(const Row& r, bool device, RecordSink& sink) {
  RawSignIn s;
  s.line = r.line;
  static constexpr Col times[] = {Col::Timestamp, Col::TimeGenerated};
  if (!setTime(r, s, sink, times, 2)) return;
  std::string_view source = !r.source.empty() ? r.source : device ? "DeviceLogonEvents" : "IdentityLogonEvents";

  put(r, s, SignInField::RemoteIP, device ? Col::RemoteIP : Col::IPAddress);
  if (noClient(s, sink, source)) return;
  put(r, s, SignInField::RemotePort, device ? Col::RemotePort : Col::Port);

  if (r.hasValue(Col::AccountUpn)) {
    put(r, s, SignInField::User, Col::AccountUpn);
  } else if (r.hasValue(Col::AccountName)) {
    std::string_view domain = r.text(Col::AccountDomain);
    if (domain.empty()) {
      put(r, s, SignInField::User, Col::AccountName);
    } else {
      user_.assign(domain).append(1, '\\').append(r.text(Col::AccountName));
      putText(r, s, SignInField::User, Col::AccountName, user_);
    }
  }

  std::string_view action = r.text(Col::ActionType);
  s.outcome = action == "LogonSuccess" ? SignInOutcome::Success
              : action == "LogonFailed" ? SignInOutcome::Failure
                                        : SignInOutcome::Unknown;
  if (r.hasValue(Col::FailureReason)) {
    put(r, s, SignInField::ResultCode, Col::FailureReason);
    readableReason(r.text(Col::FailureReason), reason_);
    putText(r, s, SignInField::ResultText, Col::FailureReason, reason_);
  }
  if (device) {
    put(r, s, SignInField::Target, Col::DeviceName);
  } else {
    put(r, s, SignInField::Application, Col::Application);
    if (r.hasValue(Col::DestinationDeviceName)) put(r, s, SignInField::Target, Col::DestinationDeviceName);
    else put(r, s, SignInField::Target, Col::TargetDeviceName);
    put(r, s, SignInField::AsOrg, Col::Isp);
  }
  put(r, s, SignInField::LogonType, Col::LogonType);
  put(r, s, SignInField::Protocol, Col::Protocol);
  s.set(SignInField::Source, source);
  sink.onSignIn(s);
}

void Builder::windows(const Row& r, RecordSink& sink) {
  std::string_view id = r.text(Col::EventID);
  if (id != "4624" && id != "4625" && id != "4771" && id != "4776") {
    other_.assign("Security ").append(id.empty() ? std::string_view("event without EventID") : cutUtf8(id, 16));
    sink.other(other_);
    return;
  }
  RawSignIn s;
  s.line = r.line;
  static constexpr Col times[] = {Col::TimeCreated, Col::AtTimestamp, Col::TimeGenerated, Col::EventTime};
  bool localOnly = !r.hasValue(Col::TimeCreated) && !r.hasValue(Col::AtTimestamp) && !r.hasValue(Col::TimeGenerated);
  if (!setTime(r, s, sink, times, 4)) return;
  if (localOnly)
    noteOnce(sink, 1,
             "Windows events without a UTC time: EventTime (the collector's local time, no offset) is read as UTC");

  // A logon that names no address (4776 never does; a 4624 of a service has "-") has nothing to attribute.
  put(r, s, SignInField::RemoteIP, Col::IPAddress);
  if (!s.has(SignInField::RemoteIP)) {
    other_.assign("Security ").append(id).append(" without IpAddress");
    sink.other(other_);
    return;
  }
  put(r, s, SignInField::RemotePort, Col::IpPort);

  std::string_view userName = r.text(Col::TargetUserName);
  std::string_view domain = r.text(Col::TargetDomainName);
  if (!userName.empty() && !domain.empty() && domain != "-") {
    user_.assign(domain).append(1, '\\').append(userName);
    putText(r, s, SignInField::User, Col::TargetUserName, user_);
  } else if (!userName.empty()) {
    put(r, s, SignInField::User, Col::TargetUserName);
  } else if (r.hasValue(Col::TargetAccount)) {
    put(r, s, SignInField::User, Col::TargetAccount);
  } else {
    put(r, s, SignInField::User, Col::Account);
  }

  std::string_view status = r.text(Col::Status), sub = r.text(Col::SubStatus);
  if (id == "4624") {
    s.outcome = SignInOutcome::Success;
  } else if (id == "4776") {
    bool ok = ieq(status, "0x0") || status == "0";
    s.outcome = status.empty() ? SignInOutcome::Unknown : ok ? SignInOutcome::Success : SignInOutcome::Failure;
  } else {
    s.outcome = SignInOutcome::Failure;
  }
  if (s.outcome != SignInOutcome::Success) {
    // 0xc000006d (bad user name or password) and 0xc000006e (account restriction) are umbrellas:
    // SubStatus says which (0xc000006a wrong password, 0xc0000064 no such user, 0xc0000072 disabled, ...).
    bool generic = (ieq(status, "0xc000006d") || ieq(status, "0xc000006e")) && !sub.empty() && !ieq(sub, "0x0");
    Col code = generic || status.empty() ? Col::SubStatus : Col::Status;
    std::string_view codeText = r.text(code);
    if (!codeText.empty() && !ieq(codeText, "0x0")) {
      put(r, s, SignInField::ResultCode, code);
      std::string_view words = id == "4771" ? kerberosResultWords(codeText) : windowsStatusWords(codeText);
      if (!words.empty()) putText(r, s, SignInField::ResultText, code, words);
    }
  }

  put(r, s, SignInField::Target, Col::Computer);
  std::string_view logonType = r.text(Col::LogonType);
  if (!logonType.empty() && logonType != "-") put(r, s, SignInField::LogonType, Col::LogonType);
  else put(r, s, SignInField::LogonType, Col::LogonTypeName);
  std::string_view package = r.text(Col::AuthenticationPackageName), process = r.text(Col::LogonProcessName);
  if (!package.empty() && package != "-") putText(r, s, SignInField::Protocol, Col::AuthenticationPackageName, package);
  else if (!process.empty() && process != "-") putText(r, s, SignInField::Protocol, Col::LogonProcessName, process);
  else if (id == "4771") s.set(SignInField::Protocol, "Kerberos");
  s.set(SignInField::Source, id);
  sink.onSignIn(s);
}

void Builder::cloudTrail(const Row& r, RecordSink& sink) {
  if (r.text(Col::EventName) != "ConsoleLogin") {
    sink.other("CloudTrail event other than ConsoleLogin");
    return;
  }
  RawSignIn s;
  s.line = r.line;
  static constexpr Col times[] = {Col::EventTime, Col::TimeGenerated};
  if (!setTime(r, s, sink, times, 2)) return;
  std::string_view source = !r.source.empty() ? r.source : "CloudTrail";

  // sourceIPAddress holds the caller's address, or the DNS name of the AWS service that acted
  // (`signin.amazonaws.com`, "AWS Internal"): a service is no client to attribute.
  std::string_view ip = r.text(Col::SourceIpAddress);
  IpAddress parsed;
  if (ip.empty()) {
    other_.assign(source).append(" ConsoleLogin without sourceIPAddress");
    sink.other(other_);
    return;
  }
  if (!parseIp(ip, parsed)) {
    const Value& v = r.get(Col::SourceIpAddress);
    if (looksLikeHostName(ip)) {
      other_.assign(source).append(" ConsoleLogin by an AWS service (sourceIPAddress is a service name)");
      sink.other(other_);
    } else {
      sink.skip("unparseable sourceIPAddress", v.line ? v.line : r.line, v.line ? v.column : r.column,
                "expected an IP address or an AWS service name in " +
                    std::string(v.name.empty() ? colName(Col::SourceIpAddress) : v.name) + ", found " + quote(ip));
    }
    return;
  }
  put(r, s, SignInField::RemoteIP, Col::SourceIpAddress);

  for (Col c : {Col::UserIdentityUserName, Col::UserIdentityArn, Col::UserIdentityPrincipalId})
    if (r.hasValue(c)) {
      put(r, s, SignInField::User, c);
      break;
    }
  Col resultCol = r.hasValue(Col::ConsoleLogin) ? Col::ConsoleLogin : Col::ResponseElements;
  std::string_view result = resultCol == Col::ConsoleLogin ? r.text(Col::ConsoleLogin)
                                                           : jsonTextMember(r.text(Col::ResponseElements), "ConsoleLogin");
  s.outcome = result == "Success" ? SignInOutcome::Success : result == "Failure" ? SignInOutcome::Failure : SignInOutcome::Unknown;
  put(r, s, SignInField::ResultCode, Col::ErrorCode);
  put(r, s, SignInField::ResultText, Col::ErrorMessage);
  if (r.hasValue(Col::RecipientAccountId)) put(r, s, SignInField::Target, Col::RecipientAccountId);
  else put(r, s, SignInField::Target, Col::UserIdentityAccountId);
  putText(r, s, SignInField::Application, Col::EventName, "ConsoleLogin");
  put(r, s, SignInField::LogonType, Col::UserIdentityType);
  Col mfaCol = r.hasValue(Col::MFAUsed) ? Col::MFAUsed : Col::AdditionalEventData;
  std::string_view mfa = mfaCol == Col::MFAUsed ? r.text(Col::MFAUsed) : jsonTextMember(r.text(Col::AdditionalEventData), "MFAUsed");
  if (mfa == "Yes") putText(r, s, SignInField::Protocol, mfaCol, "MFA");
  else if (mfa == "No") putText(r, s, SignInField::Protocol, mfaCol, "no MFA");
  put(r, s, SignInField::UserAgent, Col::UserAgent);
  s.set(SignInField::Source, source);
  sink.onSignIn(s);
}

void Builder::okta(const Row& r, RecordSink& sink) {
  std::string_view type = r.text(Col::EventType);
  std::string_view result = r.text(Col::OutcomeResult);
  if (!isOktaSignIn(type)) {
    other_.assign("Okta ").append(type.empty() ? std::string_view("event without eventType") : cutUtf8(type, 80));
    sink.other(other_);
    return;
  }
  if (type == "policy.evaluate_sign_on" && result != "DENY") {
    // The attempt it evaluated has its own event (user.session.start, ...); a denial may be all there is.
    sink.other("Okta policy.evaluate_sign_on that did not deny (its attempt has its own event)");
    return;
  }
  RawSignIn s;
  s.line = r.line;
  static constexpr Col times[] = {Col::Published, Col::TimeGenerated};
  if (!setTime(r, s, sink, times, 2)) return;

  if (r.hasValue(Col::ClientIpAddress)) put(r, s, SignInField::RemoteIP, Col::ClientIpAddress);
  else put(r, s, SignInField::RemoteIP, Col::IpChainIp);
  std::string_view asn = r.text(Col::AsNumber);
  if (asn.size() > 2 && asn.substr(asn.size() - 2) == ".0") asn.remove_suffix(2);  // Okta_CL's _d columns are doubles
  if (!asn.empty()) putText(r, s, SignInField::Asn, Col::AsNumber, asn);
  if (!s.has(SignInField::RemoteIP) && !s.has(SignInField::Asn)) {
    other_.assign("Okta ").append(type).append(" without a client address");
    sink.other(other_);
    return;
  }
  if (r.hasValue(Col::AsOrg)) put(r, s, SignInField::AsOrg, Col::AsOrg);
  else put(r, s, SignInField::AsOrg, Col::SecurityIsp);
  put(r, s, SignInField::User, Col::ActorAlternateId);

  s.outcome = (result == "SUCCESS" || result == "ALLOW")  ? SignInOutcome::Success
              : (result == "FAILURE" || result == "DENY") ? SignInOutcome::Failure
              : result == "CHALLENGE"                     ? SignInOutcome::Interrupted
                                                          : SignInOutcome::Unknown;
  if (r.hasValue(Col::OutcomeReason)) {
    put(r, s, SignInField::ResultCode, Col::OutcomeReason);
    readableReason(r.text(Col::OutcomeReason), reason_);
    putText(r, s, SignInField::ResultText, Col::OutcomeReason, reason_);
  }
  put(r, s, SignInField::Application, Col::TargetApp);
  put(r, s, SignInField::LogonType, Col::EventType);
  put(r, s, SignInField::Protocol, Col::CredentialType);
  put(r, s, SignInField::UserAgent, Col::RawUserAgent);
  s.set(SignInField::Source, !r.source.empty() ? r.source : "Okta");
  sink.onSignIn(s);
}

}  // namespace vpshunt::signin
