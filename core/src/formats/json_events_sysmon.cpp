// Sysmon Event ID 3 (network connection detected) as JSON:
//   * NXLog (im_msvistalog + to_json): flat `EventID`, `Channel`, `Hostname`, and the event data as
//     top-level members (`SourceIp`, `DestinationPort` as a string, `Initiated: "true"`, `UtcTime`);
//   * Winlogbeat / Elastic Agent: `winlog.event_id`, `winlog.channel`, `winlog.computer_name`,
//     `winlog.event_data.*` (and `host.name`);
//   * evtx_dump-style JSON: `Event.System.{EventID, Channel, Computer}`, `Event.EventData.*`.
// A record is Sysmon when its channel is Microsoft-Windows-Sysmon/Operational (or, without a channel,
// its provider is Microsoft-Windows-Sysmon); other channels' events and Sysmon events other than 3 are
// counted with other().
//
// Mapping onto the rule's fields:
//  * Initiated true (an outbound connection, also when absent): local = Source*, remote =
//    DestinationIp/DestinationPort, ActionType "ConnectionSuccess". Initiated false (accepted): local =
//    Destination*, remote = SourceIp/SourcePort, ActionType "InboundConnectionAccepted" (Defender's
//    names for the same two cases; Sysmon logs a connection once it is made).
//  * Timestamp = UtcTime ("2020-08-06 05:20:17.513", UTC without a zone), else @timestamp.
//  * DeviceName = Hostname / Computer / winlog.computer_name, else host.name. LocalIP = the local address.
//  * InitiatingProcessFolderPath = Image (the full path); Company / Product, when a record has them (Sysmon
//    writes them in event 1, not in event 3), become InitiatingProcessVersionInfoCompanyName / ProductName.
//  * InitiatingProcessFileName = the base name of Image; InitiatingProcessAccountName = User without its
//    domain ("NT AUTHORITY\\SYSTEM" -> "SYSTEM"). Sysmon event 3 has no command line and no byte counts:
//    reported with missingColumn(). RemoteIPType is not set (the engine classifies the address).
//
// Windows Security events in the same files (Channel "Security" in any case, or provider
// Microsoft-Windows-Security-Auditing) are sign-ins: 4624 / 4625 / 4771 / 4776 with their event data
// (TargetUserName, TargetDomainName, IpAddress, IpPort, Status, SubStatus, LogonType,
// AuthenticationPackageName, LogonProcessName) and the computer, made into RawSignIns by
// signin::Builder::windows; the time is System/TimeCreated@SystemTime or @timestamp (UTC), NXLog's
// EventTime (local) only when there is neither. Other Security events: other("Security <id>").
// Two names serve this one reader: `sysmon-json` and, for Security-only exports, `windows-security-json`.
#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"
#include "formats/signin_rows.hpp"

namespace vpshunt {
namespace {

enum Slot : int {
  kEventId, kChannel, kProvider, kComputer, kHostName, kSourceIp, kSourcePort, kDestIp, kDestPort,
  kInitiated, kUtcTime, kAtTimestamp, kImage, kUser, kCompany, kProduct, kTimeCreated, kEventTime, kSecurityBase
};

// The Security event data read for sign-ins (slot kSecurityBase + i).
constexpr signin::Col kSecurityCols[] = {
    signin::Col::TargetUserName, signin::Col::TargetDomainName, signin::Col::IPAddress,
    signin::Col::IpPort,         signin::Col::Status,           signin::Col::SubStatus,
    signin::Col::LogonType,      signin::Col::AuthenticationPackageName, signin::Col::LogonProcessName,
};
constexpr int kSecurityCount = sizeof kSecurityCols / sizeof kSecurityCols[0];
constexpr int kSlotCount = kSecurityBase + kSecurityCount;

int securitySlot(std::string_view name) {
  signin::Col c;
  if (!signin::columnByName(name, c)) return -1;
  for (int i = 0; i < kSecurityCount; ++i)
    if (kSecurityCols[i] == c) return kSecurityBase + i;
  return -1;
}

bool startsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

class SysmonJsonReader final : public jsonev::RecordReader {
 public:
  explicit SysmonJsonReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {}

 private:
  static int dataSlot(std::string_view n) {
    static constexpr std::pair<std::string_view, Slot> names[] = {
        {"SourceIp", kSourceIp}, {"SourcePort", kSourcePort}, {"DestinationIp", kDestIp},
        {"DestinationPort", kDestPort}, {"Initiated", kInitiated}, {"UtcTime", kUtcTime},
        {"Image", kImage}, {"User", kUser}, {"Company", kCompany}, {"Product", kProduct},
    };
    for (const auto& x : names)
      if (jsonev::iequals(n, x.first)) return x.second;
    return -1;
  }

