// The whole session through the public API, as the CLI runs it: bytes -> files -> every detection's
// rows in every output format. Kept in this one file so that it follows vpshunt/analysis.hpp when the
// API changes.
//
// Input: the files' contents, separated by lines "=====" (up to 4 files, kinds detected). The last
// byte also chooses the chunk cuts (as in fuzz_support.hpp) and, in its high bits, the session:
//   bit 3: beyond mode          bit 4: now fixed before reading (setNow) instead of the latest event
//   bit 5: the ASN database     bit 6: the last file ends with a front-end error (fileError)
// Oracles: the session fed in chunks writes exactly what the session fed whole writes (jsonl, json,
// csv, table); rows streamed by finishEach are finish()'s rows; each row's jsonl line is nlohmann's
// dump of rowToJson; lowering the threshold in seed mode (no re-read) never loses a row.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/output.hpp"

namespace {
using namespace vpshunt;

std::vector<std::string_view> splitFiles(std::string_view in) {
  std::vector<std::string_view> files;
  constexpr std::string_view kSep = "\n=====\n";
  while (files.size() < 3) {
    size_t at = in.find(kSep);
    if (at == std::string_view::npos) break;
    files.push_back(in.substr(0, at));
    in.remove_prefix(at + kSep.size());
  }
  files.push_back(in);
  return files;
}

std::shared_ptr<const AsnDatabase> asnDatabase() {
  static std::shared_ptr<const AsnDatabase> db = [] {
    auto d = std::make_shared<AsnDatabase>();
#ifdef VPSHUNT_ASN_DB
    std::FILE* f = std::fopen(VPSHUNT_ASN_DB, "rb");
    if (!f) fuzz::fail("cannot open the ASN database", VPSHUNT_ASN_DB);
    std::vector<uint8_t> bytes;
    uint8_t buf[1 << 16];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
    std::string err;
    if (!d->load(bytes, err)) fuzz::fail("cannot load the ASN database", err);
#endif
    return std::shared_ptr<const AsnDatabase>(d);
  }();
  return db;
}

struct Output {
  std::string text;
  uint64_t rows = 0;
};

// One session as cli/main.cpp runs it; `cuts` empty = every file fed whole.
Output session(const std::vector<std::string_view>& files, uint8_t flags, const uint8_t* data, size_t size, bool chunked) {
  Rule rule;
  if (flags & 0x08) rule.mode = "beyond";
  std::optional<Ticks> now;
  if (flags & 0x10) {  // the bundled example's now (examples/README.md), so its rows are in the window
    Ticks t = 0;
    parseIsoTime("2026-11-24T15:00:00Z", t);
    now = t;
  }
  Analysis a(rule);
  a.setNow(now);
  if (flags & 0x20) a.setAsnDatabase(asnDatabase());
  auto feedAll = [&](bool collectPass) {
    for (size_t i = 0; i < files.size(); ++i) {
      a.beginFile("file" + std::to_string(i));
      std::vector<size_t> cuts = chunked ? fuzz::chooseCuts(data, size, files[i].size()) : std::vector<size_t>{};
      fuzz::feedChunks(files[i], cuts, [&](const char* p, size_t n) { a.feed(p, n); });
      if (!collectPass && (flags & 0x40) && i + 1 == files.size()) a.fileError("gzip data is corrupt (fuzz)");
      a.endFile();
    }
  };
  feedAll(false);
  Results counted = a.finishEach(now, nullptr);
  if (!counted.collectGroups.empty()) {
    a.beginCollect(counted.collectGroups);
    feedAll(true);
    a.endCollect();
  }
  Output out;
  std::string streamedJsonl;
  Results streamed = writeResults(a, now, OutputFormat::Jsonl, [&](std::string_view piece) { streamedJsonl.append(piece); });
  out.rows = streamed.rowCount;
  Results full = a.finish(now);
  VPSHUNT_FUZZ_CHECK(full.rows.size() == streamed.rowCount, "finish and finishEach count different rows");
  std::string jsonl = renderResults(full, OutputFormat::Jsonl);
  if (jsonl != streamedJsonl) fuzz::fail("rows streamed by finishEach differ from finish's", streamedJsonl + "\n---\n" + jsonl);
  out.text = jsonl;
  for (OutputFormat f : {OutputFormat::Csv, OutputFormat::Json, OutputFormat::Table}) out.text += renderResults(full, f);
  out.text += renderFileSummaries(full);
  for (const auto& row : full.rows) {
    std::string line;
    appendRowJsonl(row, line);
    std::string ref = rowToJson(row).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (line != ref) fuzz::fail("appendRowJsonl differs from rowToJson", line + "\n" + ref);
  }
  for (size_t i = 0; i < full.rows.size() && i < 3; ++i) {
    Analysis::GroupDetail d = a.detail(full.rows[i].groupId);
    VPSHUNT_FUZZ_CHECK(d.times.size() == d.ports.size(), "detail times and ports differ in length");
    VPSHUNT_FUZZ_CHECK(std::is_sorted(d.times.begin(), d.times.end()), "detail times out of order");
  }
  if (now && rule.mode == "seed") {
    Rule lower = rule;
    lower.beaconMinConnections = 2;
    VPSHUNT_FUZZ_CHECK(!a.setRule(lower), "a threshold change asked for a re-read");
    VPSHUNT_FUZZ_CHECK(a.finishEach(now, nullptr).rowCount >= full.rows.size(), "a lower threshold lost rows");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> files = splitFiles(in);
  uint8_t flags = size ? data[size - 1] : 0;
  Output whole = session(files, flags, data, size, false);
  Output split = session(files, flags, data, size, true);
  if (whole.text != split.text) {
    size_t at = 0;
    while (at < whole.text.size() && at < split.text.size() && whole.text[at] == split.text[at]) ++at;
    size_t from = at > 300 ? at - 300 : 0;
    fuzz::fail("a session fed in chunks writes differently from one fed whole",
               "--- whole\n" + whole.text.substr(from, 800) + "\n--- chunked\n" + split.text.substr(from, 800));
  }
  return 0;
}
