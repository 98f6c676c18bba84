// The streaming CSV tokenizer and the Defender/Sentinel CSV readers.
#include <catch2/catch.hpp>

#include <cstring>

#include "formats/csv_tokenizer.hpp"
#include "support.hpp"

namespace {

struct Collect : vpshunt::CsvTokenizer::Handler {
  std::vector<std::vector<std::string>> records;
  std::vector<uint64_t> lines;
  std::vector<std::string> errors;
  void onRecord(const vpshunt::CsvRecord& r) override {
    std::vector<std::string> f;
    for (size_t i = 0; i < r.count; ++i) f.emplace_back(r.fields[i]);
    records.push_back(f);
    lines.push_back(r.line);
    if (r.error) errors.push_back(std::to_string(r.errorLine) + ":" + std::to_string(r.errorColumn) + " " + r.error);
  }
};

Collect tokenize(const std::string& text, size_t chunk = 0) {
  Collect c;
  vpshunt::CsvTokenizer t(c);
  if (chunk == 0) t.feed(text.data(), text.size());
  else
    for (size_t i = 0; i < text.size(); i += chunk) t.feed(text.data() + i, std::min(chunk, text.size() - i));
  t.finish();
  return c;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("CSV tokenizer: RFC 4180", "[csv]") {
  struct Case {
    const char* name;
    std::string input;
    Rows expected;
  } cases[] = {
      {"plain", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}},
      {"CRLF", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"lone CR", "a,b\r1,2\r", {{"a", "b"}, {"1", "2"}}},
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
      {"empty fields", ",,\n", {{"", "", ""}}},
      {"quoted comma", "\"a,b\",c\n", {{"a,b", "c"}}},
      {"doubled quotes", "\"\"\"MsMpEng.exe\"\"\",x\n", {{"\"MsMpEng.exe\"", "x"}}},
      {"JSON in a cell", "\"{\"\"Domain\"\":\"\"NT AUTHORITY\"\"}\"\n", {{"{\"Domain\":\"NT AUTHORITY\"}"}}},
      {"newline inside quotes", "\"line1\nline2\",b\nc,d\n", {{"line1\nline2", "b"}, {"c", "d"}}},
      {"CRLF inside quotes", "\"x\r\ny\",z\r\n", {{"x\r\ny", "z"}}},
      {"blank lines skipped", "a\n\n\nb\n", {{"a"}, {"b"}}},
      {"quoted empty", "\"\",x\n", {{"", "x"}}},
      {"trailing delimiter", "a,\n", {{"a", ""}}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      CHECK(tokenize(c.input).records == c.expected);
      SECTION("split at every byte offset") {
        for (size_t chunk = 1; chunk <= c.input.size(); ++chunk) {
          INFO("chunk " << chunk);
          CHECK(tokenize(c.input, chunk).records == c.expected);
        }
      }
    }
  }
}

TEST_CASE("CSV tokenizer: a record split across two chunks at every byte offset", "[csv]") {
  const std::string text =
      "Timestamp,Cmd,X\n2023-10-18T14:37:28.2012261Z,\"\"\"C:\\a b\\x.exe\"\" /c \"\"q,\"\"\nnext\",1\r\n"
      "2023-10-18T14:37:29Z,plain,2";
  const Rows expected = {{"Timestamp", "Cmd", "X"},
                         {"2023-10-18T14:37:28.2012261Z", "\"C:\\a b\\x.exe\" /c \"q,\"\nnext", "1"},
                         {"2023-10-18T14:37:29Z", "plain", "2"}};
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Collect c;
    vpshunt::CsvTokenizer t(c);
    t.feed(text.data(), cut);
    t.feed(text.data() + cut, text.size() - cut);
    t.finish();
    INFO("cut at " << cut);
    REQUIRE(c.records == expected);
    CHECK(c.lines == std::vector<uint64_t>{1, 2, 4});
  }
}

