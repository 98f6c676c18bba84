// vpshunt_gen: writes benchmark-sized Microsoft Defender DeviceNetworkEvents exports, deterministically.
//
//   vpshunt_gen --bytes 520M --groups 20000 --seed 1 --intel ti.csv --output events.csv
//   vpshunt_gen --rows 5000000 --format jsonl > events.jsonl
//
// The export covers a fixed 25 h span (kStart .. kEnd below, whatever the size), so that more rows with the
// same --groups and --seed give the same flows (device, account, process, command line, remote IP), only
// denser: memory that grows with groups stays flat, throughput that grows with rows shows. Flows are derived
// from (seed, flow index) alone; rows pick flows from a second stream. No std::random_device, no clock: the
// same flags give the same bytes. Independent of the vpshunt core.
//
// Value mix: browsers and system processes, user apps and odd binaries, private / loopback / public (IPv4 and
// some IPv6) destinations, several ActionTypes (Inspected rows with an empty RemoteIPType, as Defender writes
// them), long command lines with doubled quotes in CSV, AdditionalFields JSON, and planted beacons: a share
// of the non-browser flows fire at a steady period (every 10th row goes to one of them, in turn).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gen_common.hpp"
#include "shapes.hpp"

namespace {

using namespace gen;

// ---------------------------------------------------------------------------------------------------------
// Vocabulary.
struct Proc { const char* file; const char* folder; const char* cmd; int kind; };  // kind: 0 browser, 1 system, 2 app, 3 odd
const Proc kProcs[] = {
  {"chrome.exe", "C:\\Program Files\\Google\\Chrome\\Application",
   "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=%u --field-trial-handle=1948,i,%u,8979323846264338327,262144 --variations-seed-version /prefetch:3", 0},
  {"msedge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application",
   "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=%u --field-trial-handle=2004,i,%u,4422810395829467791,262144 /prefetch:3", 0},
  {"MSEdge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application",
   "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=\"Profile %u\" --restore-last-session --tab=%u", 0},
  {"firefox.exe", "C:\\Program Files\\Mozilla Firefox",
   "\"C:\\Program Files\\Mozilla Firefox\\firefox.exe\" -contentproc -childID %u -isForBrowser -prefsLen 31254 -prefMapSize 244787 -parentBuildID 20261110094233 -appDir \"C:\\Program Files\\Mozilla Firefox\\browser\" %u true tab", 0},
  {"svchost.exe", "C:\\Windows\\System32", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache", 1},
  {"svchost.exe", "C:\\Windows\\System32", "C:\\Windows\\System32\\svchost.exe -k wusvcs -p -s WaaSMedicSvc", 1},
  {"MsSense.exe", "C:\\Program Files\\Windows Defender Advanced Threat Protection", "\"MsSense.exe\"", 1},
  {"MsMpEng.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0", "\"MsMpEng.exe\"", 1},
  {"lsass.exe", "C:\\Windows\\System32", "C:\\Windows\\system32\\lsass.exe", 1},
  {"ms-teams.exe", "C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe",
   "\"C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe\" msteams:system-initiated --pid=%u --window=%u", 2},
  {"OneDrive.exe", "C:\\Users\\%s\\AppData\\Local\\Microsoft\\OneDrive",
   "\"C:\\Users\\user\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background /session:%u /client=%u", 2},
  {"OUTLOOK.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16",
   "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle /profile %u", 2},
  {"Zoom.exe", "C:\\Users\\user\\AppData\\Roaming\\Zoom\\bin",
   "\"C:\\Users\\user\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe\" \"--url=zoommtg://zoom.us/join?action=join&confno=8%09u&pwd=%u\"", 2},
  {"git-remote-https.exe", "C:\\Program Files\\Git\\mingw64\\libexec\\git-core",
   "\"C:\\Program Files\\Git\\mingw64\\libexec\\git-core\\git-remote-https.exe\" origin https://github.com/contoso/repo-%u.git", 2},
  {"powershell.exe", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0",
   "powershell.exe -NoProfile -ExecutionPolicy Bypass -File \"C:\\ProgramData\\Contoso\\inventory-%u.ps1\" -Verbose:%u", 2},
  {"python.exe", "C:\\Users\\user\\AppData\\Local\\Programs\\Python\\Python312",
   "\"C:\\Users\\user\\AppData\\Local\\Programs\\Python\\Python312\\python.exe\" -m pip install --upgrade pkg%u==%u.0", 2},
  {"updater.exe", "C:\\Users\\user\\AppData\\Local\\Microsoft",
   "\"C:\\Users\\user\\AppData\\Local\\Microsoft\\updater.exe\" --svc --id=%u --jitter=%u", 3},
  {"rundll32.exe", "C:\\Windows\\System32",
   "\"C:\\Windows\\System32\\rundll32.exe\" C:\\Users\\Public\\Libraries\\lib%u.dll,DllRegisterServer %u", 3},
  {"helper.exe", "C:\\ProgramData\\svc",
   "\"C:\\ProgramData\\svc\\helper.exe\" --title \"<b>%u</b>\" --beacon %u", 3},
  {"syncagent.exe", "C:\\Users\\user\\AppData\\Roaming\\SyncAgent",
   "\"C:\\Users\\user\\AppData\\Roaming\\SyncAgent\\syncagent.exe\" --profile \"P%u\" --interval=%u", 3},
};
constexpr size_t kProcCount = sizeof kProcs / sizeof kProcs[0];
const char* const kDepts[] = {"fin-ws", "hr-ws", "eng-ws", "sales-lt", "it-adm", "ops-ws", "srv-app", "srv-file"};
const char* const kUsers[] = {"jdoe", "amartin", "kchen", "rpatel", "lgarcia", "mwilson", "snguyen", "tbrown",
                              "ekowalski", "ohassan", "pmuller", "yito", "bsantos", "cdubois", "gkim", "iward"};
const char* const kUrls[] = {"www.bing.com", "outlook.office365.com", "teams.microsoft.com", "login.microsoftonline.com",
                             "www.google.com", "github.com", "cdn.jsdelivr.net", "slack.com", "zoom.us", "", "", ""};

struct Flow {
  // Pre-rendered pieces of a row; the row writer only adds time, action, ports, ids, RemoteIPType.
  std::string csvHead;    // ,DeviceId,DeviceName,
  std::string csvIp;      // ,RemoteIP,
  std::string csvMid;     // ,RemoteUrl,LocalIP,
  std::string csvTail;    // ,Protocol,LocalIPType,   (then RemoteIPType)
  std::string csvProc;    // ,File,Folder,Cmd,Domain,Account,SHA1,Pid,
  std::string jsHead;     // "DeviceId":..,"DeviceName":..,
  std::string jsIp;       // ,"RemoteIP":..,
  std::string jsMid;      // ,"RemoteUrl":..,"LocalIP":..,
  std::string jsProc;     // ,"InitiatingProcessFileName":.. .. ,"InitiatingProcessId":N,
  const char* ipType;     // Public / Private / Loopback
  uint16_t port[2];
  bool twoPorts;
};

Flow makeFlow(uint64_t seed, uint64_t index, uint64_t groups) {
  Rng r(splitmix(seed * 0x100000001B3ull ^ (index + 1)));
  Flow f;
  const uint64_t devices = std::max<uint64_t>(20, groups / 25);
  const uint64_t dev = r.below(devices);
  Rng dr(splitmix(seed ^ (dev * 0x9E37ull + 7)));  // per-device attributes
  const char* dept = dr.pick(kDepts);
  char name[64];
  std::snprintf(name, sizeof name, "%s-%05llu.contoso.local", dept, static_cast<unsigned long long>(dev));
  const std::string deviceId = hex(dr.next(), dr.next(), 40);
  char localIp[20];
  std::snprintf(localIp, sizeof localIp, "10.%u.%u.%u", 16 + static_cast<unsigned>(dev >> 16) % 200,
                static_cast<unsigned>(dev >> 8) & 255, 1 + static_cast<unsigned>(dev & 255) % 254);
  const char* user = dr.pick(kUsers);

  // Process mix: 35% browsers, 15% system, 40% apps, 10% odd binaries.
  const uint64_t p = r.below(100);
  size_t lo = 0, hi = 4;
  if (p >= 35 && p < 50) { lo = 4; hi = 9; }
  else if (p >= 50 && p < 90) { lo = 9; hi = 16; }
  else if (p >= 90) { lo = 16; hi = kProcCount; }
  const Proc& pr = kProcs[lo + r.below(hi - lo)];
  char cmd[512];
  std::snprintf(cmd, sizeof cmd, pr.cmd, static_cast<unsigned>(r.below(100000)), static_cast<unsigned>(r.below(1000000)));
  char folder[256];
  std::snprintf(folder, sizeof folder, pr.folder, user);
  std::string folderPath = std::string(folder) + "\\" + pr.file;
  std::transform(folderPath.begin(), folderPath.end(), folderPath.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool system = pr.kind == 1;
  const char* domain = system ? "nt authority" : "contoso";
  const char* account = system ? (r.chance(50) ? "system" : "network service") : user;
  const std::string sha1 = hex(splitmix(std::hash<std::string_view>{}(pr.file)), splitmix(lo), 40);
  const unsigned pid = 1000 + 4 * static_cast<unsigned>(r.below(9000));

  // Destination: 12% private, 3% loopback, 3% IPv6, rest public IPv4 from a pool of about groups/3.
  char ip[48];
  const uint64_t d = r.below(100);
  const char* url = "";
  if (d < 12) { f.ipType = "Private"; std::snprintf(ip, sizeof ip, "10.0.%u.%u", static_cast<unsigned>(r.below(64)), 2 + static_cast<unsigned>(r.below(250))); }
  else if (d < 15) { f.ipType = "Loopback"; std::snprintf(ip, sizeof ip, "127.0.0.1"); }
  else {
    f.ipType = "Public";
    const uint64_t pool = std::max<uint64_t>(50, groups / 3);
    Rng ir(splitmix(seed ^ (0xABCDull << 32) ^ r.below(pool)));
    if (d < 18) {
      std::snprintf(ip, sizeof ip, "2a03:b0c0:%x:%x::%x", static_cast<unsigned>(ir.below(16)), static_cast<unsigned>(ir.below(256)),
                    static_cast<unsigned>(1 + ir.below(0xfffe)));
    } else {
      unsigned a;
      do a = 1 + static_cast<unsigned>(ir.below(222)); while (a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192);
      std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", a, static_cast<unsigned>(ir.below(256)), static_cast<unsigned>(ir.below(256)),
                    1 + static_cast<unsigned>(ir.below(254)));
    }
    url = r.pick(kUrls);
  }
  static const uint16_t kPorts[] = {443, 443, 443, 443, 80, 8080, 8443, 22, 5228, 3389, 445};
  f.port[0] = r.pick(kPorts);
  f.port[1] = f.port[0] == 443 ? 8443 : 443;
  f.twoPorts = r.chance(10);

  f.csvHead = "," + deviceId + "," + name + ",";
  f.csvIp = std::string(",") + ip + ",";
  f.csvMid = "," + csv(url) + "," + localIp + ",";
  f.csvTail = ",Tcp,Private,";
  f.csvProc = "," + csv(pr.file) + "," + csv(folderPath) + "," + csv(cmd) + "," + domain + "," + account + "," + sha1 + "," +
              std::to_string(pid) + ",";
  f.jsHead = "\"DeviceId\":" + js(deviceId) + ",\"DeviceName\":" + js(name) + ",\"ActionType\":";
  f.jsIp = ",\"RemoteIP\":" + js(ip) + ",\"RemotePort\":";
  f.jsMid = ",\"RemoteUrl\":" + js(url) + ",\"LocalIP\":" + js(localIp) + ",\"LocalPort\":";
  f.jsProc = ",\"InitiatingProcessFileName\":" + js(pr.file) + ",\"InitiatingProcessFolderPath\":" + js(folderPath) +
             ",\"InitiatingProcessCommandLine\":" + js(cmd) + ",\"InitiatingProcessAccountDomain\":" + js(domain) +
             ",\"InitiatingProcessAccountName\":" + js(account) + ",\"InitiatingProcessSHA1\":" + js(sha1) +
             ",\"InitiatingProcessId\":" + std::to_string(pid) + ",\"ReportId\":";
  return f;
}

bool isBeaconCandidate(const Flow& f) {
  return f.csvProc.find("updater.exe") != std::string::npos || f.csvProc.find("rundll32.exe") != std::string::npos ||
         f.csvProc.find("helper.exe") != std::string::npos || f.csvProc.find("syncagent.exe") != std::string::npos ||
         f.csvProc.find("python.exe") != std::string::npos || f.csvProc.find("powershell.exe") != std::string::npos;
}

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: vpshunt_gen [--shape default|short|full|zeek|results|scan] [--rows N | --bytes N[K|M|G]] [--groups G]\n"
               "                   [--seed S] [--format csv|jsonl] [--intel FILE] [--output FILE]\n"
               "Writes a synthetic Defender DeviceNetworkEvents export (advanced-hunting CSV, or streaming-API JSON\n"
               "Lines) over the fixed span %s .. %s. Default: 100000 rows, 20000 groups, seed 1, csv.\n"
               "Other shapes (csv only): short (22 columns, ~250 B a row, ~80%% of the rows filtered, random order),\n"
               "full (the 45-column DeviceNetworkEvents schema, ~700 B a row, newest first), zeek (Zeek conn.log TSV),\n"
               "results (--groups devices, default 1500, x 3 agents calling home in every hour; sized by --groups),\n"
               "scan (--groups internet sources, default 1200000, each connecting twice to local services: a Zeek conn.log\n"
               "with a million inbound rows; sized by --groups).\n",
               timeText(kStart).c_str(), timeText(kEnd).c_str());
  std::exit(code);
}

