#include "vpshunt/ip.hpp"

#include <cstdio>
#include <cstring>

namespace vpshunt {

bool IpAddress::isV4() const {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(bytes.data(), prefix, 12) == 0;
}

uint32_t IpAddress::v4() const {
  return (uint32_t(bytes[12]) << 24) | (uint32_t(bytes[13]) << 16) | (uint32_t(bytes[14]) << 8) |
         uint32_t(bytes[15]);
}

namespace {

inline int hexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Dotted quad, each part 0..255, 1-3 digits (leading zeros accepted as decimal).
bool parseV4(std::string_view s, uint8_t out[4]) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    unsigned v = 0;
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      v = v * 10 + unsigned(s[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 3 || v > 255) return false;
    out[part] = uint8_t(v);
  }
  return i == s.size();
}

bool parseV6(std::string_view s, uint8_t out[16]) {
  uint16_t words[8] = {};
  int count = 0;
  int gap = -1;  // index in words where "::" sits
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
    if (i == s.size()) {
      std::memset(out, 0, 16);
      return true;
    }
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    // An embedded IPv4 tail?
    size_t j = i;
    while (j < s.size() && hexVal(s[j]) >= 0) ++j;
    if (j < s.size() && s[j] == '.') {
      if (count > 6) return false;
      uint8_t v4[4];
      if (!parseV4(s.substr(i), v4)) return false;
      words[count++] = uint16_t(v4[0] << 8 | v4[1]);
      words[count++] = uint16_t(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (j == i || j - i > 4 || count >= 8) return false;
    unsigned w = 0;
    for (size_t k = i; k < j; ++k) w = w * 16 + unsigned(hexVal(s[k]));
    words[count++] = uint16_t(w);
    i = j;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = count;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  if (gap < 0 && count != 8) return false;
  if (gap >= 0 && count > 7) return false;
  uint16_t full[8] = {};
  if (gap < 0) {
    std::memcpy(full, words, sizeof full);
  } else {
    int tail = count - gap;
    for (int k = 0; k < gap; ++k) full[k] = words[k];
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = words[gap + k];
  }
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = uint8_t(full[k] >> 8);
    out[2 * k + 1] = uint8_t(full[k] & 0xff);
  }
  return true;
}

}  // namespace

bool parseIp(std::string_view s, IpAddress& out) {
  uint8_t v4[4];
  if (parseV4(s, v4)) {  // the common case first: digits and dots only, so no brackets, zone or ':'
    IpAddress ip;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], v4, 4);
    out = ip;
    return true;
  }
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 64) return false;
  size_t pct = s.find('%');
  if (pct != std::string_view::npos) s = s.substr(0, pct);
  IpAddress ip;
  if (s.find(':') == std::string_view::npos) {
    if (!parseV4(s, v4)) return false;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], v4, 4);
  } else if (!parseV6(s, ip.bytes.data())) {
    return false;
  }
  out = ip;
  return true;
}

std::string formatIp(const IpAddress& ip) {
  char buf[64];
  if (ip.isV4()) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip.bytes[12], ip.bytes[13], ip.bytes[14], ip.bytes[15]);
    return buf;
  }
  uint16_t w[8];
  for (int k = 0; k < 8; ++k) w[k] = uint16_t(ip.bytes[2 * k] << 8 | ip.bytes[2 * k + 1]);
  // RFC 5952: compress the longest run (>= 2) of zero words, the first one on a tie.
  int bestStart = -1, bestLen = 0;
  for (int k = 0; k < 8;) {
    if (w[k] != 0) {
      ++k;
      continue;
    }
    int start = k;
    while (k < 8 && w[k] == 0) ++k;
    if (k - start > bestLen) {
      bestStart = start;
      bestLen = k - start;
    }
  }
  if (bestLen < 2) bestStart = -1;
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == bestStart) {
      out += "::";
      k += bestLen - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", w[k]);
    out += buf;
  }
  return out;
}

bool parseCidr(std::string_view text, IpAddress& network, int& prefix128) {
  size_t slash = text.find('/');
  IpAddress ip;
  if (!parseIp(text.substr(0, slash), ip)) return false;
  int max = ip.isV4() ? 32 : 128;
  int p = max;
  if (slash != std::string_view::npos) {
    std::string_view ps = text.substr(slash + 1);
    if (ps.empty() || ps.size() > 3) return false;
    p = 0;
    for (char c : ps) {
      if (c < '0' || c > '9') return false;
      p = p * 10 + (c - '0');
    }
    if (p > max) return false;
  }
  prefix128 = ip.isV4() ? 96 + p : p;
  // Zero the host bits so that equal networks compare equal.
  for (int bit = prefix128; bit < 128; ++bit) ip.bytes[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
  network = ip;
  return true;
}

bool cidrContains(const IpAddress& network, int prefix128, const IpAddress& ip) {
  int full = prefix128 / 8;
  if (std::memcmp(network.bytes.data(), ip.bytes.data(), size_t(full)) != 0) return false;
  int rem = prefix128 % 8;
  if (rem == 0) return true;
  uint8_t mask = uint8_t(0xff00u >> rem);
  return (network.bytes[full] & mask) == (ip.bytes[full] & mask);
}

IpType classifyIp(const IpAddress& ip) {
  if (ip.isV4()) {
    uint32_t a = ip.v4();
    auto in = [a](uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); };
    if (a == 0) return IpType::Unspecified;
    if (in(0x7f000000, 8)) return IpType::Loopback;
    if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16) || in(0x64400000, 10))
      return IpType::Private;  // RFC 1918 and RFC 6598 shared address space
    if (in(0xa9fe0000, 16)) return IpType::LinkLocal;
    if (in(0xe0000000, 4)) return IpType::Multicast;
    if (in(0x00000000, 8) || in(0xc0000000, 24) || in(0xc0000200, 24) || in(0xc6120000, 15) ||
        in(0xc6336400, 24) || in(0xcb007100, 24) || in(0xf0000000, 4))
      return IpType::Reserved;  // "this network", IETF, TEST-NETs, benchmarking, class E, broadcast
    return IpType::Public;
  }
  const auto& b = ip.bytes;
  bool zero15 = true;
  for (int k = 0; k < 15; ++k) zero15 &= b[k] == 0;
  if (zero15 && b[15] == 0) return IpType::Unspecified;
  if (zero15 && b[15] == 1) return IpType::Loopback;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return IpType::LinkLocal;
  if ((b[0] & 0xfe) == 0xfc) return IpType::Private;  // unique local fc00::/7
  if (b[0] == 0xff) return IpType::Multicast;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return IpType::Reserved;  // documentation
  if ((b[0] & 0xe0) != 0x20) return IpType::Reserved;  // outside global unicast 2000::/3
  return IpType::Public;
}

std::string_view ipTypeName(IpType t) {
  switch (t) {
    case IpType::Public: return "Public";
    case IpType::Private: return "Private";
    case IpType::Loopback: return "Loopback";
    case IpType::LinkLocal: return "LinkLocal";
    case IpType::Multicast: return "Multicast";
    case IpType::Reserved: return "Reserved";
    case IpType::Unspecified: return "Unspecified";
  }
  return "Reserved";
}

}  // namespace vpshunt
