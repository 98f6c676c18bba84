// Firewall and flow table rows written as JSON objects, one object per row: CommonSecurityLog (CEF),
// Azure Firewall's AZFW* tables, ASIM network sessions. This is what `az monitor log-analytics query`
// and PowerShell's Invoke-AzOperationalInsightsQuery | ConvertTo-Json print (a top-level array of
// objects keyed by column name), what trimmed Log Analytics exports look like (the Azure-Sentinel
// FortiGate sample), and JSON Lines of the same objects. (The query API's own {"tables": [...]}
// response is log-analytics-json's, which applies the same rules.)
//
// Each row's family comes from its own keys (a file may hold rows of several tables): a device vendor
// or product beside an address is CommonSecurityLog, a destination address alone another firewall or
// flow table. Rows with neither (an AZFWApplicationRule row names its destination by FQDN only) are
// counted as other. Direction, outcome and mapping:
// firewall_rows.hpp. Values may be strings or numbers ("DestinationPort": 3389); CEF's own RemoteIP
// (0 in the sample) is not read.
#include "formats/firewall_rows.hpp"
#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

class FirewallJsonReader final : public jsonev::RecordReader {
 public:
  explicit FirewallJsonReader(RecordSink& sink) : RecordReader(sink, fw::kColCount) {
    cef_.begin(fw::Family::Cef);
    sessions_.begin(fw::Family::Sessions);
  }

 private:
  int slotFor(std::string_view path) override {
    fw::Col c;
    if (path.find('.') != std::string_view::npos || !fw::columnByName(path, c)) return -1;
    return static_cast<int>(c);
  }

  void onRecord() override {
    row_.clear();
    row_.line = recordLine();
    for (size_t c = 0; c < fw::kColCount; ++c) {
      const int slot = static_cast<int>(c);
      if (has(slot) && !isNull(slot)) row_.set(fw::Col(c), text(slot), column(slot));
    }
    const fw::Family family = fw::familyOf(row_.present);
    if (family == fw::Family::None) {
      std::string_view type = row_.get(fw::Col::Type);
      sink_.other(type.empty() ? std::string("row without a destination address")
                               : "table " + std::string(type) + ": no destination address");
      return;
    }
    fw::Builder& b = family == fw::Family::Cef ? cef_ : sessions_;
    bool& announced = family == fw::Family::Cef ? cefAnnounced_ : sessionsAnnounced_;
    if (!announced) {
      announced = true;
      b.announce(sink_);
      if (family == fw::Family::Cef && !row_.has(fw::Col::SourceUser)) sink_.missingColumn("AccountName");
    }
    // Keys are matched by name without regard to case, so the message names the column as the
    // builder knows it (SourceIp: SourceIP, SrcIpAddr, ... in the file).
    if (!b.sourceReadable(row_, {}, sink_)) return;
    RawEvent e;
    e.line = recordLine();
    b.fill(row_, b.decide(row_, sink_), e);
    sink_.onEvent(e);
  }

  fw::Row row_;
  fw::Builder cef_, sessions_;
  bool cefAnnounced_ = false, sessionsAnnounced_ = false;
};

int sniffFirewallJson(std::string_view head, std::string_view) {
  const char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  // Other readers' envelopes and records: Log Analytics / Kusto tables, Defender, Windows events
  // (Sysmon's EventData has SourceIp / DestinationIp too), Suricata, Zeek.
  if ((contains(head, "\"tables\"") && contains(head, "\"columns\"")) || contains(head, "\"FrameType\"") ||
      contains(head, "\"AdvancedHunting-") || contains(head, "\"EventID\"") || contains(head, "\"Channel\"") ||
      contains(head, "\"winlog\"") || contains(head, "\"event_type\"") || contains(head, "\"id.orig_h\"") ||
      contains(head, "\"EventData\""))
    return 0;
  const bool cefAddress = contains(head, "\"SourceIP\"") || contains(head, "\"DestinationIP\"");
  const bool address = contains(head, "\"SourceIp\"") || contains(head, "\"DestinationIp\"");
  if ((contains(head, "\"DeviceVendor\"") || contains(head, "\"DeviceProduct\"")) && (cefAddress || address)) return 96;
  if (address && contains(head, "\"AZFW")) return 96;
  if (contains(head, "\"SrcIpAddr\"") && contains(head, "\"DstIpAddr\"")) return 90;
  if (address && contains(head, "\"Action\"")) return 80;
  return 0;
}

std::unique_ptr<Reader> createFirewallJson(RecordSink& sink) { return std::make_unique<FirewallJsonReader>(sink); }

}  // namespace

const ReaderFactory& firewallJsonFactory() {
  static const ReaderFactory f{"firewall-json",
                               "CommonSecurityLog (CEF), Azure Firewall (AZFW*) and ASIM network-session rows as JSON "
                               "objects (az CLI / PowerShell query output, arrays, one row a line); rows inbound or "
                               "outbound by NAT, direction columns and addresses",
                               FileKind::Events, sniffFirewallJson, createFirewallJson};
  return f;
}

}  // namespace vpshunt