const char* const kCsvHeader =
    "Timestamp,DeviceId,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,LocalIP,LocalPort,Protocol,LocalIPType,"
    "RemoteIPType,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessCommandLine,"
    "InitiatingProcessAccountDomain,InitiatingProcessAccountName,InitiatingProcessSHA1,InitiatingProcessId,ReportId,"
    "AdditionalFields\n";

class Writer {
 public:
  Writer(const Options& o, const std::vector<Flow>& flows, const std::vector<uint32_t>& beacons)
      : o_(o), flows_(flows), beacons_(beacons), rng_(splitmix(o.seed ^ 0x5EED5EEDull)) {}

  // Writes `rows` rows spread evenly over the span (stops early once `maxBytes` is reached, when non-zero).
  uint64_t run(Out& out, uint64_t rows, uint64_t maxBytes) {
    if (!o_.jsonl) out.put(kCsvHeader);
    const Ticks span = kEnd - kStart - kSec;  // the last row stays before kEnd
    const double step = static_cast<double>(span) / static_cast<double>(rows ? rows : 1);
    uint64_t k = 0;
    for (; k < rows; ++k) {
      const Ticks t = kStart + static_cast<Ticks>(step * static_cast<double>(k)) +
                      static_cast<Ticks>(rng_.below(static_cast<uint64_t>(step) + 1));
      // Every 10th row goes to the next beacon flow in turn: a steady period per beacon.
      const Flow& f = (k % 10 == 0 && !beacons_.empty()) ? flows_[beacons_[(k / 10) % beacons_.size()]]
                                                         : flows_[rng_.below(flows_.size())];
      row(out, f, t);
      if (maxBytes && (k & 255) == 0 && out.written() >= maxBytes) { ++k; break; }
    }
    return k;
  }

