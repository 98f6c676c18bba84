// The whole session, bytes -> files -> every detection's rows (beacon, inbound, signin,
// infrastructure) in every output format, both ways a front end runs it: as cli/main.cpp does
// (vpshunt::Analysis, writeResults) and as the wasm bindings and the worker do (vpshunt::Session:
// refresh, render, summaries, view, detail). Kept in this one file so that it follows the public
// headers when the API changes.
//
// Input: the files' contents, separated by lines "=====" (up to 4 files, kinds detected). The last
// byte also chooses the chunk cuts (as in fuzz_support.hpp) and, in its high bits, the session:
//   bit 3: beyond mode          bit 4: now fixed before reading (setNow) instead of the latest event
//   bit 5: the ASN database     bit 6: the last file ends with a front-end error (fileError)
//   bit 7, with the first byte's low bit: the formats written besides jsonl (otherFormats())
// Oracles:
//  - the CLI's way fed whole and the Session fed in chunks write exactly the same bytes (jsonl, the
//    file summaries, and the input's other formats: json, csv, table, or csv and table): the CLI and
//    the Node runner must print the same output, and a record split anywhere must read the same
//    (with the ASN database, bit 5, the chunked run is an Analysis as well, sharing the database
//    loaded once);
//  - each row's jsonl line is nlohmann's dump of rowJson, and the jsonl output is those lines;
//  - finish()'s typed rows are as many, per detection, as finishEach streams, in the same order of
//    keys, and as many as the detection's summary counts; the store's views count them too;
//  - every infrastructure row's members are rows the other detections made;
//  - detail views of the first rows are well formed (times sorted, one port per time);
//  - lowering the beacon threshold in seed mode (no re-read) never loses a beacon row.
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/output.hpp"
#include "vpshunt/session.hpp"

namespace {
using namespace vpshunt;
using nlohmann::json;

constexpr const char* kNowIso = "2026-11-24T15:00:00Z";  // the bundled example's now (examples/README.md)

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

const std::vector<uint8_t>& asnBytes() {
  static const std::vector<uint8_t> bytes = [] {
    std::vector<uint8_t> b;
#ifdef VPSHUNT_ASN_DB
    std::FILE* f = std::fopen(VPSHUNT_ASN_DB, "rb");
    if (!f) fuzz::fail("cannot open the ASN database", VPSHUNT_ASN_DB);
    uint8_t buf[1 << 16];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) b.insert(b.end(), buf, buf + n);
    std::fclose(f);
#endif
    return b;
  }();
  return bytes;
}

std::shared_ptr<const AsnDatabase> asnDatabase() {
  static std::shared_ptr<const AsnDatabase> db = [] {
    auto d = std::make_shared<AsnDatabase>();
    std::string err;
    if (!asnBytes().empty() && !d->load(asnBytes(), err)) fuzz::fail("cannot load the ASN database", err);
    return std::shared_ptr<const AsnDatabase>(d);
  }();
  return db;
}

// Every row finishEach streams, checked against nlohmann's dump as it passes.
struct RowChecker final : ResultSink {
  std::string jsonl;
  std::map<std::string, std::vector<uint64_t>, std::less<>> keys;  // detection -> row keys in order
  uint64_t rows = 0;
  void row(const Row& row) override {
    std::string line;
    appendJsonl(row, line);
    std::string ref = rowJson(row).dump(-1, ' ', false, json::error_handler_t::replace);
    if (line != ref) fuzz::fail("appendJsonl differs from nlohmann's dump of rowJson", line + "\n" + ref);
    jsonl += line;
    jsonl += '\n';
    keys[std::string(row.schema->detection)].push_back(row.key);
    ++rows;
  }
};

// Each format's writer costs a finish and its rendering, as much as reading a small input under the
// sanitizers: jsonl is written for every input (it is checked row by row), and one more choice of the
// others by the input (bit 7 of the last byte, the first byte's low bit): json (the document with
// every detection's columns and their descriptions), csv, table, or csv and table.
std::vector<OutputFormat> otherFormats(const uint8_t* data, size_t size) {
  const unsigned pick = size == 0 ? 0 : unsigned(data[0] & 1) | unsigned(data[size - 1] >> 7) << 1;
  switch (pick) {
    case 0: return {OutputFormat::Json};
    case 1: return {OutputFormat::Csv};
    case 2: return {OutputFormat::Table};
    default: return {OutputFormat::Csv, OutputFormat::Table};
  }
}
const char* formatName(OutputFormat f) {
  switch (f) {
    case OutputFormat::Json: return "json";
    case OutputFormat::Csv: return "csv";
    case OutputFormat::Table: return "table";
    default: return "jsonl";
  }
}

