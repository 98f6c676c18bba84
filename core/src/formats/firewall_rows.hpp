// Firewall and flow tables: which end of a connection is remote, and whether it was let in.
//
// Two families of tables name the ends of a connection by role (source, destination) rather than by
// side (local, remote), so a reader has to decide the direction before it can say which address to
// attribute:
//
//   Cef       CommonSecurityLog (CEF from Fortinet, Palo Alto, Check Point, Cisco, ...): SourceIP,
//             DestinationIP/-Port, DestinationTranslatedAddress/-Port, DeviceAction,
//             SimplifiedDeviceAction, EventOutcome, Activity, AdditionalExtensions,
//             CommunicationDirection, Source/DestinationHostName, SourceUserName, Sent/ReceivedBytes.
//   Sessions  Azure Firewall's resource-specific tables (AZFWNetworkRule, AZFWNatRule, AZFWThreatIntel,
//             ... : SourceIp, DestinationIp/-Port, Action, TranslatedIp/-Port), ASIM network sessions
//             (SrcIpAddr, DstIpAddr, DvcAction, EventResult, NetworkDirection), NSG flow analytics
//             (SrcIP, DestIP, FlowDirection, VMName, VMIPAddress, AllExtIPs).
//
// Direction, in the order the evidence is believed:
//   Cef       1. FortiGate's interface roles in AdditionalExtensions (srcintfrole=wan to a non-wan
//                dstintfrole is inbound; the reverse outbound);
//             2. the addresses: an external source (not private, loopback or link-local) to an internal
//                destination is inbound, an internal source to an external destination outbound;
//             3. CommunicationDirection as Sentinel documents it (0 or "Inbound" inbound, 1 or
//                "Outbound" outbound) when the addresses do not decide: FortiGate writes 1 on the
//                inbound RDP rows of the shared sample, so the flag is not trusted over the addresses;
//             4. otherwise outbound (the table's default before this reader).
//   Sessions  1. a NAT rule hit (Type AZFWNatRule, or a TranslatedIp value): DNAT is how internet
//                traffic reaches a published service;
//             2. the platform's own direction (FlowDirection I/O, NetworkDirection Inbound/Outbound):
//                computed relative to the protected resource, so believed first;
//             3. the addresses, as above; 4. otherwise outbound, exactly as before.
//
// Outcome: the action words (allow / accept / pass / permit / success ... -> success; deny / drop /
// block / reject / reset / prevent / failure ... -> failure), from DeviceAction, then
// SimplifiedDeviceAction, EventOutcome / EventResult, a vendor `...action=` key of
// AdditionalExtensions, then Activity (CEF); from Action / DvcAction, then EventResult (Sessions). A
// NAT rule hit without an action is a success (the traffic was translated and let through).
//
// The event, once the direction is known:
//   inbound   RemoteIP/Port = the source; LocalIP = the internal target (the translated address when
//             DNAT names one, else the destination; VMIPAddress for flow logs), LocalPort = the
//             service reached (the translated port, else the destination port); DeviceName = the
//             destination's host name (Cef, ASIM), else, in a table without one, the table's device
//             (a flow log's VMName), else empty so that the inbound detection names the target by
//             LocalIP; ActionType
//             InboundConnectionAccepted / InboundConnectionFailed (absent when the outcome is unknown).
//   outbound  Cef: RemoteIP/Port = the destination, LocalIP/Port = the source, DeviceName =
//             SourceHostName, else the source address; AccountName = SourceUserName; no process;
//             ActionType ConnectionSuccess / ConnectionFailed (absent when unknown); byte counts.
//             Sessions: exactly the mapping of the Log Analytics CSV reader before direction was
//             known (RemoteIP = the destination, AllExtIPs when it is empty; DeviceName = Computer /
//             VMName / DvcHostname, else the source address; RemotePort = the destination port; no
//             ActionType), so that existing exports of outbound traffic give the same beacon rows.
// CommonSecurityLog's own RemoteIP / RemotePort columns are not read: they hold 0 in the FortiGate
// sample, and the roles above say more.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "formats/record.hpp"

