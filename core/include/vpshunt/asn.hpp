// Hosting attribution: which autonomous system announces an IP address, and whether that AS is a
// hosting / VPS / cloud provider (MITRE ATT&CK T1583.003 is about exactly those).
//
// Three pieces:
//   AsnDatabase  IP -> (ASN, organisation). Loaded once from `asn.bin`, the compact binary that
//                scripts/build-asn-db.mjs compiles at build time from the npm package
//                @ip-location-db/asn (IP to ASN data: RouteViews and DB-IP, https://db-ip.com,
//                CC BY 4.0), or from the analyst's own CSV in the same format.
//   HostingList  ASN -> provider name and category. `HostingList::builtin()` is the curated list
//                compiled from core/src/net/hosting-asns.txt; analysts add their own lists
//                (`AS123 # comment` lines, or a CSV with an ASN column).
//   attribute()  both together, for one address.
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
//   // a.asn == 20473, a.isHosting, a.provider == "Vultr (Choopa)", a.category == HostingCategory::Vps
//
// Thread safety: all const members may be called concurrently; loading is not synchronised.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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

// What kind of provider an AS belongs to. Bulletproof hosters ignore abuse reports by design.
enum class HostingCategory : uint8_t { Hosting, Cloud, Vps, Bulletproof };
std::string_view hostingCategoryName(HostingCategory c);  // "hosting", "cloud", "vps", "bulletproof"

struct HostingEntry {
  uint32_t asn = 0;
  std::string provider;  // e.g. "DigitalOcean"; for lists without names, the line's comment
  HostingCategory category = HostingCategory::Hosting;
  std::string note;      // the list's comment (source, remarks); may be empty
};

// A set of hosting ASNs. Lookups are O(log n) and allocation-free.
class HostingList {
 public:
  // The curated list compiled into the binary from core/src/net/hosting-asns.txt (cloud, VPS and
  // bulletproof providers, each with a source). Built on first use; never fails.
  static const HostingList& builtin();

  // Adds the ASNs of one list and returns how many were added. Two formats, detected per text:
  //   * lines   `AS123 # comment`, `AS123 Provider name # comment` or `123`; `#` lines are comments;
  //             `[cloud]`, `[vps]`, `[bulletproof]`, `[hosting]` set the category of later lines.
  //             With no name, the comment (if any) becomes the provider. (X4BNet lists_vpn ASN.txt)
  //   * CSV     a header naming an ASN column (`ASN`, `asn`, `as_number`, `autonomous_system_number`)
  //             and optionally a name column (`Entity`, `Name`, `Org`, `Organization`, `Provider`,
  //             `Description`); cells may be quoted or not, with blanks around quotes; an ASN cell
  //             may read `AS123`. (brianhama bad-asn-list.csv)
  // An ASN already in the list keeps its first entry (so a user list does not rename curated
  // providers). Lines that cannot be read go to `problems` with their 1-based line number.
  size_t load(std::string_view text, std::vector<Problem>* problems = nullptr,
              HostingCategory defaultCategory = HostingCategory::Hosting);
  void add(HostingEntry entry);             // same first-entry-wins rule
  void merge(const HostingList& other);     // adds all of other's entries

  const HostingEntry* find(uint32_t asn) const noexcept;  // nullptr when not a hosting ASN
  bool contains(uint32_t asn) const noexcept { return find(asn) != nullptr; }
  size_t size() const { return entries_.size(); }
  const std::vector<HostingEntry>& entries() const { return entries_; }  // sorted by asn

 private:
  std::vector<HostingEntry> entries_;  // sorted by asn, unique
};

// One address, attributed. `org` and `provider` are copies (safe to keep).
struct HostingAttribution {
  uint32_t asn = 0;         // 0 = unknown
  std::string org;          // from the ASN database
  bool isHosting = false;   // asn is in the hosting list
  std::string provider;     // the hosting list's name; empty unless isHosting
  HostingCategory category = HostingCategory::Hosting;  // meaningful only when isHosting
};

HostingAttribution attribute(const AsnDatabase& db, const HostingList& hosting, const IpAddress& ip);

}  // namespace vpshunt
