// Suricata eve.json: the `flow` records (one per connection, written when the flow ends). Other
// event types (alert, dns, tls, http, stats, ...) are counted with other().
//
// Mapping onto the rule's fields:
//  * Timestamp = flow.start (else timestamp), e.g. "2026-06-12T03:22:29.166457-0400" (offset without
//    a colon; parsed by the engine).
//  * Suricata's src is the side that sent the first packet. The remote side is dest, unless dest is a
//    non-public address and src a public one (an inbound connection): the same rule as Zeek logs
//    without local_orig. DeviceName and LocalIP = the local-side address (no device names in eve.json).
//  * SentBytes/ReceivedBytes = flow.bytes_toserver/bytes_toclient, seen from the local side.
//  * ActionType: TCP flows whose server answered with SYN+ACK (tcp.tcp_flags_tc has 0x12), and other
//    flows with packets to the client -> "ConnectionSuccess"; flows with none -> "ConnectionFailed";
//    flows without those counters -> "ConnectionUnknown".
//  * No process, account or command line: missingColumn() for each, once. ICMP flows have no ports.
#include <cstdlib>

#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

enum Slot : int {
  kEventType, kSrcIp, kSrcPort, kDestIp, kDestPort, kTimestamp, kFlowStart, kBytesToServer, kBytesToClient,
  kPktsToClient, kTcpFlagsTc, kSlotCount
};

class SuricataEveReader final : public jsonev::RecordReader {
 public:
  explicit SuricataEveReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {}

 private:
  int slotFor(std::string_view p) override {
    static constexpr std::pair<std::string_view, Slot> names[] = {
        {"event_type", kEventType},
        {"src_ip", kSrcIp},
        {"src_port", kSrcPort},
        {"dest_ip", kDestIp},
        {"dest_port", kDestPort},
        {"timestamp", kTimestamp},
        {"flow.start", kFlowStart},
        {"flow.bytes_toserver", kBytesToServer},
        {"flow.bytes_toclient", kBytesToClient},
        {"flow.pkts_toclient", kPktsToClient},
        {"tcp.tcp_flags_tc", kTcpFlagsTc},
    };
    for (const auto& n : names)
      if (p == n.first) return n.second;
    return -1;
  }

  void onRecord() override {
    std::string_view type = text(kEventType);
    if (type != "flow") {
      sink_.other(type.empty() ? std::string("record without event_type") : "Suricata " + std::string(type) + " event");
      return;
    }
    if (!hasValue(kSrcIp) || !hasValue(kDestIp)) {
      int at = hasValue(kSrcIp) ? kDestIp : kSrcIp;
      sink_.skip("missing connection address", valueLine(at), valueColumn(at),
                 std::string("flow record without ") + (at == kSrcIp ? "src_ip" : "dest_ip"));
      return;
    }
    // src is the flow's initiator (the client), dest the server: a public client reaching a
    // non-public server is inbound. Both public (a sensor outside the home network): outbound.
    bool inbound = !jsonev::isPublicIp(text(kDestIp)) && jsonev::isPublicIp(text(kSrcIp));
    int remoteIp = inbound ? kSrcIp : kDestIp, remotePort = inbound ? kSrcPort : kDestPort;
    int localIp = inbound ? kDestIp : kSrcIp, localPort = inbound ? kDestPort : kSrcPort;
    RawEvent e;
    e.line = recordLine();
    put(e, EventField::Timestamp, hasValue(kFlowStart) ? kFlowStart : kTimestamp);
    put(e, EventField::DeviceName, localIp);
    put(e, EventField::LocalIP, localIp);
    put(e, EventField::RemoteIP, remoteIp);
    if (hasValue(remotePort)) put(e, EventField::RemotePort, remotePort);
    if (hasValue(localPort)) put(e, EventField::LocalPort, localPort);

    // Outcome: the server answered (SYN-ACK seen, or packets to the client).
    Outcome outcome = Outcome::Unknown;
    if (hasValue(kTcpFlagsTc)) {
      std::string flags(text(kTcpFlagsTc));
      unsigned long v = std::strtoul(flags.c_str(), nullptr, 16);
      outcome = (v & 0x12) == 0x12 ? Outcome::Success : Outcome::Failure;
    } else if (hasValue(kPktsToClient)) {
      outcome = text(kPktsToClient) != "0" ? Outcome::Success : Outcome::Failure;
    }
    e.direction = inbound ? Direction::Inbound : Direction::Outbound;
    e.outcome = outcome;
    std::string_view action = outcome == Outcome::Unknown ? "ConnectionUnknown"
                              : inbound ? (outcome == Outcome::Success ? "InboundConnectionAccepted" : "InboundConnectionFailed")
                                        : (outcome == Outcome::Success ? "ConnectionSuccess" : "ConnectionFailed");
    e.set(EventField::ActionType, action, 0);

    int sent = inbound ? kBytesToClient : kBytesToServer, recv = inbound ? kBytesToServer : kBytesToClient;
    if (hasValue(sent)) put(e, EventField::SentBytes, sent);
    if (hasValue(recv)) put(e, EventField::ReceivedBytes, recv);

    if (!announced_) {
      announced_ = true;
      sink_.note("Suricata flows: no device names; the local-side address stands for DeviceName");
      sink_.missingColumn("InitiatingProcessFileName");
      sink_.missingColumn("InitiatingProcessAccountName");
      sink_.missingColumn("InitiatingProcessCommandLine");
    }
    sink_.onEvent(e);
  }

  bool announced_ = false;
};

int sniffSuricataEve(std::string_view head, std::string_view path) {
  (void)path;
  if (jsonev::firstByte(head) != '{') return 0;
  using jsonev::contains;
  if (contains(head, "\"event_type\"") && (contains(head, "\"src_ip\"") || contains(head, "\"flow_id\"")))
    return 95;
  return 0;
}

std::unique_ptr<Reader> createSuricataEve(RecordSink& sink) { return std::make_unique<SuricataEveReader>(sink); }

}  // namespace

const ReaderFactory& suricataEveFactory() {
  static const ReaderFactory f{"suricata-eve", "Suricata eve.json flow records, one event a line", FileKind::Events,
                               sniffSuricataEve, createSuricataEve};
  return f;
}

}  // namespace vpshunt
