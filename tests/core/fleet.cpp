#include "fleet.hpp"

#include <algorithm>
#include <cstdio>

#include "vpshunt/time.hpp"

namespace test::fleet {

namespace {

// splitmix64: small, deterministic on every platform (std:: distributions are not).
struct Random {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double unit() { return double(next() >> 11) / double(1ull << 53); }  // [0, 1)
  int range(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }
};

// One way an agent runs. `{user}` in the folder is the device's user.
struct Variant {
  const char* product;
  const char* file;
  const char* folder;  // full path, lowercase, with the file name
  const char* company;
  const char* productName;
  const char* ip;
  const char* network;
  int port;
  double interval;
};

// Destinations: each address is in the network named beside it (checked against asn.bin by the tests).
const Variant kAgents[] = {
    {"Google Update", "GoogleUpdate.exe", "c:\\program files (x86)\\google\\update\\googleupdate.exe", "Google LLC",
     "Google Update", "142.250.74.46", "AS15169 Google", 443, 1200},
    {"Google Update", "GoogleUpdate.exe", "c:\\users\\{user}\\appdata\\local\\google\\update\\googleupdate.exe", "Google LLC",
     "Google Update", "172.217.16.142", "AS15169 Google", 443, 1200},
    {"Google Updater", "updater.exe", "c:\\program files (x86)\\google\\googleupdater\\128.0.6537.0\\updater.exe", "Google LLC",
     "", "142.250.74.46", "AS15169 Google", 443, 1200},
    {"Adobe Acrobat Update Service (ARM)", "AdobeARM.exe", "c:\\program files (x86)\\common files\\adobe\\arm\\1.0\\adobearm.exe",
     "Adobe Inc.", "Adobe Reader and Acrobat Manager", "2.16.6.10", "AS20940 Akamai (Adobe's CDN)", 443, 1200},
    {"Adobe Creative Cloud updater", "Adobe Desktop Service.exe",
     "c:\\program files (x86)\\common files\\adobe\\adobe desktop common\\ads\\adobe desktop service.exe", "Adobe Inc.",
     "Adobe Creative Cloud", "63.140.40.10", "AS15224 Adobe", 443, 900},
    {"Zoom", "Zoom.exe", "c:\\users\\{user}\\appdata\\roaming\\zoom\\bin\\zoom.exe", "Zoom Video Communications, Inc.",
     "Zoom Workplace", "144.195.10.5", "AS30103 Zoom", 443, 300},
    {"Zoom", "Zoom.exe", "c:\\program files\\zoom\\bin\\zoom.exe", "Zoom Communications, Inc.", "Zoom Workplace",
     "206.247.10.5", "AS30103 Zoom", 443, 300},
    {"Datadog Agent", "agent.exe", "c:\\program files\\datadog\\datadog agent\\bin\\agent.exe", "Datadog, Inc.",
     "Datadog Agent", "3.233.146.10", "AS14618 Amazon (AWS)", 443, 15},
    {"Datadog Agent", "trace-agent.exe", "c:\\program files\\datadog\\datadog agent\\bin\\agent\\trace-agent.exe",
     "Datadog, Inc.", "Datadog Agent", "52.86.10.5", "AS14618 Amazon (AWS)", 443, 10},
    {"Splunk Universal Forwarder", "splunkd.exe", "c:\\program files\\splunkuniversalforwarder\\bin\\splunkd.exe",
     "Splunk Inc.", "splunk Application", "44.205.64.79", "AS14618 Amazon (AWS, Splunk Cloud)", 9997, 30},
    {"Splunk Universal Forwarder", "splunkd.exe", "c:\\program files\\splunkuniversalforwarder\\bin\\splunkd.exe",
     "Splunk Inc.", "splunk Application", "12.26.0.10", "AS22024 Splunk", 8089, 60},
    {"Elastic Agent", "elastic-agent.exe", "c:\\program files\\elastic\\agent\\elastic-agent.exe", "Elasticsearch B.V.",
     "Elastic Agent", "35.235.96.10", "AS396982 Google Cloud (Elastic Cloud)", 443, 30},
    {"Elastic Agent", "filebeat.exe",
     "c:\\program files\\elastic\\agent\\data\\elastic-agent-8.15.0-0a1b2c\\components\\filebeat.exe", "Elasticsearch BV",
     "Beats", "34.120.5.7", "AS396982 Google Cloud (Elastic Cloud)", 443, 20},
    {"SolarWinds agents", "SolarWinds.Agent.Service.exe",
     "c:\\program files (x86)\\solarwinds\\agent\\solarwinds.agent.service.exe", "SolarWinds Worldwide, LLC",
     "SolarWinds Agent", "64.129.144.10", "AS20251 SolarWinds", 17778, 120},
    {"CrowdStrike Falcon", "CSFalconService.exe", "c:\\program files\\crowdstrike\\csfalconservice.exe", "CrowdStrike, Inc.",
     "CrowdStrike Falcon Sensor", "54.176.44.12", "AS16509 Amazon (AWS)", 443, 60},
    {"CrowdStrike Falcon", "CSFalconService.exe", "c:\\program files\\crowdstrike\\csfalconservice.exe", "CrowdStrike, Inc.",
     "CrowdStrike Falcon Sensor", "198.235.16.10", "AS40450 CrowdStrike", 443, 90},
    {"Carbon Black", "RepMgr.exe", "c:\\program files\\confer\\repmgr.exe", "Broadcom Inc.", "Carbon Black Cloud Sensor",
     "3.219.239.5", "AS14618 Amazon (AWS)", 443, 60},
    {"SentinelOne", "SentinelAgent.exe", "c:\\program files\\sentinelone\\sentinel agent 23.4.2.14\\sentinelagent.exe",
     "Sentinel Labs, Inc.", "Sentinel Agent", "52.20.1.1", "AS14618 Amazon (AWS)", 443, 60},
    {"Microsoft Teams (classic)", "Teams.exe", "c:\\users\\{user}\\appdata\\local\\microsoft\\teams\\current\\teams.exe",
     "Microsoft Corporation", "Microsoft Teams", "52.112.10.20", "AS8075 Microsoft", 443, 120},
    {"Microsoft Teams (classic)", "Update.exe", "c:\\users\\{user}\\appdata\\local\\microsoft\\teams\\update.exe",
     "Microsoft Corporation", "Microsoft Teams", "13.107.6.171", "AS8068 Microsoft", 443, 600},
    {"Microsoft Teams (new)", "ms-teams.exe",
     "c:\\program files\\windowsapps\\msteams_24243.1309.3132.617_x64__8wekyb3d8bbwe\\ms-teams.exe", "Microsoft Corporation",
     "Microsoft Teams", "52.112.10.20", "AS8075 Microsoft", 443, 120},
    {"Microsoft OneDrive", "OneDrive.exe", "c:\\users\\{user}\\appdata\\local\\microsoft\\onedrive\\onedrive.exe",
     "Microsoft Corporation", "Microsoft OneDrive", "13.107.42.12", "AS8068 Microsoft", 443, 300},
    {"Microsoft OneDrive", "OneDriveStandaloneUpdater.exe",
     "c:\\users\\{user}\\appdata\\local\\microsoft\\onedrive\\onedrivestandaloneupdater.exe", "Microsoft Corporation",
     "Microsoft OneDrive", "13.107.42.12", "AS8068 Microsoft", 443, 1200},
    {"Microsoft OneDrive", "OneDrive.exe", "c:\\program files\\microsoft onedrive\\onedrive.exe", "Microsoft Corporation",
     "Microsoft OneDrive", "13.107.42.12", "AS8068 Microsoft", 443, 300},
    {"Visual Studio Code", "Code.exe", "c:\\users\\{user}\\appdata\\local\\programs\\microsoft vs code\\code.exe",
     "Microsoft Corporation", "Visual Studio Code", "20.42.65.92", "AS8075 Microsoft", 443, 600},
    {"Git credential helpers (Git for Windows)", "git-credential-manager.exe",
     "c:\\program files\\git\\mingw64\\bin\\git-credential-manager.exe", "GitHub", "Git Credential Manager",
     "140.82.112.3", "AS36459 GitHub", 443, 900},
    {"Git credential helpers (Git for Windows)", "git-remote-https.exe",
     "c:\\program files\\git\\mingw64\\libexec\\git-core\\git-remote-https.exe", "The Git Development Community", "Git",
     "140.82.114.4", "AS36459 GitHub", 443, 300},
    {"Docker Desktop", "com.docker.backend.exe", "c:\\program files\\docker\\docker\\resources\\com.docker.backend.exe",
     "Docker Inc.", "Docker Desktop", "44.205.64.79", "AS14618 Amazon (AWS, Docker Hub)", 443, 600},
};

// Rented servers: VPS providers of the hosting list.
struct Vps {
  const char* ip;
  const char* network;
};
const Vps kVps[] = {
    {"164.90.170.10", "DigitalOcean (vps)"}, {"134.209.20.5", "DigitalOcean (vps)"}, {"45.32.66.10", "Vultr (vps)"},
    {"51.38.70.12", "OVHcloud (vps)"},       {"5.9.40.10", "Hetzner (vps)"},         {"2.58.80.15", "Contabo (vps)"},
    {"23.92.16.9", "Linode, Akamai's VPS network (vps)"},
};

// Where masquerading implants put themselves. {user}, {name} (lowercase file name), {rand}.
const char* const kMasqueradeFolders[] = {
    "c:\\users\\{user}\\appdata\\local\\temp\\{name}",
    "c:\\users\\{user}\\appdata\\roaming\\{name}",
    "c:\\users\\{user}\\downloads\\{name}",
    "c:\\programdata\\{rand}\\{name}",
    "c:\\users\\public\\{name}",
    "c:\\users\\public\\libraries\\{name}",
    "c:\\windows\\temp\\{name}",
};

// Near misses of genuine folders, each with the one detail that gives it away.
struct NearMiss {
  const char* file;
  const char* folder;
};
const NearMiss kNearMisses[] = {
    {"Zoom.exe", "d:\\program files\\zoom\\bin\\zoom.exe"},                                        // another drive
    {"Zoom.exe", "c:\\program files\\zoom\\bin\\plugins\\zoom.exe"},                               // a subfolder
    {"Zoom.exe", "c:\\users\\{user}\\appdata\\roaming\\zoom\\zoom.exe"},                           // one level up
    {"Teams.exe", "c:\\users\\public\\appdata\\local\\microsoft\\teams\\current\\teams.exe"},      // the Public profile
    {"Teams.exe", "c:\\users\\default\\appdata\\local\\microsoft\\teams\\current\\teams.exe"},     // the Default profile
    {"CSFalconService.exe", "c:\\program files\\crowdstrike\\..\\..\\users\\{user}\\csfalconservice.exe"},  // traversal
    {"GoogleUpdate.exe", "c:\\progra~2\\google\\update\\googleupdate.exe"},                        // 8.3 short name
    {"GoogleUpdate.exe", "c:\\program files (x86)\\google\\update \\googleupdate.exe"},            // trailing space
    {"GoogleUpdate.exe", "\\\\fileserver\\share\\google\\update\\googleupdate.exe"},               // a network share
    {"OneDrive.exe", "c:\\users\\{user}\\appdata\\roaming\\microsoft\\onedrive\\onedrive.exe"},    // Roaming, not Local
    {"Code.exe", "c:\\users\\{user}\\appdata\\local\\microsoft vs code\\code.exe"},                // not under Programs
    {"agent.exe", "c:\\program files\\datadog\\agent.exe"},                                        // not in bin
    {"Update.exe", "c:\\users\\{user}\\appdata\\local\\microsoft\\update.exe"},                    // not Teams' folder
    {"splunkd.exe", "c:\\program files\\splunk universal forwarder\\bin\\splunkd.exe"},            // spelled apart
    {"SentinelAgent.exe", "c:\\program files\\sentinelone\\sentinelagent.exe"},                    // no version folder
    {"ms-teams.exe", "c:\\program files\\windowsapps\\msteams_24243.1309.3132.617_x64__evil0000\\ms-teams.exe"},  // other publisher
};

const char* const kUsers[] = {"amorgan", "bchen", "cdiaz", "dokafor", "eschmidt", "fnakamura", "gpatel", "hsilva",
                              "ikowalski", "jmartin", "kosei", "lrossi"};

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

std::string quotedPath(const std::string& path, const char* args) {
  return "\"" + path + "\"" + (args && *args ? std::string(" ") + args : std::string());
}

}  // namespace

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Agent: return "agent";
    case Kind::WrongFolder: return "implant from a wrong folder";
    case Kind::GenuineFolderVps: return "implant in the genuine folder calling a VPS";
    case Kind::ForgedCompany: return "implant with a contradicting company";
  }
  return "?";
}

