// writeWatchlist (vpshunt/kql.hpp): the hosting ranges as a Sentinel watchlist CSV.
#include <cstdio>

#include "vpshunt/kql.hpp"

namespace vpshunt {

namespace {

using U128 = unsigned __int128;

U128 toU128(const AsnDatabase::V6Key& k) { return (U128(k.hi) << 64) | k.lo; }

std::string formatBlock(bool v6, U128 start, int prefix) {
  IpAddress ip;
  if (v6) {
    for (int i = 0; i < 16; ++i) ip.bytes[size_t(i)] = uint8_t(start >> (8 * (15 - i)));
  } else {
    ip.bytes[10] = ip.bytes[11] = 0xFF;
    for (int i = 0; i < 4; ++i) ip.bytes[size_t(12 + i)] = uint8_t(start >> (8 * (3 - i)));
  }
  return formatIp(ip) + "/" + std::to_string(prefix);
}

// Calls emit(start, prefix) for the fewest CIDR blocks that cover [first, last] exactly, in order.
// `bits` is the address width (32 or 128).
template <class Emit>
void splitIntoCidrs(U128 first, U128 last, int bits, Emit&& emit) {
  const auto spanMinusOne = [](int log2) { return log2 == 128 ? ~U128(0) : (U128(1) << log2) - 1; };
  for (;;) {
    // The largest block aligned at `first` that ends at or before `last`.
    int size = 0;
    while (size < bits) {
      const int next = size + 1;
      const bool aligned = next == 128 ? first == 0 : ((first >> next) << next) == first;
      if (!aligned || last - first < spanMinusOne(next)) break;
      size = next;
    }
    emit(first, bits - size);
    if (last - first == spanMinusOne(size)) return;
    first += spanMinusOne(size) + 1;
  }
}

// One CSV cell: control characters as spaces, a formula-like start guarded, quoted when needed.
void appendCell(std::string& out, std::string_view text) {
  std::string cell;
  cell.reserve(text.size() + 1);
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) cell += '\'';
  for (char c : text) cell += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
  if (cell.find_first_of(",\"") == std::string::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

size_t writeWatchlist(const AsnDatabase& db, const HostingList& hosting,
                      const std::function<void(std::string_view)>& write) {
  std::string buf = "Cidr,Asn,Provider,Category,Confidence,Org,Reason\r\n";
  size_t rows = 0;
  db.forEachRange([&](const AsnDatabase::Range& r) {
    // One range is one AS and one organisation: any address inside is attributed alike (without
    // attack evidence, which only the loaded data has).
    IpAddress first;
    if (r.v6) {
      const U128 v = toU128(r.first);
      for (int i = 0; i < 16; ++i) first.bytes[size_t(i)] = uint8_t(v >> (8 * (15 - i)));
    } else {
      first.bytes[10] = first.bytes[11] = 0xFF;
      for (int i = 0; i < 4; ++i) first.bytes[size_t(12 + i)] = uint8_t(r.first.lo >> (8 * (3 - i)));
    }
    const HostingAttribution a = attribute(db, hosting, first);
    if (!a.isHosting) return;
    const std::string asn = std::to_string(a.asn);
    const std::string_view category = hostingCategoryName(a.category);
    const std::string_view confidence = hostingConfidenceName(a.confidence);
    splitIntoCidrs(toU128(r.first), toU128(r.last), r.v6 ? 128 : 32, [&](U128 start, int prefix) {
      buf += formatBlock(r.v6, start, prefix);
      buf += ',';
      buf += asn;
      buf += ',';
      appendCell(buf, a.provider);
      buf += ',';
      buf += category;
      buf += ',';
      buf += confidence;
      buf += ',';
      appendCell(buf, a.org);
      buf += ',';
      appendCell(buf, a.reason);
      buf += "\r\n";
      ++rows;
      if (buf.size() >= 8192) {
        write(buf);
        buf.clear();
      }
    });
  });
  if (!buf.empty()) write(buf);
  return rows;
}

}  // namespace vpshunt
