// IP -> ASN lookup throughput against the real asn.bin (target: >= 5 million lookups/s natively).
//
//   cmake -S . -B /tmp/bench -DCMAKE_BUILD_TYPE=Release
//   cmake --build /tmp/bench -j2 --target vpshunt_bench_asn
//   /tmp/bench/bench/asn_lookup [asn.bin] [lookups]      (defaults: the build's asn.bin, 20000000)
//
// Prints load time, then lookups/s for random IPv4 (the worst case: 1 Mi distinct addresses, most
// lookups miss the CPU caches), IPv4 with 5000 distinct addresses (log-like: they repeat), random
// IPv6, a 90/10 mix, matchHosting() (lookup + hosting lists + organisation-name signal) and
// attribute() (the same with string copies and the reason text) for comparison.
// The wall-clock rate depends on the machine's load; the CPU-time rate much less so.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "vpshunt/asn.hpp"

#ifndef VPSHUNT_ASN_DB
#define VPSHUNT_ASN_DB "asn.bin"
#endif

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

vpshunt::IpAddress v4(uint32_t x) {
  vpshunt::IpAddress ip;
  ip.bytes[10] = ip.bytes[11] = 0xff;
  for (int i = 0; i < 4; ++i) ip.bytes[12 + i] = uint8_t(x >> (24 - 8 * i));
  return ip;
}

// Rates use CPU time (std::clock) as well as wall time: on a shared machine the wall clock also
// counts the time other processes hold the core.
template <class F>
void run(const char* name, const std::vector<vpshunt::IpAddress>& ips, size_t lookups, F&& f) {
  uint64_t sink = 0, found = 0;
  std::clock_t c0 = std::clock();
  auto t0 = Clock::now();
  size_t n = ips.size();
  for (size_t i = 0; i < lookups; ++i) {
    uint32_t asn = f(ips[i % n]);
    sink += asn;
    found += asn != 0;
  }
  auto t1 = Clock::now();
  std::clock_t c1 = std::clock();
  double wall = seconds(t0, t1), cpu = double(c1 - c0) / CLOCKS_PER_SEC;
  std::printf("%-30s %9zu lookups: %6.2f million/s CPU time (%.3f s), %6.2f million/s wall  (%.1f%% found, checksum %llu)\n",
              name, lookups, lookups / cpu / 1e6, cpu, lookups / wall / 1e6, 100.0 * double(found) / double(lookups),
              (unsigned long long)sink);
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : VPSHUNT_ASN_DB;
  size_t lookups = argc > 2 ? size_t(std::strtoull(argv[2], nullptr, 10)) : 20000000;

  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "asn_lookup: cannot open %s (build the vpshunt_asn_db target first)\n", path);
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto t0 = Clock::now();
  vpshunt::AsnDatabase db;
  std::string error;
  if (!db.load(bytes.data(), bytes.size(), error)) {
    std::fprintf(stderr, "asn_lookup: %s\n", error.c_str());
    return 1;
  }
  auto t1 = Clock::now();
  std::printf("%s: %zu bytes, %zu IPv4 + %zu IPv6 segments, %zu organisations, loaded in %.1f ms\n", path,
              bytes.size(), db.v4SegmentCount(), db.v6SegmentCount(), db.orgCount(), 1e3 * seconds(t0, t1));

  // Pseudo-random addresses, generated up front (1M distinct, reused cyclically) so that the timing
  // is the lookup alone. IPv6 addresses are drawn from 2400:: to 2c0f:ffff:: (where most allocated space is).
  std::mt19937_64 rng(42);
  const size_t distinct = 1 << 20;
  std::vector<vpshunt::IpAddress> ip4, ip6, mix;
  ip4.reserve(distinct);
  ip6.reserve(distinct);
  mix.reserve(distinct);
  for (size_t i = 0; i < distinct; ++i) ip4.push_back(v4(uint32_t(rng())));
  for (size_t i = 0; i < distinct; ++i) {
    vpshunt::IpAddress ip;
    uint64_t hi = rng(), lo = rng();
    // 2400::/12 .. 2c0f::/16 holds most of the RIR-allocated space (APNIC, ARIN, RIPE, LACNIC, AFRINIC).
    uint64_t top12 = 0x240 + (hi >> 52) % (0x2c1 - 0x240);
    hi = (hi & 0x000FFFFFFFFFFFFFull) | (top12 << 52);
    for (int b = 0; b < 8; ++b) ip.bytes[b] = uint8_t(hi >> (56 - 8 * b));
    for (int b = 0; b < 8; ++b) ip.bytes[8 + b] = uint8_t(lo >> (56 - 8 * b));
    ip6.push_back(ip);
  }
  for (size_t i = 0; i < distinct; ++i) mix.push_back(i % 10 == 9 ? ip6[i] : ip4[i]);

  auto lookup = [&db](const vpshunt::IpAddress& ip) { return db.lookup(ip).asn; };
  run("IPv4 lookup (1 Mi distinct)", ip4, lookups, lookup);
  // A log export repeats its remote addresses: a few thousand distinct ones stay in cache.
  std::vector<vpshunt::IpAddress> few(ip4.begin(), ip4.begin() + 5000);
  run("IPv4, 5000 distinct", few, lookups, lookup);
  run("IPv6 lookup", ip6, lookups / 4, lookup);
  run("90% IPv4 / 10% IPv6", mix, lookups, lookup);
  const vpshunt::HostingList& hosting = vpshunt::HostingList::builtin();
  // matchHosting(): lookup, the lists and, for an unlisted AS, the organisation-name signal; no
  // allocation. attribute() adds the copies and the reason text.
  run("matchHosting() (no copies)", ip4, lookups / 4,
      [&](const vpshunt::IpAddress& ip) { return vpshunt::matchHosting(db, hosting, ip).asn; });
  run("matchHosting(), 5000 distinct", few, lookups / 4,
      [&](const vpshunt::IpAddress& ip) { return vpshunt::matchHosting(db, hosting, ip).asn; });
  run("attribute() (copies, reason)", ip4, lookups / 4,
      [&](const vpshunt::IpAddress& ip) { return vpshunt::attribute(db, hosting, ip).asn; });
  return 0;
}
