// Firewall and flow tables (firewall_rows.hpp): CommonSecurityLog (cef-csv, firewall-json, the
// query API's tables), Azure Firewall and flow-log tables (defender-csv's other tables, firewall-json,
// log-analytics-json). One fixture per export shape (tests/fixtures/firewall/, written for the
// project and imitating the real shapes), each checked for its detected format, the exact sequence
// of what the reader hands its sink (direction and outcome included) and every split; then the
// rules one by one, the same rows in three containers, and scans and beacons end to end.
#include "reader_harness.hpp"

#include <map>

#include "formats/firewall_rows.hpp"
#include "support.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

namespace {

struct FixtureCase {
  const char* quirk;
  const char* file;
  const char* format;
  std::vector<std::string> log;
};

}  // namespace

TEST_CASE("firewall readers: each export shape reads with its detected format", "[firewall]") {
  std::vector<FixtureCase> cases = {
      {"CommonSecurityLog as Log Analytics CSV (CRLF, quoted header, locale times, no final newline) - FortiGate inbound "
       "RDP with CommunicationDirection 1 (interface roles decide), Palo Alto deny from IPv6, DNAT with both ends "
       "external (CommunicationDirection Inbound decides, the translated address is the target), Check Point outbound "
       "with user and bytes, outbound drop, east-west flagged 0, a multi-line cell with quotes and a control character, "
       "too few fields, no source address, FortiGate lan->wan, an action that says nothing",
       "firewall/cef_la_export.csv",
       "cef-csv",
       {
           R"~(CommonSecurityLog (CEF): each row is told inbound or outbound (FortiGate interface roles, then the addresses, then CommunicationDirection); inbound rows attribute the source, outbound rows the destination, with SourceHostName (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(FortiGate interface roles (srcintfrole=wan) mark rows as inbound)~",
           R"~(CommunicationDirection says outbound (1) on rows from an external source to an internal destination: it was overruled (FortiGate writes 1 on inbound traffic))~",
           R"~(E L2 dir=in outcome=ok Timestamp=3/31/2026, 10:52:35.857 AM@40 DeviceName=@0 RemoteIP=45.33.32.156@129 RemotePort=15577@142 ActionType=InboundConnectionAccepted@0 LocalIP=192.168.20.58@148 LocalPort=3389@162)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L3 dir=in outcome=fail Timestamp=3/31/2026, 10:53:01.002 AM@40 DeviceName=jump-01@166 RemoteIP=2a01:4f8:c17:1::7@119 RemotePort=50522@137 ActionType=InboundConnectionFailed@0 LocalIP=10.1.2.3@143 LocalPort=22@152)~",
           R"~(E L4 dir=in outcome=ok Timestamp=3/31/2026, 10:53:02.500 AM@40 DeviceName=@0 RemoteIP=185.220.101.5@127 RemotePort=40000@141 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.5@166 LocalPort=3389@175)~",
           R"~(E L5 dir=out outcome=ok Timestamp=3/31/2026, 11:00:00.000 AM@40 DeviceName=ws-7.corp.example@156 AccountName=CORP\bob@177 RemoteIP=45.77.65.211@137 RemotePort=443@150 ActionType=ConnectionSuccess@0 SentBytes=1200@188 ReceivedBytes=5400@193 LocalIP=10.0.0.7@122 LocalPort=52000@131)~",
           R"~(E L6 dir=out outcome=fail Timestamp=3/31/2026, 11:00:05.000 AM@40 DeviceName=10.0.0.8@117 AccountName=@155 RemoteIP=198.51.100.20@132 RemotePort=4444@146 ActionType=ConnectionFailed@0 SentBytes=@156 ReceivedBytes=@157 LocalIP=10.0.0.8@117 LocalPort=52001@126)~",
           R"~(E L7 dir=in outcome=fail Timestamp=3/31/2026, 11:01:00.000 AM@40 DeviceName=@0 RemoteIP=10.0.0.9@124 RemotePort=49152@133 ActionType=InboundConnectionFailed@0 LocalIP=10.0.0.10@139 LocalPort=445@149)~",
           std::string(R"~(E L8 dir=in outcome=fail Timestamp=3/31/2026, 11:02:00.000 AM@40 DeviceName=srv)~") + "\x07" + R"~(<b>@60 RemoteIP=91.92.93.94@24 RemotePort=6000@36 ActionType=InboundConnectionFailed@0 LocalIP=172.16.5.5@41 LocalPort=8443@52)~",
           R"~(wrong field count 10:86 expected 26 fields as in the header, found 8)~",
           R"~(E L11 dir=out outcome=ok Timestamp=3/31/2026, 11:04:00.000 AM@40 DeviceName=@89 AccountName=@107 RemoteIP=10.2.2.2@91 RemotePort=53@100 ActionType=ConnectionSuccess@0 SentBytes=@108 ReceivedBytes=@109 LocalIP=@89 LocalPort=@90)~",
           R"~(E L12 dir=out outcome=ok Timestamp=3/31/2026, 11:05:00.000 AM@40 DeviceName=10.0.0.11@117 AccountName=@158 RemoteIP=104.168.141.190@133 RemotePort=8080@149 ActionType=ConnectionSuccess@0 SentBytes=300@159 ReceivedBytes=0@163 LocalIP=10.0.0.11@117 LocalPort=50000@127)~",
           R"~(E L13 dir=in Timestamp=3/31/2026, 11:06:00.000 AM@38 DeviceName=@0 RemoteIP=141.98.10.60@114 RemotePort=61000@127 LocalIP=10.0.0.20@133 LocalPort=1433@143)~",
       }},
      {"CommonSecurityLog, Azure Firewall (network and NAT rules), ASIM and other rows as the az CLI prints them - numbers as "
       "numbers, RemoteIP 0, a null time, a table without addresses, an application rule without a destination address",
       "firewall/firewall_rows_az_cli.json",
       "firewall-json",
       {
           R"~(CommonSecurityLog (CEF): each row is told inbound or outbound (FortiGate interface roles, then the addresses, then CommunicationDirection); inbound rows attribute the source, outbound rows the destination, with SourceHostName (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(AccountName)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L2 dir=in outcome=fail Timestamp=2026-03-31T10:52:35.857Z@0 DeviceName=@0 RemoteIP=141.98.10.60@0 RemotePort=51000@0 ActionType=InboundConnectionFailed@0 LocalIP=10.0.0.20@0 LocalPort=445@0)~",
           R"~(firewall/flow table: each row is told inbound or outbound (a NAT rule, the table's own direction, then the addresses); inbound rows attribute the source, outbound rows the destination, with the table's device (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(NAT rule rows are inbound: the translated address and port are the service reached)~",
           R"~(E L19 dir=in outcome=ok Timestamp=2026-03-31T10:52:36Z@0 DeviceName=@0 RemoteIP=45.33.32.156@0 RemotePort=40000@0 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.2.4@0 LocalPort=3389@0)~",
           R"~(E L36 dir=out outcome=ok Timestamp=2026-03-31T10:52:37Z@0 DeviceName=10.0.1.4@0 RemoteIP=45.77.65.211@0 RemotePort=443@0)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L49 dir=in outcome=fail Timestamp=2026-03-31T10:52:38Z@0 DeviceName=@0 RemoteIP=185.220.101.5@0 RemotePort=41000@0 ActionType=InboundConnectionFailed@0 LocalIP=10.0.1.4@0 LocalPort=22@0)~",
           R"~(the table's own direction column marks rows as inbound: the source is RemoteIP)~",
           R"~(E L62 dir=in outcome=ok Timestamp=2026-03-31T10:52:39Z@0 DeviceName=web-01@0 RemoteIP=2001:db8:ffff::77@0 RemotePort=55555@0 ActionType=InboundConnectionAccepted@0 LocalIP=10.3.0.4@0 LocalPort=443@0)~",
           R"~(table AZFWApplicationRule: no destination address)~",
           R"~(table Heartbeat: no destination address)~",
           R"~(E L91 dir=in outcome=ok DeviceName=@0 RemoteIP=45.33.32.156@0 RemotePort=@0 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.1.4@0 LocalPort=3389@0)~",
           R"~(FortiGate interface roles (srcintfrole=wan) mark rows as inbound)~",
           R"~(CommunicationDirection says outbound (1) on rows from an external source to an internal destination: it was overruled (FortiGate writes 1 on inbound traffic))~",
           R"~(E L99 dir=in outcome=ok Timestamp=3/31/2026, 10:52:42.000 AM@0 DeviceName=rdp "gateway" <script>@0 RemoteIP=104.168.141.190@0 RemotePort=15577@0 ActionType=InboundConnectionAccepted@0 LocalIP=192.168.20.44@0 LocalPort=3389@0)~",
       }},
      {"the same rows one a line (CRLF) with a damaged line and a line that is no object",
       "firewall/firewall_rows.jsonl",
       "firewall-json",
       {
           R"~(firewall/flow table: each row is told inbound or outbound (a NAT rule, the table's own direction, then the addresses); inbound rows attribute the source, outbound rows the destination, with the table's device (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(NAT rule rows are inbound: the translated address and port are the service reached)~",
           R"~(E L1 dir=in outcome=ok Timestamp=2026-03-31T10:52:36Z@68 DeviceName=@0 RemoteIP=45.33.32.156@102 RemotePort=40000@130 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.2.4@205 LocalPort=3389@233)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L2 dir=in outcome=fail Timestamp=2026-03-31T10:52:38Z@71 DeviceName=@0 RemoteIP=185.220.101.5@107 RemotePort=41000@138 ActionType=InboundConnectionFailed@0 LocalIP=10.0.1.4@162 LocalPort=22@193)~",
           R"~(malformed JSON 3:70 expected ',' or '}' after an object member, found '"')~",
           R"~(E L4 dir=out outcome=ok Timestamp=2026-03-31T10:52:37Z@71 DeviceName=10.0.1.4@107 RemoteIP=45.77.65.211@157 RemotePort=443@192)~",
           R"~(top-level value is not an object 5:1 expected a JSON object (a record), found a string)~",
           R"~(CommonSecurityLog (CEF): each row is told inbound or outbound (FortiGate interface roles, then the addresses, then CommunicationDirection); inbound rows attribute the source, outbound rows the destination, with SourceHostName (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(AccountName)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L6 dir=in outcome=fail Timestamp=2026-03-31T10:52:35.857Z@71 DeviceName=@0 RemoteIP=141.98.10.60@223 RemotePort=51000@253 ActionType=InboundConnectionFailed@0 LocalIP=10.0.0.20@277 LocalPort=445@309)~",
       }},
      {"the query API's tables - CommonSecurityLog (its RemoteIP column not read) and an AZFW union, a short row",
       "firewall/log_analytics_firewall_tables.json",
       "log-analytics-json",
       {
           R"~(CommonSecurityLog (CEF): each row is told inbound or outbound (FortiGate interface roles, then the addresses, then CommunicationDirection); inbound rows attribute the source, outbound rows the destination, with SourceHostName (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(E L76 dir=in outcome=ok Timestamp=2026-03-31T10:52:35.857Z@0 DeviceName=@0 RemoteIP=45.33.32.156@0 RemotePort=51000@0 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.5@0 LocalPort=3389@0)~",
           R"~(E L95 dir=out outcome=ok Timestamp=2026-03-31T10:52:36Z@0 DeviceName=10.0.0.7@0 RemoteIP=45.77.65.211@0 RemotePort=443@0 ActionType=ConnectionSuccess@0 LocalIP=10.0.0.7@0 LocalPort=52000@0)~",
           R"~(row length differs from the columns 114:5 expected 17 cells as in "columns", found 3)~",
           R"~(firewall/flow table: each row is told inbound or outbound (a NAT rule, the table's own direction, then the addresses); inbound rows attribute the source, outbound rows the destination, with the table's device (else the source address) as the device; no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(NAT rule rows are inbound: the translated address and port are the service reached)~",
           R"~(E L174 dir=in outcome=ok Timestamp=2026-03-31T10:53:00Z@0 DeviceName=@0 RemoteIP=45.33.32.156@0 RemotePort=40000@0 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.2.4@0 LocalPort=3389@0)~",
           R"~(E L188 dir=out outcome=ok Timestamp=2026-03-31T10:53:01Z@0 DeviceName=10.0.1.4@0 RemoteIP=45.77.65.211@0 RemotePort=443@0)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L202 dir=in outcome=fail Timestamp=2026-03-31T10:53:02Z@0 DeviceName=@0 RemoteIP=185.220.101.5@0 RemotePort=41000@0 ActionType=InboundConnectionFailed@0 LocalIP=10.0.1.4@0 LocalPort=161@0)~",
       }},
      {"AZFWNetworkRule and AZFWNatRule as Log Analytics CSV: outbound rows exactly as before direction was read, a DNAT "
       "hit and a denied connection from the internet inbound, a threat-intel hit without a destination, IPv6",
       "firewall/azfw_network_nat_la.csv",
       "defender-csv",
       {
           R"~(event time taken from TimeGenerated (no Timestamp column))~",
           R"~(a network table other than DeviceNetworkEvents: the destination address is RemoteIP, the source address stands for the device)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(ActionType)~",
           R"~(RemoteIPType)~",
           R"~(SentBytes)~",
           R"~(ReceivedBytes)~",
           R"~(AccountName)~",
           R"~(no SentBytes/ReceivedBytes columns: byte totals are null and ByteRatio is 0)~",
           R"~(no ActionType column: the ActionType filter was not applied)~",
           R"~(no RemoteIPType column: each RemoteIP was classified from its address)~",
           R"~(E L2 dir=out outcome=ok Timestamp=4/1/2026, 9:00:00.125 AM@40 DeviceName=10.0.1.4@71 RemoteIP=45.77.65.211@88 RemotePort=443@103)~",
           R"~(E L3 dir=out outcome=fail Timestamp=4/1/2026, 9:00:01.000 AM@40 DeviceName=10.0.1.4@71 RemoteIP=104.168.141.190@88 RemotePort=8443@106)~",
           R"~(NAT rule rows are inbound: the translated address and port are the service reached)~",
           R"~(E L4 dir=in outcome=ok Timestamp=4/1/2026, 9:00:02.000 AM@40 DeviceName=@0 RemoteIP=45.33.32.156@71 RemotePort=40000@86 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.2.4@190 LocalPort=3389@201)~",
           R"~(rows from an external source to an internal destination are inbound: the source is RemoteIP, the destination the target (LocalIP, LocalPort))~",
           R"~(E L5 dir=in outcome=fail Timestamp=4/1/2026, 9:00:03.000 AM@40 DeviceName=@0 RemoteIP=185.220.101.5@71 RemotePort=41000@87 ActionType=InboundConnectionFailed@0 LocalIP=10.0.1.4@93 LocalPort=22@104)~",
           R"~(E L6 dir=out outcome=fail Timestamp=4/1/2026, 9:00:04.000 AM@40 DeviceName=10.0.1.6@76 RemoteIP=@93 RemotePort=80@94)~",
           R"~(E L7 dir=in outcome=ok Timestamp=4/1/2026, 9:00:05.000 AM@40 DeviceName=@0 RemoteIP=2a01:4f8:c17:1::7@71 RemotePort=50522@91 ActionType=InboundConnectionAccepted@0 LocalIP=fd00:1::4@97 LocalPort=443@109)~",
       }},
      {"NSG flow analytics re-saved by pandas: FlowDirection I makes the external address the remote side and the VM the "
       "target; O rows as before",
       "firewall/nsg_flow_analytics.csv",
       "defender-csv",
       {
           R"~(event time taken from TimeGenerated (no Timestamp column))~",
           R"~(a network table other than DeviceNetworkEvents: the destination address is RemoteIP, the source address stands for the device)~",
           R"~(InitiatingProcessFileName)~",
           R"~(InitiatingProcessCommandLine)~",
           R"~(ActionType)~",
           R"~(RemoteIPType)~",
           R"~(SentBytes)~",
           R"~(ReceivedBytes)~",
           R"~(AccountName)~",
           R"~(no SentBytes/ReceivedBytes columns: byte totals are null and ByteRatio is 0)~",
           R"~(no ActionType column: the ActionType filter was not applied)~",
           R"~(no RemoteIPType column: each RemoteIP was classified from its address)~",
           R"~(the table's own direction column marks rows as inbound: the source is RemoteIP)~",
           R"~(E L2 dir=in Timestamp=2026-04-01 09:00:00.000@5 DeviceName=vm-web-01@44 RemoteIP=45.33.32.156@80 RemotePort=@0 LocalIP=10.0.3.5@54 LocalPort=3389.0@67)~",
           R"~(E L3 dir=out Timestamp=2026-04-01 09:05:00.000@5 DeviceName=vm-web-01@41 RemoteIP=13.71.172.130@76 RemotePort=443.0@64)~",
           R"~(E L4 dir=in Timestamp=2026-04-01 09:06:00.000@5 DeviceName=@0 RemoteIP=10.0.3.4@41 RemotePort=@0 LocalIP=10.0.3.5@50 LocalPort=445.0@61)~",
           R"~(E L5 dir=out Timestamp=2026-04-01 09:07:00.000@5 DeviceName=@39 RemoteIP=104.211.30.1@50 RemotePort=22.0@65)~",
       }},
  };
  for (const auto& c : cases) {
    SECTION(c.quirk) {
      std::string bytes = fixture(c.file);
      CHECK(sniffBest(bytes, c.file) == c.format);
      auto sink = run(c.format, bytes);
      CHECK(sink.log == c.log);
      checkEverySplit(c.format, bytes);
    }
  }
}

