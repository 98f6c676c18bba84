#include "formats/firewall_rows.hpp"

#include "events/values.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt::fw {

namespace {

struct Name {
  std::string_view name;
  Col col;
};
// Several names per column; the first of each column is its display name.
constexpr Name kNames[] = {
    {"TimeGenerated", Col::Time},
    {"Timestamp", Col::Time},
    {"SourceIp", Col::SourceIp},
    {"SrcIP", Col::SourceIp},
    {"SrcIpAddr", Col::SourceIp},
    {"SourceIPAddress", Col::SourceIp},
    {"src_ip", Col::SourceIp},
    {"SourcePort", Col::SourcePort},
    {"SrcPort", Col::SourcePort},
    {"SrcPortNumber", Col::SourcePort},
    {"src_port", Col::SourcePort},
    {"DestinationIp", Col::DestIp},
    {"DestIP", Col::DestIp},
    {"DstIpAddr", Col::DestIp},
    {"DestinationIPAddress", Col::DestIp},
    {"dest_ip", Col::DestIp},
    {"DestinationPort", Col::DestPort},
    {"DestPort", Col::DestPort},
    {"DstPortNumber", Col::DestPort},
    {"dest_port", Col::DestPort},
    {"DestinationTranslatedAddress", Col::NatDestIp},
    {"TranslatedIp", Col::NatDestIp},
    {"DstNatIpAddr", Col::NatDestIp},
    {"DestinationTranslatedPort", Col::NatDestPort},
    {"TranslatedPort", Col::NatDestPort},
    {"DstNatPortNumber", Col::NatDestPort},
    {"DeviceAction", Col::Action},
    {"Action", Col::Action},
    {"DvcAction", Col::Action},
    {"SimplifiedDeviceAction", Col::SimplifiedAction},
    {"EventOutcome", Col::Outcome},
    {"EventResult", Col::Outcome},
    {"Activity", Col::Activity},
    {"AdditionalExtensions", Col::Extensions},
    {"CommunicationDirection", Col::Direction},
    {"NetworkDirection", Col::Direction},
    {"FlowDirection", Col::Direction},
    {"FlowDirection_s", Col::Direction},
    {"SourceHostName", Col::SourceHost},
    {"SrcHostname", Col::SourceHost},
    {"DestinationHostName", Col::DestHost},
    {"DstHostname", Col::DestHost},
    {"Computer", Col::Device},
    {"VMName", Col::Device},
    {"DvcHostname", Col::Device},
    {"VMIPAddress", Col::LocalAddress},
    {"AllExtIPs", Col::ExternalAddress},
    {"SourceUserName", Col::SourceUser},
    {"SrcUsername", Col::SourceUser},
    {"SentBytes", Col::SentBytes},
    {"SrcBytes", Col::SentBytes},
    {"ReceivedBytes", Col::ReceivedBytes},
    {"DstBytes", Col::ReceivedBytes},
    {"Type", Col::Type},
    {"DeviceVendor", Col::DeviceVendor},
    {"DeviceProduct", Col::DeviceProduct},
};

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// "TimeGenerated [UTC]" -> "TimeGenerated"; "Action_string" -> "Action"; surrounding spaces go.
std::string_view normalize(std::string_view n) {
  while (!n.empty() && space(n.front())) n.remove_prefix(1);
  while (!n.empty() && space(n.back())) n.remove_suffix(1);
  if (!n.empty() && n.back() == ']') {
    size_t open = n.rfind(" [");
    if (open != std::string_view::npos) n = n.substr(0, open);
  }
  static constexpr std::string_view suffixes[] = {"_string", "_long", "_int", "_real", "_dynamic", "_datetime"};
  for (auto s : suffixes)
    if (n.size() > s.size() && equalsIgnoreCaseAscii(n.substr(n.size() - s.size()), s)) {
      n.remove_suffix(s.size());
      break;
    }
  return n;
}

bool alnum(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

bool endsWithNoCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && equalsIgnoreCaseAscii(s.substr(s.size() - suffix.size()), suffix);
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoreCaseAscii(s.substr(0, prefix.size()), prefix);
}

// An address that names a real host: parses, and is not 0.0.0.0 / :: (Palo Alto writes 0.0.0.0 in
// DestinationTranslatedAddress when nothing was translated).
bool usableAddress(std::string_view text) {
  text = trimValue(text);
  IpAddress ip;
  return !text.empty() && parseIp(text, ip) && classifyIp(ip) != IpType::Unspecified;
}

bool usablePort(std::string_view text) {
  int64_t v;
  return parseInt64(trimValue(text), v) && v > 0 && v <= 65535;
}

// A non-empty, non-"-" value.
bool hasValue(const Row& r, Col c) {
  std::string_view v = trimValue(r.get(c));
  return !v.empty() && v != "-";
}

enum Note : unsigned { kByAddresses, kByNat, kByPlatform, kFlagContradicted, kByInterfaces };

}  // namespace