TEST_CASE("CSV tokenizer: a reused input buffer (same address, new bytes) is read afresh", "[csv]") {
  // The tokenizer keeps a 64-byte scan mask between fields; a caller that refills one buffer (the
  // CLI's fread loop) must not get fields cut where the previous bytes had their delimiters.
  std::string text;
  for (int i = 0; i < 400; ++i) {
    text += std::string(size_t(i * 7 % 53), char('a' + i % 26)) + "," + std::to_string(i * 31) + ",";
    text += (i % 3 ? "\"q,\"\"x\"\"\"" : std::string(size_t(i % 90), 'z')) + "," + std::string(size_t(i % 17), 'y') + "\n";
  }
  // And records of exactly 100 bytes fed one a call: each call starts where the last one did.
  std::string fixed;
  for (int i = 0; i < 50; ++i) {
    std::string a(size_t(5 + i % 40), 'a'), b(size_t(60 - i % 40), 'b');
    std::string line = a + "," + b + ",";
    line += std::string(99 - line.size(), 'c') + "\n";
    fixed += line;
  }
  REQUIRE(fixed.size() == 5000);
  const Collect fixedWhole = tokenize(fixed);
  REQUIRE(fixedWhole.records.size() == 50);
  {
    Collect c;
    vpshunt::CsvTokenizer t(c);
    std::string buffer(100, '\0');
    for (size_t i = 0; i < fixed.size(); i += 100) {
      std::memcpy(buffer.data(), fixed.data() + i, 100);
      t.feed(buffer.data(), 100);
    }
    t.finish();
    CHECK(c.records == fixedWhole.records);
  }
  const Collect whole = tokenize(text);
  REQUIRE(whole.records.size() == 400);
  for (size_t chunk : {64, 100, 128, 200, 1000}) {
    Collect c;
    vpshunt::CsvTokenizer t(c);
    std::string buffer(chunk, '\0');  // one buffer, refilled for every piece
    for (size_t i = 0; i < text.size(); i += chunk) {
      const size_t n = std::min(chunk, text.size() - i);
      buffer.assign(text, i, n);
      buffer.resize(chunk, ',');  // the same size every time, like a fixed read buffer
      t.feed(buffer.data(), n);
    }
    t.finish();
    INFO("chunk " << chunk);
    CHECK(c.records == whole.records);
  }
}

TEST_CASE("CSV tokenizer: a long record fed a byte at a time reads as whole, in linear work", "[csv]") {
  // Found by the fuzz targets (their chunks are cut by the fuzzer's bytes): a record carried over
  // from chunk to chunk was parsed again from its start on every chunk, n * n / 2 bytes of parsing
  // for a record of n bytes fed a byte at a time (an 8 KB header in 4-byte chunks: 150 ms under
  // ASan). Every shape of field is in the long record: plain, quoted with delimiters, doubled
  // quotes and line breaks (LF, CRLF, a lone CR) inside, text after a closing quote (flagged), empty.
  std::string longRecord;
  for (int i = 0; i < 400; ++i) {
    switch (i % 6) {
      case 0: longRecord += std::string(size_t(1 + i % 37), char('a' + i % 26)); break;
      case 1: longRecord += "\"q,\"\"x\"\"\ny\r\nz\rw\""; break;
      case 2: longRecord += ""; break;
      case 3: longRecord += "\"" + std::string(size_t(i % 50), 'Q') + "\""; break;
      case 4: longRecord += "\"t\"after"; break;
      default: longRecord += std::to_string(i * 7919); break;
    }
    longRecord += ',';
  }
  longRecord += "last";
  for (const char* ending : {"\n", "\r\n", "\r"}) {
    const std::string text = "h1,h2\n" + longRecord + ending + "x,\"y\"\r\n\n" + longRecord + ending + "z";
    INFO("record ending " << (ending[0] == '\n' ? "LF" : ending[1] ? "CRLF" : "CR"));
    const Collect whole = tokenize(text);
    REQUIRE(whole.records.size() == 5);
    REQUIRE(whole.records[1].size() == 401);
    REQUIRE(whole.errors.size() == 2);  // a record flags its first text after a closing quote
    Collect c;
    vpshunt::CsvTokenizer t(c);
    for (size_t i = 0; i < text.size(); ++i) t.feed(text.data() + i, 1);
    t.finish();
    CHECK(c.records == whole.records);
    CHECK(c.lines == whole.lines);
    CHECK(c.errors == whole.errors);
    // The work: each carried record is parsed about once (twice when a lone CR ends a chunk), not
    // once per chunk (that would be about text.size()^2 / 4, 17 M bytes here).
    INFO("parsed " << t.carryParsedBytes() << " carried bytes for " << text.size() << " bytes of input");
    CHECK(t.carryParsedBytes() <= 2 * text.size());
    CHECK(t.carryParsedBytes() >= text.size() / 2);  // the counter counts (the records were carried)
  }
}

