// The Zeek conn.log TSV reader ("zeek-tsv"): one test per quirk of real Zeek logs.
#include <catch2/catch.hpp>

#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

namespace {

const char* const kAllFixtures[] = {"zeek/conn-epoch.log",        "zeek/conn-relative-labeled.log", "zeek/conn-relative-no-open.log",
                                    "zeek/conn-node-name-crlf.log", "zeek/dns.log",                   "zeek/conn-bad-rows.log"};

}  // namespace

TEST_CASE("zeek-tsv: detection") {
  for (const char* f : kAllFixtures) {
    SECTION(f) { CHECK(sniffBest(fixture(f)) == "zeek-tsv"); }
  }
  SECTION("a TSV without Zeek's header is not Zeek") { CHECK(factory("zeek-tsv").sniff("ts\tuid\n1\t2\n", "") == 0); }
}

TEST_CASE("zeek-tsv: standard conn.log with epoch ts and #close") {
  auto s = run("zeek-tsv", fixture("zeek/conn-epoch.log"));
  REQUIRE(s.fatals.empty());
  REQUIRE(s.skips.empty());
  REQUIRE(s.events.size() == 7);
  struct Case {
    const char* name;
    size_t index;
    const char* expected;
  };
  const Case cases[] = {
      {"local_orig T: the responder is remote; SF -> ConnectionSuccess; bytes oriented from the local side", 0,
       "E L9 t=2024-05-01T00:00:00.1234560Z dir=out outcome=ok Timestamp=1714521600.123456@1 DeviceName=10.0.0.5@22 "
       "RemoteIP=203.0.113.7@37 RemotePort=443@49 ActionType=ConnectionSuccess@75 SentBytes=1200@65 "
       "ReceivedBytes=5400@70 LocalIP=10.0.0.5@22 LocalPort=50000@31"},
      {"local_orig F, local_resp T: an inbound connection, the originator is remote; REJ -> InboundConnectionFailed; unset bytes left out", 1,
       "E L10 t=2024-05-01T00:00:10.5000000Z dir=in outcome=fail Timestamp=1714521610.5@1 DeviceName=10.0.0.5@36 "
       "RemoteIP=198.51.100.9@17 RemotePort=61000@30 ActionType=InboundConnectionFailed@60 LocalIP=10.0.0.5@36 "
       "LocalPort=22@45"},
      {"ts without a fraction; S0 -> ConnectionFailed", 2,
       "E L11 t=2024-05-01T00:00:20.0000000Z dir=out outcome=fail Timestamp=1714521620@1 DeviceName=10.0.0.5@15 "
       "RemoteIP=203.0.113.7@30 RemotePort=443@42 ActionType=ConnectionFailed@60 SentBytes=0@56 ReceivedBytes=0@58 "
       "LocalIP=10.0.0.5@15 LocalPort=50001@24"},
      {"SHR with a responder packet (a UDP reply without the query) -> ConnectionSuccess", 3,
       "E L12 t=2024-05-01T00:00:30.0000010Z dir=out outcome=ok Timestamp=1714521630.000001@1 DeviceName=10.0.0.5@22 "
       "RemoteIP=192.0.2.53@36 RemotePort=53@47 ActionType=ConnectionSuccess@64 LocalIP=10.0.0.5@22 LocalPort=5353@31"},
      {"local_orig '-': a public originator to a private responder came in from the internet (InboundConnectionAccepted)", 4,
       "E L13 t=2024-05-01T00:00:40.2500000Z dir=in outcome=ok Timestamp=1714521640.25@1 DeviceName=10.0.0.6@37 "
       "RemoteIP=45.33.32.156@18 RemotePort=40000@31 ActionType=InboundConnectionAccepted@73 SentBytes=1000@68 "
       "ReceivedBytes=300@64 LocalIP=10.0.0.6@37 LocalPort=8080@46"},
      {"local_orig F, local_resp F (local_nets unset): the responder is remote; OTH without an answer -> ConnectionFailed", 5,
       "E L14 t=2024-05-01T00:00:50.7500000Z dir=out outcome=fail Timestamp=1714521650.75@1 DeviceName=10.0.0.6@18 "
       "RemoteIP=203.0.113.51@33 RemotePort=80@46 ActionType=ConnectionFailed@61 LocalIP=10.0.0.6@18 "
       "LocalPort=40001@27"},
      {"an unknown conn_state -> ConnectionUnknown (kept, filtered by the rule)", 6,
       "E L15 t=2024-05-01T00:01:00.5000000Z dir=out Timestamp=1714521660.5@1 DeviceName=10.0.0.7@17 "
       "RemoteIP=203.0.113.52@32 RemotePort=443@45 ActionType=ConnectionUnknown@61 LocalIP=10.0.0.7@17 "
       "LocalPort=40002@26"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) { CHECK(s.events[c.index] == c.expected); }
  }
  SECTION("what Zeek lacks is reported") {
    CHECK(s.missing == std::vector<std::string>{"InitiatingProcessFileName", "InitiatingProcessAccountName", "InitiatingProcessCommandLine"});
    CHECK(s.notes == std::vector<std::string>{"Zeek conn log: no device names; the local-side address stands for DeviceName"});
  }
  SECTION("every split offset") { checkEverySplit("zeek-tsv", fixture("zeek/conn-epoch.log")); }
}

