// The initiating process's identity, as every reader that has it hands it over: the folder path
// (Defender InitiatingProcessFolderPath, Sysmon Image) and the version-info company and product
// (Defender InitiatingProcessVersionInfoCompanyName / ...ProductName, Sysmon Company / Product),
// which the known-software matcher needs (core/src/enrich/known_software.hpp).
#include "reader_harness.hpp"

using namespace vpshunt;
using vpshunt::test::run;

namespace {

// The value of `field` in a describeEvent() line ("" with "@col" kept), or "<absent>".
std::string fieldOf(const std::string& event, const std::string& field) {
  std::string key = " " + field + "=";
  size_t at = event.find(key);
  if (at == std::string::npos) return "<absent>";
  at += key.size();
  // Values may hold spaces: the value runs to the next " <Field>=" of a known field name.
  size_t end = event.size();
  for (size_t i = 0; i < kEventFieldCount; ++i) {
    std::string next = " " + std::string(eventFieldName(EventField(i))) + "=";
    size_t n = event.find(next, at);
    if (n != std::string::npos && n < end) end = n;
  }
  return event.substr(at, end - at);
}

}  // namespace

TEST_CASE("process fields: names map from the exports' column names", "[process-fields]") {
  EventField f;
  REQUIRE(eventFieldByName("InitiatingProcessFolderPath", f));
  CHECK(f == EventField::InitiatingProcessFolderPath);
  REQUIRE(eventFieldByName("initiatingprocessversioninfocompanyname_string", f));
  CHECK(f == EventField::InitiatingProcessVersionInfoCompanyName);
  REQUIRE(eventFieldByName(" InitiatingProcessVersionInfoProductName ", f));
  CHECK(f == EventField::InitiatingProcessVersionInfoProductName);
  // Columns of other tables in a union export are other things.
  CHECK_FALSE(eventFieldByName("FolderPath", f));
  CHECK_FALSE(eventFieldByName("ProcessVersionInfoCompanyName", f));
  CHECK_FALSE(eventFieldByName("InitiatingProcessParentFileName", f));
}

TEST_CASE("process fields: Defender CSV", "[process-fields]") {
  const std::string csv =
      "Timestamp,DeviceName,ActionType,RemoteIP,FolderPath,InitiatingProcessFileName,InitiatingProcessFolderPath,"
      "InitiatingProcessVersionInfoCompanyName_string,InitiatingProcessVersionInfoProductName\r\n"
      "2026-11-24T10:00:00Z,ws-1,ConnectionSuccess,144.195.10.5,c:\\other\\table.exe,Zoom.exe,"
      "c:\\users\\bob\\appdata\\roaming\\zoom\\bin\\zoom.exe,\"Zoom Video Communications, Inc.\",Zoom Workplace\r\n"
      "2026-11-24T10:01:00Z,ws-1,ConnectionSuccess,144.195.10.5,,Zoom.exe,,,\r\n";
  auto s = run("defender-csv", csv);
  REQUIRE(s.events.size() == 2);
  CHECK(fieldOf(s.events[0], "InitiatingProcessFolderPath") == "c:\\users\\bob\\appdata\\roaming\\zoom\\bin\\zoom.exe@86");
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoCompanyName") == "Zoom Video Communications, Inc.@133");
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoProductName") == "Zoom Workplace@167");
  // Empty cells are present and empty: the matcher takes them as "the export does not say".
  CHECK(fieldOf(s.events[1], "InitiatingProcessFolderPath") == "@68");
  CHECK(fieldOf(s.events[1], "InitiatingProcessVersionInfoCompanyName") == "@69");
  // The optional columns are not reported missing (exports without them are common and fine).
  CHECK(s.count(s.missing, "InitiatingProcessFolderPath") == 0);
  SECTION("every split offset") { vpshunt::test::checkEverySplit("defender-csv", csv); }
}

