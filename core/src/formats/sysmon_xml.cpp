// Sysmon Event ID 3 (network connection) as Windows event XML: what Event Viewer's "Save All Events
// As... > XML" writes (`<Events><Event xmlns=...>...</Event>...</Events>`, often on one line) and
// what `wevtutil qe ... /f:xml` or Get-WinEvent's ToXml() print (a bare sequence of <Event>).
//
//   <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
//     <System><Provider Name="Microsoft-Windows-Sysmon" .../><EventID>3</EventID>
//       <TimeCreated SystemTime="2020-08-06T05:20:18.577Z"/>
//       <Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WKS1.corp</Computer>...</System>
//     <EventData><Data Name="UtcTime">2020-08-06 05:20:17.513</Data><Data Name="Image">C:\x\y.exe</Data>
//       <Data Name="User">CORP\alice</Data><Data Name="Initiated">true</Data>
//       <Data Name="SourceIp">10.0.0.5</Data><Data Name="SourcePort">50123</Data>
//       <Data Name="DestinationIp">203.0.113.7</Data><Data Name="DestinationPort">443</Data>...</EventData>
//   </Event>
//
// Mapping:
//   Timestamp                    = UtcTime (UTC, "YYYY-MM-DD hh:mm:ss.fff"), else System/TimeCreated@SystemTime
//   DeviceName                   = System/Computer
//   InitiatingProcessFileName    = the file name of Image (after the last '\' or '/')
//   InitiatingProcessFolderPath  = Image, the full path (as Defender's column usually holds it)
//   InitiatingProcessVersionInfoCompanyName / ...ProductName = Company / Product, when the event has them:
//                                  Sysmon writes them in event 1 (process creation), not in event 3, so a
//                                  plain Sysmon export of event 3 has neither
//   InitiatingProcessAccountName = User without its domain ("NT AUTHORITY\SYSTEM" -> "SYSTEM"), as
//                                  Defender keeps the domain in a separate column
//   Initiated true  -> the source is local: RemoteIP/RemotePort = DestinationIp/DestinationPort,
//                      LocalIP = SourceIp, ActionType "ConnectionSuccess" (Sysmon logs a connection
//                      once it is made)
//   Initiated false -> the connection came in: RemoteIP/RemotePort = SourceIp/SourcePort, LocalIP =
//                      DestinationIp, ActionType "InboundConnectionAccepted" (Defender's name for it)
// No command line and no byte counts: reported with missingColumn(). Events with another EventID, or
// from another provider/channel, are counted with other().
//
// Windows Security events in the same exports (Channel "Security", or provider
// Microsoft-Windows-Security-Auditing) are sign-ins: 4624 / 4625 / 4771 / 4776 with their event
// data (TargetUserName, TargetDomainName, IpAddress, IpPort, Status, SubStatus, LogonType,
// AuthenticationPackageName, LogonProcessName), System/Computer and TimeCreated@SystemTime, made
// into RawSignIns by signin::Builder::windows; other Security events are other("Security <id>"). A
// file holding both gives network events and sign-ins; the Sysmon events read exactly as before.
// Two names serve this one reader: `sysmon-xml` wins on files that show Sysmon events first,
// `windows-security-xml` on Security-only exports.
#include <string>

#include "formats/registry.hpp"
#include "formats/signin_rows.hpp"
#include "formats/sysmon_xml_scanner.hpp"

