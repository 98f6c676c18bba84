// The JSON event readers (Defender, Log Analytics, Zeek, Sysmon, Suricata): one case per quirk of the
// exports analysts have, each read from a small fixture of our own under tests/fixtures/json/.
// Every case checks the detected format and the exact sequence of what the reader hands its sink,
// and that any chunking of the bytes gives the same sequence.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"
#include "reader_harness.hpp"

using namespace vpshunt;

namespace {

// Records every sink call as one line of text.
struct LinesSink : RecordSink {
  std::vector<std::string> lines;
  bool columns = false;
  void onEvent(const RawEvent& e) override {
    std::string s = "event L" + std::to_string(e.line);
    for (size_t i = 0; i < kEventFieldCount; ++i)
      if (e.present & (1u << i)) {
        s += " " + std::string(eventFieldName(EventField(i))) + "=" + std::string(e.get(EventField(i)));
        if (columns) s += "@" + std::to_string(e.col(EventField(i)));
      }
    if (e.hasTime) s += " time=" + std::to_string(e.time);
    if (e.direction != Direction::Unknown) s += std::string(" dir=") + std::string(vpshunt::test::directionName(e.direction));
    if (e.outcome != Outcome::Unknown) s += std::string(" outcome=") + std::string(vpshunt::test::outcomeName(e.outcome));
    lines.push_back(s);
  }
  void onIndicator(const RawIndicator&) override { lines.push_back("indicator"); }
  void onSignIn(const RawSignIn&) override { lines.push_back("signin"); }
  void skip(std::string_view r, uint64_t l, uint64_t c, std::string m) override {
    lines.push_back("skip " + std::string(r) + " @" + std::to_string(l) + ":" + std::to_string(c) + " " + m);
  }
  void other(std::string_view r) override { lines.push_back("other " + std::string(r)); }
  void fatal(uint64_t l, uint64_t c, std::string m) override {
    lines.push_back("fatal @" + std::to_string(l) + ":" + std::to_string(c) + " " + m);
  }
  void note(std::string t) override { lines.push_back("note " + t); }
  void missingColumn(std::string n) override { lines.push_back("missing " + n); }
  FileKind kind() const override { return FileKind::Events; }
};

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(VPSHUNT_SOURCE_DIR) + "/tests/fixtures/json/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const ReaderFactory* detect(const std::string& bytes, const std::string& path = "") {
  return detectReader(std::string_view(bytes).substr(0, 65536), path, FileKind::Auto);
}

// Reads `bytes` with the reader named `format`, fed in chunks of `chunk` bytes (0 = all at once).
std::vector<std::string> readWith(const std::string& format, const std::string& bytes, size_t chunk = 0,
                                  bool columns = false) {
  const ReaderFactory* f = findReader(format);
  REQUIRE(f != nullptr);
  LinesSink sink;
  sink.columns = columns;
  auto reader = f->create(sink);
  if (chunk == 0) chunk = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    std::string piece = bytes.substr(i, chunk);  // its own buffer: views into older chunks would show
    reader->feed(piece.data(), piece.size());
  }
  reader->finish();
  return sink.lines;
}

struct FixtureCase {
  const char* quirk;
  const char* file;
  const char* format;
  std::vector<std::string> expected;
};

}  // namespace

