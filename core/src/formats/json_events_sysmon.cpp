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
//  * InitiatingProcessFileName = the base name of Image; InitiatingProcessAccountName = User without its
//    domain ("NT AUTHORITY\\SYSTEM" -> "SYSTEM"). Sysmon event 3 has no command line and no byte counts:
//    reported with missingColumn(). RemoteIPType is not set (the engine classifies the address).
#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

enum Slot : int {
  kEventId, kChannel, kProvider, kComputer, kHostName, kSourceIp, kSourcePort, kDestIp, kDestPort,
  kInitiated, kUtcTime, kAtTimestamp, kImage, kUser, kSlotCount
};

bool startsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

class SysmonJsonReader final : public jsonev::RecordReader {
 public:
  explicit SysmonJsonReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {}

 private:
  static int dataSlot(std::string_view n) {
    static constexpr std::pair<std::string_view, Slot> names[] = {
        {"SourceIp", kSourceIp}, {"SourcePort", kSourcePort}, {"DestinationIp", kDestIp},
        {"DestinationPort", kDestPort}, {"Initiated", kInitiated}, {"UtcTime", kUtcTime},
        {"Image", kImage}, {"User", kUser},
    };
    for (const auto& x : names)
      if (jsonev::iequals(n, x.first)) return x.second;
    return -1;
  }

  int slotFor(std::string_view p) override {
    for (std::string_view prefix : {"winlog.event_data.", "Event.EventData.", "EventData.", "event_data."})
      if (startsWith(p, prefix)) return dataSlot(p.substr(prefix.size()));
    for (std::string_view prefix : {"winlog.", "Event.System.", "System."}) {
      if (!startsWith(p, prefix)) continue;
      std::string_view n = p.substr(prefix.size());
      if (n == "event_id" || n == "EventID" || n == "EventID.#text") return kEventId;
      if (n == "channel" || n == "Channel") return kChannel;
      if (n == "computer_name" || n == "Computer") return kComputer;
      if (n == "provider_name" || n == "Provider.#attributes.Name" || n == "Provider_Name") return kProvider;
      return -1;
    }
    if (p == "EventID") return kEventId;
    if (p == "Channel") return kChannel;
    if (p == "SourceName" || p == "ProviderName") return kProvider;
    if (p == "Hostname" || p == "Computer") return kComputer;
    if (p == "host.name") return kHostName;
    if (p == "@timestamp") return kAtTimestamp;
    if (p.find('.') != std::string_view::npos) return -1;
    return dataSlot(p);  // NXLog: event data flattened into the record
  }

  void onRecord() override {
    std::string_view channel = text(kChannel);
    bool sysmon = jsonev::iequals(channel, "Microsoft-Windows-Sysmon/Operational") ||
                  (channel.empty() && jsonev::iequals(text(kProvider), "Microsoft-Windows-Sysmon"));
    if (!sysmon) {
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
    if (has(kImage)) e.set(EventField::InitiatingProcessFileName, jsonev::baseName(text(kImage)), column(kImage));
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

std::unique_ptr<Reader> createSysmonJson(RecordSink& sink) { return std::make_unique<SysmonJsonReader>(sink); }

}  // namespace

const ReaderFactory& sysmonJsonFactory() {
  static const ReaderFactory f{"sysmon-json",
                               "Sysmon event 3 (network connection) as JSON: NXLog, Winlogbeat, evtx_dump; one event a line",
                               FileKind::Events, sniffSysmonJson, createSysmonJson};
  return f;
}

}  // namespace vpshunt