namespace vpshunt {
namespace {

enum Slot : uint8_t {
  kEventId,
  kChannel,
  kProvider,
  kComputer,
  kSystemTime,
  kUtcTime,
  kImage,
  kUser,
  kInitiated,
  kSourceIp,
  kSourcePort,
  kDestinationIp,
  kDestinationPort,
  kCompany,
  kProduct,
  kSlotCount,
  kNoSlot = kSlotCount
};

struct Value {
  std::string text;
  uint64_t line = 0, column = 0;
  bool set = false;
};

Slot dataSlot(std::string_view name) {
  if (name == "UtcTime") return kUtcTime;
  if (name == "Image") return kImage;
  if (name == "User") return kUser;
  if (name == "Initiated") return kInitiated;
  if (name == "SourceIp") return kSourceIp;
  if (name == "SourcePort") return kSourcePort;
  if (name == "DestinationIp") return kDestinationIp;
  if (name == "DestinationPort") return kDestinationPort;
  if (name == "Company") return kCompany;
  if (name == "Product") return kProduct;
  return kNoSlot;
}

// The Security event data read for sign-ins.
constexpr signin::Col kSecurityCols[] = {
    signin::Col::TargetUserName, signin::Col::TargetDomainName, signin::Col::IPAddress,
    signin::Col::IpPort,         signin::Col::Status,           signin::Col::SubStatus,
    signin::Col::LogonType,      signin::Col::AuthenticationPackageName, signin::Col::LogonProcessName,
};
constexpr int kSecurityCount = sizeof kSecurityCols / sizeof kSecurityCols[0];

int securitySlot(std::string_view name) {
  signin::Col c;
  if (!signin::columnByName(name, c)) return -1;
  for (int i = 0; i < kSecurityCount; ++i)
    if (kSecurityCols[i] == c) return i;
  return -1;
}

std::string_view trimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

class SysmonXmlReader final : public Reader, private xml::Handler {
 public:
  explicit SysmonXmlReader(RecordSink& sink) : sink_(sink), scanner_(*this) {}

  void feed(const char* data, size_t size) override { scanner_.feed(data, size); }
  void finish() override {
    scanner_.finish();
    if (!failed_ && inEvent_) sink_.fatal(eventLine_, eventColumn_, "unexpected end of input inside an <Event> element (expected </Event>)");
    else if (!failed_ && events_ == 0) sink_.fatal(0, 0, "expected Windows event XML (<Event> elements), found none");
  }

 private:
  void onStart(std::string_view rawName, const xml::Attribute* attrs, size_t count, uint64_t line, uint64_t column) override {
    std::string_view name = xml::localName(rawName);
    ++depth_;
    if (!inEvent_) {
      if (name == "Event") {
        inEvent_ = true;
        eventDepth_ = depth_;
        eventLine_ = line;
        eventColumn_ = column;
        for (auto& v : values_) v.set = false;
        for (auto& v : security_) v.set = false;
        ++events_;
      }
      return;
    }
    current_ = kNoSlot;
    currentSecurity_ = -1;
    int rel = depth_ - eventDepth_;  // System = 1, EventID = 2
    if (rel == 1) {
      section_ = name == "System" ? 1 : name == "EventData" ? 2 : 0;
      return;
    }
    if (rel != 2) return;
    if (section_ == 1) {
      if (name == "EventID") current_ = kEventId;
      else if (name == "Channel") current_ = kChannel;
      else if (name == "Computer") current_ = kComputer;
      else if (name == "Provider" || name == "TimeCreated") {
        std::string_view want = name == "Provider" ? "Name" : "SystemTime";
        for (size_t i = 0; i < count; ++i)
          if (attrs[i].name == want) store(name == "Provider" ? kProvider : kSystemTime, attrs[i].value, line, column);
      }
    } else if (section_ == 2 && name == "Data") {
      for (size_t i = 0; i < count; ++i)
        if (attrs[i].name == "Name") {
          current_ = dataSlot(attrs[i].value);
          if (current_ == kNoSlot) currentSecurity_ = securitySlot(attrs[i].value);
        }
    }
  }

  void onText(std::string_view text, uint64_t line, uint64_t column) override {
    if (inEvent_ && current_ != kNoSlot) store(current_, text, line, column);
    if (inEvent_ && currentSecurity_ >= 0) storeValue(security_[currentSecurity_], text, line, column);
  }

  void onEnd(std::string_view rawName, uint64_t, uint64_t) override {
    current_ = kNoSlot;
    currentSecurity_ = -1;
    if (inEvent_ && depth_ == eventDepth_) {
      inEvent_ = false;
      (void)rawName;
      onEvent();
    }
    --depth_;
  }

