// vpshunt_gen --shape short|full|zeek|results|scan: the benchmark's other export shapes (bench/run.sh, issue 12).
// The default shape (generate.cpp) is a long-row Defender export whose throughput in MB/s hid the per-row
// cost; these are what a hunt also meets:
//
//   short    22 Defender columns, ~250 bytes a row, about 80 % of the rows dropped by the seed's own filters
//            (ActionType, RemoteIPType, the seed's excluded browsers and system processes), rows in random
//            time order. The per-row cost shows here, not the per-byte cost.
//   full     all 45 DeviceNetworkEvents columns as advanced hunting exports them (the Defender schema,
//            without the Log Analytics-only TenantId, TimeGenerated, Type, SourceSystem, MachineGroup and
//            _Billed* columns), ~700 bytes a row, newest first as the portal writes it.
//   zeek     a Zeek conn.log, TSV with its #separator/#fields/#types header and #close footer; local_orig /
//            local_resp set (unset on 5 % of the flows), both directions (outbound, inbound from the
//            internet, internal), a mix of conn_state values (SF, S0, REJ, RSTO, OTH, ...), times ascending;
//            heavy hitters both ways (inbound ones must not count as beacons).
//   scan     --groups distinct internet sources (default 1,200,000) connecting twice each to local
//            services, a Zeek conn.log: a million inbound (and infrastructure) rows.
//   results  result-heavy: --groups devices (default 1,500), each running three agents that call home
//            12 to 15 times in every hour of the span (~108,000 seed rows at the default size), in the short
//            columns, plus background traffic the rule drops. Its size follows from --groups.
//
// Same span as the default shape (kStart .. kEnd), same determinism (the seed and the flags alone), and
// --intel writes a ThreatIntelligenceIndicator CSV naming some of each shape's beacon addresses. Beacons in
// short, full and zeek are flows that pass the seed's filters and fire at their own rate (10 to 32 an
// hour); their number follows the row count, so every size has hour groups on both sides of the threshold.
#include "shapes.hpp"

#include <ctime>
#include <functional>
#include <memory>