TEST_CASE("firewall rows: the words of actions, directions and extensions", "[firewall]") {
  SECTION("actions") {
    const std::pair<const char*, Outcome> cases[] = {
        {"allow", Outcome::Success},         {"Accept", Outcome::Success},
        {"utm:app-ctrl signature pass", Outcome::Success}, {"permit", Outcome::Success},
        {"Built", Outcome::Success},         {"traffic:forward close", Outcome::Success},
        {"Success", Outcome::Success},       {"Bypass", Outcome::Success},
        {"deny", Outcome::Failure},          {"Drop", Outcome::Failure},
        {"reset-both", Outcome::Failure},    {"drop-icmp", Outcome::Failure},
        {"Blocked Connection", Outcome::Failure}, {"Alert: connection blocked", Outcome::Failure},
        {"Reject", Outcome::Failure},        {"Prevent", Outcome::Failure},
        {"Failure", Outcome::Failure},       {"timeout", Outcome::Unknown},
        {"TRAFFIC", Outcome::Unknown},       {"", Outcome::Unknown},
        {"allowance", Outcome::Unknown},     {"passport", Outcome::Unknown},
    };
    for (const auto& [text, want] : cases) {
      INFO(text);
      CHECK(fw::outcomeOfWords(text) == want);
    }
  }
  SECTION("directions") {
    for (const char* in : {"0", "Inbound", "inbound", "In", "Incoming", "I", " i "}) CHECK(fw::directionOfText(in) == Direction::Inbound);
    for (const char* out : {"1", "Outbound", "OUT", "Outgoing", "O"}) CHECK(fw::directionOfText(out) == Direction::Outbound);
    for (const char* none : {"", "2", "Local", "NA", "-", "sideways"}) CHECK(fw::directionOfText(none) == Direction::Unknown);
  }
  SECTION("AdditionalExtensions") {
    const std::string_view ext = "FortinetFortiGatesrcintfrole=wan;cat=utm:app-ctrl; FortinetFortiGatedstintfrole = lan ;"
                                 "FortinetFortiGateaction=pass;noequals;";
    CHECK(fw::extensionValue(ext, "srcintfrole") == "wan");
    CHECK(fw::extensionValue(ext, "DSTINTFROLE") == "lan");
    CHECK(fw::extensionValue(ext, "action") == "pass");
    CHECK(fw::extensionValue(ext, "missing").empty());
    CHECK(fw::extensionValue("", "action").empty());
  }
  SECTION("sides") {
    for (const char* a : {"10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.1.1", "fd00::1",
                          "fe80::1%4", "::1", "0.0.0.0", " 10.0.0.1 "})
      CHECK(fw::sideOf(a) == fw::Side::Internal);
    for (const char* a : {"45.33.32.156", "2a01:4f8::1", "203.0.113.5", "::ffff:8.8.8.8", "224.0.0.1"})
      CHECK(fw::sideOf(a) == fw::Side::External);
    for (const char* a : {"", "-", "host.example", "0", "10.0.0.256"}) CHECK(fw::sideOf(a) == fw::Side::Unknown);
  }
  SECTION("column names") {
    fw::Col c;
    REQUIRE(fw::columnByName("TimeGenerated [UTC]", c));
    CHECK(c == fw::Col::Time);
    REQUIRE(fw::columnByName(" TimeGenerated [Local Time] ", c));
    CHECK(c == fw::Col::Time);
    REQUIRE(fw::columnByName("sourceip", c));
    CHECK(c == fw::Col::SourceIp);
    REQUIRE(fw::columnByName("DestinationIP_string", c));
    CHECK(c == fw::Col::DestIp);
    REQUIRE(fw::columnByName("TranslatedPort", c));
    CHECK(c == fw::Col::NatDestPort);
    CHECK_FALSE(fw::columnByName("RemoteIP", c));  // CommonSecurityLog's own is not read
    CHECK_FALSE(fw::columnByName("Protocol", c));
  }
}

