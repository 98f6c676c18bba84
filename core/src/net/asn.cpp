// AsnDatabase: the asn.bin reader/writer, the CSV loader, and the lookups.
// The binary layout is documented in vpshunt/asn.hpp; scripts/build-asn-db.mjs writes the same
// bytes for the same input (same merge rules, same organisation numbering).
#include "vpshunt/asn.hpp"
#include "vpshunt/problem.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace vpshunt {
namespace {

constexpr size_t kHeaderSize = 36;
constexpr char kMagic[4] = {'V', 'A', 'S', 'N'};

uint32_t readU32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
void writeU32(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v >> 16));
  out.push_back(uint8_t(v >> 24));
}
uint64_t readBe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}
// Unsigned LEB128: 7 bits a byte, low groups first, high bit = more bytes follow.
void writeVar(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}
int countTrailingZeros(uint64_t v) {  // v != 0
  int n = 0;
  while ((v & 1) == 0) {
    v >>= 1;
    ++n;
  }
  return n;
}

// Reads one section of asn.bin; every read is bounds-checked.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  bool var(uint64_t& out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end) return false;
      uint8_t b = *p++;
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      v |= uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        out = v;
        return true;
      }
    }
    return false;
  }
  bool var32(uint32_t& out) {
    uint64_t v;
    if (!var(v) || v > 0xFFFFFFFFull) return false;
    out = uint32_t(v);
    return true;
  }
  bool byte(uint8_t& out) {
    if (p == end) return false;
    out = *p++;
    return true;
  }
};

bool lessEq(const AsnDatabase::V6Key& a, const AsnDatabase::V6Key& b) {
  return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo);
}

// ---- CSV -> segments -------------------------------------------------------------------------

using U128 = unsigned __int128;

struct Range {
  U128 start, end;  // inclusive
  uint32_t org;     // temporary organisation id (first appearance in the input)
};

// Turns possibly overlapping ranges into sorted segment starts with an org (kNoOrg for gaps).
// Ranges are sorted by start, wider first; an open range is covered by any range that starts
// inside it until that one ends (so a nested, more specific range wins inside it). Adjacent
// segments with the same org merge. Mirrors sweep() in scripts/build-asn-db.mjs.
std::vector<std::pair<U128, uint32_t>> sweep(std::vector<Range> ranges, U128 maxAddress) {
  std::stable_sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  std::vector<std::pair<U128, uint32_t>> out;
  auto emit = [&out](U128 start, uint32_t org) {
    if (!out.empty() && out.back().first == start) {
      out.back().second = org;
      if (out.size() >= 2 && out[out.size() - 2].second == org) out.pop_back();
      return;
    }
    if (!out.empty() && out.back().second == org) return;
    out.emplace_back(start, org);
  };
  std::vector<Range> open;
  auto closeTop = [&](bool final) {
    U128 end = open.back().end;
    open.pop_back();
    while (!open.empty() && open.back().end <= end) open.pop_back();
    if (final && end == maxAddress) return;
    emit(end + 1, open.empty() ? AsnDatabase::kNoOrg : open.back().org);
  };
  emit(0, AsnDatabase::kNoOrg);
  for (const Range& r : ranges) {
    while (!open.empty() && open.back().end < r.start) closeTop(false);
    emit(r.start, r.org);
    open.push_back(r);
  }
  while (!open.empty()) closeTop(true);
  if (out.size() == 1 && out[0].second == AsnDatabase::kNoOrg) out.clear();
  return out;
}

std::string_view trimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// An address field: dotted IPv4, IPv6, or a decimal (IPv4 below 2^32, else IPv6).
bool parseAddress(std::string_view s, U128& value, bool& isV4) {
  if (s.empty()) return false;
  bool digitsOnly = std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digitsOnly) {
    if (s.size() > 39) return false;
    U128 v = 0;
    const U128 max = ~U128(0);
    for (char c : s) {
      unsigned d = unsigned(c - '0');
      if (v > max / 10) return false;  // constant divisions only: no 128-bit libcalls
      v *= 10;
      if (v > max - d) return false;
      v += d;
    }
    value = v;
    isV4 = v <= 0xFFFFFFFFu;
    return true;
  }
  IpAddress ip;
  if (!parseIp(s, ip)) return false;
  U128 v = 0;
  for (uint8_t b : ip.bytes) v = v << 8 | b;
  static const uint8_t mappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  isV4 = std::memcmp(ip.bytes.data(), mappedPrefix, 12) == 0;
  value = isV4 ? (v & 0xFFFFFFFFu) : v;
  return true;
}