namespace vpshunt::fw {

enum class Col : uint8_t {
  Time,              // TimeGenerated (any " [UTC]" / " [Local Time]" suffix), Timestamp
  SourceIp,          // SourceIP, SourceIp, SrcIP, SrcIpAddr, SourceIPAddress, src_ip
  SourcePort,        // SourcePort, SrcPort, SrcPortNumber, src_port
  DestIp,            // DestinationIP, DestIP, DstIpAddr, DestinationIPAddress, dest_ip
  DestPort,          // DestinationPort, DestPort, DstPortNumber, dest_port
  NatDestIp,         // DestinationTranslatedAddress, TranslatedIp, DstNatIpAddr
  NatDestPort,       // DestinationTranslatedPort, TranslatedPort, DstNatPortNumber
  Action,            // DeviceAction, Action, DvcAction
  SimplifiedAction,  // SimplifiedDeviceAction
  Outcome,           // EventOutcome, EventResult
  Activity,          // Activity
  Extensions,        // AdditionalExtensions
  Direction,         // CommunicationDirection, NetworkDirection, FlowDirection, FlowDirection_s
  SourceHost,        // SourceHostName, SrcHostname
  DestHost,          // DestinationHostName, DstHostname
  Device,            // Computer, VMName, DvcHostname (the table's device: the VM of a flow log)
  LocalAddress,      // VMIPAddress
  ExternalAddress,   // AllExtIPs (flow logs leave SrcIP/DestIP empty for public flows)
  SourceUser,        // SourceUserName, SrcUsername
  SentBytes,         // SentBytes, SrcBytes
  ReceivedBytes,     // ReceivedBytes, DstBytes
  Type,              // Type (the table's name: CommonSecurityLog, AZFWNatRule, ...)
  DeviceVendor,      // DeviceVendor
  DeviceProduct,     // DeviceProduct
  kCount
};
constexpr size_t kColCount = static_cast<size_t>(Col::kCount);
static_assert(kColCount <= 32, "presence masks are 32 bits");

// The column a table's header (or a JSON key) names, case-insensitively, without a Log Analytics
// time-zone suffix or a KQL union suffix (`_string`, ...). False for the columns no reader uses.
bool columnByName(std::string_view name, Col& out);
std::string_view colName(Col c);  // the first name above ("TimeGenerated", "SourceIp", ...)
inline uint32_t bit(Col c) { return 1u << static_cast<unsigned>(c); }

enum class Family : uint8_t { None, Cef, Sessions };
// A table's family from the columns it has (a mask of bit(Col)): Cef when it names a device vendor
// or product beside an address, Sessions when it has a destination address.
Family familyOf(uint32_t columns);
std::string_view familyName(Family f);  // "CommonSecurityLog", "firewall/flow table"

// One row's cells by column. Views into the reader's buffers, valid while the row is handled.
struct Row {
  uint64_t line = 0;
  uint32_t present = 0;  // bit(c): the row has the column (null cells are absent)
  std::array<std::string_view, kColCount> text{};
  std::array<uint32_t, kColCount> column{};  // 1-based, 0 = unknown

  void clear() { present = 0; }
  void set(Col c, std::string_view v, uint32_t col = 0) {
    auto i = static_cast<size_t>(c);
    text[i] = v;
    column[i] = col;
    present |= bit(c);
  }
  bool has(Col c) const { return present & bit(c); }
  std::string_view get(Col c) const { return has(c) ? text[static_cast<size_t>(c)] : std::string_view(); }
  uint32_t col(Col c) const { return has(c) ? column[static_cast<size_t>(c)] : 0; }
};

// An address's side: Internal (private, loopback, link-local, unspecified), External (anything else
// that parses), Unknown (empty or not an address).
enum class Side : uint8_t { Unknown, Internal, External };
Side sideOf(std::string_view address);

// The outcome named by an action or result text (see the file comment); Unknown when no word of it
// is one of the lists.
vpshunt::Outcome outcomeOfWords(std::string_view text);
// CommunicationDirection / NetworkDirection / FlowDirection text: 0, Inbound, In, Incoming, I ->
// Inbound; 1, Outbound, Out, Outgoing, O -> Outbound; anything else Unknown.
vpshunt::Direction directionOfText(std::string_view text);
// The value of the first `key=value` pair of a CEF AdditionalExtensions text (pairs separated by ';')
// whose key ends with `keySuffix` (ASCII case-insensitive); empty when none.
std::string_view extensionValue(std::string_view extensions, std::string_view keySuffix);

// What a row says of its connection.
struct Decision {
  vpshunt::Direction direction = vpshunt::Direction::Outbound;
  vpshunt::Outcome outcome = vpshunt::Outcome::Unknown;
};

// Turns rows of one table into events. One per table (file, Log Analytics table); not thread-safe.
class Builder {
 public:
  // A new table of `family`.
  void begin(Family family) {
    family_ = family;
    noted_ = 0;
  }
  // Says, through `sink`, how the family's rows are read and what such a table lacks.
  void announce(RecordSink& sink) const;
  Family family() const { return family_; }
  // False, with a skipped row reported through `sink` (its line and the cell's column, "expected an
  // IPv4 or IPv6 address in <sourceColumn>, found <the value, quoted>"), when the row's source holds
  // something other than an address: the addresses could not tell its direction, so it would be
  // taken for outbound and attributed to its destination (filtered, when that is private) with no
  // word of the bad value. An empty or "-" source is absent, not bad (flow logs leave public ends
  // empty). Readers call it before decide(). `sourceColumn`: the name the file gives the column.
  bool sourceReadable(const Row& row, std::string_view sourceColumn, RecordSink& sink) const;
  // The row's direction and outcome (see the file comment). Notes, once per table, a direction rule
  // the first time it decides a row, and a CommunicationDirection the addresses contradicted.
  Decision decide(const Row& row, RecordSink& sink);
  // Fills `e` for that decision: the fields of the file comment, Timestamp from the row unless the
  // reader set it, `e.direction` and `e.outcome`. Fields the reader already set are overridden.
  void fill(const Row& row, const Decision& d, RawEvent& e) const;
  // Only the inbound mapping (the Log Analytics CSV reader keeps its own outbound one).
  void fillInbound(const Row& row, const Decision& d, RawEvent& e) const;

 private:
  void noteOnce(unsigned which, RecordSink& sink);
  Family family_ = Family::None;
  uint32_t noted_ = 0;
};

}  // namespace vpshunt::fw
