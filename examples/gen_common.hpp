// What vpshunt_gen's shapes share (generate.cpp: the default Defender CSV/JSONL; shapes.cpp: --shape short,
// full, zeek, results): 100 ns ticks, the fixed span, the seeded PRNG, the buffered writer, ISO 8601 times,
// CSV/JSON quoting, and the ThreatIntelligenceIndicator row writer. Everything here is deterministic: no
// std::random_device, no clock, so the same flags give the same bytes.
#pragma once
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gen {

using Ticks = int64_t;  // 100 ns since the Unix epoch, as vpshunt's core
constexpr Ticks kSec = 10'000'000;
constexpr Ticks kHour = 3600 * kSec;
constexpr Ticks kDay = 24 * kHour;

inline int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
inline void civilFromDays(int64_t z, int& y, unsigned& m, unsigned& d) {
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
inline const Ticks kStart = (daysFromCivil(2026, 11, 23) * 86400 + 13 * 3600) * kSec;
inline const Ticks kEnd = kStart + 25 * kHour;

inline uint64_t splitmix(uint64_t x) {
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
inline void formatTime(Ticks t, char* out /* 28 chars */) {
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
inline std::string timeText(Ticks t) {
  char b[28];
  formatTime(t, b);
  return std::string(b, 28);
}

// RFC 4180: quote when needed, double the quotes inside.
inline std::string csv(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string r = "\"";
  for (char c : s) { if (c == '"') r += '"'; r += c; }
  return r + "\"";
}
// A JSON string literal (with quotes), or null for an empty value.
inline std::string js(std::string_view s, bool emptyIsNull = true) {
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
inline std::string hex(uint64_t a, uint64_t b, int digits) {
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

struct Options {
  uint64_t rows = 0, bytes = 0, groups = 20000, seed = 1;
  bool jsonl = false;
  std::string output, intel;
  std::string shape = "default";  // --shape: default (the Defender CSV/JSONL above), short, full, zeek, results
};

inline bool parseSize(const char* s, uint64_t& out) {
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


// A byte sink for estimating row size.
struct NullFile {
  static FILE* open() {
    FILE* f = std::fopen("/dev/null", "wb");
    if (!f) { std::perror("vpshunt_gen: /dev/null"); std::exit(1); }
    return f;
  }
};

// A Sentinel ThreatIntelligenceIndicator CSV export, written one indicator at a time. Its own PRNG stream
// (from the seed), so the events file does not change when --intel is added.
class IntelCsv {
 public:
  IntelCsv(const std::string& path, uint64_t seed) : fp_(std::fopen(path.c_str(), "wb")), r_(splitmix(seed ^ 0x7171ull)) {
    if (!fp_) { std::perror(path.c_str()); std::exit(1); }
    out_.reset(new Out(fp_));
    out_->put("TimeGenerated,IndicatorId,ThreatType,Description,ConfidenceScore,Active,ExpirationDateTime,NetworkIP,"
              "NetworkSourceIP,NetworkDestinationIP,NetworkCidrBlock,DomainName,Url,TrafficLightProtocolLevel,SourceSystem\n");
  }
  ~IntelCsv() {
    out_.reset();
    std::fclose(fp_);
  }
  IntelCsv(const IntelCsv&) = delete;
  IntelCsv& operator=(const IntelCsv&) = delete;

  // One row, TimeGenerated `age` before kEnd.
  void indicator(Ticks age, const char* type, const char* desc, unsigned conf, bool active, std::string_view ip,
                 std::string_view cidr, std::string_view domain) {
    Out& out = *out_;
    Rng& r = r_;
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
  }
  // A beacon's address: 70 % active and recent (a TI match), 20 % an active indicator followed by a
  // deactivated one (no match: the latest decides), 10 % older than the rule's 7-day TI lookback (no match).
  void beacon(std::string_view ip) {
    Rng& r = r_;
    const uint64_t c = r.below(10);
    if (c < 7) indicator(static_cast<Ticks>(r.below(6 * kDay)), "C2", "C2 server on rented VPS", 60 + static_cast<unsigned>(r.below(40)), true, ip, "", "");
    else if (c < 9) {
      indicator(static_cast<Ticks>(3 * kDay + r.below(kDay)), "C2", "Possible C2", 50, true, ip, "", "");
      indicator(static_cast<Ticks>(r.below(2 * kDay)), "C2", "Possible C2 (deactivated, false positive)", 50, false, ip, "", "");
    } else indicator(static_cast<Ticks>(8 * kDay + r.below(20 * kDay)), "C2", "C2 (older report)", 70, true, ip, "", "");
  }
  // An ordinary address (a TI hit without a beacon): up to 10 days old, 80 % active.
  void ordinary(std::string_view ip) {
    Rng& r = r_;
    indicator(static_cast<Ticks>(r.below(10 * kDay)), "Botnet", "Scanner, \"low\" confidence", 20 + static_cast<unsigned>(r.below(30)), r.chance(80), ip, "", "");
  }
  // Indicators that no event matches: 200 IPs in 185.200-219.x.x, 200 domains, one CIDR.
  void unrelated() {
    Rng& r = r_;
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

 private:
  FILE* fp_;
  std::unique_ptr<Out> out_;
  Rng r_;
};

}  // namespace gen
