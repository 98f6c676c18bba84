// Known software, recognised safely (issue 13, part 2).
//
// Update agents, monitoring agents, endpoint-security sensors and developer tools call home on a
// schedule, so a beacon detection finds them. Excluding them by process name opens a blind spot: an
// implant named Zoom.exe in %TEMP%, or GoogleUpdate.exe in AppData\Roaming, calling a VPS, would be
// excluded too (masquerading, MITRE ATT&CK T1036). So a flow is named as known software only when
//
//   * its process file name is one of a catalogued product's names, AND
//   * the process runs directly in one of that product's install folders, AND
//   * the destination is one of the vendor's networks (its ASNs), or a public cloud the vendor's
//     service is hosted on (by the hosting list's provider name, category cloud), AND
//   * the export's version-info company / product, when it has them, do not contradict the entry.
//
// A name alone never matches. Per-user install folders (%LOCALAPPDATA%, %APPDATA%: writable by the
// user, so by any implant running as the user) are catalogued only where the vendor documents a
// per-user install, and they are trusted only with the vendor's own networks, never with a shared
// cloud: an unprivileged implant can write there and can rent a cloud server, but it cannot get an
// address in Zoom's or GitHub's own network.
//
// The catalogue is project data: core/src/enrich/known-software.json (each entry with its sources),
// compiled in by known-software.cmake. Its format is described at the top of that file and enforced
// by load(): unknown keys, per-user folders in `folders`, machine folders in `userFolders`, '**' in a
// per-user folder, %TEMP%/Downloads/Public folders, non-cloud hosting providers in `clouds` and
// entries without a source are load errors.
//
// Path handling (the process's path as the export wrote it: Defender's InitiatingProcessFolderPath,
// which usually holds the full path including the file name and sometimes only the folder; Sysmon's
// Image, always the full path):
//   * ASCII case-insensitive; '\' and '/' alike; repeated separators and "." components collapse;
//   * `\\?\`, `\??\` prefixes are dropped; `\Device\HarddiskVolumeN\` and `\SystemRoot\` stand for the
//     system drive C: and C:\Windows; catalogued Windows folders are on C: (a copy on D: does not match);
//   * a ".." component, a UNC path (\\server\share), a drive-relative path and a path longer than
//     kMaxPath never match, with a reason;
//   * 8.3 short names (PROGRA~2) and look-alike Unicode are not folded: they do not match.
//   * `<user>` of %LOCALAPPDATA% etc. is any profile folder except Public, Default, Default User and
//     All Users (C:\Users\Public is writable by every user).
//
// Thread safety: a loaded catalogue is immutable; match() and describe() may run concurrently.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/asn.hpp"

namespace vpshunt {

// What the event says about the initiating process. Views: valid during the call only.
struct KnownSoftwareProcess {
  std::string_view fileName;  // InitiatingProcessFileName; empty: taken from the path's last component
  std::string_view path;      // InitiatingProcessFolderPath or Sysmon Image: the folder, or the full path
  std::string_view company;   // InitiatingProcessVersionInfoCompanyName / Sysmon Company; empty = absent
  std::string_view product;   // InitiatingProcessVersionInfoProductName / Sysmon Product; empty = absent
};

// Where the flow goes, as attribute() (vpshunt/asn.hpp) saw the remote address.
struct KnownSoftwareDestination {
  uint32_t asn = 0;            // 0 = unknown: nothing matches an unknown destination
  std::string_view org;        // the ASN database's organisation name (for the reason text)
  bool isHosting = false;      // the ASN is on the hosting list
  HostingCategory category = HostingCategory::Hosting;
  std::string_view provider;   // the hosting list's provider name; meaningful only when isHosting

  static KnownSoftwareDestination of(const HostingAttribution& a) {
    return {a.asn, a.org, a.isHosting, a.category, a.provider};
  }
};

// How far a flow got. Later values got further; only Matched is a match.
enum class KnownSoftwareVerdict : uint8_t {
  NoName,               // no catalogued product has this file name: nothing to say
  NoPath,               // a catalogued name, but the export gives no folder: a name alone never matches
  BadPath,              // a catalogued name, but the path is unusable (see KnownSoftwareMatch::pathProblem)
  WrongFolder,          // a catalogued name outside that product's install folders
  WrongCompany,         // name and folder fit, the version-info company contradicts the entry
  WrongProduct,         // name and folder fit, the version-info product name contradicts the entry
  UnknownDestination,   // name and folder fit, the destination's ASN is unknown
  WrongDestination,     // name and folder fit, the destination is not one of the vendor's networks
  UserFolderCloud,      // a per-user folder and a shared cloud: trusted only with the vendor's own ASNs
  Matched,
};
std::string_view knownSoftwareVerdictName(KnownSoftwareVerdict v);  // "matched", "wrong folder", ...

enum class KnownSoftwarePathProblem : uint8_t { None, Traversal, Unc, NoDrive, OtherDrive, TooLong };

struct KnownSoftwareMatch {
  KnownSoftwareVerdict verdict = KnownSoftwareVerdict::NoName;
  KnownSoftwarePathProblem pathProblem = KnownSoftwarePathProblem::None;
  uint16_t product = 0;          // index into products(): the match, or the candidate that got furthest
  bool userFolder = false;       // the folder that fitted is a per-user one
  bool viaCloud = false;         // the destination fitted as the vendor's cloud, not the vendor's own ASN
  bool sharedNetwork = false;    // the vendor ASN that fitted is also on the hosting list (Azure, GCP)
  char drive = 0;                // OtherDrive: the drive letter (lowercase)

