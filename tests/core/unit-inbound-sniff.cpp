// Sniffing with the inbound readers (cef-csv, firewall-json, iis-w3c, web-access-log,
// cloud-requests-csv) in the registry: every fixture of every reader is still won by its own reader,
// by a margin of at least 5 over any other (the twin names of the Windows event readers aside: they
// are one reader), and small heads of each shape go where they belong. Then the real exports of the
// shared samples (samples.hpp: $VPSHUNT_SAMPLES or beside the repository): each reads with its
// reader and no skipped record.
#include "reader_harness.hpp"

#include <algorithm>

#include "samples.hpp"
#include "support.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

namespace {

std::vector<std::pair<int, std::string>> scores(std::string_view head, std::string_view path) {
  std::vector<std::pair<int, std::string>> s;
  for (const auto& f : readerFactories()) s.emplace_back(f.sniff(head.substr(0, 65536), path), std::string(f.name));
  std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return s;
}

bool twins(const std::string& a, const std::string& b) {
  auto pair = [&](const char* x, const char* y) { return (a == x && b == y) || (a == y && b == x); };
  return pair("sysmon-xml", "windows-security-xml") || pair("sysmon-json", "windows-security-json");
}

}  // namespace

TEST_CASE("inbound readers: sniffing matrix over every fixture", "[sniff][inbound]") {
  struct Case {
    const char* file;
    const char* expected;
  };
  const Case cases[] = {
      {"cloud/s3_honeybucket_alerts.csv", "cloud-requests-csv"},
      {"firewall/azfw_network_nat_la.csv", "defender-csv"},
      {"firewall/cef_la_export.csv", "cef-csv"},
      {"firewall/firewall_rows.jsonl", "firewall-json"},
      {"firewall/firewall_rows_az_cli.json", "firewall-json"},
      {"firewall/log_analytics_firewall_tables.json", "log-analytics-json"},
      {"firewall/nsg_flow_analytics.csv", "defender-csv"},
      {"intel/graph-tiindicators.json", "intel-sentinel-json"},
      {"intel/import-template.csv", "intel-ioc-csv"},
      {"intel/ioc-bom-nbsp.csv", "intel-ioc-csv"},
      {"intel/ioc-indicators.csv", "intel-ioc-csv"},
      {"intel/misp-event-objects.json", "intel-misp"},
      {"intel/misp-response.json", "intel-misp"},
      {"intel/plain-cidr-crlf.txt", "intel-plain-list"},
      {"intel/plain-ipsum.txt", "intel-plain-list"},
      {"intel/sentinel-import-template.json", "intel-stix"},
      {"intel/sentinel-la-query.json", "intel-sentinel-json"},
      {"intel/sentinel-tii-array.json", "intel-sentinel-json"},
      {"intel/sentinel-tii-lines.jsonl", "intel-sentinel-json"},
      {"intel/stix20-misp-bundle.json", "intel-stix"},
      {"intel/stix21-bundle.json", "intel-stix"},
      {"intel/threatintelindicators-value.json", "intel-sentinel-json"},
      {"intel/threatintelindicators.csv", "intel-ioc-csv"},
      {"json/defender_ah_api.json", "defender-json"},
      {"json/defender_body_wrapper.json", "defender-json"},
      {"json/defender_eventhub_records.json", "defender-json"},
      {"json/defender_graph_api.json", "defender-json"},
      {"json/defender_malformed.jsonl", "defender-json"},
      {"json/defender_pretty_records.json", "defender-json"},
      {"json/defender_stream_crlf.jsonl", "defender-json"},
      {"json/defender_union_rows.jsonl", "defender-json"},
      {"json/log_analytics_tables.json", "log-analytics-json"},
      {"json/suricata_eve.json", "suricata-eve"},
      {"json/sysmon_nxlog.json", "sysmon-json"},
      {"json/sysmon_winlogbeat.json", "sysmon-json"},
      {"json/zeek_conn_dotted.json", "zeek-json"},
      {"json/zeek_conn_underscored.json", "zeek-json"},
      {"signin-json/cloudtrail_lines.jsonl", "cloudtrail-json"},
      {"signin-json/cloudtrail_s3_records.json", "cloudtrail-json"},
      {"signin-json/defender_ah_api_identity.json", "defender-json"},
      {"signin-json/defender_signin_stream.jsonl", "defender-json"},
      {"signin-json/defender_union_signin_rows.jsonl", "defender-json"},
      {"signin-json/entra_diagnostic_records.jsonl", "entra-signin-json"},
      {"signin-json/entra_eventhub_records.json", "entra-signin-json"},
      {"signin-json/entra_graph_signins.json", "entra-signin-json"},
      {"signin-json/entra_la_rows.json", "entra-signin-json"},
      {"signin-json/entra_portal_download.json", "entra-signin-json"},
      {"signin-json/log_analytics_signin_tables.json", "log-analytics-json"},
      {"signin-json/okta_api_response.json", "okta-json"},
      {"signin-json/okta_event_hook.json", "okta-json"},
      {"signin-json/okta_system_log.jsonl", "okta-json"},
      {"signin-json/windows_security_export.xml", "sysmon-xml"},
      {"signin-json/windows_security_nxlog.json", "sysmon-json"},
      {"signin-json/windows_security_wevtutil.xml", "windows-security-xml"},
      {"signin-json/windows_security_winlogbeat_evtx.jsonl", "windows-security-json"},
      {"sysmon/event-viewer-export.xml", "sysmon-xml"},
      {"sysmon/one-line-export.xml", "sysmon-xml"},
      {"sysmon/wevtutil-bare.xml", "sysmon-xml"},
      {"weblog/apache_nginx_access.log", "web-access-log"},
      {"weblog/iis_fields_directives.log", "iis-w3c"},
      {"weblog/iis_headerless_pasted.log", "iis-w3c"},
      {"weblog/s3_server_access.log", "web-access-log"},
      {"zeek/conn-bad-rows.log", "zeek-tsv"},
      {"zeek/conn-epoch.log", "zeek-tsv"},
      {"zeek/conn-node-name-crlf.log", "zeek-tsv"},
      {"zeek/conn-relative-labeled.log", "zeek-tsv"},
      {"zeek/conn-relative-no-open.log", "zeek-tsv"},
      {"zeek/dns.log", "zeek-tsv"},
  };
  for (const auto& c : cases) {
    SECTION(c.file) {
      std::string bytes = fixture(c.file);
      auto s = scores(bytes, c.file);
      INFO("best " << s[0].second << "=" << s[0].first << ", then " << s[1].second << "=" << s[1].first);
      CHECK(s[0].second == c.expected);
      size_t other = 1;
      while (other < s.size() && twins(s[0].second, s[other].second)) ++other;
      REQUIRE(other < s.size());
      CHECK(s[0].first - s[other].first >= 5);
    }
  }
}