TEST_CASE("CSV tokenizer: malformed input is flagged with line and column", "[csv]") {
  SECTION("unterminated quote") {
    auto c = tokenize("a,b\n1,\"never closed\n2,3\n");
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0] == "2:3 unterminated quoted field: expected a closing '\"' before the end of the file");
  }
  SECTION("text after a closing quote") {
    auto c = tokenize("a,b\n\"x\"y,2\n");
    REQUIRE(c.errors.size() == 1);
    CHECK(c.errors[0] == "2:4 expected a delimiter or the end of the line after a closing quote");
    CHECK(c.records[1][0] == "xy");
  }
}

TEST_CASE("CSV events reader: header by name, BOM, extra columns, errors located", "[csv][errors]") {
  SECTION("columns in any order, extra columns ignored, UTF-8 BOM") {
    std::string csv = "\xEF\xBB\xBFZ,InitiatingProcessFileName,RemoteIP,Timestamp,ActionType,RemoteIPType,Extra\n";
    for (int i = 0; i < 12; ++i) csv += "z,x.exe,198.51.100.1," + test::at("2026-11-24T10:00:00Z", i * 60) + ",ConnectionSuccess,Public,e\n";
    auto r = test::run(csv);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].processName == "x.exe");
    CHECK(r.files[0].format == "defender-csv");
    CHECK(r.files[0].records == 12);
  }
  SECTION("bad values: skipped, counted, located") {
    std::string csv = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 12, 60));
    csv += "yesterday,ws-1,ConnectionSuccess,203.0.113.10,443,Public,b.exe,b,alice\n";      // line 14
    csv += "2026-11-24T10:30:00Z,ws-1,ConnectionSuccess,203.0.113.999,443,Public,b.exe,b,alice\n";  // line 15
    csv += "2026-11-24T10:30:00Z,ws-1,ConnectionSuccess,203.0.113.10,https,Public,b.exe,b,alice\n";  // line 16
    csv += "2026-11-24T10:30:00Z,ws-1,ConnectionSuccess\n";                                 // line 17
    auto r = test::run(csv);
    const auto& f = r.files[0];
    CHECK(r.rows.size() == 1);
    CHECK(f.records == 16);
    CHECK(f.skipped == 4);
    CHECK(f.kept == 12);
    REQUIRE(f.problems.size() == 4);
    CHECK(f.problems[0].line == 14);
    CHECK(f.problems[0].column == 1);
    CHECK(f.problems[0].message ==
          "expected an ISO 8601 time in Timestamp (e.g. 2023-10-18T14:37:28.2012261Z), found \"yesterday\"");
    CHECK(f.problems[1].line == 15);
    CHECK(f.problems[1].column == 45);
    CHECK(f.problems[1].message == "expected an IPv4 or IPv6 address in RemoteIP, found \"203.0.113.999\"");
    CHECK(f.problems[2].line == 16);
    CHECK(f.problems[2].message == "expected a port number 0-65535 in RemotePort, found \"https\"");
    CHECK(f.problems[3].line == 17);
    CHECK(f.problems[3].column == 27);  // the last field of the short record
    CHECK(f.problems[3].message == "expected 9 fields as in the header, found 3");
    CHECK(f.skipReasons.at("wrong field count") == 1);
  }
  SECTION("missing required column") {
    auto r = test::run("Timestamp,DeviceName\n2026-11-24T10:00:00Z,ws\n");
    REQUIRE(r.files[0].fatal);
    CHECK(r.files[0].problems[0].message ==
          "not a recognised export: expected a CSV header naming Timestamp and RemoteIP (DeviceNetworkEvents), "
          "TimeGenerated and NetworkIP (ThreatIntelligenceIndicator) or a sign-in log's columns, or another of the "
          "formats vpshunt reads (the list of formats)");
    CHECK(r.files[0].problems[0].code == "not-an-export");
  }
  SECTION("empty file") {
    auto r = test::run("");
    REQUIRE(r.files[0].fatal);
    CHECK(r.files[0].problems[0].message == "the file is empty: expected a network-events or threat-intel export");
  }
  SECTION("binary garbage") {
    std::string junk("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    auto r = test::run(junk);
    REQUIRE(r.files[0].fatal);
    CHECK(r.files[0].problems[0].message.rfind("binary data, not a text export", 0) == 0);
  }
  SECTION("a TI file given as events") {
    auto r = test::run(test::intelCsv({{"2026-11-24T00:00:00Z", "203.0.113.10"}}));
    REQUIRE(r.files[0].fatal);
    CHECK(r.files[0].problems[0].line == 1);
    CHECK(r.files[0].problems[0].message.find("load it as threat intel") != std::string::npos);
  }
  SECTION("a bad file does not stop the others") {
    vpshunt::Analysis a;
    a.beginFile("bad.csv", vpshunt::FileKind::Events);
    a.feed("\0\1\2\3", 4);
    a.endFile();
    std::string good = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 12, 60));
    a.beginFile("good.csv");
    a.feed(good.data(), good.size());
    a.endFile();
    auto r = a.finish();
    CHECK(r.files[0].fatal);
    CHECK_FALSE(r.files[1].fatal);
    CHECK(r.rows.size() == 1);
  }
}