TEST_CASE("process fields: Defender JSON (streaming API and advanced-hunting API)", "[process-fields]") {
  const std::string streaming =
      R"({"time":"2026-11-24T10:00:01Z","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2026-11-24T10:00:00Z",)"
      R"("DeviceName":"ws-2","ActionType":"ConnectionSuccess","RemoteIP":"142.250.74.46","InitiatingProcessFileName":"GoogleUpdate.exe",)"
      R"("InitiatingProcessFolderPath":"c:\\program files (x86)\\google\\update\\googleupdate.exe",)"
      R"("InitiatingProcessVersionInfoCompanyName":"Google LLC","InitiatingProcessVersionInfoProductName":null}})"
      "\n";
  auto s = run("defender-json", streaming);
  REQUIRE(s.events.size() == 1);
  CHECK(fieldOf(s.events[0], "InitiatingProcessFolderPath") ==
        "c:\\program files (x86)\\google\\update\\googleupdate.exe@287");
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoCompanyName") == "Google LLC@389");
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoProductName") == "@444");  // null: present, empty

  const std::string api =
      R"({"Schema":[{"Name":"Timestamp","Type":"DateTime"}],"Results":[{"Timestamp":"2026-11-24T10:00:00Z","RemoteIP":"52.112.10.20",)"
      R"("InitiatingProcessFileName":"Teams.exe","InitiatingProcessFolderPath_string":"C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",)"
      R"("InitiatingProcessVersionInfoProductName":"Microsoft Teams"}]})";
  auto a = run("defender-json", api);
  REQUIRE(a.events.size() == 1);
  CHECK(fieldOf(a.events[0], "InitiatingProcessFolderPath").rfind(
            "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe@", 0) == 0);
  CHECK(fieldOf(a.events[0], "InitiatingProcessVersionInfoProductName").rfind("Microsoft Teams@", 0) == 0);
  CHECK(fieldOf(a.events[0], "InitiatingProcessVersionInfoCompanyName") == "<absent>");
}

TEST_CASE("process fields: Log Analytics query API", "[process-fields]") {
  const std::string la =
      R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"RemoteIP","type":"string"},)"
      R"({"name":"InitiatingProcessFolderPath","type":"string"},{"name":"InitiatingProcessVersionInfoCompanyName","type":"string"}],)"
      R"("rows":[["2026-11-24T10:00:00Z","3.233.146.10","c:\\program files\\datadog\\datadog agent\\bin\\agent.exe","Datadog, Inc."]]}]})";
  auto s = run("log-analytics-json", la);
  REQUIRE(s.events.size() == 1);
  CHECK(fieldOf(s.events[0], "InitiatingProcessFolderPath").rfind("c:\\program files\\datadog\\datadog agent\\bin\\agent.exe@", 0) == 0);
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoCompanyName").rfind("Datadog, Inc.@", 0) == 0);
}

TEST_CASE("process fields: Sysmon (Image — Company and Product only where an event carries them)", "[process-fields]") {
  // Sysmon's event 3 has Image but no Company/Product (those are in event 1); a pipeline that joins
  // them onto event 3 writes them as further Data elements, which are read too.
  const std::string xml =
      "<Events><Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
      "<Provider Name=\"Microsoft-Windows-Sysmon\"/><EventID>3</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel>"
      "<Computer>ws-3</Computer></System><EventData><Data Name=\"UtcTime\">2026-11-24 10:00:00.000</Data>"
      "<Data Name=\"Image\">C:\\Program Files\\Zoom\\bin\\Zoom.exe</Data><Data Name=\"Initiated\">true</Data>"
      "<Data Name=\"SourceIp\">10.0.0.3</Data><Data Name=\"DestinationIp\">206.247.10.5</Data>"
      "<Data Name=\"DestinationPort\">443</Data><Data Name=\"Company\">Zoom Communications, Inc.</Data>"
      "<Data Name=\"Product\">Zoom Workplace</Data></EventData></Event></Events>";
  auto s = run("sysmon-xml", xml);
  REQUIRE(s.events.size() == 1);
  CHECK(fieldOf(s.events[0], "InitiatingProcessFileName") == "Zoom.exe@319");
  CHECK(fieldOf(s.events[0], "InitiatingProcessFolderPath") == "C:\\Program Files\\Zoom\\bin\\Zoom.exe@319");
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoCompanyName") == "Zoom Communications, Inc.@537");
  CHECK(fieldOf(s.events[0], "InitiatingProcessVersionInfoProductName") == "Zoom Workplace@590");

  const std::string json =
      R"({"@timestamp":"2026-11-24T10:00:00.100Z","host":{"name":"ws-4"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational",)"
      R"("event_id":"3","computer_name":"ws-4.corp","event_data":{"UtcTime":"2026-11-24 10:00:00.000","Image":"C:\\Program Files\\Git\\mingw64\\bin\\git-credential-manager.exe",)"
      R"("Initiated":"true","SourceIp":"10.0.0.4","DestinationIp":"140.82.112.3","DestinationPort":"443","Company":"GitHub"}}})";
  auto j = run("sysmon-json", json);
  REQUIRE(j.events.size() == 1);
  CHECK(fieldOf(j.events[0], "InitiatingProcessFolderPath").rfind("C:\\Program Files\\Git\\mingw64\\bin\\git-credential-manager.exe@", 0) == 0);
  CHECK(fieldOf(j.events[0], "InitiatingProcessVersionInfoCompanyName").rfind("GitHub@", 0) == 0);
  CHECK(fieldOf(j.events[0], "InitiatingProcessVersionInfoProductName") == "<absent>");
}