TEST_CASE("inbound readers: small heads of each shape, and the shapes they must leave alone", "[sniff][inbound]") {
  struct Case {
    const char* name;
    std::string head;
    const char* expected;
  };
  std::vector<Case> cases = {
      {"IIS header", "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n", "iis-w3c"},
      {"IIS #Fields alone", "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n", "iis-w3c"},
      {"one pasted IIS line", "2026-11-24 10:00:00 10.0.0.4 GET / - 80 - 45.33.32.156 curl/8 - 200 0 0 1", "iis-w3c"},
      {"Windows Firewall log (W3C, no request fields)",
       "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port\n",
       "none"},
      {"combined line", "45.33.32.156 - - [24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 2 \"-\" \"curl/8\"\n",
       "web-access-log"},
      {"common line without a final newline", "45.33.32.156 - - [24/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 2",
       "web-access-log"},
      {"S3 access line",
       "79a5 bucket [24/Nov/2026:10:00:00 +0000] 45.33.32.156 - REQ REST.GET.OBJECT k \"GET /bucket/k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"ua\" -\n",
       "web-access-log"},
      {"plain IP list", "45.33.32.156\n185.220.101.5\n", "intel-plain-list"},
      {"ipsum list", "# IPsum\n45.33.32.156\t10\n185.220.101.5\t3\n", "intel-plain-list"},
      {"Zeek TSV", "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tconn_state\n", "zeek-tsv"},
      {"CEF CSV header", "TimeGenerated [UTC],DeviceVendor,DeviceProduct,SourceIP,DestinationIP,DestinationPort,RemoteIP\n", "cef-csv"},
      {"DeviceNetworkEvents CSV", "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,LocalIP,LocalPort\n", "defender-csv"},
      {"AZFW CSV", "TimeGenerated [UTC],SourceIp,SourcePort,DestinationIp,DestinationPort,Action,Type\n", "defender-csv"},
      {"honey-bucket CSV", "Event Type,Event Name,Request ID,Event DateTime,Source IP,Request User Agent\n", "cloud-requests-csv"},
      {"CEF row object", R"([{"TimeGenerated":"t","DeviceVendor":"Fortinet","SourceIP":"45.33.32.156","DestinationIP":"10.0.0.1"}])",
       "firewall-json"},
      {"AZFW row object", R"({"TimeGenerated":"t","SourceIp":"45.33.32.156","DestinationIp":"10.0.0.1","Type":"AZFWNatRule"})",
       "firewall-json"},
      {"ASIM row object", R"({"TimeGenerated":"t","SrcIpAddr":"45.33.32.156","DstIpAddr":"10.0.0.1","DvcAction":"Allow"})",
       "firewall-json"},
      {"Sysmon NXLog (SourceIp, DestinationIp, no Action)",
       R"({"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","SourceIp":"10.0.0.1","DestinationIp":"45.33.32.156"})",
       "sysmon-json"},
      {"Sysmon winlogbeat with an Action-like key",
       R"({"winlog":{"event_id":3,"channel":"Microsoft-Windows-Sysmon/Operational","event_data":{"SourceIp":"10.0.0.1","DestinationIp":"45.33.32.156"}},"Action":"x"})",
       "sysmon-json"},
      {"Suricata flow", R"({"event_type":"flow","src_ip":"45.33.32.156","dest_ip":"10.0.0.1"})", "suricata-eve"},
      {"Log Analytics tables with CommonSecurityLog",
       R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"DeviceVendor"},{"name":"SourceIP"},{"name":"RemoteIP"}],"rows":[]}]})",
       "log-analytics-json"},
      {"Log Analytics tables with AZFW",
       R"({"tables":[{"name":"PrimaryResult","columns":[{"name":"SourceIp"},{"name":"DestinationIp"},{"name":"Action"}],"rows":[]}]})",
       "log-analytics-json"},
      {"Defender row", R"({"Timestamp":"t","DeviceName":"d","ActionType":"InboundConnectionAccepted","RemoteIP":"45.33.32.156","LocalPort":3389})",
       "defender-json"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) { CHECK(sniffBest(c.head) == c.expected); }
  }
}