TEST_CASE("zeek-tsv: relative ts (Stratosphere labeled conn.log), extra label columns, no #close") {
  auto s = run("zeek-tsv", fixture("zeek/conn-relative-labeled.log"));
  REQUIRE(s.events.size() == 3);
  SECTION("times are placed on the #open time") {
    CHECK(s.events[0].rfind("E L9 t=2017-03-08T13:47:23.9817450Z dir=out outcome=ok Timestamp=19.981745@1 DeviceName=fd00:1::5@14 RemoteIP=fd00:1::1@30", 0) == 0);
    CHECK(s.events[1].rfind("E L10 t=2017-03-08T13:51:57.7745450Z", 0) == 0);
  }
  SECTION("the note says so") {
    CHECK(s.count(s.notes, "ts values are relative (seconds from the start of the capture, e.g. 19.981745): times are placed "
                           "on the log's #open time 2017-03-08-13-47-04 read as UTC") == 1);
  }
  SECTION("the C2 beacon's far end is the remote side") {
    CHECK(s.events[1].find("DeviceName=192.168.1.115@15 RemoteIP=203.0.113.197@35 RemotePort=1177@49 ActionType=ConnectionFailed@68") !=
          std::string::npos);
  }
  SECTION("every split offset") { checkEverySplit("zeek-tsv", fixture("zeek/conn-relative-labeled.log")); }
}

TEST_CASE("zeek-tsv: relative ts without #open are placed on 1970-01-01") {
  auto s = run("zeek-tsv", fixture("zeek/conn-relative-no-open.log"));
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].rfind("E L8 t=1970-01-01T00:00:05.5000000Z", 0) == 0);
  CHECK(s.count(s.notes, "ts values are relative (seconds from the start of the capture, e.g. 5.5) and the log has no #open "
                         "time: times are placed on 1970-01-01T00:00:00Z") == 1);
  SECTION("without local_orig the direction rule is stated") {
    CHECK(s.count(s.notes, "Zeek conn log without local_orig: the responder is taken as the remote side unless it is a "
                           "non-public address and the originator a public one") == 1);
  }
}

TEST_CASE("zeek-tsv: _node_name before ts (Zeek cluster), CRLF line ends, no final newline") {
  auto s = run("zeek-tsv", fixture("zeek/conn-node-name-crlf.log"));
  REQUIRE(s.fatals.empty());
  REQUIRE(s.events.size() == 2);
  CHECK(s.events[0] ==
        "E L9 t=2024-04-18T23:59:55.9432390Z dir=in outcome=fail Timestamp=1713484795.943239@15 "
        "DeviceName=64.225.56.201@54 RemoteIP=192.0.2.145@36 RemotePort=25320@48 ActionType=InboundConnectionFailed@92 "
        "SentBytes=0@90 ReceivedBytes=0@88 LocalIP=64.225.56.201@54 LocalPort=6008@68");
  CHECK(s.events[1] ==
        "E L10 t=2024-04-18T23:59:59.5657720Z dir=out outcome=ok Timestamp=1713484799.565772@15 "
        "DeviceName=64.225.56.201@36 RemoteIP=192.0.2.146@56 RemotePort=443@68 ActionType=ConnectionSuccess@93 "
        "SentBytes=700@84 ReceivedBytes=4000@88 LocalIP=64.225.56.201@36 LocalPort=41000@50");
  SECTION("every split offset") { checkEverySplit("zeek-tsv", fixture("zeek/conn-node-name-crlf.log")); }
}

TEST_CASE("zeek-tsv: other Zeek logs are counted, not problems") {
  auto s = run("zeek-tsv", fixture("zeek/dns.log"));
  CHECK(s.events.empty());
  CHECK(s.skips.empty());
  CHECK(s.fatals.empty());
  CHECK(s.others == std::vector<std::string>{"Zeek dns log record (not conn)", "Zeek dns log record (not conn)"});
}

TEST_CASE("zeek-tsv: bad rows are skipped with line and column") {
  auto s = run("zeek-tsv", fixture("zeek/conn-bad-rows.log"));
  CHECK(s.events.size() == 2);
  CHECK(s.skips == std::vector<std::string>{
                       "unparseable ts 6:1 expected epoch seconds such as 1596790164.509987 in ts, found \"yesterday\"",
                       "truncated Zeek record 7:25 expected 7 tab-separated fields, found 3"});
  SECTION("every split offset") { checkEverySplit("zeek-tsv", fixture("zeek/conn-bad-rows.log")); }
}

TEST_CASE("zeek-tsv: files that cannot be read") {
  struct Case {
    const char* name;
    std::string input;
    std::string fatal;
  };
  const Case cases[] = {
      {"a record before the header", "1714521600.1\tC1\t10.0.0.5\n#fields\tts\n",
       "1:1 expected a Zeek log header (#separator, #fields) before the first record"},
      {"no #fields line", "#separator \\x09\n#path\tconn\n", "1:0 expected a Zeek log header with a #fields line, found none"},
      {"a conn log without id.resp_h", "#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_p\n",
       "2:1 expected a \"id.resp_h\" column in the Zeek conn log #fields line"},
      {"a bad separator", "#separator tab\n", "1:12 expected a separator such as \\x09 after #separator, found \"tab\""},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto s = run("zeek-tsv", c.input);
      REQUIRE(s.fatals.size() == 1);
      CHECK(s.fatals[0] == c.fatal);
      CHECK(s.events.empty());
    }
  }
}