TEST_CASE("json events: each export quirk reads with its detected format", "[json-events]") {
  std::vector<FixtureCase> cases = {
      {R"~(Advanced-hunting API {Stats, Schema, Results})~",
       "defender_ah_api.json", "defender-json",
       {
           R"~(event L27 Timestamp=2026-11-20T14:00:00Z DeviceName=ws-10 InitiatingProcessAccountName=bob InitiatingProcessFileName=x.exe InitiatingProcessCommandLine=x.exe RemoteIP=203.0.113.50 RemotePort=443 ActionType=ConnectionSuccess RemoteIPType=Public)~",
           R"~(event L41 Timestamp=2026-11-20T14:00:10Z DeviceName=ws-10 InitiatingProcessAccountName=bob InitiatingProcessFileName=x.exe InitiatingProcessCommandLine=x.exe RemoteIP=203.0.113.51 RemotePort=443 ActionType=ConnectionSuccess RemoteIPType=Public)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(Defender Splunk body wrapper with x-opt keys, tab indentation, \u00ae escape)~",
       "defender_body_wrapper.json", "defender-json",
       {
           R"~(event L1 Timestamp=2026-11-20T12:00:00.208162Z DeviceName=srv-01.lab.local InitiatingProcessAccountName=system InitiatingProcessFileName=agent.exe RemoteIP=198.51.100.30 RemotePort=8443 ActionType=ConnectionSuccess InitiatingProcessVersionInfoProductName=Contoso® Agent)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(Defender Event Hub messages {"records": [...]}, two per file, one pretty-printed, another category inside)~",
       "defender_eventhub_records.json", "defender-json",
       {
           R"~(event L1 Timestamp=2026-11-20T11:00:00Z DeviceName=a InitiatingProcessFileName=svc.exe RemoteIP=203.0.113.20 RemotePort=443 ActionType=ConnectionSuccess)~",
           R"~(other category AdvancedHunting-DeviceFileEvents)~",
           R"~(event L4 Timestamp=2026-11-20T11:01:00Z DeviceName=b InitiatingProcessFileName=svc.exe RemoteIP=203.0.113.21 RemotePort=443 ActionType=ConnectionSuccess)~",
           R"~(event L19 Timestamp=2026-11-20T11:02:00Z DeviceName=c InitiatingProcessFileName=svc.exe RemoteIP=203.0.113.22 RemotePort=443 ActionType=ConnectionSuccess)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
           R"~(missing InitiatingProcessAccountName)~",
       }},
      {R"~(Graph runHuntingQuery lowercase {results, schema}, results before schema)~",
       "defender_graph_api.json", "defender-json",
       {
           R"~(event L1 Timestamp=2026-11-20T15:00:00Z DeviceName=ws-10 InitiatingProcessAccountName=bob InitiatingProcessFileName=x.exe InitiatingProcessCommandLine=x.exe RemoteIP=198.51.100.60 RemotePort=443 ActionType=ConnectionSuccess RemoteIPType=Public)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(Malformed JSON Lines: the bad line and a truncated last line are skipped, the others read)~",
       "defender_malformed.jsonl", "defender-json",
       {
           R"~(event L1 Timestamp=2026-11-20T10:00:00.1234567Z DeviceName=ws-01 InitiatingProcessAccountName=alice InitiatingProcessFileName=beacon.exe InitiatingProcessCommandLine="beacon.exe" -k RemoteIP=203.0.113.10 RemotePort=443 ActionType=ConnectionSuccess RemoteIPType=Public LocalIP=10.0.0.5)~",
           R"~(skip malformed JSON @2:91 expected ',' or '}' after an object member, found '"')~",
           R"~(event L3 Timestamp=2026-11-20T10:03:00Z DeviceName=ws-02 RemoteIP=203.0.113.11 RemotePort= ActionType=IcmpConnectionInspected)~",
           R"~(skip malformed JSON @4:82 unexpected end of input inside a string)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(Defender pretty-printed records one after another (Storage blob, _TimeReceivedBySvc, Tenant))~",
       "defender_pretty_records.json", "defender-json",
       {
           R"~(event L1 Timestamp=2026-11-20T12:58:42.666487Z DeviceName=mbp16 InitiatingProcessAccountName=rob InitiatingProcessFileName=update assistant InitiatingProcessCommandLine="/Applications/Update Assistant" --agent RemoteIP=203.0.113.40 RemotePort=443 ActionType=ConnectionRequest RemoteIPType=Public LocalIP=10.0.0.183)~",
           R"~(event L22 Timestamp=2026-11-20T12:58:42.666487Z DeviceName=mbp16 InitiatingProcessAccountName=rob InitiatingProcessFileName=update assistant InitiatingProcessCommandLine="/Applications/Update Assistant" --agent RemoteIP=203.0.113.41 RemotePort=443 ActionType=ConnectionRequest RemoteIPType=Public LocalIP=10.0.0.183)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(Defender streaming API JSON Lines: CRLF, envelope keys, AdditionalFields null/string/object, RemoteIP "-", RemotePort null, IPv6, another table)~",
       "defender_stream_crlf.jsonl", "defender-json",
       {
           R"~(event L1 Timestamp=2026-11-20T10:00:00.1234567Z DeviceName=ws-01 InitiatingProcessAccountName=alice InitiatingProcessFileName=beacon.exe InitiatingProcessCommandLine="beacon.exe" -k RemoteIP=203.0.113.10 RemotePort=443 ActionType=ConnectionSuccess RemoteIPType=Public LocalIP=10.0.0.5)~",
           R"~(event L2 Timestamp=2026-11-20T10:01:00Z DeviceName=ws-01 InitiatingProcessFileName= RemoteIP=198.51.100.7 RemotePort=80 ActionType=NetworkSignatureInspected)~",
           R"~(event L3 Timestamp=2026-11-20T10:02:00Z DeviceName=ws-02 RemoteIP=2001:db8::1 RemotePort=53 ActionType=DnsConnectionInspected)~",
           R"~(event L4 Timestamp=2026-11-20T10:03:00Z DeviceName=ws-02 RemoteIP=203.0.113.11 RemotePort= ActionType=IcmpConnectionInspected)~",
           R"~(skip RemoteIP "-" @5:171 RemoteIP is "-": the record names no remote address (ActionType SmtpConnectionInspected))~",
           R"~(other category AdvancedHunting-DeviceProcessEvents)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(One row per line: KQL union suffixes, mixed schemas, CRLF, rows that are not network events)~",
       "defender_union_rows.jsonl", "defender-json",
       {
           R"~(other no RemoteIP (ActionType LdapSearch))~",
           R"~(other no RemoteIP (ActionType MailItemsAccessed))~",
           R"~(event L3 Timestamp=2026-11-20T16:01:02.057Z DeviceName=ws-20 InitiatingProcessAccountName=carol InitiatingProcessFileName=rundll32.exe RemoteIP=203.0.113.70 RemotePort=443 ActionType=ConnectionSuccess)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
       }},
      {R"~(Log Analytics query API tables: positional rows, TimeGenerated for Timestamp, dynamic cells, short row, table without RemoteIP)~",
       "log_analytics_tables.json", "log-analytics-json",
       {
           R"~(event L36 Timestamp=2026-11-20T17:00:00.1234567Z DeviceName=ws-30 InitiatingProcessFileName=a.exe RemoteIP=203.0.113.80 RemotePort=443 ActionType=ConnectionSuccess)~",
           R"~(other no RemoteIP (ActionType ListeningConnectionCreated))~",
           R"~(skip row length differs from the columns @59:9 expected 7 cells as in "columns", found 4)~",
           R"~(note table SecondTable (2 columns) has no RemoteIP column: its rows are not network events)~",
           R"~(other table SecondTable has no RemoteIP column)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
           R"~(missing InitiatingProcessAccountName)~",
       }},
      {R"~(Suricata eve.json flows: -0400 offsets, SYN+ACK vs RST, ICMPv6 without ports, inbound, dns and alert events)~",
       "suricata_eve.json", "suricata-eve",
       {
           R"~(note Suricata flows: no device names; the local-side address stands for DeviceName)~",
           R"~(missing InitiatingProcessFileName)~",
           R"~(missing InitiatingProcessAccountName)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(event L1 Timestamp=2026-11-20T03:22:29.166457-0400 DeviceName=192.168.137.128 RemoteIP=203.0.113.110 RemotePort=443 ActionType=ConnectionSuccess SentBytes=1725 ReceivedBytes=1750 LocalIP=192.168.137.128 LocalPort=45370 dir=out outcome=ok)~",
           R"~(event L2 Timestamp=2026-11-20T03:23:59.000000-0400 DeviceName=192.168.137.128 RemoteIP=203.0.113.111 RemotePort=8080 ActionType=ConnectionFailed SentBytes=74 ReceivedBytes=60 LocalIP=192.168.137.128 LocalPort=45371 dir=out outcome=fail)~",
           R"~(event L3 Timestamp=2026-11-20T03:24:59.5+0000 DeviceName=2001:0db8:0000:0000:0000:0000:0000:0001 RemoteIP=2001:0db8:0000:0000:0000:0000:0000:0002 ActionType=ConnectionSuccess SentBytes=64 ReceivedBytes=64 LocalIP=2001:0db8:0000:0000:0000:0000:0000:0001 dir=out outcome=ok)~",
           R"~(event L4 Timestamp=2026-11-20T03:25:58.000000-0400 DeviceName=192.168.137.128 RemoteIP=45.33.32.156 RemotePort=60000 ActionType=InboundConnectionAccepted SentBytes=120 ReceivedBytes=300 LocalIP=192.168.137.128 LocalPort=22 dir=in outcome=ok)~",
           R"~(other Suricata dns event)~",
           R"~(other Suricata alert event)~",
       }},
      {R"~(Sysmon event 3 as NXLog JSON: flattened fields, ports as strings, Initiated true/false, other events and channels)~",
       "sysmon_nxlog.json", "sysmon-json",
       {
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
           R"~(note Sysmon event 3: InitiatingProcessFileName is the base name of Image, the account is User without its domain; Initiated=false records are inbound (InboundConnectionAccepted, remote = source))~",
           R"~(event L1 Timestamp=2026-11-20 19:00:17.513 DeviceName=WS5.corp.example InitiatingProcessAccountName=pat InitiatingProcessFileName=implant.exe RemoteIP=203.0.113.100 RemotePort=443 ActionType=ConnectionSuccess LocalIP=10.3.0.5 LocalPort=50123 InitiatingProcessFolderPath=C:\Users\pat\AppData\Local\Temp\implant.exe dir=out outcome=ok)~",
           R"~(event L3 Timestamp=2026-11-20 19:00:18.000 DeviceName=DC1.corp.example InitiatingProcessAccountName=SYSTEM InitiatingProcessFileName=System RemoteIP=fe80:0:0:0:3816:b2ee:1b9b:324b RemotePort=64469 ActionType=InboundConnectionAccepted LocalIP=fe80:0:0:0:3816:b2ee:1b9b:324c LocalPort=445 InitiatingProcessFolderPath=System dir=in outcome=ok)~",
           R"~(other Sysmon event 1 (not a network connection))~",
           R"~(other Security 5156)~",
       }},
      {R"~(Sysmon event 3 as Winlogbeat JSON: winlog.event_data, event_id as string, other Sysmon events)~",
       "sysmon_winlogbeat.json", "sysmon-json",
       {
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(missing SentBytes)~",
           R"~(missing ReceivedBytes)~",
           R"~(note Sysmon event 3: InitiatingProcessFileName is the base name of Image, the account is User without its domain; Initiated=false records are inbound (InboundConnectionAccepted, remote = source))~",
           R"~(event L1 Timestamp=2026-11-20 19:09:59.900 DeviceName=WS6.corp.example InitiatingProcessAccountName=quinn InitiatingProcessFileName=app.exe RemoteIP=198.51.100.101 RemotePort=8080 ActionType=ConnectionSuccess LocalIP=10.3.0.6 LocalPort=51000 InitiatingProcessFolderPath=C:\Program Files\App\app.exe dir=out outcome=ok)~",
           R"~(other Sysmon event 22 (not a network connection))~",
       }},
      {R"~(Zeek JSON with dotted keys, local_orig booleans (outbound and inbound), conn_state mapping, a dns record)~",
       "zeek_conn_dotted.json", "zeek-json",
       {
           R"~(note Zeek conn log: no device names; the local-side address stands for DeviceName)~",
           R"~(missing InitiatingProcessFileName)~",
           R"~(missing InitiatingProcessAccountName)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(event L1 Timestamp=1763632800.123456 DeviceName=10.1.0.5 RemoteIP=203.0.113.90 RemotePort=443 ActionType=ConnectionSuccess SentBytes=100 ReceivedBytes=2000 LocalIP=10.1.0.5 LocalPort=50000 time=17636328001234560 dir=out outcome=ok)~",
           R"~(event L2 Timestamp=1763632801.5 DeviceName=10.1.0.5 RemoteIP=198.51.100.91 RemotePort=41000 ActionType=InboundConnectionFailed SentBytes=40 ReceivedBytes=300 LocalIP=10.1.0.5 LocalPort=22 time=17636328015000000 dir=in outcome=fail)~",
           R"~(event L3 Timestamp=1763632802 DeviceName=10.1.0.6 RemoteIP=203.0.113.92 RemotePort=53 ActionType=ConnectionFailed LocalIP=10.1.0.6 LocalPort=5353 time=17636328020000000 dir=out outcome=fail)~",
           R"~(other Zeek dns record (not conn))~",
       }},
      {R"~(Zeek json-streaming-logs: @stream, underscored id_orig_h, no local_orig (inbound from a public originator))~",
       "zeek_conn_underscored.json", "zeek-json",
       {
           R"~(note Zeek conn log: no device names; the local-side address stands for DeviceName)~",
           R"~(missing InitiatingProcessFileName)~",
           R"~(missing InitiatingProcessAccountName)~",
           R"~(missing InitiatingProcessCommandLine)~",
           R"~(note Zeek conn log without local_orig: the responder is taken as the remote side unless it is a non-public address and the originator a public one)~",
           R"~(event L1 Timestamp=1763632900.000001 DeviceName=10.2.0.7 RemoteIP=203.0.113.95 RemotePort=8443 ActionType=ConnectionFailed SentBytes=39 ReceivedBytes=55 LocalIP=10.2.0.7 LocalPort=54243 time=17636329000000010 dir=out outcome=fail)~",
           R"~(event L2 Timestamp=1763632901.25 DeviceName=10.2.0.7 RemoteIP=45.33.32.157 RemotePort=61000 ActionType=InboundConnectionAccepted LocalIP=10.2.0.7 LocalPort=3389 time=17636329012500000 dir=in outcome=ok)~",
           R"~(other Zeek http record (not conn))~",
       }},
  };
  for (const auto& c : cases) {
    SECTION(c.quirk) {
      std::string bytes = readFixture(c.file);
      const ReaderFactory* f = detect(bytes, c.file);
      REQUIRE(f != nullptr);
      CHECK(f->name == c.format);
      CHECK(readWith(c.format, bytes) == c.expected);
      for (size_t chunk : {1, 2, 3, 7, 64, 1000}) {
        INFO("chunk size " << chunk);
        CHECK(readWith(c.format, bytes, chunk) == c.expected);
      }
    }
  }
}

TEST_CASE("json events: inline shapes", "[json-events]") {
  struct Case {
    const char* name;
    const char* format;
    std::string input;
    std::vector<std::string> expected;
  };
  std::vector<Case> cases = {
      {"Defender rows in a bare top-level array", "defender-json",
       R"([{"Timestamp":"2026-11-20T10:00:00Z","DeviceName":"d","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.1",)"
       R"("RemotePort":443,"InitiatingProcessFileName":"a.exe","InitiatingProcessCommandLine":"a","InitiatingProcessAccountName":"u",)"
       R"("SentBytes":1,"ReceivedBytes":2}, 7])",
       {"event L1 Timestamp=2026-11-20T10:00:00Z DeviceName=d InitiatingProcessAccountName=u InitiatingProcessFileName=a.exe "
        "InitiatingProcessCommandLine=a RemoteIP=203.0.113.1 RemotePort=443 ActionType=ConnectionSuccess SentBytes=1 ReceivedBytes=2",
        "skip array element is not an object @1:270 expected a JSON object (a record), found a number"}},
      {"Defender envelope: properties win over envelope-level names, TimeGenerated stands in for Timestamp", "defender-json",
       R"({"DeviceName":"envelope","properties":{"TimeGenerated":"2026-11-20T10:00:00Z","DeviceName":"inner","RemoteIP":"203.0.113.2"}})",
       {"event L1 Timestamp=2026-11-20T10:00:00Z DeviceName=inner RemoteIP=203.0.113.2",
        "missing InitiatingProcessFileName", "missing InitiatingProcessCommandLine", "missing RemotePort", "missing ActionType",
        "missing SentBytes", "missing ReceivedBytes", "missing InitiatingProcessAccountName"}},
      {"Defender Event Hub records inside the body wrapper", "defender-json",
       R"({"body":{"records":[{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"RemoteIP":"203.0.113.3","Timestamp":"t"}}]},"x-opt-offset":"1"})",
       {"event L1 Timestamp=t RemoteIP=203.0.113.3",
        "missing DeviceName", "missing InitiatingProcessFileName", "missing InitiatingProcessCommandLine", "missing RemotePort",
        "missing ActionType", "missing SentBytes", "missing ReceivedBytes", "missing InitiatingProcessAccountName"}},
      {"Defender pretty-printed file broken in the middle is fatal with line and column", "defender-json",
       "{\n  \"properties\": {\n    \"RemoteIP\": \"203.0.113.4\"\n    \"RemotePort\": 1\n  }\n}\n",
       {"fatal @4:5 expected ',' or '}' after an object member, found '\"'"}},
      {"Defender top-level scalar", "defender-json", "42\n", {"skip top-level value is not an object @1:1 expected a JSON object (a record), found a number"}},
      {"Kusto v2 frames: only PrimaryResult tables are data", "log-analytics-json",
       R"([{"FrameType":"DataSetHeader","Version":"v2.0"},)"
       R"({"FrameType":"DataTable","TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[{"a":1}]]},)"
       R"({"FrameType":"DataTable","TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},)"
       R"({"ColumnName":"RemoteIP","ColumnType":"string"},{"ColumnName":"RemoteIP_string","ColumnType":"string"}],"Rows":[["2026-11-20T10:00:00Z","203.0.113.5",null]]},)"
       R"({"FrameType":"DataSetCompletion","HasErrors":false}])",
       {"other Kusto QueryProperties table", "event L1 Timestamp=2026-11-20T10:00:00Z RemoteIP=203.0.113.5",
        "missing DeviceName", "missing InitiatingProcessFileName", "missing InitiatingProcessCommandLine", "missing RemotePort",
        "missing ActionType", "missing SentBytes", "missing ReceivedBytes", "missing InitiatingProcessAccountName"}},
      {"Log Analytics file that is not a query response", "log-analytics-json", R"({"tables":[]})",
       {"fatal @1:1 no \"tables\" with \"columns\" and \"rows\" found (is this a Log Analytics query API response?)"}},
      {"Zeek nested id object and ISO ts", "zeek-json",
       R"({"ts":"2026-11-20T10:00:00.5Z","id":{"orig_h":"10.0.0.1","orig_p":1,"resp_h":"203.0.113.6","resp_p":443},"conn_state":"RSTO","local_orig":"T"})",
       {"note Zeek conn log: no device names; the local-side address stands for DeviceName", "missing InitiatingProcessFileName",
        "missing InitiatingProcessAccountName", "missing InitiatingProcessCommandLine",
        "event L1 Timestamp=2026-11-20T10:00:00.5Z DeviceName=10.0.0.1 RemoteIP=203.0.113.6 RemotePort=443 ActionType=ConnectionSuccess LocalIP=10.0.0.1 LocalPort=1 "
        "dir=out outcome=ok"}},
      {"Zeek record without a responder address, and one with an unusable ts", "zeek-json",
       "{\"ts\":1.5e9,\"id.orig_h\":\"10.0.0.1\",\"_path\":\"conn\"}\n{\"ts\":true,\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"203.0.113.7\"}\n",
       {"skip missing connection address @1:1 the record has no id.resp_h",
        "skip unparseable ts @2:7 expected epoch seconds such as 1596790164.509987 or an ISO time in ts, found true"}},
      {"Sysmon evtx_dump shape (Event.System / Event.EventData), EventID as #text", "sysmon-json",
       R"({"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":{"#text":3},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws9"},)"
       R"("EventData":{"UtcTime":"2026-11-20 10:00:00.000","Image":"/usr/bin/curl","User":"root","Initiated":true,"SourceIp":"10.0.0.9","SourcePort":40000,"DestinationIp":"203.0.113.8","DestinationPort":443}}})",
       {"missing InitiatingProcessCommandLine", "missing SentBytes", "missing ReceivedBytes",
        "note Sysmon event 3: InitiatingProcessFileName is the base name of Image, the account is User without its domain; "
        "Initiated=false records are inbound (InboundConnectionAccepted, remote = source)",
        "event L1 Timestamp=2026-11-20 10:00:00.000 DeviceName=ws9 InitiatingProcessAccountName=root InitiatingProcessFileName=curl "
        "RemoteIP=203.0.113.8 RemotePort=443 ActionType=ConnectionSuccess LocalIP=10.0.0.9 LocalPort=40000 "
        "InitiatingProcessFolderPath=/usr/bin/curl dir=out outcome=ok"}},
      {"Suricata stats record and a flow without addresses", "suricata-eve",
       "{\"event_type\":\"stats\",\"stats\":{\"uptime\":1}}\n{\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\"}\n",
       {"other Suricata stats event", "skip missing connection address @2:1 flow record without dest_ip"}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      CHECK(readWith(c.format, c.input) == c.expected);
      CHECK(readWith(c.format, c.input, 1) == c.expected);
    }
  }
}

TEST_CASE("json events: columns point at the value on the record's line", "[json-events]") {
  std::string in = "{\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{\"RemoteIP\":\"203.0.113.9\",\"RemotePort\":443}}\r\n"
                   "{\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{\"RemoteIP\":\"-\"}}\r\n";
  auto lines = readWith("defender-json", in, 5, /*columns=*/true);
  REQUIRE(lines.size() == 10);
  CHECK(lines[0] == "event L1 RemoteIP=203.0.113.9@76 RemotePort=443@103");
  CHECK(lines[1] == "skip RemoteIP \"-\" @2:76 RemoteIP is \"-\": the record names no remote address (ActionType )");
}

TEST_CASE("json events: sniffing claims only its own shapes", "[json-events]") {
  struct Case {
    const char* name;
    std::string head;
    const char* expected;  // "" = none of the JSON event readers
  };
  std::vector<Case> cases = {
      {"streaming record", R"({"time":"t","category":"AdvancedHunting-DeviceNetworkEvents","properties":{}})", "defender-json"},
      {"AH API", R"({"Schema":[{"Name":"Timestamp"}],"Results":[]})", "defender-json"},
      {"Graph API", R"({"schema":[],"results":[]})", "defender-json"},
      {"rows", R"({"Timestamp":"t","DeviceName":"d","RemoteIP":"1.2.3.4","ActionType":"a"})", "defender-json"},
      {"a small record", R"({"properties":{"RemoteIP":"1.2.3.4","RemotePort":1}})", "defender-json"},
      {"LA tables", R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"RemoteIP"}],"rows":[]}]})", "log-analytics-json"},
      {"Zeek dotted", R"({"ts":1.0,"id.orig_h":"a","id.resp_h":"b","conn_state":"SF"})", "zeek-json"},
      {"Zeek streaming", R"({"@stream":"conn","ts":1.0,"id_orig_h":"a"})", "zeek-json"},
      {"Sysmon NXLog", R"({"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational"})", "sysmon-json"},
      {"Winlogbeat", R"({"winlog":{"event_id":3,"channel":"Microsoft-Windows-Sysmon/Operational"}})", "sysmon-json"},
      {"Suricata", R"({"timestamp":"t","flow_id":1,"event_type":"flow","src_ip":"a"})", "suricata-eve"},
      {"LA tables of threat intel", R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"NetworkIP"}],"rows":[]}]})", ""},
      {"AH API rows of threat intel", R"({"Schema":[{"Name":"NetworkIP"}],"Results":[{"NetworkIP":"1.2.3.4"}]})", ""},
      {"STIX bundle", R"({"type":"bundle","objects":[{"type":"indicator","pattern":"[ipv4-addr:value = '1.2.3.4']"}]})", ""},
      {"CSV", "Timestamp,DeviceName,RemoteIP\n", ""},
  };
  const char* mine[] = {"defender-json", "log-analytics-json", "zeek-json", "sysmon-json", "suricata-eve"};
  for (const auto& c : cases) {
    SECTION(c.name) {
      const ReaderFactory* best = nullptr;
      int bestScore = 0;
      for (const char* n : mine) {
        const ReaderFactory* f = findReader(n);
        REQUIRE(f != nullptr);
        int s = f->sniff(c.head, "");
        if (s > bestScore) {
          best = f;
          bestScore = s;
        }
      }
      CHECK(std::string(best ? best->name : "") == c.expected);
    }
  }
}

