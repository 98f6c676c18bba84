// Hosting attribution: which autonomous system announces an IP address, and whether that AS is a
// hosting / VPS / cloud provider (MITRE ATT&CK T1583.003 is about exactly those).
//
// Three pieces:
//   AsnDatabase  IP -> (ASN, organisation). Loaded once from `asn.bin`, the compact binary that
//                scripts/build-asn-db.mjs compiles at build time from the npm package
//                @ip-location-db/asn (IP to ASN data: RouteViews and DB-IP, https://db-ip.com,
//                CC BY 4.0), or from the analyst's own CSV in the same format.
//   HostingList  ASN -> provider name, category and source list. `HostingList::builtin()` is the
//                curated list core/src/net/hosting-asns.txt plus the public lists imported as data
//                under core/src/net/hosting/ (X4BNet lists_vpn, brianhama bad-asn-list; MIT), minus
//                the reviewed exclusions; analysts add their own lists (`AS123 # comment` lines, or
//                a CSV with an ASN column).
//   attribute()  both together, for one address, with a confidence (listed, or inferred from the
//                organisation name or from attacks in the loaded data) and a reason in words.
//
// Example:
//   std::vector<uint8_t> bytes = readWholeFile("asn.bin");
//   vpshunt::AsnDatabase db;
//   std::string error;
//   if (!db.load(bytes.data(), bytes.size(), error)) { report(error); }
//   bytes.clear();                                   // db keeps its own copy
//   vpshunt::IpAddress ip;
//   vpshunt::parseIp("45.32.1.1", ip);
//   vpshunt::AsnInfo info = db.lookup(ip);           // {20473, "The Constant Company, LLC"}
//   auto a = vpshunt::attribute(db, vpshunt::HostingList::builtin(), ip);
//   // a.asn == 20473, a.isHosting, a.provider == "Vultr (Choopa)", a.category == HostingCategory::Vps,
//   // a.confidence == HostingConfidence::Listed, a.reason == "AS20473 Vultr (Choopa) (vps)"
//
// Thread safety: all const members may be called concurrently; loading is not synchronised.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vpshunt/ip.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {

// The result of one lookup. `org` points into the AsnDatabase that produced it: valid until that
// database is destroyed, assigned to, or loaded again (moving the database keeps it valid).
struct AsnInfo {
  uint32_t asn = 0;      // 0 = the address is in no announced range (AS0 is reserved, never real)
  std::string_view org;  // empty when not found; may be empty for a real AS with no name in the data
  bool found() const { return asn != 0; }
  explicit operator bool() const { return found(); }
};

// An immutable (after loading) IP -> ASN table. Lookups are O(log n), allocation-free, noexcept.
// Memory after load(): the decoded arrays, about 2x asn.bin (~11 MB for the bundled data) plus a
// 256 KiB IPv4 index; the caller's bytes are not referenced after load() returns.
//
// Binary file format `asn.bin`, version 2. Integers in the header are u32 little-endian; `var`
// is an unsigned LEB128 varint (7 bits a byte, low bits first, high bit set = more bytes follow).
//
//   offset  size      field
//   0       4         magic "VASN"
//   4       4  u32    version = 2
//   8       4  u32    v4Count    segments in the IPv4 section
//   12      4  u32    v6Count    segments in the IPv6 section
//   16      4  u32    orgCount   entries in the organisation section
//   20      4  u32    poolSize   bytes in the string pool
//   24      4  u32    v4Bytes    size of the IPv4 section
//   28      4  u32    v6Bytes    size of the IPv6 section
//   32      4  u32    orgBytes   size of the organisation section
//   36      v4Bytes   IPv4 segments: var (start - previous start; the first start is 0.0.0.0, later
//                     deltas > 0), var org
//           v6Bytes   IPv6 segments, each start as (hi, lo) 64-bit halves: u8 shift, var m with
//                     hi - previous hi = m << shift (shift = trailing zero bits of the delta, so a
//                     /32 or /48 boundary takes a few bytes), var lo, var org. Starts strictly
//                     increase; the first is ::
//           orgBytes  organisations: var asn (!= 0), var nameOffset, var nameLength (a name in the pool)
//           poolSize  UTF-8 names, deduplicated, not terminated
//   total size = 36 + v4Bytes + v6Bytes + orgBytes + poolSize, exactly.
//   `org` = organisation index + 1, or 0 for "no AS" (a gap between announced ranges).
//
// Segment i covers [start[i], start[i+1]) (the last one runs to the end of the address space);
// gaps between announced ranges are explicit "no AS" segments, adjacent ranges of the same
// (ASN, name) are merged, organisations are numbered by first use (IPv4, then IPv6). The varints
// halve the file (the page downloads it); load() decodes it once into plain arrays, so a lookup
// is one branch-free binary search (IPv4: within the /16 of the address, via a 64 Ki index).
// IPv4 addresses (stored in IpAddress as ::ffff:a.b.c.d) are searched in the IPv4 table only.
class AsnDatabase {
 public:
  static constexpr uint32_t kFormatVersion = 2;
  static constexpr uint32_t kNoOrg = 0xFFFFFFFFu;