size_t Fleet::agentFlows() const {
  return size_t(std::count_if(flows.begin(), flows.end(), [](const Flow& f) { return f.kind == Kind::Agent; }));
}
size_t Fleet::implantFlows() const { return flows.size() - agentFlows(); }

Fleet makeFleet(uint64_t seed, int devicesPerAgent, double hours) {
  Random rnd{seed};
  Fleet fleet;
  fleet.now = "2026-11-24T15:00:00Z";
  fleet.hours = hours;
  int deviceNo = 0;
  auto device = [&](int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "ws-%03d.corp.example", n);
    return std::string(buf);
  };
  // Agents: each variant on its own devices (device n's user is kUsers[n % 12]).
  for (const Variant& v : kAgents) {
    for (int d = 0; d < devicesPerAgent; ++d) {
      int n = ++deviceNo;
      Flow f;
      f.kind = Kind::Agent;
      f.expectedProduct = v.product;
      f.device = device(n);
      f.account = kUsers[n % 12];
      bool perUser = std::string(v.folder).find("{user}") != std::string::npos;
      if (!perUser) f.account = "system";
      f.fileName = v.file;
      f.folderPath = replaceAll(v.folder, "{user}", kUsers[n % 12]);
      f.company = v.company;
      f.product = v.productName;
      f.commandLine = quotedPath(f.folderPath, perUser ? "" : "/service");
      f.remoteIp = v.ip;
      f.remotePort = v.port;
      f.network = v.network;
      f.intervalSeconds = v.interval * (0.97 + 0.06 * rnd.unit());
      f.jitter = 0.03;
      fleet.flows.push_back(f);
    }
  }
  size_t vpsNo = 0;
  auto implant = [&](Kind kind, const std::string& file, const std::string& folder, const std::string& company,
                     const std::string& product) {
    int n = 900 + int(fleet.implantFlows());
    const Vps& vps = kVps[vpsNo++ % (sizeof kVps / sizeof kVps[0])];
    Flow f;
    f.kind = kind;
    f.device = device(n);
    f.account = kUsers[n % 12];
    f.fileName = file;
    char rand[16];
    std::snprintf(rand, sizeof rand, "%08llx", static_cast<unsigned long long>(rnd.next() & 0xFFFFFFFFull));
    f.folderPath = replaceAll(replaceAll(replaceAll(folder, "{user}", f.account), "{name}", lower(file)), "{rand}", rand);
    f.company = company;
    f.product = product;
    f.commandLine = quotedPath(f.folderPath, "");
    f.remoteIp = vps.ip;
    f.remotePort = rnd.range(0, 3) == 0 ? 8443 : 443;
    f.network = vps.network;
    f.intervalSeconds = 45 + 135 * rnd.unit();
    f.jitter = 0.05 + 0.2 * rnd.unit();
    f.missRate = 0.05;
    fleet.flows.push_back(f);
  };
  // One masquerade per agent variant from a classic spot, company forged to the genuine one on every
  // other implant (version info costs an attacker nothing); the genuine folder calling a VPS for each
  // product once; the near misses.
  std::vector<std::string> seenProducts;
  size_t m = 0;
  for (const Variant& v : kAgents) {
    bool forge = (m % 2) == 0;
    implant(Kind::WrongFolder, v.file, kMasqueradeFolders[m % (sizeof kMasqueradeFolders / sizeof kMasqueradeFolders[0])],
            forge ? v.company : "", forge ? v.productName : "");
    ++m;
    if (std::find(seenProducts.begin(), seenProducts.end(), v.product) == seenProducts.end()) {
      seenProducts.push_back(v.product);
      implant(Kind::GenuineFolderVps, v.file, v.folder, v.company, v.productName);
    }
  }
  for (const NearMiss& nm : kNearMisses) implant(Kind::WrongFolder, nm.file, nm.folder, "", "");
  // Genuine per-user folders with a company that contradicts the product (an implant dropped there
  // with its own version info), calling a VPS.
  implant(Kind::ForgedCompany, "Zoom.exe", "c:\\users\\{user}\\appdata\\roaming\\zoom\\bin\\zoom.exe", "Microsoft Corporation", "");
  implant(Kind::ForgedCompany, "Teams.exe", "c:\\users\\{user}\\appdata\\local\\microsoft\\teams\\current\\teams.exe",
          "Zoom Video Communications, Inc.", "");
  implant(Kind::ForgedCompany, "Code.exe", "c:\\users\\{user}\\appdata\\local\\programs\\microsoft vs code\\code.exe",
          "Microsoft Corporation", "Windows Host Process");
  return fleet;
}

