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

namespace {

using Ticks = int64_t;  // 100 ns since the Unix epoch, as vpshunt's core
constexpr Ticks kSec = 10'000'000;
constexpr Ticks kHour = 3600 * kSec;
constexpr Ticks kDay = 24 * kHour;

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
void civilFromDays(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

// The fixed span: 2026-11-23T13:00:00Z .. 2026-11-24T14:00:00Z. bench/run.sh passes --now kEnd.
const Ticks kStart = (daysFromCivil(2026, 11, 23) * 86400 + 13 * 3600) * kSec;
const Ticks kEnd = kStart + 25 * kHour;

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Rng {  // xoshiro256**
  uint64_t s[4];
  explicit Rng(uint64_t seed) {
    for (auto& v : s) v = seed = splitmix(seed);
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return r;
  }
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T, size_t N> const T& pick(const T (&a)[N]) { return a[below(N)]; }
};

// ---------------------------------------------------------------------------------------------------------
// Output: one big buffer, fwrite when full.
class Out {
 public:
  explicit Out(FILE* f) : f_(f) { buf_.resize(kCap); }
  ~Out() { flush(); }
  void put(std::string_view s) {
    if (n_ + s.size() > kCap) flush();
    if (s.size() > kCap) { write(s.data(), s.size()); return; }
    std::memcpy(buf_.data() + n_, s.data(), s.size());
    n_ += s.size();
  }
  void put(char c) {
    if (n_ == kCap) flush();
    buf_[n_++] = c;
  }
  void num(uint64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    put(std::string_view(tmp, static_cast<size_t>(r.ptr - tmp)));
  }
  void flush() {
    if (n_) write(buf_.data(), n_);
    n_ = 0;
  }
  uint64_t written() const { return total_ + n_; }

 private:
  void write(const char* p, size_t n) {
    if (std::fwrite(p, 1, n, f_) != n) {
      std::perror("vpshunt_gen: write");
      std::exit(1);
    }
    total_ += n;
  }
  static constexpr size_t kCap = 8u << 20;
  FILE* f_;
  std::vector<char> buf_;
  size_t n_ = 0;
  uint64_t total_ = 0;
};

// `2026-11-24T14:37:28.2012261Z`
void formatTime(Ticks t, char* out /* 28 chars */) {
  static int64_t cachedDay = INT64_MIN;
  static char dayText[32];
  const int64_t day = t / kDay;
  if (day != cachedDay) {
    int y; unsigned m, d;
    civilFromDays(day, y, m, d);
    std::snprintf(dayText, sizeof dayText, "%04d-%02u-%02u", y, m, d);
    cachedDay = day;
  }
  std::memcpy(out, dayText, 10);
  int64_t rem = t - day * kDay;
  const int64_t secs = rem / kSec, frac = rem % kSec;
  const int hh = static_cast<int>(secs / 3600), mm = static_cast<int>(secs / 60 % 60), ss = static_cast<int>(secs % 60);
  out[10] = 'T';
  out[11] = static_cast<char>('0' + hh / 10); out[12] = static_cast<char>('0' + hh % 10); out[13] = ':';
  out[14] = static_cast<char>('0' + mm / 10); out[15] = static_cast<char>('0' + mm % 10); out[16] = ':';
  out[17] = static_cast<char>('0' + ss / 10); out[18] = static_cast<char>('0' + ss % 10); out[19] = '.';
  int64_t f = frac;
  for (int i = 26; i >= 20; --i) { out[i] = static_cast<char>('0' + f % 10); f /= 10; }
  out[27] = 'Z';
}
std::string timeText(Ticks t) {
  char b[28];
  formatTime(t, b);
  return std::string(b, 28);
}

// RFC 4180: quote when needed, double the quotes inside.
std::string csv(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string r = "\"";
  for (char c : s) { if (c == '"') r += '"'; r += c; }
  return r + "\"";
}
// A JSON string literal (with quotes), or null for an empty value.
std::string js(std::string_view s, bool emptyIsNull = true) {
  if (s.empty() && emptyIsNull) return "null";
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { r += '\\'; r += static_cast<char>(c); }
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); r += b; }
    else r += static_cast<char>(c);
  }
  return r + "\"";
}
// `digits` hex digits derived from (a, b).
std::string hex(uint64_t a, uint64_t b, int digits) {
  static const char* k = "0123456789abcdef";
  std::string r;
  uint64_t w = splitmix(a ^ splitmix(b));
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0 && i) w = splitmix((a + static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull) ^ b);
    r += k[(w >> 60) & 15];
    w <<= 4;
  }
  return r;
}

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

struct Options {
  uint64_t rows = 0, bytes = 0, groups = 20000, seed = 1;
  bool jsonl = false;
  std::string output, intel;
};