  AsnDatabase() = default;  // empty: every lookup is not found

  // Loads `asn.bin` bytes (copied; the caller may free them afterwards). Validates the header, the
  // exact size, ordering and every index and offset, so any byte string is safe to pass. On failure
  // returns false, sets `error` to one sentence (e.g. "asn.bin is truncated: its header says
  // 10423056 bytes, the file has 4096"), and leaves the database empty.
  bool load(const uint8_t* data, size_t size, std::string& error);
  bool load(const std::vector<uint8_t>& bytes, std::string& error) { return load(bytes.data(), bytes.size(), error); }

  // Loads the analyst's own database in the CSV format of @ip-location-db/asn:
  //   start,end,asn,org        e.g. `1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."`
  // Each text may hold IPv4 and IPv6 rows (`asn-ipv4.csv`, `asn-ipv6.csv`) or the numeric form
  // (`asn-ipv4-num.csv`, `asn-ipv6-num.csv`: a decimal below 2^32 is IPv4, larger is IPv6). The
  // ranges are inclusive and may come in any order; where they overlap, the narrower (more
  // specific) range wins inside it. A header line, blank lines and `#` comments are skipped; rows
  // that cannot be read are reported in `problems` (line, column, what was expected) and skipped.
  // Returns false (with `error`, database left empty) only when no row at all could be read.
  bool loadCsv(std::string_view text, std::string& error, std::vector<Problem>* problems = nullptr);
  // Several files at once (e.g. the IPv4 and the IPv6 file); problems name lines within each text,
  // and Problem::message starts with "file <index+1>: " when more than one text is given.
  bool loadCsv(const std::vector<std::string_view>& texts, std::string& error,
               std::vector<Problem>* problems = nullptr);

  // The current contents as `asn.bin` bytes (the same bytes scripts/build-asn-db.mjs writes for the
  // same input). Lets a page cache a user's CSV database in binary form.
  std::vector<uint8_t> serialize() const;

  AsnInfo lookup(const IpAddress& ip) const noexcept;
  AsnInfo lookupV4(uint32_t hostOrder) const noexcept;

  bool empty() const { return v4_.empty() && v6Start_.empty(); }
  size_t v4SegmentCount() const { return v4_.size(); }
  size_t v6SegmentCount() const { return v6Start_.size(); }
  size_t orgCount() const { return orgs_.size(); }

  struct V6Key {  // 128-bit address as two host-order halves, compared (hi, lo)
    uint64_t hi = 0, lo = 0;
  };
  struct Org {
    uint32_t asn = 0;
    uint32_t nameOffset = 0;
    uint32_t nameLength = 0;
  };

  // One announced range, [first, last] inclusive: IPv4 as 32-bit numbers in `lo` (hi = 0), IPv6
  // as (hi, lo) halves. `info` as lookup() would return for any address inside.
  struct Range {
    bool v6 = false;
    V6Key first, last;
    AsnInfo info;
  };
  // Visits every stored range that has an AS ("no AS" gaps skipped), IPv4 in address order, then
  // IPv6. IPv6 ranges are clipped to leave out ::ffff:0:0/96, which lookup() answers from the IPv4
  // table. Segments are visited as stored (adjacent ones of different organisations separately).
  void forEachRange(const std::function<void(const Range&)>& visit) const;
  // The stored segment that holds `ip`: an announced range (adjacent ranges of one organisation
  // merged, as stored) or, with info.asn 0, the gap between two. IPv4 addresses give IPv4 bounds
  // (`lo`, hi = 0). For an empty database, the whole address space of ip's family with no AS.
  // What the infrastructure detection makes an address's network from. Allocation-free.
  Range rangeOf(const IpAddress& ip) const noexcept;