  void onError(uint64_t line, uint64_t column, std::string message) override {
    failed_ = true;
    sink_.fatal(line, column, std::move(message));
  }

  void store(Slot s, std::string_view text, uint64_t line, uint64_t column) { storeValue(values_[s], text, line, column); }
  static void storeValue(Value& v, std::string_view text, uint64_t line, uint64_t column) {
    v.text.assign(trimAscii(text));
    v.line = line;
    v.column = column;
    v.set = true;
  }

  void securityEvent() {
    signin::Row& r = row_;
    r.clear();
    r.line = eventLine_;
    r.column = eventColumn_;
    auto put = [&](signin::Col c, const Value& v, std::string_view name) {
      if (!v.set) return;
      signin::Value x;
      x.text = v.text;
      x.name = name;
      x.line = v.line;
      x.column = v.column;
      r.set(c, x);
    };
    put(signin::Col::EventID, values_[kEventId], "EventID");
    put(signin::Col::Computer, values_[kComputer], "Computer");
    put(signin::Col::TimeCreated, values_[kSystemTime], "TimeCreated SystemTime");
    for (int i = 0; i < kSecurityCount; ++i) put(kSecurityCols[i], security_[i], signin::colName(kSecurityCols[i]));
    builder_.windows(r, sink_);
  }

  void onEvent() {
    const Value& id = values_[kEventId];
    const Value& channel = values_[kChannel];
    const Value& provider = values_[kProvider];
    bool sysmon = (channel.set && channel.text == "Microsoft-Windows-Sysmon/Operational") ||
                  (!channel.set && provider.set && provider.text == "Microsoft-Windows-Sysmon");
    if (!sysmon) {
      bool security = (channel.set && (channel.text == "Security" || channel.text == "security")) ||
                      (!channel.set && provider.set && provider.text == "Microsoft-Windows-Security-Auditing");
      if (security) {
        securityEvent();
        return;
      }
      sink_.other("Windows event from another channel than Sysmon");
      return;
    }
    if (!id.set || id.text != "3") {
      sink_.other("Sysmon event other than ID 3 (network connection)");
      return;
    }
    if (!announced_) {
      announced_ = true;
      sink_.missingColumn("InitiatingProcessCommandLine");
      sink_.note("Sysmon network events carry no byte counts: SentBytes/ReceivedBytes are absent");
    }
    RawEvent e;
    e.line = eventLine_;
    auto put = [&](EventField f, Slot s, std::string_view text) {
      const Value& v = values_[s];
      e.set(f, text, v.line == eventLine_ ? uint32_t(v.column) : 0);
    };
    auto putSlot = [&](EventField f, Slot s) {
      if (values_[s].set) put(f, s, values_[s].text);
    };
    if (values_[kUtcTime].set) putSlot(EventField::Timestamp, kUtcTime);
    else putSlot(EventField::Timestamp, kSystemTime);
    putSlot(EventField::DeviceName, kComputer);
    if (values_[kImage].set) {
      std::string_view image = values_[kImage].text;
      size_t cut = image.find_last_of("\\/");
      put(EventField::InitiatingProcessFileName, kImage, cut == std::string_view::npos ? image : image.substr(cut + 1));
      put(EventField::InitiatingProcessFolderPath, kImage, image);
    }
    putSlot(EventField::InitiatingProcessVersionInfoCompanyName, kCompany);
    putSlot(EventField::InitiatingProcessVersionInfoProductName, kProduct);
    if (values_[kUser].set) {
      std::string_view user = values_[kUser].text;
      size_t cut = user.rfind('\\');
      put(EventField::InitiatingProcessAccountName, kUser, cut == std::string_view::npos ? user : user.substr(cut + 1));
    }
    const Value& initiated = values_[kInitiated];
    bool inbound = initiated.set && (initiated.text == "false" || initiated.text == "False" || initiated.text == "0");
    Slot remoteIp = inbound ? kSourceIp : kDestinationIp, remotePort = inbound ? kSourcePort : kDestinationPort;
    Slot localIp = inbound ? kDestinationIp : kSourceIp, localPort = inbound ? kDestinationPort : kSourcePort;
    putSlot(EventField::RemoteIP, remoteIp);
    putSlot(EventField::RemotePort, remotePort);
    putSlot(EventField::LocalIP, localIp);
    putSlot(EventField::LocalPort, localPort);
    // Event 3 is logged for connections made (Initiated=true) and accepted (false).
    e.direction = inbound ? Direction::Inbound : Direction::Outbound;
    e.outcome = Outcome::Success;
    e.set(EventField::ActionType, inbound ? "InboundConnectionAccepted" : "ConnectionSuccess",
          initiated.line == eventLine_ ? uint32_t(initiated.column) : 0);
    if (!values_[remoteIp].set) {
      sink_.skip("Sysmon event without a remote address", eventLine_, eventColumn_,
                 std::string("expected a <Data Name=\"") + (inbound ? "SourceIp" : "DestinationIp") + "\"> element in the Sysmon event");
      return;
    }
    sink_.onEvent(e);
  }

