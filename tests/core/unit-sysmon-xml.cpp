// Sysmon Event ID 3 as Windows event XML ("sysmon-xml") and its XML scanner.
#include <catch2/catch.hpp>

#include "formats/sysmon_xml_scanner.hpp"
#include "reader_harness.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

namespace {

// Records scanner callbacks as text: "<name a=v>", "</name>", "text@line:col".
struct ScanLog : xml::Handler {
  std::vector<std::string> items;
  void onStart(std::string_view name, const xml::Attribute* attrs, size_t count, uint64_t line, uint64_t column) override {
    std::string s = "<" + std::string(name);
    for (size_t i = 0; i < count; ++i) s += " " + std::string(attrs[i].name) + "=" + std::string(attrs[i].value);
    items.push_back(s + ">@" + std::to_string(line) + ":" + std::to_string(column));
  }
  void onEnd(std::string_view name, uint64_t, uint64_t) override { items.push_back("</" + std::string(name) + ">"); }
  void onText(std::string_view text, uint64_t line, uint64_t column) override {
    items.push_back("'" + std::string(text) + "'@" + std::to_string(line) + ":" + std::to_string(column));
  }
  void onError(uint64_t line, uint64_t column, std::string message) override {
    items.push_back("error " + std::to_string(line) + ":" + std::to_string(column) + " " + message);
  }
};

std::vector<std::string> scan(std::string_view input, size_t chunk = 0) {
  ScanLog log;
  xml::Scanner s(log);
  if (chunk == 0) chunk = input.size() ? input.size() : 1;
  for (size_t i = 0; i < input.size(); i += chunk) s.feed(input.data() + i, std::min(chunk, input.size() - i));
  s.finish();
  return log.items;
}

}  // namespace

TEST_CASE("xml::Scanner") {
  struct Case {
    const char* name;
    std::string input;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"elements, attributes in both quote styles, self-closing",
       "<a x=\"1\" y='2'><b/></a>",
       {"<a x=1 y=2>@1:1", "<b>@1:16", "</b>", "</a>"}},
      {"predefined entities and character references",
       "<d>R&amp;D &lt;x&gt; &quot;q&quot; &apos;s&apos; &#92;&#x41;&#x1F600;</d>",
       {"<d>@1:1", "'R&D <x> \"q\" 's' \\A\xF0\x9F\x98\x80'@1:4", "</d>"}},
      {"entities in attribute values", "<d n=\"a&amp;b&#33;\"/>", {"<d n=a&b!>@1:1", "</d>"}},
      {"an unknown entity and a bare ampersand are kept", "<d>&nbsp; a & b</d>", {"<d>@1:1", "'&nbsp; a & b'@1:4", "</d>"}},
      {"CDATA, including brackets", "<d><![CDATA[C:\\x]y]]z<&>]]></d>", {"<d>@1:1", "'C:\\x]y]]z<&>'@1:13", "</d>"}},
      {"comments, the XML declaration and a DOCTYPE are skipped",
       "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE Events>\n<!-- a -- comment -->\n<e>t</e>",
       {"<e>@4:1", "'t'@4:4", "</e>"}},
      {"namespace prefixes are kept; localName drops them", "<e:Event xmlns:e=\"u\"></e:Event>", {"<e:Event xmlns:e=u>@1:1", "</e:Event>"}},
      {"whitespace-only text is not reported", "<a>\n  <b>x</b>\n</a>", {"<a>@1:1", "<b>@2:3", "'x'@2:6", "</b>", "</a>"}},
      {"an unquoted attribute value", "<a\n x=1>", {"error 2:4 expected a quoted attribute value in the <a> tag, found '1'"}},
      {"a tag that does not close", "<a><b", {"<a>@1:1", "error 1:5 unexpected end of input inside a tag"}},
      {"a comment that does not close", "<a><!-- x", {"<a>@1:1", "error 1:9 unexpected end of input inside a comment (expected -->)"}},
      {"a stray '<'", "<a>< b</a>", {"<a>@1:1", "error 1:5 expected a tag name after '<', found ' '"}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      CHECK(scan(c.input) == c.expected);
      for (size_t chunk : {1, 2, 3, 5}) {
        INFO("chunk " << chunk);
        CHECK(scan(c.input, chunk) == c.expected);
      }
    }
  }
  CHECK(xml::localName("e:Event") == "Event");
  CHECK(xml::localName("Event") == "Event");
}

TEST_CASE("sysmon-xml: detection") {
  for (const char* f : {"sysmon/event-viewer-export.xml", "sysmon/one-line-export.xml", "sysmon/wevtutil-bare.xml"}) {
    SECTION(f) { CHECK(sniffBest(fixture(f)) == "sysmon-xml"); }
  }
  SECTION("other XML is not Sysmon") { CHECK(factory("sysmon-xml").sniff("<?xml version=\"1.0\"?><root/>", "") == 0); }
}