 private:
  void clear();
  AsnInfo info(uint32_t orgIndex) const noexcept;

  void buildV4Index();

  struct V4Segment {  // start and org side by side: the last probe and the org share a cache line
    uint32_t start;
    uint32_t org;
  };
  std::vector<V4Segment> v4_;
  // v4Index_[p] = the segment holding address p << 16 (p = 0..65535), v4Index_[65536] = last
  // segment: a lookup binary-searches only v4Index_[x>>16] .. v4Index_[(x>>16)+1] (a few entries)
  // instead of all segments. Built at load time, not stored in the file. 256 KiB.
  std::vector<uint32_t> v4Index_;
  std::vector<V6Key> v6Start_;
  std::vector<uint32_t> v6Org_;
  std::vector<Org> orgs_;
  std::vector<char> pool_;  // a vector, not a string: its buffer survives moves (no SSO)
};

// What kind of provider an AS belongs to.
//   hosting      hosting, dedicated servers, colocation (the general case; imported lists use it)
//   cloud        the hyperscalers' shared ASNs (they also carry the vendors' own services)
//   vps          VPS / dedicated-server rental: where T1583.003 actors rent
//   bulletproof  hosters that ignore abuse reports by design (public reports, sanctions)
//   vpn          commercial VPN and anonymising exit networks (M247, Datacamp, Tor exits): many
//                users share an address; a sign-in from one hides who signed in
//   proxy        security proxies and relays (Zscaler, Netskope, iCloud Private Relay egress):
//                an enterprise's or a device's own egress, rarely an attacker's server
// The values are stable (user lists may name them in sections: `[vpn]`); only new ones are added.
enum class HostingCategory : uint8_t { Hosting, Cloud, Vps, Bulletproof, Vpn, Proxy };
std::string_view hostingCategoryName(HostingCategory c);  // "hosting", "cloud", ..., "vpn", "proxy"
// "hosting", "cloud", "vps", "bulletproof", "vpn", "proxy" (ASCII case-insensitive, blanks around
// ignored); false for anything else.
bool parseHostingCategory(std::string_view text, HostingCategory& out);

// How sure an attribution is. Listed: the AS is on a list (curated, imported or the analyst's).
// The two inferred levels mark an AS that is on no list, from evidence the reasons name:
//   InferredFromName      the organisation name says hosting ("... Hosting Ltd", "... Servers",
//                         "VPS", "Rechenzentrum", ...) and holds no word of an access network
//                         ("broadband", "mobile", "cable", "fibra", ...)
//   InferredFromActivity  a weaker name signal (a sole proprietor's AS: "FOP ...", "... EOOD",
//                         "X trading as Y", a patronymic) together with addresses of that AS that
//                         attacked in the loaded data (AttackEvidence). Attacks alone never mark an
//                         AS: home routers in botnets attack too.
enum class HostingConfidence : uint8_t { None, Listed, InferredFromName, InferredFromActivity };
std::string_view hostingConfidenceName(HostingConfidence c);  // "none", "listed", "inferred-name", "inferred-activity"

struct HostingEntry {
  uint32_t asn = 0;
  std::string provider;  // e.g. "DigitalOcean"; for lists without names, the line's comment
  HostingCategory category = HostingCategory::Hosting;
  std::string note;      // the list's comment (source, remarks); may be empty
  uint16_t source = 0;   // index into HostingList::sources(): the list this entry came from
  // The list's text is a comment, not a name (the imported public lists: whois handles, issue
  // links, names gone stale): attribution shows the organisation name of the IP data instead.
  bool providerFromData = false;
};

// An AS that the imported public lists (or the organisation-name inference) must not mark, with
// the reason (a residential or mobile ISP, a transit carrier, a CDN...). The curated list and the
// analyst's own lists are not filtered: they are reviewed, or the analyst's word.
struct HostingExclusion {
  uint32_t asn = 0;
  std::string name;
  std::string reason;
};

// How one text is loaded into a HostingList.
struct HostingListLoad {
  HostingCategory defaultCategory = HostingCategory::Hosting;  // before any [section]
  std::string_view source;         // the list's name in reasons; empty: "your hosting list"
  bool honourExclusions = false;   // skip ASNs on the exclusion list (for imported public lists)
  bool providerFromData = false;   // sets HostingEntry::providerFromData on every entry
};