std::string quoteForMessage(std::string_view s) {
  return "\"" + std::string(cutUtf8(s, 60)) + "\"";
}

struct CsvLoader {
  std::vector<Range> v4, v6;
  std::unordered_map<std::string, uint32_t> orgIds;  // key: asn + '\0' + name
  std::vector<std::pair<uint32_t, std::string>> orgs;  // by temporary id
  size_t rows = 0;

  uint32_t orgId(uint32_t asn, std::string name) {
    std::string key = std::to_string(asn);
    key.push_back('\0');
    key += name;
    auto it = orgIds.find(key);
    if (it != orgIds.end()) return it->second;
    uint32_t id = uint32_t(orgs.size());
    orgIds.emplace(std::move(key), id);
    orgs.emplace_back(asn, std::move(name));
    return id;
  }

  void text(std::string_view text, const std::string& prefix, std::vector<Problem>* problems) {
    if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
    uint64_t lineNo = 0;
    bool seenContent = false;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      ++lineNo;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (trimView(line).empty() || trimView(line).front() == '#') continue;
      bool first = !seenContent;
      seenContent = true;
      auto problem = [&](size_t column, std::string message) {
        if (problems) problems->push_back(Problem{lineNo, column + 1, prefix + std::move(message), "asn-database"});
      };
      // start,end,asn: plain fields; the rest is the organisation, quoted or not.
      size_t fieldStart[3];
      std::string_view field[3];
      size_t at = 0;
      bool ok = true;
      for (int i = 0; i < 3; ++i) {
        size_t comma = line.find(',', at);
        if (comma == std::string_view::npos) {
          if (!first) problem(line.size(), "expected 4 fields: start,end,asn,org");
          ok = false;
          break;
        }
        fieldStart[i] = at;
        field[i] = trimView(line.substr(at, comma - at));
        if (field[i].size() >= 2 && field[i].front() == '"' && field[i].back() == '"')
          field[i] = field[i].substr(1, field[i].size() - 2);
        at = comma + 1;
      }
      if (!ok) continue;
      U128 start, end;
      bool startV4, endV4;
      if (!parseAddress(field[0], start, startV4)) {
        if (!first)  // the first row may be a header such as "ip_range_start,ip_range_end,..."
          problem(fieldStart[0], "expected an IP address or a decimal number as the range start, found " +
                                     quoteForMessage(field[0]));
        continue;
      }
      if (!parseAddress(field[1], end, endV4)) {
        problem(fieldStart[1], "expected an IP address or a decimal number as the range end, found " +
                                   quoteForMessage(field[1]));
        continue;
      }
      if (startV4 != endV4) {
        problem(fieldStart[1], "the range start and end are not the same IP version");
        continue;
      }
      if (end < start) {
        problem(fieldStart[1], "the range end is below its start");
        continue;
      }
      std::string_view asnText = field[2];
      if (asnText.size() > 2 && (asnText[0] == 'A' || asnText[0] == 'a') && (asnText[1] == 'S' || asnText[1] == 's'))
        asnText.remove_prefix(2);
      uint64_t asn = 0;
      bool asnOk = !asnText.empty() && asnText.size() <= 10;
      for (char c : asnText) {
        if (c < '0' || c > '9') { asnOk = false; break; }
        asn = asn * 10 + unsigned(c - '0');
      }
      if (!asnOk || asn > 0xFFFFFFFFull) {
        problem(fieldStart[2], "expected an AS number (0 to 4294967295), found " + quoteForMessage(field[2]));
        continue;
      }
      ++rows;
      if (asn == 0) continue;  // AS0 = "not announced": a gap, which is what absence means anyway
      std::string_view rest = trimView(line.substr(at));
      std::string org;
      if (!rest.empty() && rest.front() == '"') {
        size_t i = 1;
        bool closed = false;
        for (; i < rest.size(); ++i) {
          if (rest[i] == '"') {
            if (i + 1 < rest.size() && rest[i + 1] == '"') { org.push_back('"'); ++i; continue; }
            closed = true;
            break;
          }
          org.push_back(rest[i]);
        }
        if (!closed) {
          problem(at, "the quoted organisation name has no closing quote");
          --rows;
          continue;
        }
      } else {
        org.assign(rest.data(), rest.size());
      }
      Range r{start, end, orgId(uint32_t(asn), std::move(org))};
      (startV4 ? v4 : v6).push_back(r);
    }
  }
};

}  // namespace