TEST_CASE("the whole analysis is the same for every chunk size", "[csv]") {
  auto rows = test::series("2026-11-24T10:00:00Z", 40, 90);
  rows[3].cmdline = "\"C:\\x.exe\" --a \"b,c\"\nsecond line";
  std::string csv = test::eventsCsv(rows);
  auto whole = test::run(csv);
  for (size_t chunk : {1, 2, 3, 7, 64, 4096}) {
    auto r = test::run(csv, "", "", vpshunt::Rule{}, chunk);
    REQUIRE(r.rows.size() == whole.rows.size());
    for (size_t i = 0; i < r.rows.size(); ++i) {
      CHECK(r.rows[i].connectionCount == whole.rows[i].connectionCount);
      CHECK(r.rows[i].commandLine == whole.rows[i].commandLine);
    }
  }
}

TEST_CASE("Log Analytics exports of other network tables", "[csv][formats]") {
  SECTION("Azure Firewall style: destination is RemoteIP, source the device, locale times in [Local Time]") {
    std::string csv = "TenantId,\"TimeGenerated [Local Time]\",Protocol,SourceIp,SourcePort,DestinationIp,DestinationPort\n";
    for (int i = 0; i < 12; ++i)
      csv += "t,\"8/9/2023, 2:" + std::to_string(10 + i) + ":24.550 PM\",TCP,10.0.1.6,45510,45.33.32.156,443\n";
    auto r = test::run(csv);
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].deviceName == "10.0.1.6");
    CHECK(r.rows[0].remoteIp == "45.33.32.156");
    CHECK(r.rows[0].remotePorts == std::vector<int64_t>{443});
    CHECK(vpshunt::formatIsoSeconds(r.rows[0].binStart) == "2023-08-09T14:00:00Z");
  }
  SECTION("a table without addresses is read and said so, not refused") {
    auto r = test::run("TenantId,TimeGenerated [UTC],Computer,RawData\nt,\"6/17/2023, 2:32:49.068 PM\",,<134>1 flows allow\n");
    CHECK_FALSE(r.files[0].fatal);
    CHECK(r.files[0].records == 1);
    CHECK(r.files[0].filtered.at("no destination address in this table") == 1);
  }
  SECTION("a hosting ASN list is named as one") {
    auto r = test::run("# datacenters\nAS20473 # Vultr\nAS14061 # DigitalOcean\n");
    REQUIRE(r.files[0].fatal);
    CHECK(r.files[0].problems[0].message ==
          "this is a list of hosting ASNs, not events or threat intel: load it as a hosting list");
  }
}