// A set of hosting ASNs, the sources they came from, and ASNs excluded from the imported lists.
// Lookups are O(log n) and allocation-free.
class HostingList {
 public:
  static constexpr std::string_view kCuratedSource = "vpshunt curated list";
  static constexpr std::string_view kUserSource = "your hosting list";

  // Everything compiled into the binary (core/src/net/asn-db.cmake embeds the files), in this
  // order, the first entry of an ASN winning: the curated list core/src/net/hosting-asns.txt
  // (source "vpshunt curated list"), then the public lists imported as data under
  // core/src/net/hosting/ (X4BNet lists_vpn, vpn ASNs as `vpn`, datacenter ASNs; brianhama
  // bad-asn-list), minus core/src/net/hosting/exclusions.txt. Built on first use; never fails.
  static const HostingList& builtin();
  // The curated list alone (no imported lists, no exclusions, no name inference): vpshunt's
  // attribution before the imports, for measurements.
  static const HostingList& curatedOnly();

  // Adds the ASNs of one list and returns how many were added. Two formats, detected per text:
  //   * lines   `AS123 # comment`, `AS123 Provider name # comment` or `123`; `#` lines are comments;
  //             `[cloud]`, `[vps]`, `[bulletproof]`, `[hosting]`, `[vpn]`, `[proxy]` set the
  //             category of later lines. With no name, the comment (if any) becomes the provider.
  //             (X4BNet lists_vpn ASN.txt)
  //   * CSV     a header naming an ASN column (`ASN`, `asn`, `as_number`, `autonomous_system_number`)
  //             and optionally a name column (`Entity`, `Name`, `Org`, `Organization`, `Provider`,
  //             `Description`); cells may be quoted or not, with blanks around quotes; an ASN cell
  //             may read `AS123`; `#` lines are comments. (brianhama bad-asn-list.csv)
  // An ASN already in the list keeps its first entry (so a user list does not rename curated
  // providers, and the curated list wins where lists disagree on a category). Lines that cannot
  // be read go to `problems` with their 1-based line number.
  size_t load(std::string_view text, std::vector<Problem>* problems = nullptr,
              HostingCategory defaultCategory = HostingCategory::Hosting);
  size_t load(std::string_view text, std::vector<Problem>* problems, const HostingListLoad& how);
  // Exclusions, as `AS123 Name # reason` lines. An ASN already listed stays listed (exclusions
  // filter later loads with honourExclusions, and the name inference). Returns how many were read.
  size_t loadExclusions(std::string_view text, std::vector<Problem>* problems = nullptr);
  void add(HostingEntry entry);             // same first-entry-wins rule; source as given
  void merge(const HostingList& other);     // adds all of other's entries, exclusions and sources

  const HostingEntry* find(uint32_t asn) const noexcept;  // nullptr when not a hosting ASN
  bool contains(uint32_t asn) const noexcept { return find(asn) != nullptr; }
  const HostingExclusion* exclusion(uint32_t asn) const noexcept;  // nullptr when not excluded
  size_t size() const { return entries_.size(); }
  const std::vector<HostingEntry>& entries() const { return entries_; }  // sorted by asn
  const std::vector<HostingExclusion>& exclusions() const { return exclusions_; }  // sorted by asn
  // Source names, indexed by HostingEntry::source; index 0 is kUserSource.
  const std::vector<std::string>& sources() const { return sources_; }
  std::string_view sourceName(const HostingEntry& e) const noexcept;

  // Whether attribute() may infer hosting for unlisted ASNs (from the organisation name and from
  // AttackEvidence). On by default and in builtin(); off in curatedOnly().
  void setInference(bool on) { inference_ = on; }
  bool inference() const { return inference_; }

 private:
  uint16_t sourceIndex(std::string_view name);
  std::vector<HostingEntry> entries_;  // sorted by asn, unique
  std::vector<HostingExclusion> exclusions_;  // sorted by asn, unique
  std::vector<std::string> sources_{std::string(kUserSource)};
  bool inference_ = true;
};

// What an organisation name says about its AS, from words alone (ASCII, case-insensitive; words
// are runs of letters and digits). See HostingConfidence for the two signals. `word` is the word
// (lower case, a view into a static table) that decided, for the reasons; `veto` the access-network
// word that cancelled a hosting word. Allocation-free, noexcept.
struct OrgNameSignal {
  enum class Kind : uint8_t { None, Hosting, SoleProprietor };
  Kind kind = Kind::None;
  HostingCategory category = HostingCategory::Hosting;  // Vpn for "VPN" names, else Hosting
  std::string_view word;
  std::string_view veto;
};
OrgNameSignal orgNameSignal(std::string_view org) noexcept;