// ---- AsnDatabase ---------------------------------------------------------------------------------

void AsnDatabase::clear() {
  v4_.clear();
  v4Index_.clear();
  v6Start_.clear();
  v6Org_.clear();
  orgs_.clear();
  pool_.clear();
}

bool AsnDatabase::load(const uint8_t* data, size_t size, std::string& error) {
  clear();
  auto fail = [&](std::string message) {
    clear();
    error = std::move(message);
    return false;
  };
  if (data == nullptr && size != 0) return fail("asn.bin: no data");
  if (size < 8 || std::memcmp(data, kMagic, 4) != 0)
    return fail("not an ASN database: the file does not start with the asn.bin magic \"VASN\"");
  uint32_t version = readU32(data + 4);
  if (version != kFormatVersion)
    return fail("unsupported asn.bin version " + std::to_string(version) + " (this build reads version " +
                std::to_string(kFormatVersion) + "); rebuild the database with scripts/build-asn-db.mjs");
  if (size < kHeaderSize)
    return fail("asn.bin is truncated: " + std::to_string(size) + " bytes, shorter than its 36-byte header");
  uint64_t v4Count = readU32(data + 8), v6Count = readU32(data + 12), orgCount = readU32(data + 16),
           poolSize = readU32(data + 20), v4Bytes = readU32(data + 24), v6Bytes = readU32(data + 28),
           orgBytes = readU32(data + 32);
  uint64_t expected = kHeaderSize + v4Bytes + v6Bytes + orgBytes + poolSize;
  if (size < expected)
    return fail("asn.bin is truncated: its header says " + std::to_string(expected) + " bytes, the file has " +
                std::to_string(size));
  if (size > expected)
    return fail("asn.bin is corrupt: " + std::to_string(size - expected) +
                " unexpected bytes after the end its header gives (" + std::to_string(expected) + " bytes)");
  // Each entry takes at least 2 (IPv4), 4 (IPv6) or 3 (organisation) bytes: this bounds the
  // allocations below by the file size, whatever the header claims.
  if (v4Count * 2 > v4Bytes || v6Count * 4 > v6Bytes || orgCount * 3 > orgBytes)
    return fail("asn.bin is corrupt: its header gives more entries than its sections can hold");

  const uint8_t* v4Begin = data + kHeaderSize;
  const uint8_t* v6Begin = v4Begin + v4Bytes;
  const uint8_t* orgBegin = v6Begin + v6Bytes;
  const uint8_t* pool = orgBegin + orgBytes;

  auto readOrg = [&](Cursor& c, uint32_t& org) {
    uint32_t stored;  // organisation index + 1; 0 = no AS
    if (!c.var32(stored) || stored > orgCount) return false;
    org = stored == 0 ? kNoOrg : stored - 1;
    return true;
  };
  auto corrupt = [&](const char* family, uint64_t i) {
    return fail(std::string("asn.bin is corrupt: ") + family + " segment " + std::to_string(i) +
                " cannot be read (bad number, organisation index, or past the end of its section)");
  };

  Cursor c4{v4Begin, v6Begin};
  v4_.resize(v4Count);
  uint64_t start = 0;
  for (uint64_t i = 0; i < v4Count; ++i) {
    uint64_t delta;
    if (!c4.var(delta) || !readOrg(c4, v4_[i].org)) return corrupt("IPv4", i);
    if (i == 0 ? delta != 0 : delta == 0)
      return fail(i == 0 ? "asn.bin is corrupt: the first IPv4 segment does not start at 0.0.0.0"
                         : "asn.bin is corrupt: IPv4 segment " + std::to_string(i) + " is out of order");
    if (delta > 0xFFFFFFFFull - start)
      return fail("asn.bin is corrupt: IPv4 segment " + std::to_string(i) + " starts beyond 255.255.255.255");
    start += delta;
    v4_[i].start = uint32_t(start);
  }
  if (c4.p != c4.end) return fail("asn.bin is corrupt: the IPv4 section has bytes left over");

  Cursor c6{v6Begin, orgBegin};
  v6Start_.resize(v6Count);
  v6Org_.resize(v6Count);
  V6Key prev;
  for (uint64_t i = 0; i < v6Count; ++i) {
    uint8_t shift;
    uint64_t mantissa, lo;
    if (!c6.byte(shift) || !c6.var(mantissa) || !c6.var(lo) || !readOrg(c6, v6Org_[i])) return corrupt("IPv6", i);
    if (shift > 63 || mantissa > (~uint64_t(0) >> shift) || (mantissa << shift) > ~uint64_t(0) - prev.hi)
      return fail("asn.bin is corrupt: IPv6 segment " + std::to_string(i) + " starts beyond the address space");
    V6Key key{prev.hi + (mantissa << shift), lo};
    bool bad = i == 0 ? (key.hi != 0 || key.lo != 0) : lessEq(key, prev);
    if (bad)
      return fail(i == 0 ? "asn.bin is corrupt: the first IPv6 segment does not start at ::"
                         : "asn.bin is corrupt: IPv6 segment " + std::to_string(i) + " is out of order");
    v6Start_[i] = prev = key;
  }
  if (c6.p != c6.end) return fail("asn.bin is corrupt: the IPv6 section has bytes left over");

  Cursor co{orgBegin, pool};
  orgs_.resize(orgCount);
  for (uint64_t i = 0; i < orgCount; ++i) {
    Org& o = orgs_[i];
    if (!co.var32(o.asn) || !co.var32(o.nameOffset) || !co.var32(o.nameLength))
      return fail("asn.bin is corrupt: organisation " + std::to_string(i) + " cannot be read");
    if (o.asn == 0) return fail("asn.bin is corrupt: organisation " + std::to_string(i) + " has AS number 0");
    if (uint64_t(o.nameOffset) + o.nameLength > poolSize)
      return fail("asn.bin is corrupt: the name of organisation " + std::to_string(i) + " lies outside the string pool");
  }
  if (co.p != co.end) return fail("asn.bin is corrupt: the organisation section has bytes left over");

  pool_.assign(reinterpret_cast<const char*>(pool), reinterpret_cast<const char*>(pool) + poolSize);
  buildV4Index();
  error.clear();
  return true;
}