std::string fleetCsv(const Fleet& fleet, uint64_t seed, size_t* rowCount) {
  Random rnd{seed ^ 0x5EEDull};
  vpshunt::Ticks now = 0;
  vpshunt::parseIsoTime(fleet.now, now);
  const vpshunt::Ticks span = vpshunt::Ticks(fleet.hours * 3600.0) * vpshunt::kTicksPerSecond;
  const vpshunt::Ticks start = now - span;

  struct Row {
    vpshunt::Ticks t;
    std::string text;
  };
  std::vector<Row> rows;
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    return "\"" + replaceAll(s, "\"", "\"\"") + "\"";
  };
  for (size_t i = 0; i < fleet.flows.size(); ++i) {
    const Flow& f = fleet.flows[i];
    char deviceId[48];
    std::snprintf(deviceId, sizeof deviceId, "%016llx%08llx", static_cast<unsigned long long>(rnd.next()),
                  static_cast<unsigned long long>(i));
    char localIp[24];
    std::snprintf(localIp, sizeof localIp, "10.%d.%d.%d", 20 + int(i % 8), int((i / 8) % 250), 10 + int(i % 200));
    const std::string prefix = std::string(deviceId) + "," + quote(f.device) + ",ConnectionSuccess," + f.remoteIp + "," +
                               std::to_string(f.remotePort) + ",,";
    const std::string suffix = ",Tcp,Private,Public," + quote(f.fileName) + "," + quote(f.folderPath) + "," +
                               quote(f.commandLine) + "," + quote(f.account) + "," + quote(f.company) + "," +
                               quote(f.product);
    double t = f.intervalSeconds * rnd.unit();
    const double end = fleet.hours * 3600.0;
    while (t < end) {
      if (rnd.unit() >= f.missRate) {
        vpshunt::Ticks at = start + vpshunt::Ticks(t * double(vpshunt::kTicksPerSecond));
        rows.push_back({at, vpshunt::formatIsoTime(at) + "," + prefix + localIp + "," + std::to_string(rnd.range(49152, 65535)) +
                                suffix});
      }
      t += f.intervalSeconds * (1.0 + f.jitter * (2.0 * rnd.unit() - 1.0));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t > b.t; });  // newest first
  std::string out =
      "Timestamp,DeviceId,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,LocalIP,LocalPort,Protocol,LocalIPType,"
      "RemoteIPType,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessCommandLine,"
      "InitiatingProcessAccountName,InitiatingProcessVersionInfoCompanyName,InitiatingProcessVersionInfoProductName\r\n";
  out.reserve(out.size() + rows.size() * 260);
  for (const Row& r : rows) {
    out += r.text;
    out += "\r\n";
  }
  if (rowCount) *rowCount = rows.size();
  return out;
}

}  // namespace test::fleet