namespace {

// Decides one row of `family` from name=value pairs.
fw::Decision decide(fw::Family family, std::vector<std::pair<fw::Col, std::string>> cells, RecordingSink* notes = nullptr) {
  RecordingSink sink;
  fw::Builder b;
  b.begin(family);
  fw::Row row;
  for (const auto& [c, v] : cells) row.set(c, v);
  auto d = b.decide(row, sink);
  if (notes) *notes = sink;
  return d;
}

}  // namespace

TEST_CASE("firewall rows: which evidence decides the direction", "[firewall]") {
  using C = fw::Col;
  const auto Cef = fw::Family::Cef, Sessions = fw::Family::Sessions;
  const auto In = Direction::Inbound, Out = Direction::Outbound;
  SECTION("CommonSecurityLog") {
    // Interface roles first, even against the addresses.
    CHECK(decide(Cef, {{C::SourceIp, "10.0.0.1"}, {C::DestIp, "10.0.0.2"}, {C::Extensions, "srcintfrole=wan;dstintfrole=dmz"}}).direction == In);
    CHECK(decide(Cef, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "10.0.0.2"}, {C::Extensions, "srcintfrole=lan;dstintfrole=wan"}}).direction == Out);
    // wan to wan, or an undefined role, says nothing.
    CHECK(decide(Cef, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "10.0.0.2"}, {C::Extensions, "srcintfrole=wan;dstintfrole=wan"}}).direction == In);
    CHECK(decide(Cef, {{C::SourceIp, "10.0.0.2"}, {C::DestIp, "45.33.32.156"}, {C::Extensions, "srcintfrole=undefined;dstintfrole=undefined"}}).direction == Out);
    // The addresses before CommunicationDirection, and the contradiction is said.
    RecordingSink notes;
    CHECK(decide(Cef, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "192.168.1.5"}, {C::Direction, "1"}}, &notes).direction == In);
    CHECK(notes.count(notes.notes, "CommunicationDirection says outbound (1) on rows from an external source to an internal "
                                   "destination: it was overruled (FortiGate writes 1 on inbound traffic)") == 1);
    CHECK(decide(Cef, {{C::SourceIp, "192.168.1.5"}, {C::DestIp, "45.33.32.156"}, {C::Direction, "0"}}).direction == Out);
    // Both ends on one side: the flag decides; without it, outbound.
    CHECK(decide(Cef, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "198.18.0.1"}, {C::Direction, "Inbound"}}).direction == In);
    CHECK(decide(Cef, {{C::SourceIp, "10.0.0.1"}, {C::DestIp, "10.0.0.2"}, {C::Direction, "0"}}).direction == In);
    CHECK(decide(Cef, {{C::SourceIp, "10.0.0.1"}, {C::DestIp, "10.0.0.2"}}).direction == Out);
    CHECK(decide(Cef, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "not an address"}}).direction == Out);
  }
  SECTION("CommonSecurityLog outcome: the first column that says") {
    CHECK(decide(Cef, {{C::Action, "deny"}, {C::Activity, "allowed"}}).outcome == Outcome::Failure);
    CHECK(decide(Cef, {{C::Action, "timeout"}, {C::SimplifiedAction, "Allow"}}).outcome == Outcome::Success);
    CHECK(decide(Cef, {{C::Outcome, "failure"}, {C::Activity, "pass"}}).outcome == Outcome::Failure);
    CHECK(decide(Cef, {{C::Extensions, "PanOSAction=drop"}, {C::Activity, "TRAFFIC allow"}}).outcome == Outcome::Failure);
    CHECK(decide(Cef, {{C::Activity, "TRAFFIC"}}).outcome == Outcome::Unknown);
  }
  SECTION("Azure Firewall, ASIM, flow logs") {
    // A NAT rule hit is inbound, and a success without an action.
    auto nat = decide(Sessions, {{C::SourceIp, "10.0.0.1"}, {C::DestIp, "10.0.0.2"}, {C::Type, "AZFWNatRule"}});
    CHECK(nat.direction == In);
    CHECK(nat.outcome == Outcome::Success);
    CHECK(decide(Sessions, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "52.160.10.20"}, {C::NatDestIp, "10.0.2.4"}}).direction == In);
    CHECK(decide(Sessions, {{C::SourceIp, "10.0.1.4"}, {C::DestIp, "45.33.32.156"}, {C::NatDestIp, "0.0.0.0"}}).direction == Out);
    // The platform's own direction before the addresses.
    CHECK(decide(Sessions, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "10.0.0.2"}, {C::Direction, "O"}}).direction == Out);
    CHECK(decide(Sessions, {{C::SourceIp, "10.0.0.3"}, {C::DestIp, "10.0.0.2"}, {C::Direction, "I"}}).direction == In);
    CHECK(decide(Sessions, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "10.0.0.2"}, {C::Direction, "Local"}}).direction == In);
    CHECK(decide(Sessions, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "10.0.0.2"}}).direction == In);
    CHECK(decide(Sessions, {{C::SourceIp, "10.0.0.2"}, {C::DestIp, "45.33.32.156"}}).direction == Out);
    CHECK(decide(Sessions, {{C::SourceIp, "45.33.32.156"}, {C::DestIp, "198.18.0.1"}}).direction == Out);
    CHECK(decide(Sessions, {{C::SourceIp, "10.0.0.2"}}).direction == Out);
    CHECK(decide(Sessions, {{C::Action, "Deny"}}).outcome == Outcome::Failure);
    CHECK(decide(Sessions, {{C::Action, "Allow"}, {C::Outcome, "Failure"}}).outcome == Outcome::Success);
    CHECK(decide(Sessions, {{C::Outcome, "Failure"}}).outcome == Outcome::Failure);
    CHECK(decide(Sessions, {{C::SourceIp, "10.0.0.1"}}).outcome == Outcome::Unknown);
  }
}