bool AsnDatabase::loadCsv(std::string_view text, std::string& error, std::vector<Problem>* problems) {
  return loadCsv(std::vector<std::string_view>{text}, error, problems);
}

bool AsnDatabase::loadCsv(const std::vector<std::string_view>& texts, std::string& error,
                          std::vector<Problem>* problems) {
  clear();
  CsvLoader loader;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string prefix = texts.size() > 1 ? "file " + std::to_string(i + 1) + ": " : std::string();
    loader.text(texts[i], prefix, problems);
  }
  if (loader.rows == 0) {
    error = "no IP-to-ASN rows found: expected lines like 1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"";
    return false;
  }
  auto v4 = sweep(std::move(loader.v4), U128(0xFFFFFFFFu));
  auto v6 = sweep(std::move(loader.v6), ~U128(0));

  // Number organisations by first use (IPv4 segments, then IPv6), names deduplicated in the pool
  // in the order of the organisation table: the same rule the build script follows.
  std::vector<uint32_t> renumber(loader.orgs.size(), kNoOrg);
  std::unordered_map<std::string, uint32_t> nameOffsets;
  auto useOrg = [&](uint32_t tmp) -> uint32_t {
    if (tmp == kNoOrg) return kNoOrg;
    if (renumber[tmp] == kNoOrg) {
      renumber[tmp] = uint32_t(orgs_.size());
      const std::string& name = loader.orgs[tmp].second;
      auto it = nameOffsets.find(name);
      uint32_t offset;
      if (it != nameOffsets.end()) {
        offset = it->second;
      } else {
        offset = uint32_t(pool_.size());
        pool_.insert(pool_.end(), name.begin(), name.end());
        nameOffsets.emplace(name, offset);
      }
      orgs_.push_back(Org{loader.orgs[tmp].first, offset, uint32_t(name.size())});
    }
    return renumber[tmp];
  };
  v4_.reserve(v4.size());
  for (auto& [start, org] : v4) v4_.push_back(V4Segment{uint32_t(start), useOrg(org)});
  v6Start_.reserve(v6.size());
  v6Org_.reserve(v6.size());
  for (auto& [start, org] : v6) {
    v6Start_.push_back(V6Key{uint64_t(start >> 64), uint64_t(start)});
    v6Org_.push_back(useOrg(org));
  }
  buildV4Index();
  error.clear();
  return true;
}