TEST_CASE("json events: epoch seconds to ticks, exactly", "[json-events]") {
  struct Case {
    const char* text;
    bool ok;
    Ticks ticks;
  };
  std::vector<Case> cases = {
      {"1588205199.82437", true, 15882051998243700},
      {"1588205199", true, 15882051990000000},
      {"0.0000001", true, 1},
      {"1.123456789", true, 11234567},
      {"-1.5", true, -15000000},
      {"1.5e9", true, 15000000000000000},
      {"", false, 0},
      {"abc", false, 0},
      {"1.2.3", false, 0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    Ticks t = 0;
    CHECK(jsonev::parseEpochTicks(c.text, t) == c.ok);
    if (c.ok) CHECK(t == c.ticks);
  }
}

TEST_CASE("json events: damaged fixtures never crash any JSON reader", "[json-events]") {
  const char* files[] = {"defender_stream_crlf.jsonl", "defender_eventhub_records.json", "log_analytics_tables.json",
                         "zeek_conn_dotted.json", "sysmon_winlogbeat.json", "suricata_eve.json"};
  const char* readers[] = {"defender-json", "log-analytics-json", "zeek-json", "sysmon-json", "suricata-eve"};
  const std::string noise = "{}[]\",:\\ \n\r0-9.eEtrufalsn\x80\xff";
  uint32_t state = 7;
  auto rnd = [&state]() {
    state = state * 1103515245u + 12345u;
    return state >> 8;
  };
  for (const char* file : files) {
    std::string original = readFixture(file);
    for (int iter = 0; iter < 60; ++iter) {
      std::string doc = original;
      if (iter % 3 == 0) doc.resize(rnd() % (doc.size() + 1));  // truncated
      int edits = 1 + rnd() % 8;
      for (int k = 0; k < edits && !doc.empty(); ++k) doc[rnd() % doc.size()] = noise[rnd() % noise.size()];
      for (const char* name : readers) {
        LinesSink sink;
        auto reader = findReader(name)->create(sink);
        size_t pos = 0;
        while (pos < doc.size()) {
          size_t len = std::min<size_t>(1 + rnd() % 40, doc.size() - pos);
          reader->feed(doc.data() + pos, len);
          pos += len;
        }
        reader->finish();
        for (const auto& line : sink.lines) CHECK_FALSE(line.empty());
      }
    }
  }
}