  int slotFor(std::string_view p) override {
    for (std::string_view prefix : {"winlog.event_data.", "Event.EventData.", "EventData.", "event_data."})
      if (startsWith(p, prefix)) {
        int s = dataSlot(p.substr(prefix.size()));
        return s >= 0 ? s : securitySlot(p.substr(prefix.size()));
      }
    for (std::string_view prefix : {"winlog.", "Event.System.", "System."}) {
      if (!startsWith(p, prefix)) continue;
      std::string_view n = p.substr(prefix.size());
      if (n == "event_id" || n == "EventID" || n == "EventID.#text") return kEventId;
      if (n == "channel" || n == "Channel") return kChannel;
      if (n == "computer_name" || n == "Computer") return kComputer;
      if (n == "provider_name" || n == "Provider.#attributes.Name" || n == "Provider_Name") return kProvider;
      if (n == "TimeCreated.#attributes.SystemTime" || n == "TimeCreated.SystemTime") return kTimeCreated;
      return -1;
    }
    if (p == "EventID") return kEventId;
    if (p == "Channel") return kChannel;
    if (p == "SourceName" || p == "ProviderName") return kProvider;
    if (p == "Hostname" || p == "Computer") return kComputer;
    if (p == "host.name") return kHostName;
    if (p == "@timestamp") return kAtTimestamp;
    if (p == "EventTime") return kEventTime;
    if (p.find('.') != std::string_view::npos) return -1;
    int s = dataSlot(p);  // NXLog: event data flattened into the record
    return s >= 0 ? s : securitySlot(p);
  }

  void securityEvent() {
    signin::Row& r = row_;
    r.clear();
    r.line = recordLine();
    r.column = recordColumn();
    auto put = [&](signin::Col c, int s, std::string_view name) {
      if (!has(s)) return;
      signin::Value v;
      v.text = text(s);
      v.name = name;
      v.line = valueLine(s);
      v.column = valueColumn(s);
      v.null = isNull(s);
      r.set(c, v);
    };
    put(signin::Col::EventID, kEventId, "EventID");
    put(signin::Col::Computer, hasValue(kComputer) ? kComputer : kHostName, hasValue(kComputer) ? "Computer" : "host.name");
    put(signin::Col::TimeCreated, kTimeCreated, "TimeCreated SystemTime");
    put(signin::Col::AtTimestamp, kAtTimestamp, "@timestamp");
    put(signin::Col::EventTime, kEventTime, "EventTime");
    for (int i = 0; i < kSecurityCount; ++i)
      put(kSecurityCols[i], kSecurityBase + i, signin::colName(kSecurityCols[i]));
    builder_.windows(r, sink_);
  }