std::vector<uint8_t> AsnDatabase::serialize() const {
  auto storedOrg = [](uint32_t org) { return org == kNoOrg ? 0 : uint64_t(org) + 1; };
  std::vector<uint8_t> v4, v6, orgs;
  uint32_t prev4 = 0;
  for (const V4Segment& s : v4_) {
    writeVar(v4, s.start - prev4);
    writeVar(v4, storedOrg(s.org));
    prev4 = s.start;
  }
  uint64_t prevHi = 0;
  for (size_t i = 0; i < v6Start_.size(); ++i) {
    uint64_t delta = v6Start_[i].hi - prevHi;
    int shift = delta == 0 ? 0 : countTrailingZeros(delta);
    v6.push_back(uint8_t(shift));
    writeVar(v6, delta >> shift);
    writeVar(v6, v6Start_[i].lo);
    writeVar(v6, storedOrg(v6Org_[i]));
    prevHi = v6Start_[i].hi;
  }
  for (const Org& o : orgs_) {
    writeVar(orgs, o.asn);
    writeVar(orgs, o.nameOffset);
    writeVar(orgs, o.nameLength);
  }
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + v4.size() + v6.size() + orgs.size() + pool_.size());
  for (char c : kMagic) out.push_back(uint8_t(c));
  writeU32(out, kFormatVersion);
  writeU32(out, uint32_t(v4_.size()));
  writeU32(out, uint32_t(v6Start_.size()));
  writeU32(out, uint32_t(orgs_.size()));
  writeU32(out, uint32_t(pool_.size()));
  writeU32(out, uint32_t(v4.size()));
  writeU32(out, uint32_t(v6.size()));
  writeU32(out, uint32_t(orgs.size()));
  out.insert(out.end(), v4.begin(), v4.end());
  out.insert(out.end(), v6.begin(), v6.end());
  out.insert(out.end(), orgs.begin(), orgs.end());
  out.insert(out.end(), pool_.begin(), pool_.end());
  return out;
}

AsnInfo AsnDatabase::info(uint32_t orgIndex) const noexcept {
  if (orgIndex == kNoOrg) return {};
  const Org& o = orgs_[orgIndex];
  return AsnInfo{o.asn, std::string_view(pool_.data() + o.nameOffset, o.nameLength)};
}

void AsnDatabase::buildV4Index() {
  v4Index_.clear();
  if (v4_.empty()) return;
  v4Index_.resize(65537);
  size_t seg = 0;
  for (uint32_t p = 0; p < 65536; ++p) {
    uint32_t address = p << 16;
    while (seg + 1 < v4_.size() && v4_[seg + 1].start <= address) ++seg;
    v4Index_[p] = uint32_t(seg);
  }
  v4Index_[65536] = uint32_t(v4_.size() - 1);
}

AsnInfo AsnDatabase::lookupV4(uint32_t x) const noexcept {
  if (v4_.empty()) return {};
  // The answer (the last segment starting at or below x) lies between the segments that hold
  // the first address of x's /16 and of the next /16. Branch-free binary search in between.
  uint32_t p = x >> 16;
  const V4Segment* base = v4_.data() + v4Index_[p];
  size_t n = size_t(v4Index_[p + 1] - v4Index_[p]) + 1;
  while (n > 1) {
    size_t half = n / 2;
    base = base[half].start <= x ? base + half : base;
    n -= half;
  }
  return info(base->org);
}