bool columnByName(std::string_view name, Col& out) {
  name = normalize(name);
  for (const Name& n : kNames)
    if (equalsIgnoreCaseAscii(name, n.name)) {
      out = n.col;
      return true;
    }
  return false;
}

std::string_view colName(Col c) {
  for (const Name& n : kNames)
    if (n.col == c) return n.name;
  return "";
}

Family familyOf(uint32_t cols) {
  if ((cols & (bit(Col::SourceIp) | bit(Col::DestIp))) && (cols & (bit(Col::DeviceVendor) | bit(Col::DeviceProduct))))
    return Family::Cef;
  // A destination address, not a source alone: AWSCloudTrail's SourceIpAddress is a sign-in table's
  // client, and an AZFWApplicationRule row names its destination by FQDN only.
  return (cols & bit(Col::DestIp)) ? Family::Sessions : Family::None;
}

std::string_view familyName(Family f) {
  switch (f) {
    case Family::Cef: return "CommonSecurityLog";
    case Family::Sessions: return "firewall/flow table";
    default: return "";
  }
}

Side sideOf(std::string_view text) {
  text = trimValue(text);
  IpAddress ip;
  if (text.empty() || !parseIp(text, ip)) return Side::Unknown;
  switch (classifyIp(ip)) {
    case IpType::Private:
    case IpType::Loopback:
    case IpType::LinkLocal:
    case IpType::Unspecified:
      return Side::Internal;
    default:
      return Side::External;
  }
}

Outcome outcomeOfWords(std::string_view text) {
  static constexpr std::string_view failures[] = {
      "deny",    "denied",  "drop",   "dropped",  "block",  "blocked",  "reject", "rejected", "reset",
      "prevent", "prevented", "failure", "failed", "fail",  "refused",  "discard", "discarded", "blackhole"};
  static constexpr std::string_view successes[] = {
      "allow",  "allowed", "accept", "accepted", "pass",     "passed",   "permit",   "permitted", "success",
      "succeeded", "successful", "close", "closed", "built", "established", "bypass", "detect", "detected",
      "alert",  "monitor"};
  // A failure word anywhere wins ("Alert: connection blocked"); a success word otherwise.
  bool success = false;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !alnum(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && alnum(text[j])) ++j;
    std::string_view w = text.substr(i, j - i);
    i = j;
    if (w.size() < 4 || w.size() > 11) continue;
    for (auto f : failures)
      if (equalsIgnoreCaseAscii(w, f)) return Outcome::Failure;
    if (!success)
      for (auto s : successes)
        if (equalsIgnoreCaseAscii(w, s)) {
          success = true;
          break;
        }
  }
  return success ? Outcome::Success : Outcome::Unknown;
}

Direction directionOfText(std::string_view t) {
  t = trimValue(t);
  for (auto in : {"0", "inbound", "in", "incoming", "ingress", "i"})
    if (equalsIgnoreCaseAscii(t, in)) return Direction::Inbound;
  for (auto out : {"1", "outbound", "out", "outgoing", "egress", "o"})
    if (equalsIgnoreCaseAscii(t, out)) return Direction::Outbound;
  return Direction::Unknown;
}