// The members of a reply document the checks read, taken with nlohmann's SAX parser, no tree
// built: a status document carries every detection's columns and their descriptions, and parsing
// the replies into trees was a seventh of the target's time under the sanitizers. `wanted` are
// paths of keys joined by '.', where '*' is any key and '#' any array element ("detections.*.rowCount",
// "rows.#._key"); each value found at one is kept under its concrete path ("detections.beacon.rowCount")
// as text (numbers as written), in document order. An array or object at a wanted path counts as
// its members (size()), its text empty. A document that does not parse is a finding.
class Picked final : public nlohmann::json_sax<json> {
 public:
  Picked(std::string_view doc, std::initializer_list<std::string_view> wanted, const char* what) {
    for (std::string_view w : wanted) {
      std::vector<std::string> parts;
      for (size_t from = 0;;) {
        size_t dot = w.find('.', from);
        parts.emplace_back(w.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from));
        if (dot == std::string_view::npos) break;
        from = dot + 1;
      }
      wanted_.push_back(std::move(parts));
    }
    if (!json::sax_parse(doc, this)) fuzz::fail(what, error_ + "\n" + std::string(doc.substr(0, 400)));
  }
  // Every value kept under `path`, in order.
  const std::vector<std::string>& all(const std::string& path) const {
    static const std::vector<std::string> none;
    auto it = values_.find(path);
    return it == values_.end() ? none : it->second;
  }
  bool has(const std::string& path) const { return values_.count(path) > 0; }
  // The one value at `path` as a number (a finding when absent or not a count).
  uint64_t count(const std::string& path) const {
    const auto& v = all(path);
    if (v.size() != 1 || v[0].empty() || v[0].find_first_not_of("0123456789") != std::string::npos)
      fuzz::fail("a reply lacks a count", path);
    return std::stoull(v[0]);
  }
  const std::string& text(const std::string& path) const {
    const auto& v = all(path);
    if (v.size() != 1) fuzz::fail("a reply lacks a member", path);
    return v[0];
  }
  // How many members the array or object at `path` has.
  size_t size(const std::string& path) const {
    auto it = sizes_.find(path);
    return it == sizes_.end() ? 0 : it->second;
  }

  bool null() override { return value([] { return std::string("null"); }); }
  bool boolean(bool v) override { return value([v] { return std::string(v ? "true" : "false"); }); }
  bool number_integer(number_integer_t v) override { return value([v] { return std::to_string(v); }); }
  bool number_unsigned(number_unsigned_t v) override { return value([v] { return std::to_string(v); }); }
  bool number_float(number_float_t, const string_t& s) override { return value([&s] { return s; }); }
  bool string(string_t& v) override { return value([&v] { return v; }); }
  bool binary(binary_t&) override { return value([] { return std::string(); }); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t at, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = "at byte " + std::to_string(at) + ": " + e.what();
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::string key;  // the member being read (objects)
    size_t members = 0;
    std::string path;  // this container's concrete path, when it is wanted
  };
  // The concrete path of the value about to be read, when some wanted path matches it.
  bool matches(std::string* path) const {
    for (const auto& w : wanted_) {
      if (w.size() != frames_.size()) continue;
      bool ok = true;
      for (size_t i = 0; i < w.size() && ok; ++i)
        ok = frames_[i].array ? w[i] == "#" : (w[i] == "*" || w[i] == frames_[i].key);
      if (!ok) continue;
      if (path) {
        path->clear();
        for (size_t i = 0; i < frames_.size(); ++i) {
          if (i) *path += '.';
          *path += frames_[i].array ? std::string("#") : frames_[i].key;
        }
      }
      return true;
    }
    return false;
  }
  template <class Text>
  bool value(Text&& text) {  // the text is made only for a wanted value
    if (!frames_.empty()) ++frames_.back().members;
    if (std::string path; matches(&path)) values_[path].push_back(text());
    return true;
  }
  bool open(bool array) {
    std::string path;
    const bool wanted = matches(&path);
    if (!frames_.empty()) ++frames_.back().members;
    frames_.push_back({array, {}, 0, wanted ? path : std::string()});
    return true;
  }
  bool close() {
    if (!frames_.back().path.empty()) {
      sizes_[frames_.back().path] = frames_.back().members;
      values_[frames_.back().path].emplace_back();
    }
    frames_.pop_back();
    return true;
  }

  std::vector<std::vector<std::string>> wanted_;
  std::vector<Frame> frames_;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, size_t> sizes_;
  std::string error_;
};