  bool matched() const { return verdict == KnownSoftwareVerdict::Matched; }
  // A catalogued name was seen (verdict after NoName): the page/analyst may want the reason.
  bool nameMatched() const { return verdict != KnownSoftwareVerdict::NoName; }
};

struct KnownSoftwareSource {
  std::string url;
  std::string supports;  // which fact the page supports
};

struct KnownSoftwareProduct {
  std::string name;                     // "Google Update": the KnownSoftware column
  std::string vendor;
  std::vector<std::string> processes;   // file names as catalogued (compared case-insensitively)
  std::vector<std::string> folders;     // machine-wide install folders, as catalogued
  std::vector<std::string> userFolders; // per-user install folders, as catalogued
  std::vector<std::string> companies;   // version-info company names (a legal suffix may follow)
  std::vector<std::string> productNames;
  std::vector<uint32_t> asns;           // the vendor's own networks
  std::vector<std::string> asnOrgs;     // parallel to asns: the catalogue's note of each AS's name
  std::vector<std::string> clouds;      // hosting-list provider names (category cloud)
  std::vector<KnownSoftwareSource> sources;
  std::string unsourced;                // what no source in reach confirmed, in words; may be empty
};

class KnownSoftwareCatalog {
 public:
  // The paths kept for matching: longer ones never match (reason TooLong). Windows allows 32,767
  // characters; no installer puts an agent that deep.
  static constexpr size_t kMaxPath = 1024;

  // The catalogue compiled in from core/src/enrich/known-software.json. Parsed on first use; a
  // catalogue that does not load is a build defect (the unit tests load it), so this aborts then.
  static const KnownSoftwareCatalog& builtin();

  // Replaces the contents with the catalogue in `json`. False with `error` (one sentence naming the
  // product entry and key) on any problem; the catalogue is then empty.
  bool load(std::string_view json, std::string& error);

  // Allocation-free; noexcept. See the file comment for the rules.
  KnownSoftwareMatch match(const KnownSoftwareProcess& process, const KnownSoftwareDestination& dest) const noexcept;

  // Appends the reason text for `m` (made by match() from the same process and destination) to `out`:
  //   Matched:     "Google Update from C:\Program Files (x86)\Google\Update\ to AS15169 Google LLC"
  //   otherwise:   "GoogleUpdate.exe outside Google Update's install folders (C:\Users\x\AppData\Roaming\)"
  // Nothing for NoName. Path text is quoted from the export (attacker-controlled: render as text),
  // shortened to 160 bytes.
  void describe(const KnownSoftwareMatch& m, const KnownSoftwareProcess& process,
                const KnownSoftwareDestination& dest, std::string& out) const;

  // The KnownSoftware column: the product's name when matched, else empty.
  std::string_view productName(const KnownSoftwareMatch& m) const {
    return m.matched() ? std::string_view(products_[m.product].name) : std::string_view();
  }

  const std::vector<KnownSoftwareProduct>& products() const { return products_; }
  size_t size() const { return products_.size(); }

 private:
  struct Component {  // one folder level of a compiled pattern
    enum Kind : uint8_t { Literal, Glob, AnyOne, AnyUser, AnyDepth } kind;
    std::string text;  // lowercase; Literal / Glob
  };
  struct Pattern {
    std::vector<Component> parts;
    uint16_t product;
    bool userFolder;
  };
  struct Name {
    std::string lower;
    uint16_t product;
  };

  bool matchFolder(const Pattern& p, const std::string_view* parts, size_t count) const noexcept;

  std::vector<KnownSoftwareProduct> products_;
  std::vector<Pattern> patterns_;        // grouped by product, in catalogue order
  std::vector<uint32_t> firstPattern_;   // per product: [firstPattern_[i], firstPattern_[i+1]) in patterns_
  std::vector<Name> names_;              // sorted by lower, then product
};

}  // namespace vpshunt