namespace {

// The parts of an event that the three containers must agree on (not lines or columns).
std::string essentials(const std::string& described) {
  std::string out;
  size_t pos = described.find(' ', 2);  // after "E L<n>"
  while (pos != std::string::npos && pos < described.size()) {
    size_t next = described.find(' ', pos + 1);
    // field=value@column -> field=value (values here hold no spaces)
    std::string part = described.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    size_t at = part.rfind('@');
    if (at != std::string::npos && part.find('=') != std::string::npos) part.resize(at);
    out += part + " ";
    pos = next;
  }
  return out;
}

std::vector<std::string> eventsOf(const std::string& format, const std::string& input) {
  auto sink = run(format, input);
  std::vector<std::string> out;
  for (const auto& e : sink.events) out.push_back(essentials(e));
  return out;
}

}  // namespace

TEST_CASE("firewall rows: Azure Firewall rows read alike as Log Analytics CSV, query API JSON and JSON objects", "[firewall]") {
  struct R {
    const char *time, *type, *src, *srcPort, *dst, *dstPort, *action, *nat, *natPort;
  };
  const R rows[] = {
      {"2026-04-01T09:00:00Z", "AZFWNetworkRule", "10.0.1.4", "50123", "45.77.65.211", "443", "Allow", "", ""},
      {"2026-04-01T09:00:01Z", "AZFWNetworkRule", "10.0.1.4", "50124", "104.168.141.190", "8443", "Deny", "", ""},
      {"2026-04-01T09:00:02Z", "AZFWNatRule", "45.33.32.156", "40000", "52.160.10.20", "3389", "", "10.0.2.4", "3389"},
      {"2026-04-01T09:00:03Z", "AZFWNetworkRule", "185.220.101.5", "41000", "10.0.1.4", "22", "Deny", "", ""},
  };
  const char* names[] = {"TimeGenerated", "Type", "SourceIp", "SourcePort", "DestinationIp", "DestinationPort", "Action",
                         "TranslatedIp", "TranslatedPort"};
  std::string csv, objects, api = R"({"tables":[{"name":"PrimaryResult","columns":[)";
  for (size_t i = 0; i < 9; ++i) {
    csv += std::string(i ? "," : "") + names[i];
    api += std::string(i ? "," : "") + R"({"name":")" + names[i] + R"(","type":"string"})";
  }
  csv += "\n";
  api += R"(],"rows":[)";
  objects = "[\n";
  for (size_t r = 0; r < 4; ++r) {
    const char* v[] = {rows[r].time, rows[r].type, rows[r].src, rows[r].srcPort, rows[r].dst, rows[r].dstPort,
                       rows[r].action, rows[r].nat, rows[r].natPort};
    api += r ? ",[" : "[";
    objects += r ? ",{" : "{";
    bool first = true;
    for (size_t i = 0; i < 9; ++i) {
      csv += std::string(i ? "," : "") + v[i];
      api += std::string(i ? "," : "") + (*v[i] ? "\"" + std::string(v[i]) + "\"" : std::string("null"));
      if (*v[i]) {
        objects += std::string(first ? "" : ",") + "\"" + names[i] + "\":\"" + v[i] + "\"";
        first = false;
      }
    }
    csv += "\n";
    api += "]";
    objects += "}\n";
  }
  api += "]}]}";
  objects += "]";
  REQUIRE(sniffBest(csv) == "defender-csv");
  REQUIRE(sniffBest(api) == "log-analytics-json");
  REQUIRE(sniffBest(objects) == "firewall-json");
  const auto fromCsv = eventsOf("defender-csv", csv), fromApi = eventsOf("log-analytics-json", api),
             fromObjects = eventsOf("firewall-json", objects);
  const std::vector<std::string> want = {
      "dir=out outcome=ok Timestamp=2026-04-01T09:00:00Z DeviceName=10.0.1.4 RemoteIP=45.77.65.211 RemotePort=443 ",
      "dir=out outcome=fail Timestamp=2026-04-01T09:00:01Z DeviceName=10.0.1.4 RemoteIP=104.168.141.190 RemotePort=8443 ",
      "dir=in outcome=ok Timestamp=2026-04-01T09:00:02Z DeviceName= RemoteIP=45.33.32.156 RemotePort=40000 "
      "ActionType=InboundConnectionAccepted LocalIP=10.0.2.4 LocalPort=3389 ",
      "dir=in outcome=fail Timestamp=2026-04-01T09:00:03Z DeviceName= RemoteIP=185.220.101.5 RemotePort=41000 "
      "ActionType=InboundConnectionFailed LocalIP=10.0.1.4 LocalPort=22 ",
  };
  CHECK(fromCsv == want);
  CHECK(fromApi == want);
  CHECK(fromObjects == want);
}