uint64_t summaryCount(const Results& r, std::string_view detection) {
  const DetectionSummary* s = findSummary(r, detection);
  return s ? s->rowCount : 0;
}

void checkDetail(const Analysis::GroupDetail& d) {
  VPSHUNT_FUZZ_CHECK(d.times.size() == d.ports.size(), "detail times and ports differ in length");
  VPSHUNT_FUZZ_CHECK(std::is_sorted(d.times.begin(), d.times.end()), "detail times out of order");
  VPSHUNT_FUZZ_CHECK(d.targets.empty() || d.targets.size() == d.times.size(), "detail targets and times differ in length");
  for (uint32_t t : d.targets) VPSHUNT_FUZZ_CHECK(t < d.targetNames.size(), "detail target index past its names");
  VPSHUNT_FUZZ_CHECK(d.refused.empty() || d.refused.size() == d.times.size(), "detail refused and times differ in length");
}

// The CLI's way (cli/main.cpp): an Analysis, writeResults per format; each file fed whole, or in
// the fuzzer's chunks (then only the output is made, for the comparison).
std::string viaAnalysis(const std::vector<std::string_view>& files, uint8_t flags, const uint8_t* data, size_t size, bool chunked) {
  Rule rule;
  if (flags & 0x08) rule.mode = "beyond";
  std::optional<Ticks> now;
  if (flags & 0x10) {
    Ticks t = 0;
    parseIsoTime(kNowIso, t);
    now = t;
  }
  Analysis a(rule);
  a.setNow(now);
  if ((flags & 0x20) && !asnBytes().empty()) a.setAsnDatabase(asnDatabase());
  auto feedAll = [&](bool collectPass) {
    for (size_t i = 0; i < files.size(); ++i) {
      a.beginFile("file" + std::to_string(i));
      fuzz::feedChunks(files[i], chunked ? fuzz::chooseCuts(data, size, files[i].size()) : std::vector<size_t>{},
                       [&](const char* p, size_t n) { a.feed(p, n); });
      if (!collectPass && (flags & 0x40) && i + 1 == files.size()) a.fileError("gzip data is corrupt (fuzz)");
      a.endFile();
    }
  };
  feedAll(false);
  // As cli/main.cpp's readFiles does: only the ids a collect pass must read, no rows made.
  const std::vector<uint64_t> collect = a.collectGroups(now);
  if (!collect.empty()) {
    a.beginCollect(collect);
    feedAll(true);
    a.endCollect();
  }
  std::string text;
  Results head = writeResults(a, now, OutputFormat::Jsonl, [&](std::string_view piece) { text.append(piece); });
  auto renderOthers = [&] {
    for (OutputFormat f : otherFormats(data, size)) text += renderResults(a, now, f);
  };
  if (chunked) {
    renderOthers();
    return text + renderFileSummaries(head);
  }

  RowChecker checker;
  Results streamed = a.finishEach(now, &checker);
  if (checker.jsonl != text) fuzz::fail("the jsonl output is not the rows' jsonl lines", text + "\n---\n" + checker.jsonl);
  Results full = a.finish(now);
  auto sameKeys = [&](std::string_view detection, const std::vector<uint64_t>& typed) {
    const auto it = checker.keys.find(detection);
    const std::vector<uint64_t> none;
    const std::vector<uint64_t>& cells = it == checker.keys.end() ? none : it->second;
    if (typed != cells) fuzz::fail("finish's typed rows differ from finishEach's rows", std::string(detection));
    VPSHUNT_FUZZ_CHECK(summaryCount(streamed, detection) == cells.size(), "a detection's summary counts other rows than it made");
  };
  std::vector<uint64_t> k;
  for (const auto& r : full.rows) k.push_back(r.groupId);
  sameKeys("beacon", k);
  VPSHUNT_FUZZ_CHECK(full.rowCount == full.rows.size(), "rowCount is not the beacon rows");
  k.clear();
  for (const auto& r : full.inbound) k.push_back(r.sourceId);
  sameKeys("inbound", k);
  k.clear();
  for (const auto& r : full.signin) k.push_back(r.sourceId);
  sameKeys("signin", k);
  k.clear();
  for (const auto& r : full.infrastructure) k.push_back(r.networkId);
  sameKeys("infrastructure", k);

  for (const auto& [detection, keys] : checker.keys) {
    if (detection == "infrastructure") {
      for (size_t i = 0; i < keys.size() && i < 4; ++i)
        for (const auto& m : a.infrastructureMembers(keys[i])) {
          auto it = checker.keys.find(m.detection);
          VPSHUNT_FUZZ_CHECK(m.detection != "infrastructure" && it != checker.keys.end() &&
                                 std::find(it->second.begin(), it->second.end(), m.key) != it->second.end(),
                             "an infrastructure member is no row of its detection: " + m.detection + " " + std::to_string(m.key));
        }
      continue;
    }
    for (size_t i = 0; i < keys.size() && i < 3; ++i) checkDetail(a.detail(keys[i]));
  }
  if (now && rule.mode == "seed") {
    Rule lower = rule;
    lower.beaconMinConnections = 2;
    VPSHUNT_FUZZ_CHECK(!a.setRule(lower), "a threshold change asked for a re-read");
    VPSHUNT_FUZZ_CHECK(summaryCount(a.finishEach(now, nullptr), "beacon") >= full.rows.size(), "a lower threshold lost rows");
    a.setRule(rule);
  }
  renderOthers();
  text += renderFileSummaries(head);
  return text;
}

