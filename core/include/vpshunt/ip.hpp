// IP addresses in one canonical binary form, so that `::ffff:1.2.3.4`, `1.2.3.4`, and an
// uncompressed IPv6 address compare equal to their canonical spellings.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vpshunt {

struct IpAddress {
  // IPv4 is stored as the IPv4-mapped IPv6 address ::ffff:a.b.c.d.
  std::array<uint8_t, 16> bytes{};

  bool isV4() const;
  uint32_t v4() const;  // host order; only meaningful when isV4()
  bool operator==(const IpAddress& o) const { return bytes == o.bytes; }
  bool operator!=(const IpAddress& o) const { return bytes != o.bytes; }
  bool operator<(const IpAddress& o) const { return bytes < o.bytes; }
};

// Accepts dotted IPv4, IPv6 (compressed, uncompressed, leading zeros, embedded IPv4), an optional
// `%zone` suffix (ignored) and surrounding `[ ]`. Returns false for anything else.
bool parseIp(std::string_view text, IpAddress& out);

// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6.
std::string formatIp(const IpAddress& ip);

// `a.b.c.d/n` or `v6/n`; prefix is given in the IPv6 sense (IPv4 /n becomes /96+n).
bool parseCidr(std::string_view text, IpAddress& network, int& prefix128);
bool cidrContains(const IpAddress& network, int prefix128, const IpAddress& ip);

// Defender's RemoteIPType vocabulary, for formats that do not carry the column.
enum class IpType { Public, Private, Loopback, LinkLocal, Multicast, Reserved, Unspecified };
IpType classifyIp(const IpAddress& ip);
std::string_view ipTypeName(IpType t);  // "Public", "Private", "Loopback", ...

}  // namespace vpshunt