namespace {

// A CommonSecurityLog CSV export with the columns a FortiGate / Palo Alto row fills.
std::string cefCsv(const std::vector<std::array<std::string, 8>>& rows) {
  std::string s = "TenantId,\"TimeGenerated [UTC]\",DeviceVendor,DeviceProduct,SourceIP,SourcePort,DestinationIP,DestinationPort,"
                  "DeviceAction,SourceHostName,Type\n";
  for (const auto& r : rows)  // time, source, source port, destination, destination port, action, source host, -
    s += "t," + r[0] + ",Palo Alto Networks,PAN-OS," + r[1] + "," + r[2] + "," + r[3] + "," + r[4] + "," + r[5] + "," + r[6] +
         ",CommonSecurityLog\n";
  return s;
}

const vpshunt::InboundRow* inboundFor(const vpshunt::Results& r, const std::string& ip) {
  for (const auto& row : r.inbound)
    if (row.remoteIp == ip) return &row;
  return nullptr;
}

}  // namespace

TEST_CASE("firewall rows end to end: a scanner behind a firewall is an inbound row, never a beacon", "[firewall][inbound]") {
  // 45.33.32.156 (Linode) sweeps 20 internal hosts on 3389, 22 and 445 within 40 minutes; the
  // firewall lets the RDP attempts through and denies the rest.
  std::vector<std::array<std::string, 8>> rows;
  const int ports[] = {3389, 22, 445};
  for (int i = 0; i < 60; ++i) {
    const int port = ports[i % 3];
    rows.push_back({::test::at("2026-11-24T10:00:00Z", i * 40), "45.33.32.156", std::to_string(40000 + i),
                    "10.0.5." + std::to_string(10 + i % 20), std::to_string(port), port == 3389 ? "allow" : "deny", "", ""});
  }
  const std::string csv = cefCsv(rows);
  REQUIRE(sniffBest(csv) == "cef-csv");
  for (const char* mode : {"seed", "beyond"}) {
    SECTION(mode) {
      vpshunt::Rule rule;
      rule.mode = mode;
      auto r = ::test::runWithAsn(csv, "", "", rule);
      CHECK(r.rows.empty());
      REQUIRE(r.inbound.size() == 1);
      const auto& row = r.inbound[0];
      CHECK(row.remoteIp == "45.33.32.156");
      CHECK(row.connectionCount == 60);
      CHECK(row.refusedCount == 40);
      CHECK(row.targetCount == 20);
      CHECK(row.uniqueTargetPorts == 3);
      CHECK(row.targetPorts == std::vector<int64_t>{22, 445, 3389});
      CHECK(row.isHosting);
      CHECK(row.hostingCategory == "vps");
      CHECK(row.reasons[1] == "reached 20 addresses on 22, 445, 3389 within 39 min");
      CHECK(row.score >= 60);
    }
  }
}