namespace gen {
namespace {

// The seed's filters, as the generated values meet them. Kept here, not read from vpshunt: the generator
// does not use the core.
struct Proc {
  const char* file;
  const char* folder;    // lowercase, with the file name, as InitiatingProcessFolderPath is exported
  const char* cmd;       // printf: two %u
  const char* shortCmd;  // the short shape's command line, printf: one %u
  const char* company;
  const char* product;
  const char* version;
  const char* description;
  const char* parent;
  bool excluded;         // on the seed's ExcludedBrowsers / ExcludedSystemProcesses lists (case-insensitive)
  bool system;           // runs as SYSTEM / NETWORK SERVICE
};
const Proc kProcs[] = {
    {"chrome.exe", "c:\\program files\\google\\chrome\\application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=utility --utility-sub-type=network.mojom.NetworkService --mojo-platform-channel-handle=%u /prefetch:%u",
     "chrome.exe --type=utility --channel=%u", "Google LLC", "Google Chrome", "131.0.6778.86", "Google Chrome", "explorer.exe", true, false},
    {"msedge.exe", "c:\\program files (x86)\\microsoft\\edge\\application\\msedge.exe",
     "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --type=renderer --mojo-platform-channel-handle=%u /prefetch:%u",
     "msedge.exe --type=renderer %u", "Microsoft Corporation", "Microsoft Edge", "131.0.2903.70", "Microsoft Edge", "explorer.exe", true, false},
    {"MSEdge.exe", "c:\\program files (x86)\\microsoft\\edge\\application\\msedge.exe",
     "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --profile-directory=\"Profile %u\" --tab=%u",
     "MSEdge.exe --tab=%u", "Microsoft Corporation", "Microsoft Edge", "131.0.2903.70", "Microsoft Edge", "explorer.exe", true, false},
    {"firefox.exe", "c:\\program files\\mozilla firefox\\firefox.exe",
     "\"C:\\Program Files\\Mozilla Firefox\\firefox.exe\" -contentproc -childID %u -isForBrowser %u tab",
     "firefox.exe -childID %u", "Mozilla Corporation", "Firefox", "133.0.0.8", "Firefox", "explorer.exe", true, false},
    {"svchost.exe", "c:\\windows\\system32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache %u%u",
     "svchost.exe -k netsvcs %u", "Microsoft Corporation", "Microsoft Windows Operating System", "10.0.22621.1", "Host Process for Windows Services", "services.exe", true, true},
    {"MsMpEng.exe", "c:\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe", "\"MsMpEng.exe\" %u%u",
     "MsMpEng.exe %u", "Microsoft Corporation", "Microsoft Malware Protection", "4.18.24090.11", "Antimalware Service Executable", "services.exe", true, true},
    {"OneDrive.exe", "c:\\program files\\microsoft onedrive\\onedrive.exe",
     "\"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe\" /background /session:%u /client=%u",
     "OneDrive.exe /background %u", "Microsoft Corporation", "Microsoft OneDrive", "24.220.1027.0001", "Microsoft OneDrive", "explorer.exe", true, false},
    {"Teams.exe", "c:\\users\\public\\appdata\\local\\microsoft\\teams\\current\\teams.exe",
     "\"C:\\Users\\Public\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" --type=renderer --pid=%u --window=%u",
     "Teams.exe --pid=%u", "Microsoft Corporation", "Microsoft Teams", "1.7.00.13456", "Microsoft Teams", "explorer.exe", true, false},
    {"msiexec.exe", "c:\\windows\\system32\\msiexec.exe", "C:\\Windows\\system32\\msiexec.exe /V /session:%u /id:%u",
     "msiexec.exe /V %u", "Microsoft Corporation", "Windows Installer - Unicode", "5.0.22621.2506", "Windows installer", "services.exe", true, true},
    // Not on the seed's lists.
    {"ms-teams.exe", "c:\\program files\\windowsapps\\msteams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe",
     "\"C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe\" msteams:system-initiated --pid=%u --window=%u",
     "ms-teams.exe --pid=%u", "Microsoft Corporation", "Microsoft Teams", "24295.605.3225.8804", "Microsoft Teams", "explorer.exe", false, false},
    {"OUTLOOK.EXE", "c:\\program files\\microsoft office\\root\\office16\\outlook.exe",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle /profile %u /id %u",
     "OUTLOOK.EXE /recycle %u", "Microsoft Corporation", "Microsoft Outlook", "16.0.18129.20158", "Microsoft Outlook", "explorer.exe", false, false},
    {"Zoom.exe", "c:\\users\\public\\appdata\\roaming\\zoom\\bin\\zoom.exe",
     "\"C:\\Users\\Public\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe\" \"--url=zoommtg://zoom.us/join?action=join&confno=8%09u&pwd=%u\"",
     "Zoom.exe --conf=%u", "Zoom Video Communications, Inc.", "Zoom", "6.2.11.50656", "Zoom Meetings", "explorer.exe", false, false},
    {"git-remote-https.exe", "c:\\program files\\git\\mingw64\\libexec\\git-core\\git-remote-https.exe",
     "\"C:\\Program Files\\Git\\mingw64\\libexec\\git-core\\git-remote-https.exe\" origin https://github.com/contoso/repo-%u.git %u",
     "git-remote-https.exe origin %u", "The Git Development Community", "Git", "2.47.1.1", "git-remote-https", "git.exe", false, false},
    {"powershell.exe", "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe",
     "powershell.exe -NoProfile -ExecutionPolicy Bypass -File \"C:\\ProgramData\\Contoso\\inventory-%u.ps1\" -Verbose:%u",
     "powershell.exe -nop -f inv%u.ps1", "Microsoft Corporation", "Microsoft Windows Operating System", "10.0.22621.3085", "Windows PowerShell", "cmd.exe", false, false},
    {"curl.exe", "c:\\windows\\system32\\curl.exe", "curl.exe -s -k https://update.contoso-cdn.net/v%u/check?id=%u",
     "curl -sk https://u%u.example", "curl", "The curl executable", "8.9.1.0", "The curl executable", "cmd.exe", false, false},
    {"updater.exe", "c:\\users\\public\\appdata\\local\\microsoft\\updater.exe",
     "\"C:\\Users\\Public\\AppData\\Local\\Microsoft\\updater.exe\" --svc --id=%u --jitter=%u",
     "updater.exe --svc %u", "", "", "", "", "explorer.exe", false, false},
    {"rundll32.exe", "c:\\windows\\system32\\rundll32.exe",
     "\"C:\\Windows\\System32\\rundll32.exe\" C:\\Users\\Public\\Libraries\\lib%u.dll,DllRegisterServer %u",
     "rundll32.exe lib%u.dll,Start", "Microsoft Corporation", "Microsoft Windows Operating System", "10.0.22621.1", "Windows host process (Rundll32)", "winword.exe", false, false},
    {"AnyDesk.exe", "c:\\program files (x86)\\anydesk\\anydesk.exe", "\"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --service --id %u%u",
     "AnyDesk.exe --service %u", "philandro Software GmbH", "AnyDesk", "8.1.0", "AnyDesk", "services.exe", false, true},
    {"syncagent.exe", "c:\\users\\public\\appdata\\roaming\\syncagent\\syncagent.exe",
     "\"C:\\Users\\Public\\AppData\\Roaming\\SyncAgent\\syncagent.exe\" --profile \"P%u\" --interval=%u",
     "syncagent.exe --interval=%u", "", "", "", "", "explorer.exe", false, false},
};
constexpr size_t kProcCount = sizeof kProcs / sizeof kProcs[0];
constexpr size_t kFirstKept = 9;  // kProcs[0..8] are on the seed's lists
const char* const kUsers[] = {"jdoe", "amartin", "kchen", "rpatel", "lgarcia", "mwilson", "snguyen", "tbrown",
                              "ekowalski", "ohassan", "pmuller", "yito", "bsantos", "cdubois", "gkim", "iward"};
const char* const kUrls[] = {"www.bing.com", "outlook.office365.com", "teams.microsoft.com", "github.com", "", "", "", ""};
const uint32_t kBeaconRates[] = {10, 12, 13, 14, 16, 20, 24, 32};  // connections an hour

// ActionType of a row that is not a beacon's, by percent: 62 % are the seed's two kinds.
struct Action { const char* name; unsigned upTo; bool inspected; };
const Action kActions[] = {
    {"ConnectionSuccess", 58, false},        {"NetworkSignatureInspected", 62, true}, {"SslConnectionInspected", 65, true},
    {"HttpConnectionInspected", 68, true},   {"ConnectionFailed", 80, false},         {"ConnectionAttempt", 88, false},
    {"InboundConnectionAccepted", 94, false}, {"ListeningConnectionCreated", 97, false}, {"ConnectionRequest", 100, false},
};
const Action& pickAction(Rng& r) {
  const uint64_t a = r.below(100);
  for (const Action& x : kActions)
    if (a < x.upTo) return x;
  return kActions[0];
}

std::string guid(Rng& r) {
  const std::string h = hex(r.next(), r.next(), 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

// The text between a row's variable fields, rendered once per flow. A row is:
//   Timestamp head ActionType ip RemotePort mid LocalPort tail RemoteIPType proc ReportId gap AdditionalFields end
struct DefenderFlow {
  std::string head, ip, mid, tail, proc, gap, end;
  std::string ipText;
  const char* ipType;  // Public / Private / Loopback
  uint16_t port[2];
  bool twoPorts;
  bool passes;  // Public and not excluded: the seed rule keeps its ConnectionSuccess rows
};

enum class Columns { Short, Full };

const char* const kShortHeader =
    "Timestamp,DeviceId,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,LocalIP,LocalPort,Protocol,LocalIPType,"
    "RemoteIPType,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessAccountDomain,"
    "InitiatingProcessAccountName,InitiatingProcessId,InitiatingProcessParentFileName,InitiatingProcessIntegrityLevel,"
    "InitiatingProcessSessionId,ReportId,AdditionalFields\n";
// The DeviceNetworkEvents columns in the order of the Defender advanced-hunting reference.
const char* const kFullHeader =
    "Timestamp,DeviceId,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,LocalIP,LocalPort,Protocol,LocalIPType,"
    "RemoteIPType,InitiatingProcessSHA1,InitiatingProcessSHA256,InitiatingProcessMD5,InitiatingProcessFileName,"
    "InitiatingProcessFileSize,InitiatingProcessVersionInfoCompanyName,InitiatingProcessVersionInfoProductName,"
    "InitiatingProcessVersionInfoProductVersion,InitiatingProcessVersionInfoInternalFileName,"
    "InitiatingProcessVersionInfoOriginalFileName,InitiatingProcessVersionInfoFileDescription,InitiatingProcessId,"
    "InitiatingProcessCommandLine,InitiatingProcessCreationTime,InitiatingProcessFolderPath,"
    "InitiatingProcessParentFileName,InitiatingProcessParentId,InitiatingProcessParentCreationTime,"
    "InitiatingProcessAccountDomain,InitiatingProcessAccountName,InitiatingProcessAccountSid,"
    "InitiatingProcessAccountUpn,InitiatingProcessAccountObjectId,InitiatingProcessIntegrityLevel,"
    "InitiatingProcessTokenElevation,ReportId,AppGuardContainerId,AdditionalFields,InitiatingProcessSessionId,"
    "IsInitiatingProcessRemoteSession,InitiatingProcessRemoteSessionDeviceName,InitiatingProcessRemoteSessionIP,"
    "InitiatingProcessUniqueId\n";

// A flow's device, process and destination. `procIndex` < 0 picks one: 55 % of the flows run a process on the
// seed's lists. Destinations: 30 % private, 8 % loopback, the rest public (3 % of all IPv6) from a pool of
// about groups/3 addresses.
DefenderFlow makeDefenderFlow(Columns cols, uint64_t seed, uint64_t index, uint64_t groups) {
  Rng r(splitmix(seed * 0x100000001B3ull ^ (index + 1) ^ 0x5A5Aull << 40));
  const uint64_t devices = std::max<uint64_t>(20, groups / 25);
  const uint64_t dev = r.below(devices);
  Rng dr(splitmix(seed ^ (dev * 0x9E37ull + 11)));
  char name[48];
  if (cols == Columns::Short) std::snprintf(name, sizeof name, "ws-%05llu", static_cast<unsigned long long>(dev));
  else std::snprintf(name, sizeof name, "ws-%05llu.contoso.com", static_cast<unsigned long long>(dev));
  const std::string deviceId = hex(dr.next(), dr.next(), 40);
  char localIp[20];
  std::snprintf(localIp, sizeof localIp, "10.%u.%u.%u", 16 + static_cast<unsigned>(dev >> 16) % 200,
                static_cast<unsigned>(dev >> 8) & 255, 1 + static_cast<unsigned>(dev & 255) % 254);
  const char* user = dr.pick(kUsers);
  const std::string userSid = "S-1-5-21-1004336348-1177238915-682003330-" + std::to_string(1100 + dev % 5000);
  const std::string userObjectId = guid(dr);

  const Proc& pr = r.chance(55) ? kProcs[r.below(kFirstKept)] : kProcs[kFirstKept + r.below(kProcCount - kFirstKept)];
  char cmd[512];
  // The full shape: browsers' and system processes' short command lines half the time (renderer and service
  // children), everything else's long ones.
  if (cols == Columns::Short || (pr.excluded && r.chance(50))) std::snprintf(cmd, sizeof cmd, pr.shortCmd, static_cast<unsigned>(r.below(100000)));
  else std::snprintf(cmd, sizeof cmd, pr.cmd, static_cast<unsigned>(r.below(100000)), static_cast<unsigned>(r.below(1000000)));
  const char* domain = pr.system ? "nt authority" : "contoso";
  const char* account = pr.system ? (r.chance(50) ? "system" : "network service") : user;
  const unsigned pid = 1000 + 4 * static_cast<unsigned>(r.below(9000));

  DefenderFlow f;
  char ip[48];
  const uint64_t d = r.below(100);
  const char* url = "";
  if (d < 30) { f.ipType = "Private"; std::snprintf(ip, sizeof ip, "10.0.%u.%u", static_cast<unsigned>(r.below(64)), 2 + static_cast<unsigned>(r.below(250))); }
  else if (d < 38) { f.ipType = "Loopback"; std::snprintf(ip, sizeof ip, "127.0.0.1"); }
  else {
    f.ipType = "Public";
    const uint64_t pool = std::max<uint64_t>(50, groups / 3);
    Rng ir(splitmix(seed ^ (0xABCDull << 32) ^ r.below(pool)));
    if (d < 41) {
      std::snprintf(ip, sizeof ip, "2a03:b0c0:%x:%x::%x", 1 + static_cast<unsigned>(ir.below(15)), 1 + static_cast<unsigned>(ir.below(255)),
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
  f.passes = !pr.excluded && std::strcmp(f.ipType, "Public") == 0;
  f.ipText = ip;

  f.head = "," + deviceId + "," + name + ",";
  f.ip = std::string(",") + ip + ",";
  f.mid = "," + csv(url) + "," + localIp + ",";
  f.tail = ",Tcp,Private,";
  const char* integrity = pr.system ? "System" : "Medium";
  if (cols == Columns::Short) {
    f.proc = "," + csv(pr.file) + "," + csv(cmd) + "," + domain + "," + account + "," + std::to_string(pid) + "," +
             pr.parent + "," + integrity + "," + (pr.system ? "0" : "1") + ",";
    f.gap = ",";
    f.end.clear();
  } else {
    const uint64_t ph = splitmix(std::hash<std::string_view>{}(pr.file));
    const Ticks created = kStart - static_cast<Ticks>(r.below(30 * kDay));
    const Ticks parentCreated = created - static_cast<Ticks>(r.below(kDay));
    const std::string upn = pr.system ? std::string() : std::string(user) + "@contoso.com";
    f.proc = "," + hex(ph, 1, 40) + "," + hex(ph, 2, 64) + "," + hex(ph, 3, 32) + "," + csv(pr.file) + "," +
             std::to_string(40000 + ph % 4000000) + "," + csv(pr.company) + "," + csv(pr.product) + "," + pr.version + "," +
             csv(pr.file) + "," + csv(pr.file) + "," + csv(pr.description) + "," + std::to_string(pid) + "," + csv(cmd) + "," +
             timeText(created) + "," + csv(pr.folder) + "," + pr.parent + "," + std::to_string(500 + 4 * r.below(2000)) + "," +
             timeText(parentCreated) + "," + domain + "," + account + "," + (pr.system ? std::string("S-1-5-18") : userSid) + "," +
             upn + "," + (pr.system ? std::string() : userObjectId) + "," + integrity + "," +
             (pr.system ? "TokenElevationTypeDefault" : r.chance(80) ? "TokenElevationTypeLimited" : "TokenElevationTypeFull") + ",";
    f.gap = ",,";  // AppGuardContainerId is empty
    f.end = std::string(",") + (pr.system ? "0" : "1") + ",false,,," + std::to_string(ph % 100000000000ull + 8000000000000000ull + index);
  }
  return f;
}

// AdditionalFields of the Inspected kinds (CSV-quoted JSON, as Defender exports it).
const char* const kSigCsv = "\"{\"\"SignatureName\"\":\"\"TLS_Client\"\",\"\"SignatureMatchedContent\"\":\"\"\"\",\"\"SamplePacketContent\"\":\"\"\"\"}\"";
const char* const kSslCsv = "\"{\"\"direction\"\":\"\"Out\"\",\"\"server_name\"\":\"\"cdn.example.net\"\",\"\"established\"\":true}\"";

// Beacons: `count` of the flows that pass the filters, each with a rate from kBeaconRates. `slots` holds
// each beacon's index once per connection an hour, so a uniform pick from it picks beacons by rate.
struct Beacons {
  std::vector<uint32_t> flows, slots;
  uint64_t ratePerHour = 0;  // sum of the rates
};
template <class Flow>
Beacons pickBeacons(const std::vector<Flow>& flows, uint64_t count, uint64_t seed) {
  Beacons b;
  Rng r(splitmix(seed ^ 0xBEAC04ull));
  for (uint32_t i = 0; i < flows.size() && b.flows.size() < count; ++i) {
    if (!flows[i].passes) continue;
    const uint32_t rate = r.pick(kBeaconRates);
    for (uint32_t k = 0; k < rate; ++k) b.slots.push_back(static_cast<uint32_t>(b.flows.size()));
    b.flows.push_back(i);
    b.ratePerHour += rate;
  }
  return b;
}
// How many beacons `rows` rows can feed at about 18 connections an hour each, when `sharePercent` of the
// rows go to beacons over the 25 h span.
uint64_t beaconCount(uint64_t rows, unsigned sharePercent) {
  return std::max<uint64_t>(1, rows * sharePercent / 100 / (25 * 18));
}

class Shape {
 public:
  virtual ~Shape() = default;
  virtual void begin(Out&) = 0;
  // Writes `rows` rows (stops early once `maxBytes` is reached, when non-zero); returns the rows written.
  virtual uint64_t run(Out& out, uint64_t rows, uint64_t maxBytes) = 0;
  virtual void end(Out&) {}
  virtual void intel(IntelCsv&) const = 0;
  virtual std::string describe() const = 0;
};

// short and full: flows as in the default shape; 5 % of the rows go to beacons.
class DefenderShape final : public Shape {
 public:
  static constexpr unsigned kBeaconShare = 5;
  DefenderShape(Columns cols, const Options& o, uint64_t plannedRows) : cols_(cols), rng_(splitmix(o.seed ^ 0x5EED5EEDull ^ static_cast<uint64_t>(cols))) {
    flows_.reserve(o.groups);
    for (uint64_t i = 0; i < o.groups; ++i) flows_.push_back(makeDefenderFlow(cols, o.seed, i, o.groups));
    beacons_ = pickBeacons(flows_, beaconCount(plannedRows, kBeaconShare), o.seed);
  }
  void begin(Out& out) override { out.put(cols_ == Columns::Short ? kShortHeader : kFullHeader); }
  uint64_t run(Out& out, uint64_t rows, uint64_t maxBytes) override {
    const Ticks span = kEnd - kStart - kSec;
    const double step = static_cast<double>(span) / static_cast<double>(rows ? rows : 1);
    uint64_t k = 0;
    for (; k < rows; ++k) {
      Ticks t;
      if (cols_ == Columns::Short) t = kStart + static_cast<Ticks>(rng_.below(static_cast<uint64_t>(span)));  // random order
      else t = kEnd - kSec - static_cast<Ticks>(step * static_cast<double>(k)) - static_cast<Ticks>(rng_.below(static_cast<uint64_t>(step) + 1));  // newest first
      const bool beacon = !beacons_.flows.empty() && rng_.below(100) < kBeaconShare;
      const DefenderFlow& f = beacon ? flows_[beacons_.flows[beacons_.slots[rng_.below(beacons_.slots.size())]]] : flows_[rng_.below(flows_.size())];
      row(out, f, t, beacon);
      if (maxBytes && (k & 255) == 0 && out.written() >= maxBytes) { ++k; break; }
    }
    return k;
  }
  void intel(IntelCsv& ti) const override {
    for (size_t i = 0; i < beacons_.flows.size(); i += 2) ti.beacon(flows_[beacons_.flows[i]].ipText);
    for (size_t i = 0; i < flows_.size(); i += 97)
      if (std::strcmp(flows_[i].ipType, "Public") == 0) ti.ordinary(flows_[i].ipText);
    ti.unrelated();
  }
  std::string describe() const override {
    return std::to_string(flows_.size()) + " groups (" + std::to_string(beacons_.flows.size()) + " beacons, " +
           std::to_string(beacons_.ratePerHour) + " connections an hour)";
  }

 private:
  void row(Out& out, const DefenderFlow& f, Ticks t, bool beacon) {
    char ts[28];
    formatTime(t, ts);
    const Action& a = beacon ? kActions[rng_.chance(95) ? 0 : 4] : pickAction(rng_);
    const uint16_t port = f.twoPorts && (rng_.next() & 1) ? f.port[1] : f.port[0];
    const uint64_t localPort = 49152 + rng_.below(16383);
    reportId_ += 1 + rng_.below(8);
    // Defender leaves RemoteIPType empty on most inspection rows.
    const char* ipType = a.inspected && (a.name[0] != 'N' || rng_.chance(50)) ? "" : f.ipType;
    out.put(std::string_view(ts, 28));
    out.put(f.head);
    out.put(a.name);
    out.put(f.ip);
    out.num(port);
    out.put(f.mid);
    out.num(localPort);
    out.put(f.tail);
    out.put(ipType);
    out.put(f.proc);
    out.num(reportId_);
    out.put(f.gap);
    if (a.inspected) out.put(a.name[0] == 'N' ? kSigCsv : kSslCsv);
    out.put(f.end);
    out.put('\n');
  }

  Columns cols_;
  Rng rng_;
  std::vector<DefenderFlow> flows_;
  Beacons beacons_;
  uint64_t reportId_ = 100000;
};

// ---------------------------------------------------------------------------------------------------------
// results: devices x 3 agents, every agent in every hour.
struct Agent {
  const char* file;
  const char* folder;
  const char* cmd;
  unsigned perHour;  // calls in every hour, at evenly spaced slots (each call jittered inside its slot)
  uint16_t port[2];
  const char* ipBase;  // the vendor's addresses: ipBase.N, N from the device
};
const Agent kAgents[] = {
    {"CtsMonAgent.exe", "c:\\program files\\contoso\\monitor\\ctsmonagent.exe", "CtsMonAgent.exe --service", 12, {443, 443}, "52.168.112."},
    {"BackupSvc.exe", "c:\\program files\\fabrikam backup\\backupsvc.exe", "BackupSvc.exe -s -q", 12, {443, 443}, "13.107.246."},
    {"rmm-agent.exe", "c:\\program files\\tailspin rmm\\rmm-agent.exe", "rmm-agent.exe run --tunnel", 15, {443, 8443}, "45.77.143."},
};
constexpr size_t kAgentCount = sizeof kAgents / sizeof kAgents[0];

class ResultsShape final : public Shape {
 public:
  // One background row (a browser, a system process, or private traffic: dropped by the rule) for every
  // kNoiseEvery agent rows.
  static constexpr unsigned kNoiseEvery = 10;
  explicit ResultsShape(const Options& o) : devices_(o.groups), seed_(o.seed), rng_(splitmix(o.seed ^ 0x7E5017ull)) {
    // Enough background flows that none reaches the threshold (about 2 rows an hour each).
    for (uint64_t i = 0; i < std::max<uint64_t>(64, devices_ * 2); ++i) noise_.push_back(makeDefenderFlow(Columns::Short, o.seed, i, devices_ * 25));
    noise_.erase(std::remove_if(noise_.begin(), noise_.end(), [](const DefenderFlow& f) { return f.passes; }), noise_.end());
    for (uint64_t d = 0; d < devices_; ++d) {
      Rng dr(splitmix(o.seed ^ (d * 0x9E37ull + 11)));
      const std::string deviceId = hex(dr.next(), dr.next(), 40);
      char name[32], localIp[20];
      std::snprintf(name, sizeof name, "ws-%05llu", static_cast<unsigned long long>(d));
      std::snprintf(localIp, sizeof localIp, "10.%u.%u.%u", 16 + static_cast<unsigned>(d >> 16) % 200,
                    static_cast<unsigned>(d >> 8) & 255, 1 + static_cast<unsigned>(d & 255) % 254);
      for (size_t a = 0; a < kAgentCount; ++a) {
        const Agent& ag = kAgents[a];
        AgentFlow f;
        f.agent = static_cast<uint8_t>(a);
        f.ip = std::string(ag.ipBase) + std::to_string(10 + (d * 7 + a * 3) % 40);
        f.head = "," + deviceId + "," + name + ",ConnectionSuccess," + f.ip + ",";
        f.mid = ",," + std::string(localIp) + ",";
        f.proc = std::string(",Tcp,Private,Public,") + ag.file + "," + csv(ag.cmd) + ",nt authority,system," +
                 std::to_string(1000 + 4 * dr.below(9000)) + ",services.exe,System,0,";
        f.phase = dr.below(1000);  // thousandths of the slot: where in each slot this agent calls
        agents_.push_back(std::move(f));
      }
    }
  }
  void begin(Out& out) override { out.put(kShortHeader); }
  // Slots of the lcm of the agents' periods: 1 minute. Every agent calls once in each of its own slots.
  uint64_t run(Out& out, uint64_t rows, uint64_t maxBytes) override {
    uint64_t k = 0, agentRows = 0;
    for (Ticks minute = kStart; minute < kEnd && k < rows; minute += 60 * kSec) {
      const int64_t m = (minute - kStart) / (60 * kSec);
      for (const AgentFlow& f : agents_) {
        const Agent& ag = kAgents[f.agent];
        const int64_t slotMinutes = 60 / ag.perHour;
        if (m % slotMinutes != static_cast<int64_t>(f.phase % slotMinutes)) continue;
        // Inside its slot's minute, at the agent's phase, jittered by up to 10 s (the minute never changes).
        const Ticks t = minute + static_cast<Ticks>(f.phase * 45 * kSec / 1000) + static_cast<Ticks>(rng_.below(10 * kSec)) + 1;
        agentRow(out, f, t);
        ++k;
        if (++agentRows % kNoiseEvery == 0 && !noise_.empty()) {
          noiseRow(out, noise_[rng_.below(noise_.size())], t);
          ++k;
        }
        if (k >= rows || (maxBytes && out.written() >= maxBytes)) return k;
      }
    }
    return k;
  }
  void intel(IntelCsv& ti) const override {
    // Two of each agent vendor's 40 addresses are listed.
    for (const Agent& ag : kAgents)
      for (unsigned n : {10u, 31u}) ti.beacon(std::string(ag.ipBase) + std::to_string(n));
    ti.unrelated();
  }
  std::string describe() const override {
    return std::to_string(devices_) + " devices x " + std::to_string(kAgentCount) + " agents (" +
           std::to_string(agents_.size()) + " beacons calling 12-15 times in every hour)";
  }
  // Rows of the whole span.
  uint64_t totalRows() const {
    uint64_t perHour = 0;
    for (const Agent& ag : kAgents) perHour += ag.perHour;
    const uint64_t agentRows = devices_ * perHour * 25;
    return agentRows + (noise_.empty() ? 0 : agentRows / kNoiseEvery);
  }

 private:
  struct AgentFlow {
    std::string ip, head, mid, proc;
    uint64_t phase;
    uint8_t agent;
  };
  void agentRow(Out& out, const AgentFlow& f, Ticks t) {
    char ts[28];
    formatTime(t, ts);
    const Agent& ag = kAgents[f.agent];
    out.put(std::string_view(ts, 28));
    out.put(f.head);
    out.num(ag.port[rng_.next() & 1]);
    out.put(f.mid);
    out.num(49152 + rng_.below(16383));
    out.put(f.proc);
    reportId_ += 1 + rng_.below(8);
    out.num(reportId_);
    out.put(",\n");
  }
  void noiseRow(Out& out, const DefenderFlow& f, Ticks t) {
    char ts[28];
    formatTime(t, ts);
    out.put(std::string_view(ts, 28));
    out.put(f.head);
    out.put("ConnectionSuccess");
    out.put(f.ip);
    out.num(f.port[0]);
    out.put(f.mid);
    out.num(49152 + rng_.below(16383));
    out.put(f.tail);
    out.put(f.ipType);
    out.put(f.proc);
    reportId_ += 1 + rng_.below(8);
    out.num(reportId_);
    out.put(",\n");
  }

  uint64_t devices_, seed_;
  Rng rng_;
  std::vector<AgentFlow> agents_;
  std::vector<DefenderFlow> noise_;
  uint64_t reportId_ = 100000;
};

// ---------------------------------------------------------------------------------------------------------
// zeek: conn.log TSV.
struct ZeekFlow {
  std::string origH, respH;  // as written
  std::string ipText;        // the remote side (TI)
  uint16_t respP;
  const char* service;
  const char* localOrig;  // T, F or -
  const char* localResp;
  bool inbound;  // the remote side originates
  bool passes;   // the remote side is public: its established rows count
};

ZeekFlow makeZeekFlow(uint64_t seed, uint64_t index, uint64_t groups) {
  Rng r(splitmix(seed * 0x100000001B3ull ^ (index + 1) ^ 0x2E2Eull << 40));
  const uint64_t hosts = std::max<uint64_t>(20, groups / 25);
  const uint64_t h = r.below(hosts);
  char local[20];
  std::snprintf(local, sizeof local, "10.%u.%u.%u", 20 + static_cast<unsigned>(h >> 16) % 200, static_cast<unsigned>(h >> 8) & 255,
                1 + static_cast<unsigned>(h & 255) % 254);
  char remote[48];
  const uint64_t pool = std::max<uint64_t>(50, groups / 3);
  Rng ir(splitmix(seed ^ (0xABCDull << 32) ^ r.below(pool)));
  auto publicV4 = [&] {
    unsigned a;
    do a = 1 + static_cast<unsigned>(ir.below(222)); while (a == 10 || a == 127 || a == 100 || a == 169 || a == 172 || a == 192);
    std::snprintf(remote, sizeof remote, "%u.%u.%u.%u", a, static_cast<unsigned>(ir.below(256)), static_cast<unsigned>(ir.below(256)),
                  1 + static_cast<unsigned>(ir.below(254)));
  };
  static const uint16_t kOutPorts[] = {443, 443, 443, 443, 80, 53, 8080, 8443, 22, 123};
  static const uint16_t kInPorts[] = {443, 22, 3389, 80, 445, 25};
  ZeekFlow f;
  const uint64_t kind = r.below(100);
  if (kind < 55) {  // outbound to the internet (3 % of all IPv6)
    if (kind < 3) std::snprintf(remote, sizeof remote, "2a03:b0c0:%x:%x::%x", 1 + static_cast<unsigned>(ir.below(15)), 1 + static_cast<unsigned>(ir.below(255)), static_cast<unsigned>(1 + ir.below(0xfffe)));
    else publicV4();
    f.origH = local; f.respH = remote; f.localOrig = "T"; f.localResp = "F"; f.inbound = false;
    f.respP = r.pick(kOutPorts);
  } else if (kind < 75) {  // internal
    std::snprintf(remote, sizeof remote, "10.0.%u.%u", static_cast<unsigned>(r.below(64)), 2 + static_cast<unsigned>(r.below(250)));
    f.origH = local; f.respH = remote; f.localOrig = "T"; f.localResp = "T"; f.inbound = false;
    f.respP = r.pick(kOutPorts);
  } else if (kind < 95) {  // inbound from the internet to a local service
    publicV4();
    f.origH = remote; f.respH = local; f.localOrig = "F"; f.localResp = "T"; f.inbound = true;
    f.respP = r.pick(kInPorts);
  } else {  // a sensor without Site::local_nets: direction from the addresses
    publicV4();
    f.origH = local; f.respH = remote; f.localOrig = "-"; f.localResp = "-"; f.inbound = false;
    f.respP = r.pick(kOutPorts);
  }
  f.ipText = remote;
  f.passes = true;  // every remote side above is public but the internal ones
  if (kind >= 55 && kind < 75) f.passes = false;
  f.service = f.respP == 443 || f.respP == 8443 ? "ssl" : f.respP == 80 || f.respP == 8080 ? "http" : f.respP == 53 ? "dns" : f.respP == 22 ? "ssh" : "-";
  return f;
}

// A conn.log ts: epoch seconds with 6 decimals.
void putZeekTime(Out& out, Ticks t) {
  const uint64_t us = static_cast<uint64_t>(t / 10);
  out.num(us / 1000000);
  out.put('.');
  char frac[7];
  uint64_t v = us % 1000000;
  for (int i = 5; i >= 0; --i) { frac[i] = static_cast<char>('0' + v % 10); v /= 10; }
  out.put(std::string_view(frac, 6));
}

// conn_state by percent, with the history Zeek would write and whether the responder sent packets.
struct ZeekState { const char* state; const char* history; unsigned upTo; bool established; bool answered; };
const ZeekState kStates[] = {
    {"SF", "ShADadFf", 66, true, true},  {"S0", "S", 76, false, false},        {"REJ", "Sr", 81, false, true},
    {"RSTO", "ShADadR", 85, true, true}, {"RSTR", "ShADadr", 88, true, true},  {"S1", "ShAD", 90, true, true},
    {"SH", "SF", 92, false, false},      {"OTH", "Dd", 95, false, true},       {"OTH", "D", 97, false, false},
    {"S3", "ShADadFR", 98, true, true},  {"RSTOS0", "SR", 100, false, false},
};

class ZeekShape final : public Shape {
 public:
  static constexpr unsigned kBeaconShare = 5;
  ZeekShape(const Options& o, uint64_t plannedRows) : rng_(splitmix(o.seed ^ 0x2EE4ull)) {
    for (uint64_t i = 0; i < o.groups; ++i) flows_.push_back(makeZeekFlow(o.seed, i, o.groups));
    // Heavy hitters both ways: outbound beacons, and (about a quarter of them) internet hosts hitting a
    // local service as often, which the seed rule must not count (an inbound connection is no beacon).
    beacons_ = pickBeacons(flows_, beaconCount(plannedRows, kBeaconShare), o.seed);
  }
  void begin(Out& out) override {
    out.put("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t");
    out.put(zeekDate(kStart));
    out.put("\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\t"
            "conn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
            "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\t"
            "count\tcount\tcount\tcount\tset[string]\n");
  }
  void end(Out& out) override {
    out.put("#close\t");
    out.put(zeekDate(kEnd));
    out.put('\n');
  }
  uint64_t run(Out& out, uint64_t rows, uint64_t maxBytes) override {
    const Ticks span = kEnd - kStart - kSec;
    const double step = static_cast<double>(span) / static_cast<double>(rows ? rows : 1);
    uint64_t k = 0;
    for (; k < rows; ++k) {
      const Ticks t = kStart + static_cast<Ticks>(step * static_cast<double>(k)) + static_cast<Ticks>(rng_.below(static_cast<uint64_t>(step) + 1));
      const bool beacon = !beacons_.flows.empty() && rng_.below(100) < kBeaconShare;
      const ZeekFlow& f = beacon ? flows_[beacons_.flows[beacons_.slots[rng_.below(beacons_.slots.size())]]] : flows_[rng_.below(flows_.size())];
      row(out, f, t, beacon);
      if (maxBytes && (k & 255) == 0 && out.written() >= maxBytes) { ++k; break; }
    }
    return k;
  }
  void intel(IntelCsv& ti) const override {
    for (size_t i = 0; i < beacons_.flows.size(); i += 2) ti.beacon(flows_[beacons_.flows[i]].ipText);
    for (size_t i = 0; i < flows_.size(); i += 97)
      if (flows_[i].passes) ti.ordinary(flows_[i].ipText);
    ti.unrelated();
  }
  std::string describe() const override {
    return std::to_string(flows_.size()) + " flows (" + std::to_string(beacons_.flows.size()) + " beacons, " +
           std::to_string(beacons_.ratePerHour) + " connections an hour)";
  }

 private:
  static std::string zeekDate(Ticks t) {  // 2026-11-23-13-00-00
    std::string s = timeText(t).substr(0, 19);
    for (char& c : s)
      if (c == 'T' || c == ':') c = '-';
    return s;
  }
  void row(Out& out, const ZeekFlow& f, Ticks t, bool beacon) {
    const uint64_t p = rng_.below(100);
    const ZeekState* s = &kStates[0];
    if (!beacon)
      for (const ZeekState& x : kStates)
        if (p < x.upTo) { s = &x; break; }
    putZeekTime(out, t);
    out.put('\t');
    char uid[18];
    static const char* kB62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uid[0] = 'C';
    uint64_t w = rng_.next();
    for (int i = 1; i < 18; ++i) { uid[i] = kB62[w % 62]; w /= 62; if (i == 10) w = rng_.next(); }
    out.put(std::string_view(uid, 18));
    out.put('\t');
    out.put(f.origH);
    out.put('\t');
    out.num(f.inbound ? 1024 + rng_.below(64000) : 49152 + rng_.below(16383));
    out.put('\t');
    out.put(f.respH);
    out.put('\t');
    out.num(f.respP);
    out.put(f.respP == 53 || f.respP == 123 ? "\tudp\t" : "\ttcp\t");
    out.put(f.service);
    out.put('\t');
    if (s->established || s->answered) {
      const uint64_t origBytes = s->established ? 200 + rng_.below(4000) : 0, respBytes = s->established ? 500 + rng_.below(60000) : 0;
      const uint64_t origPkts = 2 + rng_.below(20), respPkts = s->answered ? 1 + rng_.below(40) : 0;
      const uint64_t ms = rng_.below(120000);
      out.num(ms / 1000); out.put('.');
      char d[6]; uint64_t x = ms % 1000 * 1000 + rng_.below(1000);
      for (int i = 5; i >= 0; --i) { d[i] = static_cast<char>('0' + x % 10); x /= 10; }
      out.put(std::string_view(d, 6));
      out.put('\t'); out.num(origBytes); out.put('\t'); out.num(respBytes); out.put('\t');
      out.put(s->state); out.put('\t'); out.put(f.localOrig); out.put('\t'); out.put(f.localResp); out.put("\t0\t");
      out.put(s->history); out.put('\t'); out.num(origPkts); out.put('\t'); out.num(origPkts * 40 + origBytes); out.put('\t');
      out.num(respPkts); out.put('\t'); out.num(respPkts * 40 + respBytes); out.put("\t-\n");
    } else {
      out.put("-\t-\t-\t");
      out.put(s->state); out.put('\t'); out.put(f.localOrig); out.put('\t'); out.put(f.localResp); out.put("\t0\t");
      out.put(s->history); out.put("\t1\t60\t0\t0\t-\n");
    }
  }

  Rng rng_;
  std::vector<ZeekFlow> flows_;
  Beacons beacons_;
};

// ---------------------------------------------------------------------------------------------------------
// scan: the internet knocking on a perimeter. --groups distinct public sources (default 1,200,000), each
// connecting exactly twice, half a span apart, to one of 200 local hosts on a remote-access or web port,
// most refused or unanswered; a Zeek conn.log (local_orig F, local_resp T). Every source is an inbound row
// (and, in its own /24, an infrastructure row): the result-heavy shape of the page's million-row target.
class ScanShape final : public Shape {
 public:
  explicit ScanShape(const Options& o) : zeek_(headerOnly(o), 0), sources_(o.groups), rng_(splitmix(o.seed ^ 0x5CA7ull)) {
    // Row k goes to source perm(k mod N) = (k * a + b) mod N with a coprime to N: every source exactly
    // twice, in an order that looks random.
    a_ = 2654435761ull % sources_;
    if (a_ == 0) a_ = 1;
    while (gcd(a_, sources_) != 1) ++a_;
    b_ = splitmix(o.seed) % sources_;
  }
  uint64_t totalRows() const { return 2 * sources_; }
  void begin(Out& out) override { zeek_.begin(out); }
  void end(Out& out) override { zeek_.end(out); }
  uint64_t run(Out& out, uint64_t rows, uint64_t maxBytes) override {
    const Ticks span = kEnd - kStart - kSec;
    static const uint16_t kPorts[] = {22, 22, 3389, 3389, 445, 23, 80, 443, 8080, 5900};
    uint64_t k = 0;
    for (; k < rows; ++k) {
      const Ticks t = kStart + static_cast<Ticks>(static_cast<double>(span) * static_cast<double>(k) / static_cast<double>(rows));
      const uint64_t src = (k % sources_ * a_ + b_) % sources_;
      char remote[20];
      address(src, remote);
      char local[20];
      const unsigned h = static_cast<unsigned>(splitmix(src ^ 0x10CAull) % 200);
      std::snprintf(local, sizeof local, "10.30.%u.%u", h / 100, 10 + h % 100);
      const uint16_t port = kPorts[splitmix(src ^ 0x9077ull) % 10];
      putZeekTime(out, t);
      out.put("\tC");
      out.num(k);
      out.put('\t');
      out.put(remote);
      out.put('\t');
      out.num(1024 + rng_.below(64000));
      out.put('\t');
      out.put(local);
      out.put('\t');
      out.num(port);
      const uint64_t p = rng_.below(100);
      if (p < 60) out.put("\ttcp\t-\t-\t-\t-\tREJ\tF\tT\t0\tSr\t1\t44\t1\t40\t-\n");
      else if (p < 90) out.put("\ttcp\t-\t-\t-\t-\tS0\tF\tT\t0\tS\t1\t44\t0\t0\t-\n");
      else out.put("\ttcp\t-\t0.2\t120\t320\tSF\tF\tT\t0\tShADadFf\t6\t440\t5\t520\t-\n");
      if (maxBytes && (k & 255) == 0 && out.written() >= maxBytes) { ++k; break; }
    }
    return k;
  }
  void intel(IntelCsv& ti) const override {
    char remote[20];
    for (uint64_t i = 0; i < sources_; i += 997) {
      address(i, remote);
      ti.beacon(remote);
    }
    ti.unrelated();
  }
  std::string describe() const override { return std::to_string(sources_) + " sources, each connecting twice"; }

 private:
  static Options headerOnly(Options o) {
    o.groups = 1;
    return o;
  }
  static uint64_t gcd(uint64_t x, uint64_t y) {
    while (y) { const uint64_t r = x % y; x = y; y = r; }
    return x;
  }
  // Source i's address: one of 63 public /8s (11 to 73) and, within it, a bijective mix of i over the
  // /8's host addresses (.1 to .254 of each /24): distinct for every i below a billion.
  static void address(uint64_t i, char* out) {
    static const unsigned kEights[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                                       32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,
                                       53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73};
    constexpr uint64_t n = sizeof kEights / sizeof kEights[0];
    const unsigned first = kEights[i % n];
    constexpr uint64_t m = 256 * 256 * 254;  // the last octet 1..254; 0x9E3779B1 is coprime to m
    const uint64_t x = (i / n * 0x9E3779B1ull + 0x5A5A5Aull) % m;
    std::snprintf(out, 20, "%u.%u.%u.%u", first, static_cast<unsigned>(x / (256 * 254)), static_cast<unsigned>(x / 254 % 256),
                  static_cast<unsigned>(1 + x % 254));
  }
  ZeekShape zeek_;  // its header and footer
  uint64_t sources_, a_ = 1, b_ = 0;
  Rng rng_;
};

std::unique_ptr<Shape> makeShape(const Options& o, uint64_t plannedRows) {
  if (o.shape == "scan") return std::make_unique<ScanShape>(o);
  if (o.shape == "short") return std::make_unique<DefenderShape>(Columns::Short, o, plannedRows);
  if (o.shape == "full") return std::make_unique<DefenderShape>(Columns::Full, o, plannedRows);
  if (o.shape == "zeek") return std::make_unique<ZeekShape>(o, plannedRows);
  return std::make_unique<ResultsShape>(o);
}

}  // namespace

bool isShape(const std::string& name) {
  return name == "short" || name == "full" || name == "zeek" || name == "results" || name == "scan";
}

const char* defaultGroups(const std::string& shape) {
  return shape == "results" ? "1500" : shape == "scan" ? "1200000" : "20000";
}

int runShape(const Options& o) {
  if (o.jsonl) {
    std::fprintf(stderr, "vpshunt_gen: --format jsonl is for the default shape only\n");
    return 1;
  }
  if ((o.shape == "results" || o.shape == "scan") && (o.rows || o.bytes)) {
    std::fprintf(stderr, "vpshunt_gen: --shape %s: the size follows from --groups (%s); no --rows or --bytes\n", o.shape.c_str(),
                 o.shape == "scan" ? "sources" : "devices");
    return 1;
  }
  const std::clock_t c0 = std::clock();
  uint64_t rows = o.rows;
  if (o.shape == "results") {
    rows = ResultsShape(o).totalRows();
  } else if (o.shape == "scan") {
    rows = ScanShape(o).totalRows();
  } else if (!rows) {
    // --bytes: the mean row size from a sample (the beacon count barely changes it).
    FILE* nul = NullFile::open();
    uint64_t sampleBytes;
    {
      Out sample(nul);
      auto s = makeShape(o, 20000);
      s->run(sample, 20000, 0);
      sample.flush();
      sampleBytes = sample.written();
    }
    std::fclose(nul);
    rows = static_cast<uint64_t>(static_cast<double>(o.bytes) / (static_cast<double>(sampleBytes) / 20000.0) * 1.02) + 1;
  }
  auto shape = makeShape(o, rows);

  FILE* fp = stdout;
  if (!o.output.empty() && o.output != "-") {
    fp = std::fopen(o.output.c_str(), "wb");
    if (!fp) { std::perror(o.output.c_str()); return 1; }
  }
  uint64_t written, bytes;
  {
    Out out(fp);
    shape->begin(out);
    written = shape->run(out, rows, o.bytes);
    shape->end(out);
    out.flush();
    bytes = out.written();
  }
  if (fp != stdout) std::fclose(fp); else std::fflush(stdout);
  if (!o.intel.empty()) {
    IntelCsv ti(o.intel, o.seed);
    shape->intel(ti);
  }
  const double secs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  std::fprintf(stderr, "vpshunt_gen: %llu rows, %llu bytes, %s, shape %s, span %s .. %s, %.2f s CPU (%.0f MB/s)\n",
               static_cast<unsigned long long>(written), static_cast<unsigned long long>(bytes), shape->describe().c_str(),
               o.shape.c_str(), timeText(kStart).c_str(), timeText(kEnd).c_str(), secs, secs > 0 ? bytes / 1e6 / secs : 0.0);
  return 0;
}

}  // namespace gen