  void onRecord() override {
    std::string_view channel = text(kChannel);
    bool sysmon = jsonev::iequals(channel, "Microsoft-Windows-Sysmon/Operational") ||
                  (channel.empty() && jsonev::iequals(text(kProvider), "Microsoft-Windows-Sysmon"));
    if (!sysmon) {
      if (jsonev::iequals(channel, "Security") ||
          (channel.empty() && jsonev::iequals(text(kProvider), "Microsoft-Windows-Security-Auditing"))) {
        securityEvent();
        return;
      }
      if (channel.empty() && !has(kEventId))
        sink_.other("not a Windows event");
      else
        sink_.other("not Sysmon (channel " + std::string(channel.empty() ? "unknown" : channel) + ")");
      return;
    }
    std::string_view id = text(kEventId);
    if (id != "3") {
      sink_.other("Sysmon event " + std::string(id.empty() ? "without EventID" : id) + " (not a network connection)");
      return;
    }
    bool inbound = isFalse(kInitiated);
    int remoteIp = inbound ? kSourceIp : kDestIp, remotePort = inbound ? kSourcePort : kDestPort;
    int localIp = inbound ? kDestIp : kSourceIp, localPort = inbound ? kDestPort : kSourcePort;
    if (!hasValue(remoteIp)) {
      sink_.skip("missing remote address", valueLine(remoteIp), valueColumn(remoteIp),
                 std::string("Sysmon event 3 without ") + (inbound ? "SourceIp" : "DestinationIp"));
      return;
    }
    RawEvent e;
    e.line = recordLine();
    if (hasValue(kUtcTime))
      put(e, EventField::Timestamp, kUtcTime);
    else
      put(e, EventField::Timestamp, kAtTimestamp);
    if (hasValue(kComputer))
      put(e, EventField::DeviceName, kComputer);
    else if (hasValue(kHostName))
      put(e, EventField::DeviceName, kHostName);
    put(e, EventField::RemoteIP, remoteIp);
    if (hasValue(remotePort)) put(e, EventField::RemotePort, remotePort);
    if (hasValue(localIp)) put(e, EventField::LocalIP, localIp);
    if (hasValue(localPort)) put(e, EventField::LocalPort, localPort);
    // Event 3 is logged for connections made (Initiated=true) and accepted (false).
    e.direction = inbound ? Direction::Inbound : Direction::Outbound;
    e.outcome = Outcome::Success;
    e.set(EventField::ActionType, inbound ? "InboundConnectionAccepted" : "ConnectionSuccess", column(kInitiated));
    if (has(kImage)) {
      e.set(EventField::InitiatingProcessFileName, jsonev::baseName(text(kImage)), column(kImage));
      e.set(EventField::InitiatingProcessFolderPath, text(kImage), column(kImage));
    }
    if (hasValue(kCompany)) put(e, EventField::InitiatingProcessVersionInfoCompanyName, kCompany);
    if (hasValue(kProduct)) put(e, EventField::InitiatingProcessVersionInfoProductName, kProduct);
    if (has(kUser)) {
      std::string_view u = text(kUser);
      size_t cut = u.rfind('\\');
      e.set(EventField::InitiatingProcessAccountName, cut == std::string_view::npos ? u : u.substr(cut + 1),
            column(kUser));
    }
    if (!announced_) {
      announced_ = true;
      sink_.missingColumn("InitiatingProcessCommandLine");
      sink_.missingColumn("SentBytes");
      sink_.missingColumn("ReceivedBytes");
      if (!e.has(EventField::DeviceName)) sink_.missingColumn("DeviceName");
      sink_.note("Sysmon event 3: InitiatingProcessFileName is the base name of Image, the account is User "
                 "without its domain; Initiated=false records are inbound (InboundConnectionAccepted, remote = source)");
    }
    sink_.onEvent(e);
  }

  bool announced_ = false;
  signin::Row row_;
  signin::Builder builder_;
};

int sniffSysmonJson(std::string_view head, std::string_view path) {
  (void)path;
  char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  bool sysmon = contains(head, "Microsoft-Windows-Sysmon");
  bool windows = (contains(head, "\"EventID\"") && contains(head, "\"Channel\"")) ||
                 (contains(head, "\"winlog\"") && contains(head, "\"event_id\"")) ||
                 (contains(head, "\"System\"") && contains(head, "\"EventID\""));
  if (windows && sysmon) return 95;
  if (windows) return 60;  // Windows events, Sysmon's may come later: the others are counted as other
  return 0;
}

// The same reader under the name a Security export deserves: above sysmon-json's 60 when the head
// shows Security events and no Sysmon ones, below its 95 when it shows Sysmon events.
int sniffSecurityJson(std::string_view head, std::string_view path) {
  if (sniffSysmonJson(head, path) == 0) return 0;
  bool security = jsonev::contains(head, "Microsoft-Windows-Security-Auditing") ||
                  jsonev::contains(head, "\"Security\"") || jsonev::contains(head, "\"security\"");
  if (!security) return 0;
  return jsonev::contains(head, "Microsoft-Windows-Sysmon") ? 90 : 96;
}

std::unique_ptr<Reader> createSysmonJson(RecordSink& sink) { return std::make_unique<SysmonJsonReader>(sink); }

}  // namespace

const ReaderFactory& sysmonJsonFactory() {
  static const ReaderFactory f{"sysmon-json",
                               "Sysmon event 3 (network connection) as JSON: NXLog, Winlogbeat, evtx_dump; one event a line; "
                               "Security logons in the same file are read as sign-ins",
                               FileKind::Events, sniffSysmonJson, createSysmonJson};
  return f;
}

const ReaderFactory& windowsSecurityJsonFactory() {
  static const ReaderFactory f{"windows-security-json",
                               "Windows Security 4624/4625/4771/4776 logons as JSON: NXLog (flat keys), Winlogbeat "
                               "(winlog.event_data), evtx_dump (Event.EventData); Sysmon event 3 in the same file is read "
                               "as network events",
                               FileKind::Events, sniffSecurityJson, createSysmonJson};
  return f;
}

}  // namespace vpshunt