TEST_CASE("firewall rows end to end: Azure Firewall DNAT hits name the internal target", "[firewall][inbound]") {
  std::string csv = "TenantId,\"TimeGenerated [UTC]\",Protocol,SourceIp,SourcePort,DestinationIp,DestinationPort,Action,"
                    "TranslatedIp,TranslatedPort,Type\n";
  for (int i = 0; i < 30; ++i)
    csv += "t,\"11/24/2026, 10:" + std::to_string(10 + i) + ":00.000 AM\",TCP,185.220.101.5," + std::to_string(50000 + i) +
           ",52.160.10.20," + (i % 2 ? "2222" : "33890") + ",," + (i % 2 ? "10.0.2.5,22" : "10.0.2.4,3389") + ",AZFWNatRule\n";
  for (int i = 0; i < 30; ++i)  // the hub's own outbound calls, read as before
    csv += "t,\"11/24/2026, 10:" + std::to_string(10 + i) + ":30.000 AM\",TCP,10.0.1.4," + std::to_string(60000 + i) +
           ",45.77.65.211,443,Allow,,,AZFWNetworkRule\n";
  auto r = ::test::runWithAsn(csv);
  REQUIRE(r.inbound.size() == 1);
  CHECK(r.inbound[0].remoteIp == "185.220.101.5");
  CHECK(r.inbound[0].targets == std::vector<std::string>{"10.0.2.4", "10.0.2.5"});
  CHECK(r.inbound[0].targetPorts == std::vector<int64_t>{22, 3389});
  CHECK(r.inbound[0].refusedCount == 0);
  REQUIRE(r.rows.size() == 1);  // the outbound calls: a seed row, device = the source address
  CHECK(r.rows[0].remoteIp == "45.77.65.211");
  CHECK(r.rows[0].deviceName == "10.0.1.4");
  CHECK(r.rows[0].connectionCount == 30);
}

