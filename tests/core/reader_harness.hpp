// Test support for reader tests (unit-zeek, unit-sysmon-xml, unit-intel-*, unit-encoding): a sink
// that records everything a reader reports as one line of text per call, and helpers that feed a
// reader its input whole, at every split offset, and in small chunks.
#pragma once
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "formats/encoding.hpp"
#include "formats/record.hpp"
#include "formats/registry.hpp"

namespace vpshunt::test {

// Ticks as "YYYY-MM-DDThh:mm:ss.fffffffZ" (always 7 fraction digits; independent of formatIsoTime).
inline std::string isoTicks(Ticks t) {
  int64_t days = floorDiv(t, kTicksPerDay), rem = t - days * kTicksPerDay;
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%07lldZ", (long long)y, (long long)m, (long long)d,
                (long long)(rem / kTicksPerHour), (long long)(rem / kTicksPerMinute % 60), (long long)(rem / kTicksPerSecond % 60),
                (long long)(rem % kTicksPerSecond));
  return buf;
}

inline std::string_view directionName(Direction d) {
  switch (d) {
    case Direction::Outbound: return "out";
    case Direction::Inbound: return "in";
    case Direction::Listening: return "listen";
    default: return "";
  }
}
inline std::string_view outcomeName(Outcome o) { return o == Outcome::Success ? "ok" : o == Outcome::Failure ? "fail" : ""; }
inline std::string_view signInOutcomeName(SignInOutcome o) {
  switch (o) {
    case SignInOutcome::Success: return "success";
    case SignInOutcome::Failure: return "failure";
    case SignInOutcome::Interrupted: return "interrupted";
    default: return "unknown";
  }
}

// "E L9 t=2024-05-01T00:00:00Z Timestamp=1714521600@1 DeviceName=10.0.0.5@17 ..." (columns after @)
inline std::string describeEvent(const RawEvent& e) {
  std::string s = "E L" + std::to_string(e.line);
  if (e.hasTime) s += " t=" + isoTicks(e.time);
  if (e.direction != Direction::Unknown) s += " dir=" + std::string(directionName(e.direction));
  if (e.outcome != Outcome::Unknown) s += " outcome=" + std::string(outcomeName(e.outcome));
  for (size_t i = 0; i < kEventFieldCount; ++i)
    if (e.present & (1u << i))
      s += " " + std::string(eventFieldName(EventField(i))) + "=" + std::string(e.get(EventField(i))) + "@" + std::to_string(e.col(EventField(i)));
  return s;
}

inline std::string describeIndicator(const RawIndicator& r) {
  std::string s = "I L" + std::to_string(r.line);
  if (r.hasTime) s += " t=" + isoTicks(r.time);
  for (size_t i = 0; i < kIntelFieldCount; ++i)
    if (r.present & (1u << i))
      s += " " + std::string(intelFieldName(IntelField(i))) + "=" + std::string(r.text[i]) + "@" + std::to_string(r.column[i]);
  return s;
}

// "S L3 t=... outcome=failure User=alice@x@5 RemoteIP=203.0.113.9@9 ..." (columns after @)
inline std::string describeSignIn(const RawSignIn& r) {
  std::string s = "S L" + std::to_string(r.line);
  if (r.hasTime) s += " t=" + isoTicks(r.time);
  s += " outcome=" + std::string(signInOutcomeName(r.outcome));
  for (size_t i = 0; i < kSignInFieldCount; ++i)
    if (r.present & (1u << i))
      s += " " + std::string(signInFieldName(SignInField(i))) + "=" + std::string(r.get(SignInField(i))) + "@" +
           std::to_string(r.col(SignInField(i)));
  return s;
}

class RecordingSink : public RecordSink {
 public:
  std::vector<std::string> log;                  // every call, in order
  std::vector<std::string> events, indicators, signIns;  // describeEvent / describeIndicator / describeSignIn
  std::vector<std::string> skips, others, fatals, notes, missing;

  void onEvent(const RawEvent& e) override { add(events, describeEvent(e)); }
  void onIndicator(const RawIndicator& i) override { add(indicators, describeIndicator(i)); }
  void onSignIn(const RawSignIn& s) override { add(signIns, describeSignIn(s)); }
  void skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) override {
    add(skips, std::string(reason) + " " + std::to_string(line) + ":" + std::to_string(column) + " " + message);
  }
  void other(std::string_view reason) override { add(others, std::string(reason)); }
  void fatal(uint64_t line, uint64_t column, std::string message) override {
    add(fatals, std::to_string(line) + ":" + std::to_string(column) + " " + message);
  }
  void note(std::string text) override { add(notes, text); }
  void missingColumn(std::string name) override { add(missing, name); }
  FileKind kind() const override { return FileKind::Auto; }

  size_t count(const std::vector<std::string>& v, std::string_view what) const {
    size_t n = 0;
    for (const auto& s : v) n += s == what;
    return n;
  }

 private:
  void add(std::vector<std::string>& v, std::string s) {
    log.push_back(s);
    v.push_back(std::move(s));
  }
};

inline const ReaderFactory& factory(std::string_view name) {
  const ReaderFactory* f = findReader(name);
  REQUIRE(f != nullptr);
  return *f;
}

// Feeds `input` in chunks of `chunk` bytes (0 = whole).
inline RecordingSink run(std::string_view format, std::string_view input, size_t chunk = 0) {
  RecordingSink sink;
  auto reader = factory(format).create(sink);
  if (chunk == 0) chunk = input.size() ? input.size() : 1;
  for (size_t i = 0; i < input.size(); i += chunk) reader->feed(input.data() + i, std::min(chunk, input.size() - i));
  reader->finish();
  return sink;
}

// Feeds `input` as two chunks split at `at`; the chunks are copied so that a reader keeping a view
// into a chunk past the call would read freed memory under sanitizers.
inline RecordingSink runSplit(std::string_view format, std::string_view input, size_t at) {
  RecordingSink sink;
  auto reader = factory(format).create(sink);
  std::string a(input.substr(0, at)), b(input.substr(at));
  reader->feed(a.data(), a.size());
  a.assign(a.size(), '\x01');
  reader->feed(b.data(), b.size());
  b.assign(b.size(), '\x01');
  reader->finish();
  return sink;
}

// Every split offset, and byte-at-a-time, give exactly what the whole input gives.
inline void checkEverySplit(std::string_view format, std::string_view input) {
  const auto whole = run(format, input);
  for (size_t at = 0; at <= input.size(); ++at) {
    auto split = runSplit(format, input, at);
    INFO("split at byte " << at);
    REQUIRE(split.log == whole.log);
  }
  REQUIRE(run(format, input, 1).log == whole.log);
  REQUIRE(run(format, input, 7).log == whole.log);
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fixture under tests/fixtures/, as the engine would hand it over: normalized to UTF-8.
inline std::string fixture(const std::string& relative) {
  std::string raw = readFile(std::string(VPSHUNT_SOURCE_DIR) + "/tests/fixtures/" + relative);
  Utf8Normalizer n;
  std::string out;
  n.feed(raw.data(), raw.size(), out);
  n.finish(out);
  return out;
}

inline std::string sniffBest(std::string_view head, std::string_view path = {}) {
  const ReaderFactory* f = detectReader(head.substr(0, 65536), path, FileKind::Auto);
  return f ? std::string(f->name) : std::string("none");
}

}  // namespace vpshunt::test