TEST_CASE("sysmon-xml: Event Viewer export (<Events> root, pretty-printed)") {
  auto s = run("sysmon-xml", fixture("sysmon/event-viewer-export.xml"));
  REQUIRE(s.fatals.empty());
  REQUIRE(s.events.size() == 2);
  SECTION("Initiated true: the destination is remote; Image -> file name; User without its domain; entities decoded") {
    CHECK(s.events[0] ==
          "E L4 dir=out outcome=ok Timestamp=2024-05-02 10:15:00.987@0 DeviceName=WKS-042.corp.example@0 "
          "InitiatingProcessAccountName=alice@0 InitiatingProcessFileName=R&D tool.exe@0 RemoteIP=203.0.113.77@0 "
          "RemotePort=8443@0 ActionType=ConnectionSuccess@0 LocalIP=10.1.2.3@0 LocalPort=50211@0 "
          "InitiatingProcessFolderPath=C:\\Users\\alice\\AppData\\Local\\Temp\\R&D tool.exe@0");
  }
  SECTION("Initiated false: the source is remote (an inbound connection); CDATA; a character reference in User") {
    CHECK(s.events[1] ==
          "E L32 dir=in outcome=ok Timestamp=2024-05-02 10:16:00.000@0 DeviceName=SRV-01.corp.example@0 "
          "InitiatingProcessAccountName=NETWORK SERVICE@0 InitiatingProcessFileName=svchost.exe@0 "
          "RemoteIP=198.51.100.9@0 RemotePort=61000@0 ActionType=InboundConnectionAccepted@0 LocalIP=10.1.2.10@0 "
          "LocalPort=3389@0 InitiatingProcessFolderPath=C:\\Windows\\System32\\svchost.exe@0");
  }
  SECTION("other event IDs and channels are counted as other (a Security event that is no logon by its ID)") {
    CHECK(s.others == std::vector<std::string>{"Sysmon event other than ID 3 (network connection)", "Security 5156"});
  }
  SECTION("what Sysmon lacks is reported") {
    CHECK(s.missing == std::vector<std::string>{"InitiatingProcessCommandLine"});
    CHECK(s.notes == std::vector<std::string>{"Sysmon network events carry no byte counts: SentBytes/ReceivedBytes are absent"});
  }
  SECTION("every split offset") { checkEverySplit("sysmon-xml", fixture("sysmon/event-viewer-export.xml")); }
}

TEST_CASE("sysmon-xml: one-line export keeps byte columns — IPv6 uncompressed as written") {
  auto s = run("sysmon-xml", fixture("sysmon/one-line-export.xml"));
  REQUIRE(s.events.size() == 2);
  CHECK(s.events[0] ==
        "E L1 dir=out outcome=ok Timestamp=2024-05-03 08:00:00.500@372 DeviceName=LAPTOP-7@312 "
        "InitiatingProcessAccountName=bob@475 InitiatingProcessFileName=b.exe@421 RemoteIP=2001:db8::25@650 "
        "RemotePort=443@698 ActionType=ConnectionSuccess@517 LocalIP=fe80:0:0:0:3816:1a2b:3c4d:5e6f@550 "
        "LocalPort=49999@611 InitiatingProcessFolderPath=C:\\Program Files\\Beacon\\b.exe@421");
  SECTION("every split offset") { checkEverySplit("sysmon-xml", fixture("sysmon/one-line-export.xml")); }
}

TEST_CASE("sysmon-xml: bare <Event> sequence (wevtutil) — TimeCreated when UtcTime is absent — a missing address is skipped") {
  auto s = run("sysmon-xml", fixture("sysmon/wevtutil-bare.xml"));
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].rfind("E L1 dir=out outcome=ok Timestamp=2024-05-04T12:00:00.0000000Z@141 DeviceName=DC01@262 InitiatingProcessAccountName=SYSTEM@370", 0) == 0);
  CHECK(s.skips == std::vector<std::string>{
                       "Sysmon event without a remote address 2:1 expected a <Data Name=\"DestinationIp\"> element in the Sysmon event"});
  SECTION("every split offset") { checkEverySplit("sysmon-xml", fixture("sysmon/wevtutil-bare.xml")); }
}

TEST_CASE("sysmon-xml: files that cannot be read") {
  struct Case {
    const char* name;
    std::string input;
    std::string fatal;
  };
  const Case cases[] = {
      {"malformed markup", "<Events>\n<Event><System><EventID>3</EventID></System><EventData><Data Name=x>",
       "2:67 expected a quoted attribute value in the <Data> tag, found 'x'"},
      {"an unterminated event", "<Events><Event><System><EventID>3</EventID>", "1:9 unexpected end of input inside an <Event> element (expected </Event>)"},
      {"no events at all", "<Events></Events>", "0:0 expected Windows event XML (<Event> elements), found none"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto s = run("sysmon-xml", c.input);
      REQUIRE(s.fatals.size() == 1);
      CHECK(s.fatals[0] == c.fatal);
    }
  }
}