// Addresses that attacked in the loaded data (brute force, scanning, exploit delivery, password
// sprays), recorded by the detections that see attacks, read by attribute() as evidence that an
// unlisted AS rents servers. Repeats are counted once. Not thread-safe while being filled.
class AttackEvidence {
 public:
  void add(const IpAddress& ip, uint32_t asn);  // asn = the AS announcing ip (0 = unknown)
  void add(const AsnDatabase& db, const IpAddress& ip) { add(ip, db.lookup(ip).asn); }
  bool attacked(const IpAddress& ip) const;
  uint32_t attackersInAs(uint32_t asn) const noexcept;  // distinct attacking addresses of the AS
  size_t size() const { return addresses_.size(); }
  bool empty() const { return addresses_.empty(); }

 private:
  struct Hash {
    size_t operator()(const IpAddress& ip) const noexcept;
  };
  std::unordered_set<IpAddress, Hash> addresses_;
  std::unordered_map<uint32_t, uint32_t> perAs_;  // asn -> distinct attacking addresses
};

// One address, attributed, without copies: views into the database, the list and static tables,
// valid while those live. The fast form; attribute() below makes the owning copy and the reason.
struct HostingMatch {
  uint32_t asn = 0;                 // 0 = unknown
  std::string_view org;             // from the ASN database
  HostingConfidence confidence = HostingConfidence::None;  // None = not hosting
  HostingCategory category = HostingCategory::Hosting;     // meaningful unless None
  const HostingEntry* entry = nullptr;  // the list entry when Listed
  std::string_view source;          // the list's name when Listed
  OrgNameSignal name;               // the name evidence when inferred
  uint32_t attackers = 0;           // attacking addresses of the AS when InferredFromActivity
  bool isHosting() const { return confidence != HostingConfidence::None; }
};
HostingMatch matchHosting(const AsnDatabase& db, const HostingList& hosting, const IpAddress& ip,
                          const AttackEvidence* evidence = nullptr) noexcept;
// The same for an AS known otherwise (a sign-in log that names the client's ASN): `info.org` may be
// empty (then no name inference); views into `info.org` as above.
HostingMatch matchHostingAsn(const HostingList& hosting, AsnInfo info, const AttackEvidence* evidence = nullptr) noexcept;

// One address, attributed. All strings are copies (safe to keep). What detections put in their
// rows and reasons:
//   asn, org            from the ASN database (0 / empty when the address is in no announced range)
//   isHosting           listed, or inferred (then confidence says which evidence)
//   provider            the list's name for the AS; the organisation name when inferred, or when
//                       the list's text is no name (HostingEntry::providerFromData)
//   category            meaningful only when isHosting
//   confidence          Listed, InferredFromName, InferredFromActivity; None when not hosting
//   source              the list's name ("vpshunt curated list", "X4BNet lists_vpn", "brianhama
//                       bad-asn-list", "your hosting list"), or "organisation name", or
//                       "organisation name and activity in the loaded data"
//   reason              the evidence in words, e.g.
//                       "AS20473 Vultr (Choopa) (vps)"                      (curated: no source named)
//                       "AS3223 Voxility LLP (hosting; X4BNet lists_vpn)"
//                       "AS64500 Example Hosting Ltd (hosting; inferred from the word 'hosting' in
//                        the organisation name)"
//                       "AS64501 Kovalenko EOOD (hosting; inferred from the sole-proprietor-style
//                        organisation name ('eood') and 3 addresses of this AS that attacked in the
//                        loaded data)"
//                       "AS7922 Comcast Cable Communications, LLC (not a listed hosting provider)"
//                       "no ASN for this address"
struct HostingAttribution {
  uint32_t asn = 0;
  std::string org;
  bool isHosting = false;
  std::string provider;
  HostingCategory category = HostingCategory::Hosting;
  HostingConfidence confidence = HostingConfidence::None;
  std::string source;
  std::string reason;
};

HostingAttribution attribute(const AsnDatabase& db, const HostingList& hosting, const IpAddress& ip,
                             const AttackEvidence* evidence = nullptr);
HostingAttribution attributeAsn(const HostingList& hosting, AsnInfo info, const AttackEvidence* evidence = nullptr);
std::string hostingReason(const HostingMatch& m);  // the `reason` text of attribute()

}  // namespace vpshunt