TEST_CASE("inbound readers: the shared samples read with their readers and no skipped record", "[inbound][samples]") {
  struct Case {
    const char* file;
    const char* format;
    uint64_t records, kept;
  };
  const Case cases[] = {
      {"azure_sentinel_excerpts/CEF_Fortigate.json", "firewall-json", 2, 2},
      {"elastic_integrations/iis_test-x-forward-for-extended.log", "iis-w3c", 6, 6},
      {"elastic_integrations/iis_test-iis-access.log", "iis-w3c", 8, 3},  // 5 from private or loopback clients
      {"otrf_security_datasets/AWS_S3_HoneyBucketLogs.csv", "cloud-requests-csv", 301, 301},
      {"msticpy/az_net_flows.csv", "defender-csv", 460, 454},
      {"azure_sentinel_excerpts/AZFWThreatIntelCustom_CL.csv", "defender-csv", 3, 0},  // no destination address
  };
  for (const auto& c : cases) {
    SECTION(c.file) {
      std::string text;
      if (!::test::sample(c.file, text)) return;  // absent on purpose
      auto r = ::test::runWithAsn(text);
      REQUIRE(r.files.size() == 1);
      const auto& f = r.files[0];
      CHECK(f.format == c.format);
      CHECK(f.records == c.records);
      CHECK(f.kept == c.kept);
      CHECK(f.skipped == 0);
      CHECK_FALSE(f.fatal);
      if (std::string(c.file) == "azure_sentinel_excerpts/CEF_Fortigate.json") {
        // Inbound RDP from a Hostwinds VPS let through the FortiGate: its row, and no beacon.
        CHECK(r.rows.empty());
        REQUIRE(r.inbound.size() == 2);
        CHECK(r.inbound[0].remoteIp == "104.168.141.190");
        CHECK(r.inbound[0].hostingCategory == "vps");
        CHECK(r.inbound[0].targets == std::vector<std::string>{"192.168.20.44"});
        CHECK(r.inbound[0].targetPorts == std::vector<int64_t>{3389});
      }
      if (std::string(c.file) == "elastic_integrations/iis_test-x-forward-for-extended.log") {
        // The load balancer (c-ip 10.24.136.240) is never a source; the last day's client is.
        REQUIRE(r.inbound.size() == 1);
        CHECK(r.inbound[0].remoteIp == "156.189.143.218");
        CHECK(r.inbound[0].connectionCount == 2);
      }
    }
  }
}