bool parseSize(const char* s, uint64_t& out) {
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  if (end == s || v < 0) return false;
  double mul = 1;
  if (*end == 'k' || *end == 'K') { mul = 1024; ++end; }
  else if (*end == 'm' || *end == 'M') { mul = 1024.0 * 1024; ++end; }
  else if (*end == 'g' || *end == 'G') { mul = 1024.0 * 1024 * 1024; ++end; }
  if (*end == 'B' || *end == 'b') ++end;
  if (*end) return false;
  out = static_cast<uint64_t>(v * mul);
  return true;
}

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: vpshunt_gen [--rows N | --bytes N[K|M|G]] [--groups G] [--seed S] [--format csv|jsonl]\n"
               "                   [--intel FILE] [--output FILE]\n"
               "Writes a synthetic Defender DeviceNetworkEvents export (advanced-hunting CSV, or streaming-API JSON\n"
               "Lines) over the fixed span %s .. %s. Default: 100000 rows, 20000 groups, seed 1, csv.\n",
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

// A byte sink for estimating row size.
struct NullFile {
  static FILE* open() {
    FILE* f = std::fopen("/dev/null", "wb");
    if (!f) { std::perror("vpshunt_gen: /dev/null"); std::exit(1); }
    return f;
  }
};

void writeIntel(const Options& o, const std::vector<Flow>& flows, const std::vector<uint32_t>& beacons) {
  FILE* fp = std::fopen(o.intel.c_str(), "wb");
  if (!fp) { std::perror(o.intel.c_str()); std::exit(1); }
  Out out(fp);
  out.put("TimeGenerated,IndicatorId,ThreatType,Description,ConfidenceScore,Active,ExpirationDateTime,NetworkIP,"
          "NetworkSourceIP,NetworkDestinationIP,NetworkCidrBlock,DomainName,Url,TrafficLightProtocolLevel,SourceSystem\n");
  Rng r(splitmix(o.seed ^ 0x7171ull));
  auto indicator = [&](Ticks age, const char* type, const char* desc, unsigned conf, bool active, std::string_view ip,
                       std::string_view cidr, std::string_view domain) {
    const Ticks tg = kEnd - age;
    out.put(timeText(tg));
    out.put(",indicator--");
    const std::string id = hex(r.next(), r.next(), 32);
    out.put(std::string_view(id).substr(0, 8)); out.put('-'); out.put(std::string_view(id).substr(8, 4)); out.put('-');
    out.put(std::string_view(id).substr(12, 4)); out.put('-'); out.put(std::string_view(id).substr(16, 4)); out.put('-');
    out.put(std::string_view(id).substr(20, 12));
    out.put(','); out.put(type); out.put(','); out.put(csv(desc)); out.put(','); out.num(conf); out.put(',');
    out.put(active ? "True" : "False"); out.put(','); out.put(timeText(tg + 90 * kDay)); out.put(',');
    out.put(ip); out.put(",,,"); out.put(cidr); out.put(','); out.put(domain); out.put(",,Amber,Microsoft Defender Threat Intelligence\n");
  };
  auto ipOf = [](const Flow& f) { return std::string_view(f.csvIp).substr(1, f.csvIp.size() - 2); };
  // Half of the public beacon IPs are listed: most active and recent, some deactivated, some too old.
  size_t n = 0;
  for (uint32_t b : beacons) {
    const Flow& f = flows[b];
    if (std::strcmp(f.ipType, "Public") != 0 || (n++ % 2)) continue;
    const uint64_t c = r.below(10);
    if (c < 7) indicator(static_cast<Ticks>(r.below(6 * kDay)), "C2", "C2 server on rented VPS", 60 + static_cast<unsigned>(r.below(40)), true, ipOf(f), "", "");
    else if (c < 9) {
      indicator(static_cast<Ticks>(3 * kDay + r.below(kDay)), "C2", "Possible C2", 50, true, ipOf(f), "", "");
      indicator(static_cast<Ticks>(r.below(2 * kDay)), "C2", "Possible C2 (deactivated, false positive)", 50, false, ipOf(f), "", "");
    } else indicator(static_cast<Ticks>(8 * kDay + r.below(20 * kDay)), "C2", "C2 (older report)", 70, true, ipOf(f), "", "");
  }
  // Some ordinary flows' IPs too (a TI hit without a beacon), and unrelated indicators.
  for (size_t i = 0; i < flows.size(); i += 97)
    if (std::strcmp(flows[i].ipType, "Public") == 0)
      indicator(static_cast<Ticks>(r.below(10 * kDay)), "Botnet", "Scanner, \"low\" confidence", 20 + static_cast<unsigned>(r.below(30)), r.chance(80), ipOf(flows[i]), "", "");
  for (unsigned i = 0; i < 200; ++i) {
    char ip[20];
    std::snprintf(ip, sizeof ip, "185.%u.%u.%u", 200 + static_cast<unsigned>(r.below(20)), static_cast<unsigned>(r.below(256)), 1 + static_cast<unsigned>(r.below(254)));
    indicator(static_cast<Ticks>(r.below(30 * kDay)), "C2", "Unrelated infrastructure", 55, true, ip, "", "");
    char dom[48];
    std::snprintf(dom, sizeof dom, "cdn-%05u-sync.net", static_cast<unsigned>(r.below(100000)));
    indicator(static_cast<Ticks>(r.below(30 * kDay)), "Phishing", "Phishing domain", 80, true, "", "", dom);
  }
  indicator(2 * kDay, "Tor", "Tor exit range", 20, true, "", "185.220.101.0/24", "");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
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
    else if (a == "--bytes") number(o.bytes);
    else if (a == "--groups") number(o.groups);
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