 private:
  void row(Out& out, const Flow& f, Ticks t) {
    char ts[28];
    formatTime(t, ts);
    const uint64_t a = rng_.below(100);
    const char* action = "ConnectionSuccess";
    bool inspected = false;
    if (a < 5) action = "ConnectionFailed";
    else if (a < 8) action = "ConnectionAttempt";
    else if (a < 10) action = "InboundConnectionAccepted";
    else if (a < 13) { action = a == 10 ? "SslConnectionInspected" : a == 11 ? "HttpConnectionInspected" : "NetworkSignatureInspected"; inspected = true; }
    const uint16_t port = f.twoPorts && (rng_.next() & 1) ? f.port[1] : f.port[0];
    const uint64_t localPort = 49152 + rng_.below(16383);
    reportId_ += 1 + rng_.below(8);
    const char* ipType = inspected ? "" : f.ipType;
    if (!o_.jsonl) {
      out.put(std::string_view(ts, 28));
      out.put(f.csvHead);
      out.put(action);
      out.put(f.csvIp);
      out.num(port);
      out.put(f.csvMid);
      out.num(localPort);
      out.put(f.csvTail);
      out.put(ipType);
      out.put(f.csvProc);
      out.num(reportId_);
      out.put(',');
      if (inspected) out.put(a == 12 ? kSigCsv : kSslCsv);
      out.put('\n');
    } else {
      char recv[28];
      formatTime(t + 2 * kSec + static_cast<Ticks>(rng_.below(90 * kSec)), recv);
      out.put("{\"time\":\"");
      out.put(std::string_view(recv, 28));
      out.put("\",\"tenantId\":\"2f1c6b8e-0d4a-4c1e-9a57-6d2c1b0e7f31\",\"operationName\":\"Publish\",\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{\"Timestamp\":\"");
      out.put(std::string_view(ts, 28));
      out.put("\",");
      out.put(f.jsHead);
      out.put('"'); out.put(action); out.put('"');
      out.put(f.jsIp);
      out.num(port);
      out.put(f.jsMid);
      out.num(localPort);
      out.put(",\"Protocol\":\"Tcp\",\"LocalIPType\":\"Private\",\"RemoteIPType\":");
      if (*ipType) { out.put('"'); out.put(ipType); out.put('"'); } else out.put("null");
      out.put(f.jsProc);
      out.num(reportId_);
      out.put(",\"AdditionalFields\":");
      out.put(inspected ? (a == 12 ? kSigJs : kSslJs) : "null");
      out.put(",\"MachineGroup\":\"UnassignedGroup\"}}\n");
    }
  }

