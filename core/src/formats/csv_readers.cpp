// Defender / Sentinel / Log Analytics CSV exports: DeviceNetworkEvents (events) and
// ThreatIntelligenceIndicator (intel). Columns are found by header name in any order; extra
// columns are ignored. DeviceLogonEvents rows, alone or in a union export, are sign-ins
// (signin_csv.hpp reads them).
#include <algorithm>
#include <memory>
#include <string>

#include "formats/csv_tokenizer.hpp"
#include "formats/firewall_rows.hpp"
#include "formats/registry.hpp"
#include "formats/signin_csv.hpp"

namespace vpshunt {

namespace {

std::string_view firstLine(std::string_view head) {
  size_t nl = head.find_first_of("\r\n");
  return nl == std::string_view::npos ? head : head.substr(0, nl);
}

bool containsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && char(hay[i + k] | 0x20) == char(needle[k] | 0x20)) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// Header cells of the first line (quotes removed), without a full tokenizer: enough for sniffing.
std::vector<std::string_view> headerCells(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= line.size()) {
    size_t j = i;
    if (j < line.size() && line[j] == '"') {
      size_t close = line.find('"', j + 1);
      if (close == std::string_view::npos) close = line.size();
      out.push_back(line.substr(j + 1, close - j - 1));
      j = line.find(',', close);
    } else {
      j = line.find(',', i);
      out.push_back(line.substr(i, (j == std::string_view::npos ? line.size() : j) - i));
    }
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

bool headerHasEventField(const std::vector<std::string_view>& cells, EventField want) {
  for (auto c : cells) {
    EventField f;
    if (eventFieldByName(c, f) && f == want) return true;
  }
  return false;
}
bool headerHasIntelField(const std::vector<std::string_view>& cells, IntelField want) {
  for (auto c : cells) {
    IntelField f;
    if (intelFieldByName(c, f) && f == want) return true;
  }
  return false;
}

bool headerHasName(const std::vector<std::string_view>& cells, std::string_view name) {
  for (auto c : cells) {
    while (!c.empty() && (c.front() == ' ')) c.remove_prefix(1);
    size_t br = c.find(" [");
    if (br != std::string_view::npos) c = c.substr(0, br);
    if (c.size() == name.size() && containsNoCase(c, name)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

class CsvReaderBase : public Reader, public CsvTokenizer::Handler {
 public:
  explicit CsvReaderBase(RecordSink& sink) : sink_(sink), tok_(*this) {}
  void feed(const char* data, size_t size) override { tok_.feed(data, size); }
  void finish() override {
    tok_.finish();
    if (!sawHeader_ && !stopped_) sink_.fatal(0, 0, "the file is empty: expected a CSV header line");
    if (sawHeader_ && !stopped_) endRows();
  }
  void onRecord(const CsvRecord& r) override {
    if (stopped_) return;
    if (!sawHeader_) {
      sawHeader_ = true;
      header(r);
      return;
    }
    if (r.error) {
      sink_.skip("malformed CSV record", r.errorLine, r.errorColumn, r.error);
      return;
    }
    if (r.count != columns_) {
      // Located at the first extra field, or at the last field of a short record (issue 14: every
      // problem has a column).
      uint64_t col = r.count > columns_ ? r.columns[columns_] : r.count ? r.columns[r.count - 1] : 1;
      sink_.skip("wrong field count", r.lastLine, col,
                 "expected " + std::to_string(columns_) + " fields as in the header, found " + std::to_string(r.count));
      return;
    }
    row(r);
  }

 protected:
  virtual void header(const CsvRecord& r) = 0;
  virtual void row(const CsvRecord& r) = 0;
  virtual void endRows() {}
  void stop() {
    stopped_ = true;
    tok_.stop();
  }
  RecordSink& sink_;
  CsvTokenizer tok_;
  size_t columns_ = 0;
  bool sawHeader_ = false;
  bool stopped_ = false;
};

class CsvEventsReader final : public CsvReaderBase {
 public:
  using CsvReaderBase::CsvReaderBase;

 private:
  void header(const CsvRecord& r) override {
    columns_ = r.count;
    map_.assign(kEventFieldCount, -1);
    int timeGenerated = -1;
    for (size_t i = 0; i < r.count; ++i) {
      EventField f;
      if (eventFieldByName(r.fields[i], f)) {
        if (map_[size_t(f)] < 0) map_[size_t(f)] = int(i);
      } else if (headerHasName({r.fields[i]}, "TimeGenerated") && timeGenerated < 0) {
        timeGenerated = int(i);
      }
    }
    // Log Analytics tables carry both; an export that has only TimeGenerated uses it.
    if (map_[size_t(EventField::Timestamp)] < 0 && timeGenerated >= 0) {
      map_[size_t(EventField::Timestamp)] = timeGenerated;
      sink_.note("event time taken from TimeGenerated (no Timestamp column)");
    }
    // Other Log Analytics network tables (Azure Firewall, ASIM network sessions, flow logs) name the
    // ends of a connection differently: the destination is the remote side, the source the device.
    if (map_[size_t(EventField::RemoteIP)] < 0) {
      auto find = [&](std::initializer_list<std::string_view> names) {
        for (std::string_view n : names)
          for (size_t i = 0; i < r.count; ++i)
            if (headerHasName({r.fields[i]}, n)) return int(i);
        return -1;
      };
      int remote = find({"DestinationIp", "DestIP", "DstIpAddr", "DestinationIPAddress", "dest_ip"});
      if (remote >= 0) {
        map_[size_t(EventField::RemoteIP)] = remote;
        remoteFallback_ = find({"AllExtIPs"});  // Azure flow logs leave DestIP empty for public flows
        int source = find({"SourceIp", "SrcIP", "SrcIpAddr", "SourceIPAddress", "src_ip"});
        if (map_[size_t(EventField::DeviceName)] < 0) {
          int device = find({"Computer", "VMName", "DvcHostname"});
          map_[size_t(EventField::DeviceName)] = device >= 0 ? device : source;
        }
        if (map_[size_t(EventField::RemotePort)] < 0)
          map_[size_t(EventField::RemotePort)] = find({"DestinationPort", "DestPort", "DstPortNumber", "dest_port"});
        sink_.note("a network table other than DeviceNetworkEvents: the destination address is RemoteIP" +
                   std::string(source >= 0 ? ", the source address stands for the device" : ""));
        // ... unless the row is inbound (firewall_rows.hpp): then the source is the remote side.
        otherTable(r, source, remote, find({"DestinationPort", "DestPort", "DstPortNumber", "dest_port"}),
                   find({"Computer", "VMName", "DvcHostname"}));
      } else if (timeGenerated >= 0 && logAnalyticsExport_) {
        // A Log Analytics export of a table without addresses (syslog text in RawData, ...): read,
        // counted, and said so, not refused.
        sink_.note("this Log Analytics table has no destination-address column: its rows hold no network events the rule can use");
        noAddresses_ = true;
        return;
      }
    }
    if (map_[size_t(EventField::Timestamp)] < 0 || map_[size_t(EventField::RemoteIP)] < 0) {
      std::vector<std::string_view> cells(r.fields, r.fields + r.count);
      bool intel = headerHasIntelField(cells, IntelField::NetworkIP) || headerHasIntelField(cells, IntelField::NetworkCidrBlock);
      std::string missing = map_[size_t(EventField::Timestamp)] < 0 ? "Timestamp" : "RemoteIP";
      sink_.fatal(r.line, 1,
                  intel ? "this is a threat-intel file (it has a NetworkIP column, no " + missing +
                              "): load it as threat intel"
                        : "expected a DeviceNetworkEvents header with Timestamp and RemoteIP columns; the " + missing +
                              " column is missing");
      stop();
      return;
    }
    // DeviceLogonEvents shares Timestamp, RemoteIP and ActionType with DeviceNetworkEvents. A header
    // with its columns and none of the network table's is a logon export: every row is a sign-in.
    // Otherwise rows whose ActionType is a logon one (a union export) are sign-ins, the rest are
    // read as before.
    std::vector<uint8_t> wanted(r.count, 0);
    {
      std::vector<std::string_view> cells(r.fields, r.fields + r.count);
      const bool logonColumns = headerHasName(cells, "LogonType") || headerHasName(cells, "FailureReason");
      const bool networkColumns = headerHasName(cells, "LocalIP") || headerHasName(cells, "LocalPort") ||
                                  headerHasName(cells, "LocalIPType") || headerHasName(cells, "RemoteUrl");
      logonOnly_ = logonColumns && !networkColumns;
      if (logonOnly_ || map_[size_t(EventField::ActionType)] >= 0) {
        signIns_ = std::make_unique<SignInCsvRows>(sink_);
        if (!signIns_->begin(SignInTable::DeviceLogonEvents, r, wanted)) {
          stop();
          return;
        }
        actionColumn_ = map_[size_t(EventField::ActionType)];
      }
      if (logonOnly_) {
        signIns_->announce();
        tok_.setWanted(std::move(wanted));
        return;
      }
    }
    if (map_[size_t(EventField::AccountName)] >= 0) map_[size_t(EventField::InitiatingProcessAccountName)] = -1;
    static constexpr EventField needed[] = {EventField::DeviceName,  EventField::InitiatingProcessFileName,
                                            EventField::InitiatingProcessCommandLine, EventField::RemotePort,
                                            EventField::ActionType,  EventField::RemoteIPType,
                                            EventField::SentBytes,   EventField::ReceivedBytes};
    for (EventField f : needed)
      if (map_[size_t(f)] < 0) sink_.missingColumn(std::string(eventFieldName(f)));
    if (map_[size_t(EventField::AccountName)] < 0 && map_[size_t(EventField::InitiatingProcessAccountName)] < 0)
      sink_.missingColumn("AccountName");
    if (map_[size_t(EventField::AccountName)] < 0 && map_[size_t(EventField::InitiatingProcessAccountName)] >= 0)
      sink_.note("AccountName taken from InitiatingProcessAccountName (no AccountName column)");
    if (map_[size_t(EventField::SentBytes)] < 0 || map_[size_t(EventField::ReceivedBytes)] < 0)
      sink_.note("no SentBytes/ReceivedBytes columns: byte totals are null and ByteRatio is 0");
    if (map_[size_t(EventField::ActionType)] < 0) sink_.note("no ActionType column: the ActionType filter was not applied");
    if (map_[size_t(EventField::RemoteIPType)] < 0)
      sink_.note("no RemoteIPType column: each RemoteIP was classified from its address");
    for (size_t f = 0; f < kEventFieldCount; ++f)
      if (map_[f] >= 0) {
        used_.emplace_back(EventField(f), size_t(map_[f]));
        wanted[size_t(map_[f])] = 1;
      }
    if (remoteFallback_ >= 0) wanted[size_t(remoteFallback_)] = 1;
    for (const auto& [c, i] : roles_) wanted[i] = 1;
    tok_.setWanted(std::move(wanted));
  }

  // The columns the firewall row builder reads (the ones found above, and those only it uses).
  void otherTable(const CsvRecord& r, int source, int destination, int destinationPort, int device) {
    auto add = [&](fw::Col c, int i) {
      if (i >= 0) roles_.emplace_back(c, size_t(i));
    };
    add(fw::Col::SourceIp, source);
    if (source >= 0) roleSourceName_.assign(r.fields[size_t(source)]);
    add(fw::Col::DestIp, destination);
    add(fw::Col::DestPort, destinationPort);
    add(fw::Col::Device, device);
    add(fw::Col::ExternalAddress, remoteFallback_);
    uint32_t seen = 0;
    for (size_t i = 0; i < r.count; ++i) {
      fw::Col c;
      if (!fw::columnByName(r.fields[i], c) || (seen & fw::bit(c))) continue;
      seen |= fw::bit(c);
      switch (c) {
        case fw::Col::SourcePort: case fw::Col::NatDestIp: case fw::Col::NatDestPort: case fw::Col::Action:
        case fw::Col::Outcome: case fw::Col::Direction: case fw::Col::DestHost: case fw::Col::LocalAddress:
        case fw::Col::Type:
          add(c, int(i));
          break;
        default:
          break;
      }
    }
    roleBuilder_.begin(fw::Family::Sessions);
  }

  void row(const CsvRecord& r) override {
    if (noAddresses_) {
      sink_.other("no destination address in this table");
      return;
    }
    if (signIns_ && (logonOnly_ || (actionColumn_ >= 0 && logonAction(r.fields[actionColumn_])))) {
      signIns_->row(r);
      return;
    }
    RawEvent e;
    e.line = r.line;
    for (const auto& [f, i] : used_) e.set(f, r.fields[i], r.columns[i]);
    if (!roles_.empty()) {
      fw::Row row;
      row.line = r.line;
      for (const auto& [c, i] : roles_) row.set(c, r.fields[i], r.columns[i]);
      if (!roleBuilder_.sourceReadable(row, roleSourceName_, sink_)) return;
      const fw::Decision d = roleBuilder_.decide(row, sink_);
      if (d.direction == Direction::Inbound) {
        roleBuilder_.fillInbound(row, d, e);
        sink_.onEvent(e);
        return;
      }
      e.direction = d.direction;
      e.outcome = d.outcome;
    }
    if (remoteFallback_ >= 0 && e.get(EventField::RemoteIP).empty())
      e.set(EventField::RemoteIP, r.fields[remoteFallback_], r.columns[remoteFallback_]);
    sink_.onEvent(e);
  }

  void endRows() override {
    if (signIns_) signIns_->finish();
  }
  // threads (issue 12): a network table without firewall roles (they keep state). Sign-in rows keep
  // state too (undecided locale times): a file cut in pieces whose pieces read any is read again whole.
  bool splittable() const override { return sawHeader_ && !stopped_ && !logonOnly_ && roles_.empty(); }

  // DeviceLogonEvents' ActionTypes (exact, as the ActionType filter compares them).
  static bool logonAction(std::string_view a) {
    return a.size() >= 11 && a[0] == 'L' && (a == "LogonSuccess" || a == "LogonFailed" || a == "LogonAttempted");
  }

 public:
  bool logAnalyticsExport_ = false;

 private:
  std::unique_ptr<SignInCsvRows> signIns_;
  bool logonOnly_ = false;
  int actionColumn_ = -1;
  int remoteFallback_ = -1;
  std::vector<std::pair<fw::Col, size_t>> roles_;  // other network tables: the row's roles
  fw::Builder roleBuilder_;
  std::string roleSourceName_;  // the header's name of the source address column
  bool noAddresses_ = false;
  std::vector<int> map_;
  std::vector<std::pair<EventField, size_t>> used_;
};

class CsvIntelReader final : public CsvReaderBase {
 public:
  using CsvReaderBase::CsvReaderBase;

 private:
  void header(const CsvRecord& r) override {
    columns_ = r.count;
    std::vector<int> map(kIntelFieldCount, -1);
    for (size_t i = 0; i < r.count; ++i) {
      IntelField f;
      if (intelFieldByName(r.fields[i], f) && map[size_t(f)] < 0) map[size_t(f)] = int(i);
    }
    bool anyIp = map[size_t(IntelField::NetworkIP)] >= 0 || map[size_t(IntelField::NetworkSourceIP)] >= 0 ||
                 map[size_t(IntelField::NetworkDestinationIP)] >= 0 || map[size_t(IntelField::NetworkCidrBlock)] >= 0;
    if (!anyIp) {
      std::vector<std::string_view> cells(r.fields, r.fields + r.count);
      bool events = headerHasEventField(cells, EventField::RemoteIP);
      sink_.fatal(r.line, 1,
                  events ? "this is a network-events file (it has a RemoteIP column, no NetworkIP): load it as events"
                         : "expected a ThreatIntelligenceIndicator header with a NetworkIP column");
      stop();
      return;
    }
    for (IntelField f : {IntelField::TimeGenerated, IntelField::NetworkIP, IntelField::Active})
      if (map[size_t(f)] < 0) sink_.missingColumn(std::string(intelFieldName(f)));
    if (map[size_t(IntelField::TimeGenerated)] < 0)
      sink_.note("no TimeGenerated column: indicators count as current whatever the TI lookback");
    if (map[size_t(IntelField::Active)] < 0) sink_.note("no Active column: indicators count as active");
    for (size_t f = 0; f < kIntelFieldCount; ++f)
      if (map[f] >= 0) used_.emplace_back(IntelField(f), size_t(map[f]));
  }

  void row(const CsvRecord& r) override {
    RawIndicator e;
    e.line = r.line;
    for (const auto& [f, i] : used_) e.set(f, r.fields[i], r.columns[i]);
    sink_.onIndicator(e);
  }

  std::vector<std::pair<IntelField, size_t>> used_;
};

bool looksLikeJson(std::string_view head) {
  size_t i = head.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (head[i] == '{' || head[i] == '[');
}

// A Log Analytics "Export to CSV": its time columns carry the zone in brackets.
bool logAnalyticsHeader(const std::vector<std::string_view>& cells) {
  for (auto c : cells)
    if (c.size() > 6 && (c.substr(c.size() - 6) == " [UTC]" || (c.size() > 13 && c.substr(c.size() - 13) == " [Local Time]")))
      return true;
  return false;
}

int sniffEvents(std::string_view head, std::string_view) {
  if (looksLikeJson(head)) return 0;
  auto cells = headerCells(firstLine(head));
  if (cells.size() < 2) return 0;
  bool time = headerHasEventField(cells, EventField::Timestamp) || headerHasName(cells, "TimeGenerated");
  bool ip = headerHasEventField(cells, EventField::RemoteIP);
  if (time && ip) return 90;
  bool dest = headerHasName(cells, "DestinationIp") || headerHasName(cells, "DestIP") || headerHasName(cells, "DstIpAddr");
  if (time && dest) return 70;
  if (time && logAnalyticsHeader(cells)) return 40;
  return 0;
}

int sniffIntel(std::string_view head, std::string_view) {
  if (looksLikeJson(head)) return 0;
  auto cells = headerCells(firstLine(head));
  if (cells.size() < 2) return 0;
  if (headerHasEventField(cells, EventField::RemoteIP)) return 0;
  if (headerHasIntelField(cells, IntelField::NetworkIP) || headerHasIntelField(cells, IntelField::NetworkCidrBlock)) return 90;
  return 0;
}

}  // namespace

const ReaderFactory& csvEventsFactory() {
  static const ReaderFactory f{"defender-csv",
                               "DeviceNetworkEvents CSV (Defender advanced hunting, Sentinel / Log Analytics export); its DeviceLogonEvents rows are sign-ins",
                               FileKind::Events, sniffEvents,
                               [](RecordSink& s) -> std::unique_ptr<Reader> {
                                 auto r = std::make_unique<CsvEventsReader>(s);
                                 r->logAnalyticsExport_ = true;  // a table without addresses is read, not refused
                                 return r;
                               }};
  return f;
}

const ReaderFactory& csvIntelFactory() {
  static const ReaderFactory f{"sentinel-ti-csv", "ThreatIntelligenceIndicator CSV (Microsoft Sentinel export)",
                               FileKind::Intel, sniffIntel,
                               [](RecordSink& s) -> std::unique_ptr<Reader> { return std::make_unique<CsvIntelReader>(s); }};
  return f;
}

}  // namespace vpshunt