void AsnDatabase::forEachRange(const std::function<void(const Range&)>& visit) const {
  for (size_t i = 0; i < v4_.size(); ++i) {
    if (v4_[i].org == kNoOrg) continue;
    Range r;
    r.first.lo = v4_[i].start;
    r.last.lo = i + 1 < v4_.size() ? uint64_t(v4_[i + 1].start) - 1 : 0xFFFFFFFFull;
    r.info = info(v4_[i].org);
    visit(r);
  }
  // ::ffff:0:0/96, which IPv4 lookups never reach in this table.
  const V6Key mappedFirst{0, 0x0000FFFF00000000ull}, mappedLast{0, 0x0000FFFFFFFFFFFFull};
  for (size_t i = 0; i < v6Start_.size(); ++i) {
    if (v6Org_[i] == kNoOrg) continue;
    V6Key first = v6Start_[i], last{~0ull, ~0ull};
    if (i + 1 < v6Start_.size()) {
      last = v6Start_[i + 1];
      if (last.lo-- == 0) --last.hi;  // the next start, minus one
    }
    Range r;
    r.v6 = true;
    r.info = info(v6Org_[i]);
    const bool overlaps = lessEq(first, mappedLast) && lessEq(mappedFirst, last);
    if (!overlaps) {
      r.first = first;
      r.last = last;
      visit(r);
      continue;
    }
    if (!lessEq(mappedFirst, first)) {  // the part below the mapped block
      r.first = first;
      r.last = V6Key{0, mappedFirst.lo - 1};
      visit(r);
    }
    if (!lessEq(last, mappedLast)) {  // the part above it
      r.first = V6Key{0, mappedLast.lo + 1};
      r.last = last;
      visit(r);
    }
  }
}

AsnDatabase::Range AsnDatabase::rangeOf(const IpAddress& ip) const noexcept {
  Range r;
  const uint8_t* b = ip.bytes.data();
  if (ip.isV4()) {
    const uint32_t x = ip.v4();
    r.last.lo = 0xFFFFFFFFull;
    if (v4_.empty()) return r;
    const uint32_t p = x >> 16;
    size_t lo = v4Index_[p], hi = v4Index_[p + 1];  // the segment is the last start <= x in [lo, hi]
    while (lo < hi) {
      const size_t mid = lo + (hi - lo + 1) / 2;
      if (v4_[mid].start <= x) lo = mid;
      else hi = mid - 1;
    }
    r.first.lo = v4_[lo].start;
    if (lo + 1 < v4_.size()) r.last.lo = uint64_t(v4_[lo + 1].start) - 1;
    r.info = info(v4_[lo].org);
    return r;
  }
  r.v6 = true;
  r.last = V6Key{~0ull, ~0ull};
  if (v6Start_.empty()) return r;
  const V6Key x{readBe64(b), readBe64(b + 8)};
  size_t lo = 0, hi = v6Start_.size() - 1;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo + 1) / 2;
    if (lessEq(v6Start_[mid], x)) lo = mid;
    else hi = mid - 1;
  }
  r.first = v6Start_[lo];
  if (lo + 1 < v6Start_.size()) {
    r.last = v6Start_[lo + 1];
    if (r.last.lo-- == 0) --r.last.hi;
  }
  r.info = info(v6Org_[lo]);
  return r;
}

AsnInfo AsnDatabase::lookup(const IpAddress& ip) const noexcept {
  const uint8_t* b = ip.bytes.data();
  uint64_t high;
  std::memcpy(&high, b, 8);  // zero in any byte order; no memcmp call (wasm does not inline it)
  if (high == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0xff && b[11] == 0xff)
    return lookupV4(uint32_t(b[12]) << 24 | uint32_t(b[13]) << 16 | uint32_t(b[14]) << 8 | b[15]);
  size_t n = v6Start_.size();
  if (n == 0) return {};
  V6Key x{readBe64(b), readBe64(b + 8)};
  const V6Key* base = v6Start_.data();
  while (n > 1) {
    size_t half = n / 2;
    base = lessEq(base[half], x) ? base + half : base;
    n -= half;
  }
  return info(v6Org_[size_t(base - v6Start_.data())]);
}

}  // namespace vpshunt