// The wasm way (wasm/bindings.cpp, web/engine.js): a Session, every file fed in fuzzer-chosen chunks.
std::string viaSession(const std::vector<std::string_view>& files, uint8_t flags, const uint8_t* data, size_t size) {
  static const std::string seedRule = Session::defaultRuleJson();
  static const std::string beyondRule = [] {
    json rule = json::parse(Session::defaultRuleJson());
    rule["mode"] = "beyond";
    return rule.dump();
  }();
  Session s((flags & 0x08) ? beyondRule : seedRule);
  const std::string nowIso = (flags & 0x10) ? kNowIso : "";
  s.setNow(nowIso);
  auto feedAll = [&](bool collectPass) {
    for (size_t i = 0; i < files.size(); ++i) {
      s.beginFile("file" + std::to_string(i), "auto", "");
      fuzz::feedChunks(files[i], fuzz::chooseCuts(data, size, files[i].size()),
                       [&](const char* p, size_t n) { s.feed(reinterpret_cast<const uint8_t*>(p), n); });
      if (!collectPass && (flags & 0x40) && i + 1 == files.size()) s.fileError("gzip data is corrupt (fuzz)");
      s.endFile();
    }
  };
  feedAll(false);
  // As web/engine.js does: the ids a collect pass must read (no rows made), the pass, then one
  // refresh that fills the store.
  const std::vector<uint64_t> collect = json::parse(s.collectGroups(nowIso)).get<std::vector<uint64_t>>();
  if (!collect.empty()) {
    s.beginCollect(collect);
    feedAll(true);
    s.endCollect();
  }
  const Picked refreshed(s.refresh(nowIso), {"collectGroups", "detections.*.rowCount"}, "refresh's status does not parse");
  VPSHUNT_FUZZ_CHECK(refreshed.has("collectGroups"), "refresh's status has no collectGroups");
  VPSHUNT_FUZZ_CHECK(!collect.empty() || refreshed.size("collectGroups") == 0,
                     "refresh asks for a collect pass that collectGroups did not");
  std::string text;
  // render() answers the status too, with the summaries (what summaries() writes) from the same
  // finish: read from one render of the input's choice (bit 2 of the first byte), else from
  // summaries(), which makes no status document (the document, with every detection's columns, is
  // most of a small input's time under the sanitizers).
  const bool fromRender = size > 0 && (data[0] & 4);
  std::optional<Picked> rendered;
  const std::string jsonlStatus = s.render("jsonl", nowIso, [&](std::string_view piece) { text.append(piece); });
  if (fromRender) rendered.emplace(jsonlStatus, std::initializer_list<std::string_view>{"summaries"}, "render's status does not parse");
  for (OutputFormat f : otherFormats(data, size)) s.render(formatName(f), nowIso, [&](std::string_view piece) { text.append(piece); });
  text += fromRender ? rendered->text("summaries") : s.summaries(nowIso);

  for (const TableSchema* schema : tableSchemas()) {
    const std::string detection(schema->detection);
    if (!refreshed.has("detections." + detection + ".rowCount")) continue;
    const uint64_t count = refreshed.count("detections." + detection + ".rowCount");
    // The detection's own order, then sorted by its first column with a filter from the input.
    const Picked page(s.view(json({{"detection", detection}, {"limit", 5}}).dump()), {"total", "rows.#._key"}, "a view does not parse");
    VPSHUNT_FUZZ_CHECK(page.count("total") == count, "the store holds other rows than the detection counted");
    VPSHUNT_FUZZ_CHECK(page.all("rows.#._key").size() == std::min<uint64_t>(count, 5), "a first page of 5 holds other than min(total, 5) rows");
    std::string filter(size > 1 ? std::string_view(reinterpret_cast<const char*>(data), size).substr(0, data[0] % 4) : "");
    json sorted = {{"detection", detection},
                   {"sort", json::array({{{"column", std::string(schema->columns.at(0).name)}, {"desc", true}}})},
                   {"filter", fuzz::isValidUtf8(filter) ? filter : ""},
                   {"limit", 3}};
    const Picked other(s.view(sorted.dump()), {"matched"}, "a sorted, filtered view does not parse");
    VPSHUNT_FUZZ_CHECK(other.count("matched") <= count, "a filtered view matched more rows than there are");
    for (const std::string& key : page.all("rows.#._key")) {
      const Picked d(s.detail(detection, std::stoull(key)), {"times", "ports"}, "a detail does not parse");
      VPSHUNT_FUZZ_CHECK(d.has("times") && d.has("ports"), "a detail lacks its times or ports");
      VPSHUNT_FUZZ_CHECK(d.size("times") == d.size("ports"), "a detail's times and ports differ in length");
    }
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> files = splitFiles(in);
  uint8_t flags = size ? data[size - 1] : 0;
  std::string cli = viaAnalysis(files, flags, data, size, false);
  // With the ASN database the chunked session is an Analysis too: Session::setAsnDatabase parses the
  // 5 MB database on every call, which would take most of each execution.
  const bool asn = (flags & 0x20) && !asnBytes().empty();
  std::string wasm = asn ? viaAnalysis(files, flags, data, size, true) : viaSession(files, flags, data, size);
  if (cli != wasm && std::getenv("VPSHUNT_FUZZ_DUMP")) {
    for (const auto& [path, text] : {std::pair{"/tmp/fz-cli.txt", &cli}, std::pair{"/tmp/fz-wasm.txt", &wasm}})
      if (std::FILE* f = std::fopen(path, "wb")) {
        std::fwrite(text->data(), 1, text->size(), f);
        std::fclose(f);
      }
  }
  if (cli != wasm) {
    size_t at = 0;
    while (at < cli.size() && at < wasm.size() && cli[at] == wasm[at]) ++at;
    size_t from = at > 300 ? at - 300 : 0;
    fuzz::fail(asn ? "an Analysis fed in chunks writes differently from one fed whole"
                   : "the Session fed in chunks writes differently from the CLI's Analysis fed whole",
               "--- whole (Analysis)\n" + cli.substr(from, 800) + "\n--- chunked (" + (asn ? "Analysis" : "Session") + ")\n" +
                   wasm.substr(from, 800));
  }
  return 0;
}