  static constexpr const char* kSigCsv = "\"{\"\"SignatureName\"\":\"\"TLS_Client\"\",\"\"SignatureMatchedContent\"\":\"\"\"\",\"\"SamplePacketContent\"\":\"\"\"\"}\"";
  static constexpr const char* kSslCsv = "\"{\"\"direction\"\":\"\"Out\"\",\"\"server_name\"\":\"\"cdn.example.net\"\",\"\"established\"\":true}\"";
  static constexpr const char* kSigJs = "\"{\\\"SignatureName\\\":\\\"TLS_Client\\\",\\\"SignatureMatchedContent\\\":\\\"\\\",\\\"SamplePacketContent\\\":\\\"\\\"}\"";
  static constexpr const char* kSslJs = "\"{\\\"direction\\\":\\\"Out\\\",\\\"server_name\\\":\\\"cdn.example.net\\\",\\\"established\\\":true}\"";

  const Options& o_;
  const std::vector<Flow>& flows_;
  const std::vector<uint32_t>& beacons_;
  Rng rng_;
  uint64_t reportId_ = 100000;
};


void writeIntel(const Options& o, const std::vector<Flow>& flows, const std::vector<uint32_t>& beacons) {
  IntelCsv ti(o.intel, o.seed);
  auto ipOf = [](const Flow& f) { return std::string_view(f.csvIp).substr(1, f.csvIp.size() - 2); };
  // Half of the public beacon IPs are listed: most active and recent, some deactivated, some too old.
  size_t n = 0;
  for (uint32_t b : beacons) {
    const Flow& f = flows[b];
    if (std::strcmp(f.ipType, "Public") != 0 || (n++ % 2)) continue;
    ti.beacon(ipOf(f));
  }
  // Some ordinary flows' IPs too (a TI hit without a beacon), and unrelated indicators.
  for (size_t i = 0; i < flows.size(); i += 97)
    if (std::strcmp(flows[i].ipType, "Public") == 0) ti.ordinary(ipOf(flows[i]));
  ti.unrelated();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool groupsGiven = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) { std::fprintf(stderr, "vpshunt_gen: %s needs a value\n", a.c_str()); usage(1); }
      return argv[++i];
    };
    auto number = [&](uint64_t& out) {
      const char* v = value();
      if (!parseSize(v, out)) { std::fprintf(stderr, "vpshunt_gen: %s: not a number: %s\n", a.c_str(), v); usage(1); }
    };
    if (a == "--rows") number(o.rows);
    else if (a == "--shape") {
      o.shape = value();
      if (o.shape != "default" && !isShape(o.shape)) { std::fprintf(stderr, "vpshunt_gen: --shape: default, short, full, zeek, results or scan, not %s\n", o.shape.c_str()); usage(1); }
    } else if (a == "--bytes") number(o.bytes);
    else if (a == "--groups") { number(o.groups); groupsGiven = true; }
    else if (a == "--seed") number(o.seed);
    else if (a == "--format") {
      const std::string v = value();
      if (v == "jsonl") o.jsonl = true;
      else if (v != "csv") { std::fprintf(stderr, "vpshunt_gen: --format: csv or jsonl, not %s\n", v.c_str()); usage(1); }
    } else if (a == "--intel") o.intel = value();
    else if (a == "--output" || a == "-o") o.output = value();
    else if (a == "--help" || a == "-h") usage(0);
    else { std::fprintf(stderr, "vpshunt_gen: unknown argument %s\n", a.c_str()); usage(1); }
  }
  if (o.shape != "default") {
    if (!groupsGiven) o.groups = std::strtoull(defaultGroups(o.shape), nullptr, 10);
    if (o.groups == 0) o.groups = 1;
    if (!o.rows && !o.bytes && o.shape != "results" && o.shape != "scan") o.rows = 100000;
    return runShape(o);
  }
  if (o.groups == 0) o.groups = 1;
  if (!o.rows && !o.bytes) o.rows = 100000;
  const std::clock_t c0 = std::clock();

  std::vector<Flow> flows;
  flows.reserve(o.groups);
  std::vector<uint32_t> beacons;
  for (uint64_t i = 0; i < o.groups; ++i) {
    flows.push_back(makeFlow(o.seed, i, o.groups));
    if (isBeaconCandidate(flows.back()) && beacons.size() < std::max<uint64_t>(1, o.groups / 50)) beacons.push_back(static_cast<uint32_t>(i));
  }

  uint64_t rows = o.rows;
  if (!rows) {
    // --bytes: measure the mean row size on a sample, aim a little past the target, stop at the target.
    FILE* nul = NullFile::open();
    uint64_t sampleBytes;
    {
      Out sample(nul);
      Writer w(o, flows, beacons);
      w.run(sample, 20000, 0);
      sampleBytes = sample.written();
    }
    std::fclose(nul);
    rows = static_cast<uint64_t>(static_cast<double>(o.bytes) / (static_cast<double>(sampleBytes) / 20000.0) * 1.02) + 1;
  }

  FILE* fp = stdout;
  if (!o.output.empty() && o.output != "-") {
    fp = std::fopen(o.output.c_str(), "wb");
    if (!fp) { std::perror(o.output.c_str()); return 1; }
  }
  uint64_t written, bytes;
  {
    Out out(fp);
    Writer w(o, flows, beacons);
    written = w.run(out, rows, o.bytes);
    out.flush();
    bytes = out.written();
  }
  if (fp != stdout) std::fclose(fp); else std::fflush(stdout);
  if (!o.intel.empty()) writeIntel(o, flows, beacons);

  const double secs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  std::fprintf(stderr,
               "vpshunt_gen: %llu rows, %llu bytes, %llu groups (%zu beacons), %s, span %s .. %s, %.2f s CPU (%.0f MB/s)\n",
               static_cast<unsigned long long>(written), static_cast<unsigned long long>(bytes),
               static_cast<unsigned long long>(o.groups), beacons.size(), o.jsonl ? "jsonl" : "csv",
               timeText(kStart).c_str(), timeText(kEnd).c_str(), secs, secs > 0 ? bytes / 1e6 / secs : 0.0);
  return 0;
}
