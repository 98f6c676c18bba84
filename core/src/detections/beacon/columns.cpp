// The beacon detection's columns, declared once: the seed's projection (in the seed's order), the
// seed's first/last connection, vpshunt's handle on the group, and the columns beyond the seed.
#include <cmath>

#include "detections/beacon/beacon.hpp"

namespace vpshunt {

namespace {

TableSchema makeSchema() {
  TableSchema s;
  s.detection = "beacon";
  s.title = "Beacons";
  s.order = "seed mode: RiskScore desc, ConnectionCount desc; beyond mode: VpsScore desc, then the same";
  using T = CellType;
  s.columns = {
      {"Detection", T::Text, false, "beacon"},
      {"Score", T::Int, false, "the row's rank, 0-100: RiskScore in seed mode, VpsScore in beyond mode"},
      {"Timestamp", T::Time, false, "start of the hour bin (beyond mode: the hour of the flow's first connection)"},
      {"DeviceName", T::Text, false, "the device"},
      {"AccountName", T::Text, false, "the account (InitiatingProcessAccountName when the export has no AccountName)"},
      {"InitiatingProcessFileName", T::Text, false, "the process"},
      {"InitiatingProcessCommandLine", T::Text, false, "its command line"},
      {"RemoteIP", T::Text, false, "the remote address, canonical"},
      {"ConnectionCount", T::Int, false, "connections in the bin (beyond mode: over the lookback)"},
      {"ConnectionsPerMinute", T::Number, false, "ConnectionCount / window minutes, 2 decimals"},
      {"UniqueRemotePorts", T::Int, false, "distinct remote ports"},
      {"RemotePorts", T::IntList, false, "up to 5 distinct remote ports, ascending"},
      {"TotalBytesSent", T::Int, true, "bytes sent (null: the export has no SentBytes column)"},
      {"TotalBytesReceived", T::Int, true, "bytes received (null: the export has no ReceivedBytes column)"},
      {"ByteRatio", T::Number, false, "sent / received, 2 decimals; 0 when nothing was received"},
      {"IsTIMatch", T::Bool, false, "the latest indicator for RemoteIP within the TI lookback is active"},
      {"ThreatType", T::Text, true, "that indicator's ThreatType"},
      {"TIConfidence", T::Int, true, "its ConfidenceScore"},
      {"TIDescription", T::Text, true, "its Description"},
      {"RiskScore", T::Int, false, "the seed's case() score"},
      {"FirstConnection", T::Time, false, "the group's first connection"},
      {"LastConnection", T::Time, false, "the group's last connection"},
      {"GroupId", T::Int, false, "vpshunt's handle on the group or flow (detail view); not stable across runs"},
      {"RemoteASN", T::Int, true, "the autonomous system announcing RemoteIP"},
      {"RemoteOrg", T::Text, true, "its organisation"},
      {"IsHosting", T::Bool, false, "RemoteASN is on the hosting list"},
      {"HostingProvider", T::Text, true, "the hosting list's provider name"},
      {"HostingCategory", T::Text, true, "vps, hosting, cloud or bulletproof"},
      {"DeviceCount", T::Int, false, "devices that talked to RemoteIP in all loaded events"},
      {"RemoteIPFirstSeen", T::Time, false, "first connection to RemoteIP in all loaded events"},
      {"RemoteIPLastSeen", T::Time, false, "last connection to RemoteIP in all loaded events"},
      {"MedianIntervalSeconds", T::Number, true, "the flow's beat (beyond mode)"},
      {"PeriodicityScore", T::Number, true, "how regular the beat is, 0-1 (beyond mode)"},
      {"IntervalDispersion", T::Number, true, "MAD / median of the intervals (beyond mode)"},
      {"VpsScore", T::Int, false, "evidence that RemoteIP is a rented server used for C2, 0-100"},
      {"VpsReasons", T::TextList, false, "that evidence, in words"},
      {"Reasons", T::TextList, false, "why the row scored what it did: the score's rule first, then the evidence"},
      // Beyond mode only: seed mode's rows are the seed rule's, which knows nothing of it.
      {"KnownSoftware", T::Text, true,
       "the product this process is (known-software catalogue or the analyst's mark): name, folder and destination fit; "
       "null when nothing matched",
       false},
  };
  s.terminalSeed = {{"Timestamp", "", 20},
                    {"DeviceName", "", 24},
                    {"AccountName", "", 16},
                    {"InitiatingProcessFileName", "", 24},
                    {"InitiatingProcessCommandLine", "", 40},
                    {"RemoteIP", "", 39},
                    {"ConnectionCount", "Count", 8},
                    {"UniqueRemotePorts", "Ports#", 6},
                    {"RemotePorts", "", 18},
                    {"IsTIMatch", "TI", 5},
                    {"ThreatType", "", 16},
                    {"RiskScore", "Risk", 5},
                    {"HostingProvider", "Hosting", 20},
                    {"VpsScore", "Vps", 4}};
  s.terminalBeyond = {{"Timestamp", "", 20},
                      {"DeviceName", "", 24},
                      {"InitiatingProcessFileName", "", 24},
                      {"RemoteIP", "", 39},
                      {"ConnectionCount", "Count", 8},
                      {"RemotePorts", "", 18},
                      {"IsTIMatch", "TI", 5},
                      {"RiskScore", "Risk", 5},
                      {"HostingProvider", "Hosting", 20},
                      {"MedianIntervalSeconds", "Every(s)", 0},
                      {"PeriodicityScore", "Period", 0},
                      {"VpsScore", "Vps", 4},
                      {"KnownSoftware", "Known", 20},
                      {"VpsReasons", "Why", 90}};
  // The page: the score and what an analyst decides on first, the rest after.
  s.pageSeed = {{"RiskScore", "RiskScore"},     {"Timestamp", ""},   {"DeviceName", ""},
                {"InitiatingProcessFileName", "Process"}, {"RemoteIP", ""}, {"ConnectionCount", "Connections"},
                {"RemotePorts", "Ports"},        {"IsTIMatch", "TI"}, {"HostingProvider", "Hosting"},
                {"AccountName", ""},             {"InitiatingProcessCommandLine", "Command line"}};
  s.pageBeyond = {{"VpsScore", "VpsScore"},      {"RemoteIP", ""},       {"HostingProvider", "Hosting"},
                  {"RemoteASN", "ASN"},          {"DeviceCount", "Devices"}, {"MedianIntervalSeconds", "Every"},
                  {"PeriodicityScore", "Periodicity"}, {"DeviceName", ""},  {"InitiatingProcessFileName", "Process"},
                  {"ConnectionCount", "Connections"}, {"RiskScore", ""},   {"IsTIMatch", "TI"},
                  {"KnownSoftware", "Known software"}};
  s.overviewTime = "FirstConnection";
  s.finalize();
  return s;
}

}  // namespace

const TableSchema& BeaconDetection::schema() const { return beaconSchema(); }

const TableSchema& beaconSchema() {
  static const TableSchema s = makeSchema();
  return s;
}

void BeaconDetection::cells(const ResultRow& r, Row& out) {
  // In the schema's order; the schema test checks each cell's type against its column.
  out.key = r.groupId;
  size_t i = 0;
  auto text = [&](std::string_view v) { out[i++].setText(v); };
  auto optText = [&](const std::optional<std::string>& v) { v ? out[i++].setText(*v) : out[i++].setNull(); };
  auto integer = [&](int64_t v) { out[i++].setInt(v); };
  auto optInt = [&](const std::optional<int64_t>& v) { v ? out[i++].setInt(*v) : out[i++].setNull(); };
  auto number = [&](double v) { out[i++].setNumber(v); };
  auto optNumber = [&](const std::optional<double>& v) { v ? out[i++].setNumber(*v) : out[i++].setNull(); };
  auto boolean = [&](bool v) { out[i++].setBool(v); };
  auto time = [&](Ticks t) { out[i++].setTime(t); };
  text("beacon");
  integer(r.score);
  time(r.binStart);
  text(r.deviceName);
  text(r.accountName);
  text(r.processName);
  text(r.commandLine);
  text(r.remoteIp);
  integer(r.connectionCount);
  number(r.connectionsPerMinute);
  integer(r.uniqueRemotePorts);
  {
    Cell& c = out[i++];
    c.null = false;
    c.ints.assign(r.remotePorts.begin(), r.remotePorts.end());
  }
  optInt(r.totalBytesSent);
  optInt(r.totalBytesReceived);
  number(r.byteRatio);
  boolean(r.isTiMatch);
  optText(r.threatType);
  optInt(r.tiConfidence);
  optText(r.tiDescription);
  integer(r.riskScore);
  time(r.firstConnection);
  time(r.lastConnection);
  integer(int64_t(r.groupId));
  r.remoteAsn ? integer(r.remoteAsn) : out[i++].setNull();
  r.remoteAsn ? text(r.remoteOrg) : out[i++].setNull();
  boolean(r.isHosting);
  r.isHosting ? text(r.hostingProvider) : out[i++].setNull();
  r.isHosting ? text(r.hostingCategory) : out[i++].setNull();
  integer(int64_t(r.deviceCount));
  time(r.remoteIpFirstSeen);
  time(r.remoteIpLastSeen);
  optNumber(r.medianIntervalSeconds ? std::optional<double>(std::round(*r.medianIntervalSeconds * 100) / 100) : std::nullopt);
  optNumber(r.periodicityScore);
  optNumber(r.periodicityScore ? std::optional<double>(std::round(r.intervalDispersion * 1000) / 1000) : std::nullopt);
  integer(r.vpsScore);
  {
    Cell& c = out[i++];
    c.null = false;
    c.texts = r.vpsReasons;
  }
  {
    Cell& c = out[i++];
    c.null = false;
    c.texts = r.reasons;
  }
  // The columns seed mode's rows leave out, when the row's schema has them (beyond mode).
  if (i < out.cells.size()) optText(r.knownSoftware);
}

}  // namespace vpshunt