  RecordSink& sink_;
  xml::Scanner scanner_;
  Value values_[kSlotCount];
  Value security_[kSecurityCount];
  int currentSecurity_ = -1;
  signin::Row row_;
  signin::Builder builder_;
  int depth_ = 0, eventDepth_ = 0, section_ = 0;
  Slot current_ = kNoSlot;
  bool inEvent_ = false, failed_ = false, announced_ = false;
  uint64_t eventLine_ = 0, eventColumn_ = 0, events_ = 0;
};

int sniffSysmonXml(std::string_view head, std::string_view /*path*/) {
  size_t start = 0;
  while (start < head.size() && (head[start] == ' ' || head[start] == '\t' || head[start] == '\r' || head[start] == '\n')) ++start;
  if (start >= head.size() || head[start] != '<') return 0;
  bool event = head.find("<Event ") != std::string_view::npos || head.find("<Event>") != std::string_view::npos;
  if (!event) return 0;
  if (head.find("Microsoft-Windows-Sysmon") != std::string_view::npos) return 95;
  if (head.find("<EventID") != std::string_view::npos) return 70;  // Windows events, maybe other channels
  return 40;
}

// The same reader under the name a Security export deserves: above sysmon-xml's 70 when the head
// shows Security events and no Sysmon ones, below its 95 when it shows Sysmon events.
int sniffSecurityXml(std::string_view head, std::string_view path) {
  if (sniffSysmonXml(head, path) == 0) return 0;
  bool security = head.find("Microsoft-Windows-Security-Auditing") != std::string_view::npos ||
                  head.find("<Channel>Security</Channel>") != std::string_view::npos;
  if (!security) return 0;
  return head.find("Microsoft-Windows-Sysmon") != std::string_view::npos ? 90 : 96;
}

std::unique_ptr<Reader> createSysmonXml(RecordSink& sink) { return std::make_unique<SysmonXmlReader>(sink); }

}  // namespace

const ReaderFactory& sysmonXmlFactory() {
  static const ReaderFactory f{"sysmon-xml",
                               "Sysmon Event ID 3 (network connection) as Windows event XML (Event Viewer, wevtutil); "
                               "Security logons in the same file are read as sign-ins",
                               FileKind::Events, sniffSysmonXml, createSysmonXml};
  return f;
}

const ReaderFactory& windowsSecurityXmlFactory() {
  static const ReaderFactory f{"windows-security-xml",
                               "Windows Security 4624/4625/4771/4776 logons as event XML (Event Viewer \"Save as XML\", "
                               "wevtutil /f:xml); Sysmon event 3 in the same file is read as network events",
                               FileKind::Events, sniffSecurityXml, createSysmonXml};
  return f;
}

}  // namespace vpshunt