TEST_CASE("firewall rows end to end: CommonSecurityLog's outbound rows feed the beacon detection", "[firewall]") {
  // ws-7 calls 45.77.65.211 (Vultr) every 2 minutes through the firewall; there is no process.
  std::vector<std::array<std::string, 8>> rows;
  for (int i = 0; i < 20; ++i)
    rows.push_back({::test::at("2026-11-24T10:00:00Z", i * 120), "10.0.0.7", std::to_string(50000 + i), "45.77.65.211", "443",
                    "allow", "ws-7.corp.example", ""});
  rows.push_back({::test::at("2026-11-24T10:00:00Z", 2500), "10.0.0.7", "51000", "45.77.65.211", "443", "deny", "ws-7.corp.example", ""});
  auto r = ::test::runWithAsn(cefCsv(rows));
  CHECK(r.inbound.empty());
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].deviceName == "ws-7.corp.example");
  CHECK(r.rows[0].processName.empty());
  CHECK(r.rows[0].connectionCount == 20);  // the denied attempt is a ConnectionFailed: not a seed connection
  CHECK(r.rows[0].riskScore == 45);
}

TEST_CASE("firewall rows: a source that is not an address is a located problem, and the rows after it are read", "[firewall][errors]") {
  // Before, such a row was taken for outbound (the addresses could not say inbound) and filtered as
  // a connection to its private destination, with no word of the bad value. Every reader of
  // firewall rows: CommonSecurityLog CSV, Azure Firewall rows as Log Analytics CSV, query API JSON
  // and JSON objects. The value is quoted as messages quote values (control characters escaped).
  const std::string bad = "45.33.32.156:4444\x1b[1m";
  const std::string quoted = "\"45.33.32.156:4444\\x1b[1m\"";
  SECTION("cef-csv") {
    const std::string csv = cefCsv({{"2026-03-31T10:00:00Z", "45.33.32.156", "40000", "10.0.0.5", "3389", "deny", "", ""},
                                    {"2026-03-31T10:00:01Z", bad, "40001", "10.0.0.5", "3389", "deny", "", ""},
                                    {"2026-03-31T10:00:02Z", "-", "40002", "10.0.0.5", "3389", "deny", "", ""},
                                    {"2026-03-31T10:00:03Z", "45.33.32.156", "40003", "10.0.0.5", "3389", "deny", "", ""}});
    REQUIRE(sniffBest(csv) == "cef-csv");
    const auto sink = run("cef-csv", csv);
    REQUIRE(sink.skips.size() == 1);
    CHECK(sink.skips[0] == "unparseable source address 3:50 expected an IPv4 or IPv6 address in SourceIP, found " + quoted);
    CHECK(sink.events.size() == 3);  // "-" is no source (as an absent one), not a bad one
    checkEverySplit("cef-csv", csv);
  }
  const char* names[] = {"TimeGenerated", "Type", "SrcIpAddr", "DestinationIp", "DestinationPort", "Action"};
  const std::string sources[] = {"10.0.1.4", bad, "185.220.101.5"};
  std::string csv, objects = "[\n", api = R"({"tables":[{"name":"PrimaryResult","columns":[)";
  for (size_t i = 0; i < 6; ++i) {
    csv += std::string(i ? "," : "") + names[i];
    api += std::string(i ? "," : "") + R"({"name":")" + names[i] + R"(","type":"string"})";
  }
  csv += "\n";
  api += R"(],"rows":[)";
  for (size_t r = 0; r < 3; ++r) {
    const std::string v[] = {"2026-04-01T09:00:0" + std::to_string(r) + "Z", "AZFWNetworkRule", sources[r], "10.0.1.9", "22", "Deny"};
    std::string jsonSource = v[2] == bad ? "45.33.32.156:4444\\u001b[1m" : v[2];
    api += r ? ",[" : "[";
    objects += r ? ",{" : "{";
    for (size_t i = 0; i < 6; ++i) {
      const std::string cell = i == 2 ? jsonSource : v[i];
      csv += std::string(i ? "," : "") + v[i];
      api += std::string(i ? "," : "") + "\"" + cell + "\"";
      objects += std::string(i ? "," : "") + "\"" + names[i] + "\":\"" + cell + "\"";
    }
    csv += "\n";
    api += "]";
    objects += "}\n";
  }
  api += "]}]}";
  objects += "]";
  const std::string inbound = "dir=in outcome=fail Timestamp=2026-04-01T09:00:02Z DeviceName= RemoteIP=185.220.101.5 RemotePort= "
                              "ActionType=InboundConnectionFailed LocalIP=10.0.1.9 LocalPort=22 ";
  SECTION("defender-csv (Azure Firewall as Log Analytics CSV)") {
    REQUIRE(sniffBest(csv) == "defender-csv");
    const auto sink = run("defender-csv", csv);
    REQUIRE(sink.skips.size() == 1);
    CHECK(sink.skips[0] == "unparseable source address 3:38 expected an IPv4 or IPv6 address in SrcIpAddr, found " + quoted);
    const auto events = eventsOf("defender-csv", csv);
    REQUIRE(events.size() == 2);
    CHECK(events[1] == inbound);
    checkEverySplit("defender-csv", csv);
  }
  SECTION("log-analytics-json") {
    REQUIRE(sniffBest(api) == "log-analytics-json");
    const auto sink = run("log-analytics-json", api);
    REQUIRE(sink.skips.size() == 1);
    CHECK(sink.skips[0].rfind("unparseable source address 1:", 0) == 0);
    CHECK(sink.skips[0].find(" expected an IPv4 or IPv6 address in SrcIpAddr, found " + quoted) != std::string::npos);
    const auto events = eventsOf("log-analytics-json", api);
    REQUIRE(events.size() == 2);
    CHECK(events[1] == inbound);
  }
  SECTION("firewall-json") {
    REQUIRE(sniffBest(objects) == "firewall-json");
    const auto sink = run("firewall-json", objects);
    REQUIRE(sink.skips.size() == 1);
    CHECK(sink.skips[0].rfind("unparseable source address 3:", 0) == 0);
    CHECK(sink.skips[0].find(" expected an IPv4 or IPv6 address in SourceIp, found " + quoted) != std::string::npos);
    const auto events = eventsOf("firewall-json", objects);
    REQUIRE(events.size() == 2);
    CHECK(events[1] == inbound);
  }
}
