// The known-software catalogue and matcher (core/src/enrich/known_software.hpp): the catalogue loads
// and every entry is complete; every catalogued product is recognised from every catalogued folder
// when it calls its vendor, and never from the places implants hide, never towards a rented server,
// never with a contradicting company; paths in all the shapes exports write them; the reasons; a
// generated fleet read through the real Defender CSV reader; matching allocates nothing.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <sstream>

#include "enrich/known_software.hpp"
#include "fleet.hpp"
#include "formats/registry.hpp"
#include "vpshunt/ip.hpp"

// Counts heap allocations while `gCountAllocations` is set, to show that match() makes none.
namespace {
std::atomic<bool> gCountAllocations{false};
std::atomic<size_t> gAllocations{0};
}  // namespace
void* operator new(size_t n) {
  if (gCountAllocations.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {  // std::get_temporary_buffer's: all variants or none
  if (gCountAllocations.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

using namespace vpshunt;

namespace {

const KnownSoftwareCatalog& catalog() { return KnownSoftwareCatalog::builtin(); }

const KnownSoftwareProduct* product(const std::string& name) {
  for (const auto& p : catalog().products())
    if (p.name == name) return &p;
  return nullptr;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The ASN database the build compiles (asn.bin): attribution exactly as the engine does it.
const AsnDatabase& asnDb() {
  static const std::unique_ptr<AsnDatabase> db = [] {
    auto d = std::make_unique<AsnDatabase>();
    std::string bytes = readFile(VPSHUNT_ASN_DB);
    std::string error;
    if (!d->load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), error)) d.reset();
    return d;
  }();
  REQUIRE(db != nullptr);  // asn.bin is a build product of vpshunt_tests: missing means a broken build
  return *db;
}

HostingAttribution attributionOf(const std::string& ip) {
  IpAddress a;
  REQUIRE(parseIp(ip, a));
  return attribute(asnDb(), HostingList::builtin(), a);
}

// One address in each network the catalogue names (first ranges of @ip-location-db/asn).
const std::map<uint32_t, std::string> kAsnAddress = {
    {15169, "142.250.74.46"}, {15224, "63.140.40.10"},   {14365, "130.248.6.10"},  {1313, "130.248.10.10"},
    {44786, "31.25.80.10"},   {20940, "2.16.6.10"},      {16625, "2.16.12.10"},    {30103, "144.195.10.5"},
    {22024, "12.26.0.10"},    {136265, "103.143.30.10"}, {207505, "185.242.219.10"}, {20251, "64.129.144.10"},
    {16633, "38.22.105.10"},  {40450, "198.235.16.10"},  {59567, "37.200.84.10"},  {401435, "152.228.32.10"},
    {36459, "140.82.112.3"},  {8075, "52.112.10.20"},    {8068, "13.107.42.12"},   {8069, "13.104.80.10"},
    {8070, "20.34.0.10"},
};
const std::map<std::string, std::string> kCloudAddress = {
    {"Amazon Web Services", "3.233.146.10"},  // AS14618
    {"Google Cloud", "35.235.96.10"},         // AS396982
    {"Microsoft Azure", "20.42.65.92"},       // AS8075
};
// Rented servers (hosting list, category vps).
const char* const kVpsAddresses[] = {"164.90.170.10" /* DigitalOcean */, "45.32.66.10" /* Vultr */,
                                     "51.38.70.12" /* OVHcloud */, "23.92.16.9" /* Linode */};

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// A concrete folder (with a trailing separator) an install following `pattern` would have.
std::string concreteFolder(const std::string& pattern, const std::string& user = "alice") {
  std::string s = pattern;
  static const std::pair<const char*, const char*> vars[] = {
      {"%ProgramFiles(x86)%", "C:\\Program Files (x86)"},
      {"%CommonProgramFiles(x86)%", "C:\\Program Files (x86)\\Common Files"},
      {"%CommonProgramFiles%", "C:\\Program Files\\Common Files"},
      {"%ProgramFiles%", "C:\\Program Files"},
      {"%WINDIR%", "C:\\Windows"},
      {"%LOCALAPPDATA%", "C:\\Users\\{user}\\AppData\\Local"},
      {"%APPDATA%", "C:\\Users\\{user}\\AppData\\Roaming"},
  };
  for (const auto& v : vars) s = replaceAll(s, v.first, v.second);
  s = replaceAll(s, "{user}", user);
  bool windows = s.rfind("C:", 0) == 0;
  if (windows) s = replaceAll(s, "/", "\\");
  s = replaceAll(s, "**", "1.0");       // any depth: one level here
  s = replaceAll(s, "*", "23.4.2.14");  // one folder, or inside a name
  char sep = windows ? '\\' : '/';
  if (s.back() != sep) s += sep;
  return s;
}

bool isWindowsFolder(const std::string& f) { return f.rfind("C:", 0) == 0; }

std::string nameFor(const KnownSoftwareProduct& p, bool windows) {
  for (const std::string& n : p.processes) {
    bool exe = n.size() > 4 && (n.compare(n.size() - 4, 4, ".exe") == 0);
    if (exe == windows) return n;
  }
  return p.processes.front();
}

std::string genuineCompany(const KnownSoftwareProduct& p) { return p.companies.empty() ? "" : p.companies.front() + " Inc."; }

struct MatchOutcome {
  KnownSoftwareMatch m;
  std::string reason;
};

MatchOutcome run(const std::string& file, const std::string& path, const std::string& ip, const std::string& company = "",
            const std::string& productName = "") {
  HostingAttribution a = attributionOf(ip);
  KnownSoftwareProcess proc{file, path, company, productName};
  KnownSoftwareDestination dest = KnownSoftwareDestination::of(a);
  MatchOutcome o;
  o.m = catalog().match(proc, dest);
  catalog().describe(o.m, proc, dest, o.reason);
  return o;
}

// A destination that fits `p`: its first ASN, else its first cloud.
std::string vendorAddress(const KnownSoftwareProduct& p) {
  if (!p.asns.empty()) return kAsnAddress.at(p.asns.front());
  return kCloudAddress.at(p.clouds.front());
}

}  // namespace

TEST_CASE("known software: the catalogue loads and every entry is complete", "[known-software]") {
  const auto& products = catalog().products();
  REQUIRE(products.size() >= 18);
  for (const auto& p : products) {
    INFO(p.name);
    CHECK_FALSE(p.vendor.empty());
    CHECK_FALSE(p.processes.empty());
    CHECK(p.folders.size() + p.userFolders.size() > 0);
    CHECK(p.asns.size() + p.clouds.size() > 0);
    CHECK(p.asns.size() == p.asnOrgs.size());
    REQUIRE_FALSE(p.sources.empty());
    for (const auto& s : p.sources) {
      CHECK(s.url.rfind("https://", 0) == 0);
      CHECK_FALSE(s.supports.empty());
    }
    CHECK_FALSE(p.companies.empty());  // every entry checks the version-info company when the export has it
  }
  SECTION("the seed's own false positives are all covered") {
    for (const char* name :
         {"Google Update", "Adobe Acrobat Update Service (ARM)", "Adobe Creative Cloud updater", "Zoom", "Datadog Agent",
          "Splunk Universal Forwarder", "Elastic Agent", "SolarWinds agents", "CrowdStrike Falcon", "Carbon Black",
          "SentinelOne", "Microsoft Teams (classic)", "Microsoft Teams (new)", "Microsoft OneDrive", "Visual Studio Code",
          "Git credential helpers (Git for Windows)", "Docker Desktop"}) {
      INFO(name);
      CHECK(product(name) != nullptr);
    }
    CHECK(product("Zoom")->processes.front() == "Zoom.exe");
    CHECK(product("Microsoft OneDrive")->processes.size() >= 2);  // OneDrive.exe and its standalone updater
  }
  SECTION("every vendor ASN exists in asn.bin under the name the catalogue quotes") {
    for (const auto& p : products)
      for (size_t i = 0; i < p.asns.size(); ++i) {
        INFO(p.name << " AS" << p.asns[i]);
        REQUIRE(kAsnAddress.count(p.asns[i]) == 1);
        HostingAttribution a = attributionOf(kAsnAddress.at(p.asns[i]));
        CHECK(a.asn == p.asns[i]);
        CHECK(a.org == p.asnOrgs[i]);
        // no vendor network is a rented-server network
        CHECK((!a.isHosting || a.category == HostingCategory::Cloud));
      }
  }
  SECTION("every cloud is a cloud of the hosting list") {
    for (const auto& p : products)
      for (const auto& c : p.clouds) {
        INFO(p.name << " " << c);
        REQUIRE(kCloudAddress.count(c) == 1);
        HostingAttribution a = attributionOf(kCloudAddress.at(c));
        CHECK(a.isHosting);
        CHECK(a.provider == c);
        CHECK(a.category == HostingCategory::Cloud);
      }
  }
}

TEST_CASE("known software: every product, from every catalogued folder, to its vendor", "[known-software]") {
  for (const auto& p : catalog().products()) {
    for (int user = 0; user < 2; ++user) {
      for (const std::string& pattern : user ? p.userFolders : p.folders) {
        const std::string folder = concreteFolder(pattern);
        const bool windows = isWindowsFolder(folder);
        const std::string file = nameFor(p, windows);
        const std::string path = folder + file;
        INFO(p.name << ": " << path);
        SECTION(p.name + " " + path) {
          // Every destination the entry lists.
          for (uint32_t asn : p.asns) {
            MatchOutcome o = run(file, path, kAsnAddress.at(asn), genuineCompany(p));
            INFO(o.reason);
            CHECK(o.m.verdict == KnownSoftwareVerdict::Matched);
            CHECK(catalog().productName(o.m) == p.name);
            CHECK(o.m.userFolder == (user == 1));
            CHECK(o.reason.rfind(p.name + " from ", 0) == 0);
          }
          for (const std::string& cloud : p.clouds) {
            MatchOutcome o = run(file, path, kCloudAddress.at(cloud), genuineCompany(p));
            INFO(o.reason);
            CHECK(o.m.verdict == (user ? KnownSoftwareVerdict::UserFolderCloud : KnownSoftwareVerdict::Matched));
          }
          const std::string vendor = vendorAddress(p);
          // Also with no version info at all (Sysmon event 3 has none), and as Defender lowercases it.
          CHECK(run(file, path, vendor).m.matched());
          std::string lower = path;
          for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
          CHECK(run(file, lower, vendor).m.matched());
          // Case and separator variants; the folder alone (Defender sometimes writes only the folder).
          std::string upper = path;
          for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
          CHECK(run(file, upper, vendor).m.matched());
          if (windows) {
            CHECK(run(file, replaceAll(path, "\\", "/"), vendor).m.matched());
            CHECK(run(file, folder.substr(0, folder.size() - 1), vendor).m.matched());
            CHECK(run(file, "\\\\?\\" + path, vendor).m.matched());
            CHECK(run(file, "\\Device\\HarddiskVolume3" + path.substr(2), vendor).m.matched());
            CHECK(run(file, replaceAll(path, "\\", "\\\\"), vendor).m.matched());  // doubled separators
            CHECK(run("", path, vendor).m.matched());                              // no file-name column
          }

          // The same name where implants hide: never.
          const std::string masquerades[] = {
              "C:\\Users\\alice\\AppData\\Local\\Temp\\" + file,
              "C:\\Users\\alice\\AppData\\Roaming\\" + file,
              "C:\\Users\\alice\\Downloads\\" + file,
              "C:\\ProgramData\\a8f3c1d2\\" + file,
              "C:\\Users\\Public\\" + file,
              "C:\\Windows\\Temp\\" + file,
              "/tmp/" + file,
              "C:\\Users\\Public\\AppData\\Local\\" + file,
          };
          for (const std::string& m : masquerades) {
            MatchOutcome o = run(file, m, vendor, genuineCompany(p));
            INFO(m << " -> " << o.reason);
            CHECK(o.m.verdict == KnownSoftwareVerdict::WrongFolder);
            CHECK(catalog().productName(o.m).empty());
            CHECK(o.reason.find(file + " outside ") == 0);
          }
          // A subfolder of an exactly named install folder is another folder.
          if (pattern.find('*') == std::string::npos) {
            MatchOutcome o = run(file, folder + (windows ? "evil\\" : "evil/") + file, vendor);
            CHECK(o.m.verdict == KnownSoftwareVerdict::WrongFolder);
          }
          // The genuine folder to rented servers: never.
          for (const char* vps : kVpsAddresses) {
            MatchOutcome o = run(file, path, vps, genuineCompany(p));
            INFO(vps << " -> " << o.reason);
            CHECK(o.m.verdict == KnownSoftwareVerdict::WrongDestination);
            CHECK(o.reason.find(", not one of ") != std::string::npos);
          }
          // A company that contradicts the entry: never; an unrelated product name: never when the
          // entry names its products.
          MatchOutcome wrong = run(file, path, vendor, "Evil Corp LLC");
          CHECK(wrong.m.verdict == KnownSoftwareVerdict::WrongCompany);
          CHECK(wrong.reason.find("its company is \"Evil Corp LLC\"") != std::string::npos);
          if (!p.productNames.empty())
            CHECK(run(file, path, vendor, genuineCompany(p), "Totally Legit Tool").m.verdict == KnownSoftwareVerdict::WrongProduct);
          // A name that is not catalogued, from the genuine folder: nothing to say.
          MatchOutcome other = run("beacon.exe", folder + "beacon.exe", vendor);
          CHECK(other.m.verdict == KnownSoftwareVerdict::NoName);
          CHECK(other.reason.empty());
        }
      }
    }
  }
}

TEST_CASE("known software: path shapes and the tricks around them", "[known-software]") {
  const std::string google = "142.250.74.46";
  const std::string file = "GoogleUpdate.exe";
  struct Case {
    const char* path;
    KnownSoftwareVerdict verdict;
    KnownSoftwarePathProblem problem;
    const char* reason;  // a part of the reason text
  } cases[] = {
      {"c:\\program files (x86)\\google\\update\\googleupdate.exe", KnownSoftwareVerdict::Matched,
       KnownSoftwarePathProblem::None, "Google Update from c:\\program files (x86)\\google\\update\\ to AS15169 Google LLC"},
      {"C:\\Program Files (x86)\\Google\\Update\\1.3.36.372\\GoogleUpdate.exe", KnownSoftwareVerdict::Matched,
       KnownSoftwarePathProblem::None, "Google Update from C:\\Program Files (x86)\\Google\\Update\\1.3.36.372\\"},
      {"  \"C:\\Program Files (x86)\\Google\\.\\Update\\GoogleUpdate.exe\"  ", KnownSoftwareVerdict::Matched,
       KnownSoftwarePathProblem::None, "to AS15169"},
      {"\\??\\C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::Matched,
       KnownSoftwarePathProblem::None, "(this network also hosts Google Cloud tenants)"},
      {"C:\\Program Files (x86)\\Google\\Update\\..\\..\\..\\Users\\bob\\AppData\\Roaming\\GoogleUpdate.exe",
       KnownSoftwareVerdict::BadPath, KnownSoftwarePathProblem::Traversal, "its path has a \"..\" component"},
      {"D:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::BadPath,
       KnownSoftwarePathProblem::OtherDrive, "runs from drive D: (D:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe), not from the system drive C:"},
      {"\\\\fileserver\\share\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::BadPath,
       KnownSoftwarePathProblem::Unc, "runs from a network share"},
      {"\\\\?\\UNC\\fileserver\\share\\GoogleUpdate.exe", KnownSoftwareVerdict::BadPath, KnownSoftwarePathProblem::Unc,
       "network share"},
      {"Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::BadPath,
       KnownSoftwarePathProblem::NoDrive, "names no drive"},
      {"C:Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::BadPath,
       KnownSoftwarePathProblem::NoDrive, "names no drive"},
      {"C:\\PROGRA~2\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::WrongFolder, KnownSoftwarePathProblem::None,
       "GoogleUpdate.exe outside Google Update's install folders (C:\\PROGRA~2\\Google\\Update\\)"},
      {"C:\\Program Files (x86)\\Google\\Update \\GoogleUpdate.exe", KnownSoftwareVerdict::WrongFolder,
       KnownSoftwarePathProblem::None, "outside"},
      {"C:\\Program Files (x86)\\Gооgle\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::WrongFolder,  // Cyrillic о
       KnownSoftwarePathProblem::None, "outside"},
      {"C:\\Users\\Public\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::WrongFolder,
       KnownSoftwarePathProblem::None, "outside"},
      {"C:\\Users\\Default\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::WrongFolder,
       KnownSoftwarePathProblem::None, "outside"},
      {"C:\\Users\\bob\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::Matched,
       KnownSoftwarePathProblem::None, "(per-user install) to AS15169"},
      {"C:\\Users\\bob\\AppData\\Local\\Google\\Update\\x\\y\\GoogleUpdate.exe", KnownSoftwareVerdict::WrongFolder,
       KnownSoftwarePathProblem::None, "outside"},  // per-user folders are exact: no '**'
      {"\\Device\\HarddiskVolume4\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", KnownSoftwareVerdict::Matched,
       KnownSoftwarePathProblem::None, "from \\Device\\HarddiskVolume4\\Program Files (x86)\\Google\\Update\\"},
      {"\\Device\\HarddiskVolumeShadowCopy2\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe",
       KnownSoftwareVerdict::BadPath, KnownSoftwarePathProblem::NoDrive, "names no drive"},
      {"", KnownSoftwareVerdict::NoPath, KnownSoftwarePathProblem::None,
       "GoogleUpdate.exe is a Google Update name, but the export has no folder path: a name alone never matches"},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    MatchOutcome o = run(file, c.path, google, "Google LLC", "Google Update");
    INFO(o.reason);
    CHECK(o.m.verdict == c.verdict);
    CHECK(o.m.pathProblem == c.problem);
    CHECK(o.reason.find(c.reason) != std::string::npos);
  }
  SECTION("a path over kMaxPath never matches") {
    std::string deep = "C:\\Program Files (x86)\\Google\\Update\\";
    while (deep.size() <= KnownSoftwareCatalog::kMaxPath) deep += "a\\";
    MatchOutcome o = run(file, deep + file, google);
    CHECK(o.m.pathProblem == KnownSoftwarePathProblem::TooLong);
    CHECK(o.reason.find("too long") != std::string::npos);
  }
  SECTION("a long quoted path is shortened in the reason, on a character boundary") {
    std::string deep = "C:\\Users\\bob\\AppData\\Roaming\\";
    for (int i = 0; i < 30; ++i) deep += "\xC3\xA9t\xC3\xA9\\";  // "été\"
    MatchOutcome o = run(file, deep + file, google);
    CHECK(o.m.verdict == KnownSoftwareVerdict::WrongFolder);
    CHECK(o.reason.size() < 260);
    CHECK(o.reason.find("\xE2\x80\xA6") != std::string::npos);
    for (size_t i = 0; i < o.reason.size();) {  // valid UTF-8 throughout
      unsigned char b = static_cast<unsigned char>(o.reason[i]);
      size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : 4;
      REQUIRE(i + len <= o.reason.size());
      for (size_t k = 1; k < len; ++k) REQUIRE((static_cast<unsigned char>(o.reason[i + k]) & 0xC0) == 0x80);
      i += len;
    }
  }
  SECTION("POSIX paths of the agents that have them") {
    CHECK(run("agent", "/opt/datadog-agent/bin/agent/agent", "3.233.146.10").m.matched());
    CHECK(run("elastic-agent", "/opt/Elastic/Agent/data/elastic-agent-8.15.0-0a1b2c/elastic-agent", "35.235.96.10").m.matched());
    CHECK(run("splunkd", "/opt/splunkforwarder/bin/splunkd", "12.26.0.10").m.matched());
    CHECK(run("falcon-sensor", "/opt/CrowdStrike/falcon-sensor", "198.235.16.10").m.matched());
    CHECK(run("zoom.us", "/applications/zoom.us.app/contents/macos/zoom.us", "144.195.10.5").m.matched());
    CHECK(run("com.crowdstrike.falcon.Agent",
              "/Library/SystemExtensions/8D7F2C1A-0E1B-4C3D-9A2B-1F0E9D8C7B6A/com.crowdstrike.falcon.Agent.systemextension/"
              "Contents/MacOS/com.crowdstrike.falcon.Agent",
              "54.176.44.12")
              .m.matched());
    CHECK(run("agent", "/tmp/agent", "3.233.146.10").m.verdict == KnownSoftwareVerdict::WrongFolder);
    CHECK(run("agent", "/home/alice/.cache/agent", "3.233.146.10").m.verdict == KnownSoftwareVerdict::WrongFolder);
    CHECK(run("agent", "/opt/datadog-agent/bin/agent/agent", "164.90.170.10").m.verdict ==
          KnownSoftwareVerdict::WrongDestination);
  }
}

TEST_CASE("known software: destinations and company names", "[known-software]") {
  const std::string zoomUser = "C:\\Users\\bob\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe";
  SECTION("a per-user folder is trusted only with the vendor's own network, never with a shared cloud") {
    MatchOutcome own = run("Zoom.exe", zoomUser, "144.195.10.5");
    CHECK(own.m.matched());
    CHECK(own.reason == "Zoom from C:\\Users\\bob\\AppData\\Roaming\\Zoom\\bin\\ (per-user install) to AS30103 Zoom Video "
                        "Communications, Inc");
    // Docker Desktop and Datadog are catalogued with clouds only, but from machine folders.
    MatchOutcome dd = run("agent.exe", "C:\\Program Files\\Datadog\\Datadog Agent\\bin\\agent.exe", "3.233.146.10");
    CHECK(dd.m.matched());
    CHECK(dd.m.viaCloud);
    CHECK(dd.reason == "Datadog Agent from C:\\Program Files\\Datadog\\Datadog Agent\\bin\\ to AS14618 Amazon.com, Inc. "
                       "(Amazon Web Services, where Datadog's service is hosted)");
    // Google's per-user updater to Google Cloud space that is not Google's own AS15169.
    MatchOutcome gcp = run("GoogleUpdate.exe", "C:\\Users\\bob\\AppData\\Local\\Google\\Update\\GoogleUpdate.exe", "35.235.96.10");
    CHECK(gcp.m.verdict == KnownSoftwareVerdict::WrongDestination);
  }
  SECTION("unknown destination") {
    KnownSoftwareProcess proc{"Zoom.exe", zoomUser, "", ""};
    KnownSoftwareDestination none;
    KnownSoftwareMatch m = catalog().match(proc, none);
    CHECK(m.verdict == KnownSoftwareVerdict::UnknownDestination);
    std::string reason;
    catalog().describe(m, proc, none, reason);
    CHECK(reason == "Zoom from C:\\Users\\bob\\AppData\\Roaming\\Zoom\\bin\\, but the destination's network is unknown (no ASN)");
  }
  SECTION("a shared network says so") {
    MatchOutcome teams = run("Teams.exe", "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe", "52.112.10.20",
                        "Microsoft Corporation", "Microsoft Teams");
    CHECK(teams.m.matched());
    CHECK(teams.m.sharedNetwork);
    CHECK(teams.reason ==
          "Microsoft Teams (classic) from C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\ (per-user install) to "
          "AS8075 Microsoft Corporation (this network also hosts Microsoft Azure tenants)");
  }
  SECTION("rented servers, with the provider in the reason") {
    MatchOutcome o = run("Zoom.exe", zoomUser, "45.32.66.10");
    CHECK(o.reason == "Zoom from C:\\Users\\bob\\AppData\\Roaming\\Zoom\\bin\\, but to AS20473 The Constant Company, LLC "
                      "(Vultr (Choopa), vps), not one of Zoom's networks");
    // Akamai's CDN serves Adobe's updates; Akamai's Linode VPS network does not.
    const std::string arm = "C:\\Program Files (x86)\\Common Files\\Adobe\\ARM\\1.0\\AdobeARM.exe";
    CHECK(run("AdobeARM.exe", arm, "2.16.6.10").m.matched());
    CHECK(run("AdobeARM.exe", arm, "23.92.16.9").m.verdict == KnownSoftwareVerdict::WrongDestination);
  }
  SECTION("company names: legal suffixes and punctuation do not matter, other names do") {
    const std::string path = "C:\\Program Files\\Zoom\\bin\\Zoom.exe";
    for (const char* ok : {"Zoom Video Communications, Inc.", "ZOOM VIDEO COMMUNICATIONS INC", "Zoom Communications, Inc.",
                           "  Zoom Video Communications  "})
      CHECK(run("Zoom.exe", path, "144.195.10.5", ok).m.matched());
    for (const char* bad : {"Zoom Videos Communications", "Zoomer Inc.", "Microsoft Corporation", "Video Communications"}) {
      INFO(bad);
      CHECK(run("Zoom.exe", path, "144.195.10.5", bad).m.verdict == KnownSoftwareVerdict::WrongCompany);
    }
    // ® and ™ (UTF-8) are separators, like the punctuation.
    CHECK(run("Code.exe", "C:\\Program Files\\Microsoft VS Code\\Code.exe", "20.42.65.92", "Microsoft\xC2\xAE Corporation",
              "Visual Studio\xE2\x84\xA2 Code")
              .m.matched());
  }
  SECTION("a file name several products share: each product's folders decide") {
    // Update.exe is Teams' Squirrel updater, and Slack's, Discord's ...
    CHECK(run("Update.exe", "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\Update.exe", "13.107.6.171").m.matched());
    MatchOutcome slack = run("Update.exe", "C:\\Users\\bob\\AppData\\Local\\slack\\Update.exe", "13.107.6.171");
    CHECK(slack.m.verdict == KnownSoftwareVerdict::WrongFolder);
    // agent.exe is Datadog's; the best candidate's reason is given.
    CHECK(run("agent.exe", "C:\\Program Files\\Datadog\\Datadog Agent\\bin\\agent.exe", "164.90.170.10").reason.find(
              "Datadog Agent from ") == 0);
  }
}

TEST_CASE("known software: the loader refuses unsafe or unsourced entries", "[known-software]") {
  auto entry = [](const std::string& overrides) {
    std::string e = R"({"product": "Tool", "vendor": "Vendor", "processes": ["tool.exe"],
        "folders": ["%ProgramFiles%/Vendor/"], "companies": ["Vendor"], "asns": [{"asn": 30103, "org": "x"}],
        "sources": [{"url": "https://example.com/doc", "supports": "install folder"}])";
    e += overrides + "}";
    return std::string(R"({"products": [)") + e + "]}";
  };
  struct Case {
    std::string json;
    const char* error;
  } cases[] = {
      {entry(""), ""},
      {entry(R"(, "typo": 1)"), "known-software catalogue: product 1 (\"Tool\"): unknown key \"typo\""},
      {R"({"products": [], "x": 1})", "known-software catalogue: unknown top-level key \"x\""},
      {R"({"products": []})", "known-software catalogue: expected a non-empty \"products\" array"},
      {entry(R"(, "userFolders": ["%ProgramFiles%/Vendor/"])"),
       "known-software catalogue: product 1 (\"Tool\"): userFolders \"%ProgramFiles%/Vendor/\": not a per-user folder "
       "(%LOCALAPPDATA%, %APPDATA% or %USERPROFILE%)"},
      {entry(R"(, "userFolders": ["%LOCALAPPDATA%/Vendor/**"])"),
       "known-software catalogue: product 1 (\"Tool\"): userFolders \"%LOCALAPPDATA%/Vendor/**\": \"**\" is not allowed in "
       "a per-user folder: name the folders"},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "%APPDATA%/Vendor/"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"%APPDATA%/Vendor/\": users can write there: a per-user "
       "folder belongs in \"userFolders\""},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "%ProgramData%/Vendor/"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"%ProgramData%/Vendor/\": users can write there: a "
       "per-user folder belongs in \"userFolders\""},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "%TEMP%/Vendor/"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"%TEMP%/Vendor/\": a temporary folder is never an install folder"},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "%WINDIR%/Temp/"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"%WINDIR%/Temp/\": a \"temp\" folder is never an install folder"},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "C:/**"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"C:/**\": a whole drive is no install folder"},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "D:/Vendor/"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"D:/Vendor/\": not an absolute folder on C: or a POSIX root"},
      {replaceAll(entry(""), "%ProgramFiles%/Vendor/", "%FOO%/Vendor/"),
       "known-software catalogue: product 1 (\"Tool\"): folders \"%FOO%/Vendor/\": unknown variable %FOO%"},
      {replaceAll(entry(""), "30103", "14061"),
       "known-software catalogue: product 1 (\"Tool\"): AS14061 is on the hosting list as vps (DigitalOcean): anyone can "
       "rent a server there"},
      {entry(R"(, "clouds": ["DigitalOcean"])"),
       "known-software catalogue: product 1 (\"Tool\"): \"DigitalOcean\" is a vps provider, not a cloud: anyone can rent a "
       "server there"},
      {entry(R"(, "clouds": ["Nimbus"])"),
       "known-software catalogue: product 1 (\"Tool\"): \"Nimbus\" is no provider of the hosting list "
       "(core/src/net/hosting-asns.txt)"},
      {replaceAll(entry(""), R"("sources": [{"url": "https://example.com/doc", "supports": "install folder"}])", R"("sources": [])"),
       "known-software catalogue: product 1 (\"Tool\"): no \"sources\": every entry says where its facts come from"},
      {replaceAll(entry(""), "https://example.com/doc", "example.com/doc"),
       "known-software catalogue: product 1 (\"Tool\"): each \"sources\" element must be {\"url\": \"https://...\", "
       "\"supports\": <what it shows>}"},
      {replaceAll(entry(""), R"("asns": [{"asn": 30103, "org": "x"}])", R"("asns": [])"),
       "known-software catalogue: product 1 (\"Tool\"): no destinations (\"asns\" or \"clouds\")"},
      {replaceAll(entry(""), R"(["tool.exe"])", R"(["bin/tool.exe"])"),
       "known-software catalogue: product 1 (\"Tool\"): process \"bin/tool.exe\" must be a file name, not a path"},
      {R"({"products": [)" + entry("").substr(14, entry("").size() - 16) + "," + entry("").substr(14, entry("").size() - 16) + "]}",
       "known-software catalogue: product 2 (\"Tool\"): a second entry of the same product"},
      {"{\"products\": [", "known-software catalogue: "},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    KnownSoftwareCatalog k;
    std::string error;
    bool ok = k.load(c.json, error);
    if (std::string(c.error).empty()) {
      CHECK(ok);
      CHECK(error.empty());
      CHECK(k.size() == 1);
    } else {
      CHECK_FALSE(ok);
      CHECK(k.size() == 0);
      if (std::string(c.error) == "known-software catalogue: ")
        CHECK(error.rfind(c.error, 0) == 0);  // the JSON parser's own message follows
      else
        CHECK(error == c.error);
    }
  }
}

TEST_CASE("known software: hostile input never matches a rented server and never breaks the reason", "[known-software]") {
  // Random paths from the characters that matter (separators, dots, drive colons, percent signs,
  // wildcards, quotes, spaces, UTF-8 and NUL bytes) spliced into real install folders.
  static const char kAlphabet[] = "\\/.:%*?\" aAzZ09~\xC3\xA9\xE2\x80\xA6";
  const std::string seeds[] = {"C:\\Program Files\\Zoom\\bin\\", "C:\\Users\\bob\\AppData\\Local\\Microsoft\\Teams\\current\\",
                               "\\\\?\\C:\\Program Files (x86)\\Google\\Update\\", "/opt/datadog-agent/bin/agent/", ""};
  const std::string names[] = {"Zoom.exe", "Teams.exe", "GoogleUpdate.exe", "agent", "", std::string("zoom.exe\0x", 10)};
  HostingAttribution vps = attributionOf("164.90.170.10");
  HostingAttribution zoom = attributionOf("144.195.10.5");
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(state >> 33);
  };
  size_t matchedZoom = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string path = seeds[next() % 5];
    size_t cut = path.empty() ? 0 : next() % (path.size() + 1);
    std::string noise;
    for (uint32_t k = 0, n = next() % 12; k < n; ++k) noise += kAlphabet[next() % (sizeof kAlphabet - 1)];
    path.insert(cut, noise);
    std::string file = names[next() % 6];
    if (next() % 2) path += file;
    std::string company = (next() % 3 == 0) ? noise : std::string();
    KnownSoftwareProcess proc{file, path, company, ""};
    for (const HostingAttribution* a : {&vps, &zoom}) {
      KnownSoftwareDestination dest = KnownSoftwareDestination::of(*a);
      KnownSoftwareMatch m = catalog().match(proc, dest);
      std::string reason;
      catalog().describe(m, proc, dest, reason);
      INFO(path << " / " << file);
      REQUIRE_FALSE((a == &vps && m.matched()));
      if (m.matched()) {
        ++matchedZoom;
        REQUIRE(catalog().productName(m) == "Zoom");
        REQUIRE(reason.rfind("Zoom from ", 0) == 0);
      }
      REQUIRE(reason.empty() == (m.verdict == KnownSoftwareVerdict::NoName));
      REQUIRE(reason.size() < 1200);
    }
  }
  CHECK(matchedZoom > 0);  // the generator does reach the genuine folder (noise spliced into nothing)
}

// ------------------------------------------------------------------------------------------------
// The fleet, read through the Defender CSV reader, as the engine will read it.

namespace {

struct FlowKey {
  std::string device, file, path, ip;
  bool operator<(const FlowKey& o) const {
    return std::tie(device, file, path, ip) < std::tie(o.device, o.file, o.path, o.ip);
  }
};
struct SeenFlow {
  std::string company, product;
  size_t rows = 0;
};

struct FlowSink : RecordSink {
  std::map<FlowKey, SeenFlow> flows;
  size_t events = 0, problems = 0;
  void onEvent(const RawEvent& e) override {
    ++events;
    FlowKey k{std::string(e.get(EventField::DeviceName)), std::string(e.get(EventField::InitiatingProcessFileName)),
              std::string(e.get(EventField::InitiatingProcessFolderPath)), std::string(e.get(EventField::RemoteIP))};
    SeenFlow& f = flows[k];
    f.company = std::string(e.get(EventField::InitiatingProcessVersionInfoCompanyName));
    f.product = std::string(e.get(EventField::InitiatingProcessVersionInfoProductName));
    ++f.rows;
  }
  void onIndicator(const RawIndicator&) override { ++problems; }
  void onSignIn(const RawSignIn&) override { ++problems; }
  void skip(std::string_view, uint64_t, uint64_t, std::string) override { ++problems; }
  void other(std::string_view) override { ++problems; }
  void fatal(uint64_t, uint64_t, std::string) override { ++problems; }
  void note(std::string) override {}
  void missingColumn(std::string) override {}
  FileKind kind() const override { return FileKind::Events; }
};

}  // namespace

TEST_CASE("known software: a generated fleet: every agent named, no implant named", "[known-software][fleet]") {
  const test::fleet::Fleet fleet = test::fleet::makeFleet();
  size_t rows = 0;
  const std::string csv = test::fleet::fleetCsv(fleet, 13, &rows);
  REQUIRE(fleet.agentFlows() >= 100);
  REQUIRE(fleet.implantFlows() >= 40);
  REQUIRE(rows > 10000);
  SECTION("deterministic") {
    CHECK(test::fleet::fleetCsv(test::fleet::makeFleet(), 13) == csv);
    CHECK(test::fleet::fleetCsv(test::fleet::makeFleet(14), 14) != csv);
  }

  const ReaderFactory* reader = detectReader(std::string_view(csv).substr(0, 65536), "fleet.csv", FileKind::Auto);
  REQUIRE(reader != nullptr);
  REQUIRE(reader->name == "defender-csv");
  FlowSink sink;
  auto r = reader->create(sink);
  for (size_t i = 0; i < csv.size(); i += 65536) r->feed(csv.data() + i, std::min<size_t>(65536, csv.size() - i));
  r->finish();
  CHECK(sink.problems == 0);
  CHECK(sink.events == rows);
  REQUIRE(sink.flows.size() == fleet.flows.size());

  std::map<std::string, size_t> namedPerProduct;
  size_t agents = 0, implants = 0;
  for (const test::fleet::Flow& f : fleet.flows) {
    FlowKey k{f.device, f.fileName, f.folderPath, f.remoteIp};
    auto it = sink.flows.find(k);
    INFO(test::fleet::kindName(f.kind) << ": " << f.device << " " << f.folderPath << " -> " << f.remoteIp << " ("
                                       << f.network << ")");
    REQUIRE(it != sink.flows.end());
    // The reader hands over exactly what the export holds.
    CHECK(it->second.company == f.company);
    CHECK(it->second.product == f.product);
    // The matcher, on the fields as read.
    HostingAttribution a = attributionOf(k.ip);
    KnownSoftwareProcess proc{k.file, k.path, it->second.company, it->second.product};
    KnownSoftwareDestination dest = KnownSoftwareDestination::of(a);
    KnownSoftwareMatch m = catalog().match(proc, dest);
    std::string reason;
    catalog().describe(m, proc, dest, reason);
    INFO(reason);
    if (f.kind == test::fleet::Kind::Agent) {
      ++agents;
      CHECK(m.matched());
      CHECK(catalog().productName(m) == f.expectedProduct);
      ++namedPerProduct[std::string(catalog().productName(m))];
    } else {
      ++implants;
      CHECK_FALSE(m.matched());
      CHECK(catalog().productName(m).empty());
      CHECK(m.nameMatched());  // every implant wears a catalogued name: the reason says why it is not the product
      CHECK_FALSE(reason.empty());
      // Rented servers: the destination is on the hosting list as vps.
      CHECK(a.isHosting);
      CHECK(a.category == HostingCategory::Vps);
      if (f.kind == test::fleet::Kind::GenuineFolderVps) CHECK(m.verdict == KnownSoftwareVerdict::WrongDestination);
      if (f.kind == test::fleet::Kind::ForgedCompany)
        CHECK((m.verdict == KnownSoftwareVerdict::WrongCompany || m.verdict == KnownSoftwareVerdict::WrongProduct));
    }
  }
  CHECK(agents == fleet.agentFlows());
  CHECK(implants == fleet.implantFlows());
  // Every catalogued product has agents in the fleet, and all of them were named.
  for (const auto& p : catalog().products()) {
    INFO(p.name);
    CHECK(namedPerProduct[p.name] > 0);
  }
}

TEST_CASE("known software: matching allocates nothing", "[known-software]") {
  const test::fleet::Fleet fleet = test::fleet::makeFleet(13, 2);
  struct Prepared {
    KnownSoftwareProcess proc;
    KnownSoftwareDestination dest;
  };
  std::vector<HostingAttribution> attributions;
  attributions.reserve(fleet.flows.size());
  for (const auto& f : fleet.flows) attributions.push_back(attributionOf(f.remoteIp));
  std::vector<Prepared> prepared;
  for (size_t i = 0; i < fleet.flows.size(); ++i) {
    const auto& f = fleet.flows[i];
    prepared.push_back({{f.fileName, f.folderPath, f.company, f.product}, KnownSoftwareDestination::of(attributions[i])});
  }
  (void)catalog();  // parsed before counting
  size_t matched = 0;
  gAllocations = 0;
  gCountAllocations = true;
  for (int round = 0; round < 10; ++round)
    for (const auto& p : prepared) matched += catalog().match(p.proc, p.dest).matched();
  gCountAllocations = false;
  CHECK(gAllocations == 0);
  CHECK(matched == 10 * fleet.agentFlows());
}

TEST_CASE("known software: matching throughput", "[.bench][known-software]") {
  const test::fleet::Fleet fleet = test::fleet::makeFleet();
  std::vector<HostingAttribution> attributions;
  for (const auto& f : fleet.flows) attributions.push_back(attributionOf(f.remoteIp));
  std::vector<KnownSoftwareProcess> procs;
  for (const auto& f : fleet.flows) procs.push_back({f.fileName, f.folderPath, f.company, f.product});
  const int rounds = 2000;
  size_t matched = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < procs.size(); ++i)
      matched += catalog().match(procs[i], KnownSoftwareDestination::of(attributions[i])).matched();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("known-software match(): " << (double(rounds) * procs.size() / s / 1e6) << " million flows/s over "
                                  << procs.size() << " fleet flows (" << matched << " matches)");
}

// Writes the fleet's export to $VPSHUNT_FLEET_CSV, for runs of the CLI on it:
//   VPSHUNT_FLEET_CSV=/tmp/fleet.csv build/vpshunt_tests "[.fleet-csv]"
//   build/vpshunt --events /tmp/fleet.csv --mode beyond --now 2026-11-24T15:00:00Z
TEST_CASE("known software: write the fleet's export", "[.fleet-csv]") {
  const char* out = std::getenv("VPSHUNT_FLEET_CSV");
  REQUIRE(out != nullptr);
  const test::fleet::Fleet fleet = test::fleet::makeFleet();
  size_t rows = 0;
  const std::string csv = test::fleet::fleetCsv(fleet, 13, &rows);
  std::ofstream f(out, std::ios::binary);
  f << csv;
  REQUIRE(f.good());
  WARN(out << ": " << rows << " rows, " << fleet.agentFlows() << " agent flows, " << fleet.implantFlows()
           << " implant flows, now " << fleet.now);
}