std::string_view extensionValue(std::string_view ext, std::string_view keySuffix) {
  size_t pos = 0;
  while (pos < ext.size()) {
    size_t end = ext.find(';', pos);
    if (end == std::string_view::npos) end = ext.size();
    std::string_view pair = ext.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (endsWithNoCase(trimValue(pair.substr(0, eq)), keySuffix)) return trimValue(pair.substr(eq + 1));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------

void Builder::announce(RecordSink& sink) const {
  if (family_ == Family::Cef) {
    sink.note("CommonSecurityLog (CEF): each row is told inbound or outbound (FortiGate interface roles, then the "
              "addresses, then CommunicationDirection); inbound rows attribute the source, outbound rows the "
              "destination, with SourceHostName (else the source address) as the device; no process names");
  } else if (family_ == Family::Sessions) {
    sink.note("firewall/flow table: each row is told inbound or outbound (a NAT rule, the table's own direction, "
              "then the addresses); inbound rows attribute the source, outbound rows the destination, with the "
              "table's device (else the source address) as the device; no process names");
  }
  sink.missingColumn(std::string(eventFieldName(EventField::InitiatingProcessFileName)));
  sink.missingColumn(std::string(eventFieldName(EventField::InitiatingProcessCommandLine)));
}

void Builder::noteOnce(unsigned which, RecordSink& sink) {
  if (noted_ & (1u << which)) return;
  noted_ |= 1u << which;
  switch (which) {
    case kByAddresses:
      sink.note("rows from an external source to an internal destination are inbound: the source is RemoteIP, the "
                "destination the target (LocalIP, LocalPort)");
      break;
    case kByNat:
      sink.note("NAT rule rows are inbound: the translated address and port are the service reached");
      break;
    case kByPlatform:
      sink.note("the table's own direction column marks rows as inbound: the source is RemoteIP");
      break;
    case kFlagContradicted:
      sink.note("CommunicationDirection says outbound (1) on rows from an external source to an internal destination: "
                "it was overruled (FortiGate writes 1 on inbound traffic)");
      break;
    case kByInterfaces:
      sink.note("FortiGate interface roles (srcintfrole=wan) mark rows as inbound");
      break;
    default:
      break;
  }
}

bool Builder::sourceReadable(const Row& r, std::string_view sourceColumn, RecordSink& sink) const {
  const std::string_view text = trimValue(r.get(Col::SourceIp));
  IpAddress ip;
  if (text.empty() || text == "-" || parseIp(text, ip)) return true;
  sink.skip("unparseable source address", r.line, r.col(Col::SourceIp),
            "expected an IPv4 or IPv6 address in " + std::string(sourceColumn.empty() ? colName(Col::SourceIp) : sourceColumn) +
                ", found " + quoteForMessage(text));
  return false;
}

Decision Builder::decide(const Row& r, RecordSink& sink) {
  Decision d;
  const Side src = sideOf(r.get(Col::SourceIp)), dst = sideOf(r.get(Col::DestIp));
  const Direction byAddresses = src == Side::External && dst == Side::Internal   ? Direction::Inbound
                                : src == Side::Internal && dst == Side::External ? Direction::Outbound
                                                                                 : Direction::Unknown;
  const Direction flag = r.has(Col::Direction) ? directionOfText(r.get(Col::Direction)) : Direction::Unknown;
  if (family_ == Family::Cef) {
    const std::string_view ext = r.get(Col::Extensions);
    const std::string_view srcRole = extensionValue(ext, "srcintfrole"), dstRole = extensionValue(ext, "dstintfrole");
    const bool srcWan = equalsIgnoreCaseAscii(srcRole, "wan"), dstWan = equalsIgnoreCaseAscii(dstRole, "wan");
    if (srcWan && !dstRole.empty() && !dstWan) {
      d.direction = Direction::Inbound;
      noteOnce(kByInterfaces, sink);
    } else if (dstWan && !srcRole.empty() && !srcWan) {
      d.direction = Direction::Outbound;
    } else if (byAddresses != Direction::Unknown) {
      d.direction = byAddresses;
      if (byAddresses == Direction::Inbound) noteOnce(kByAddresses, sink);
    } else if (flag != Direction::Unknown) {
      d.direction = flag;
    } else {
      d.direction = Direction::Outbound;
    }
    if (d.direction == Direction::Inbound && byAddresses == Direction::Inbound && flag == Direction::Outbound)
      noteOnce(kFlagContradicted, sink);
  } else {
    const bool nat = startsWithNoCase(trimValue(r.get(Col::Type)), "AZFWNat") || usableAddress(r.get(Col::NatDestIp));
    if (nat) {
      d.direction = Direction::Inbound;
      noteOnce(kByNat, sink);
    } else if (flag != Direction::Unknown) {
      d.direction = flag;
      if (flag == Direction::Inbound) noteOnce(kByPlatform, sink);
    } else if (byAddresses == Direction::Inbound) {
      d.direction = Direction::Inbound;
      noteOnce(kByAddresses, sink);
    } else {
      d.direction = Direction::Outbound;
    }
    d.outcome = outcomeOfWords(r.get(Col::Action));
    if (d.outcome == Outcome::Unknown) d.outcome = outcomeOfWords(r.get(Col::Outcome));
    if (d.outcome == Outcome::Unknown && nat) d.outcome = Outcome::Success;
    return d;
  }
  for (Col c : {Col::Action, Col::SimplifiedAction, Col::Outcome}) {
    d.outcome = outcomeOfWords(r.get(c));
    if (d.outcome != Outcome::Unknown) return d;
  }
  d.outcome = outcomeOfWords(extensionValue(r.get(Col::Extensions), "action"));
  if (d.outcome == Outcome::Unknown) d.outcome = outcomeOfWords(r.get(Col::Activity));
  return d;
}

void Builder::fillInbound(const Row& r, const Decision& d, RawEvent& e) const {
  auto put = [&](EventField f, Col c) { e.set(f, r.get(c), r.col(c)); };
  e.direction = Direction::Inbound;
  e.outcome = d.outcome;
  if (hasValue(r, Col::SourceIp) || !r.has(Col::ExternalAddress)) put(EventField::RemoteIP, Col::SourceIp);
  else put(EventField::RemoteIP, Col::ExternalAddress);
  put(EventField::RemotePort, Col::SourcePort);  // "" when the table has none: the destination port is not the client's
  if (usableAddress(r.get(Col::NatDestIp))) put(EventField::LocalIP, Col::NatDestIp);
  else if (hasValue(r, Col::DestIp) || !r.has(Col::LocalAddress)) put(EventField::LocalIP, Col::DestIp);
  else put(EventField::LocalIP, Col::LocalAddress);
  if (usablePort(r.get(Col::NatDestPort))) put(EventField::LocalPort, Col::NatDestPort);
  else put(EventField::LocalPort, Col::DestPort);
  // The target's name, or empty so that the inbound detection names it by LocalIP (never the source,
  // which the outbound mapping stands in for the device).
  if (hasValue(r, Col::DestHost)) put(EventField::DeviceName, Col::DestHost);
  else if (family_ == Family::Sessions && hasValue(r, Col::Device) && !r.has(Col::DestHost))
    put(EventField::DeviceName, Col::Device);  // a flow log's VM; ASIM's DvcHostname is the firewall, not the target
  else e.set(EventField::DeviceName, std::string_view());
  if (d.outcome == Outcome::Success) e.set(EventField::ActionType, "InboundConnectionAccepted");
  else if (d.outcome == Outcome::Failure) e.set(EventField::ActionType, "InboundConnectionFailed");
}

void Builder::fill(const Row& r, const Decision& d, RawEvent& e) const {
  auto put = [&](EventField f, Col c) {
    if (r.has(c)) e.set(f, r.get(c), r.col(c));
  };
  if (!e.has(EventField::Timestamp)) put(EventField::Timestamp, Col::Time);
  if (d.direction == Direction::Inbound) {
    fillInbound(r, d, e);
    return;
  }
  e.direction = d.direction;
  e.outcome = d.outcome;
  if (family_ == Family::Cef) {
    put(EventField::RemoteIP, Col::DestIp);
    put(EventField::RemotePort, Col::DestPort);
    put(EventField::LocalIP, Col::SourceIp);
    put(EventField::LocalPort, Col::SourcePort);
    if (hasValue(r, Col::SourceHost)) put(EventField::DeviceName, Col::SourceHost);
    else put(EventField::DeviceName, Col::SourceIp);
    put(EventField::AccountName, Col::SourceUser);
    if (d.outcome == Outcome::Success) e.set(EventField::ActionType, "ConnectionSuccess");
    else if (d.outcome == Outcome::Failure) e.set(EventField::ActionType, "ConnectionFailed");
    put(EventField::SentBytes, Col::SentBytes);
    put(EventField::ReceivedBytes, Col::ReceivedBytes);
    return;
  }
  // Sessions: the Log Analytics CSV reader's mapping from before direction was known.
  put(EventField::RemoteIP, Col::DestIp);
  if (e.get(EventField::RemoteIP).empty()) put(EventField::RemoteIP, Col::ExternalAddress);
  if (r.has(Col::Device)) put(EventField::DeviceName, Col::Device);
  else put(EventField::DeviceName, Col::SourceIp);
  put(EventField::RemotePort, Col::DestPort);
  put(EventField::SentBytes, Col::SentBytes);
  put(EventField::ReceivedBytes, Col::ReceivedBytes);
}

}  // namespace vpshunt::fw
