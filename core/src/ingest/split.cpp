#include "ingest/split.hpp"

#include <algorithm>
#include <cstring>

#include "formats/csv_tokenizer.hpp"
#include "formats/record.hpp"
#include "formats/registry.hpp"

namespace vpshunt {

namespace {

constexpr size_t kHead = 64 * 1024;  // what FileIngest sniffs
constexpr size_t kParseAhead = 8;    // records a CSV cut must be followed by, each well-formed
constexpr int kCandidates = 64;      // line breaks tried per cut before giving up on the cut

class NullSink final : public RecordSink {
 public:
  void onEvent(const RawEvent&) override {}
  void onIndicator(const RawIndicator&) override {}
  void onSignIn(const RawSignIn&) override {}
  void skip(std::string_view, uint64_t, uint64_t, std::string) override {}
  void other(std::string_view) override {}
  void fatal(uint64_t, uint64_t, std::string) override { failed = true; }
  void note(std::string) override {}
  void missingColumn(std::string) override {}
  FileKind kind() const override { return kind_; }
  FileKind kind_ = FileKind::Auto;
  bool failed = false;
};

// Counts the records of a stretch of CSV and whether each has `columns` fields.
class CsvProbe final : public CsvTokenizer::Handler {
 public:
  explicit CsvProbe(size_t columns, size_t want) : columns_(columns), want_(want), tok_(*this) {}
  void onRecord(const CsvRecord& r) override {
    if (done_) return;
    if (r.error || (columns_ && r.count != columns_)) bad_ = true;
    first = r.count;
    if (++records >= want_ || bad_) {
      done_ = true;
      tok_.stop();
    }
  }
  void run(std::string_view text, bool atEnd) {
    tok_.feed(text.data(), text.size());
    if (atEnd && !done_) tok_.finish();
  }
  bool good() const { return !bad_; }
  size_t records = 0, first = 0;

 private:
  size_t columns_, want_;
  bool bad_ = false, done_ = false;
  CsvTokenizer tok_;
};

bool asciiOnly(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80 || c == 0) return false;
  return true;
}

// A lone CR ends a line for the readers but not for the line count of the pieces.
bool loneCr(std::string_view s) {
  for (size_t i = s.find('\r'); i != std::string_view::npos; i = s.find('\r', i + 1))
    if (i + 1 < s.size() && s[i + 1] != '\n') return true;
  return false;
}

// JSON Lines, not one document: every complete line of the head is one object.
bool jsonLines(std::string_view head) {
  size_t lines = 0, pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;  // the last, maybe cut, line
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() != '{' || line.back() != '}') return false;
    ++lines;
  }
  return lines >= 2;
}

}  // namespace

namespace {

enum class Shape { kCsv, kZeek, kJsonLines };
struct Layout {
  Shape shape = Shape::kCsv;
  size_t bom = 0, headerEnd = 0, columns = 0;
};

// The file's shape and header from its start (`start`: the whole file, or at least its first
// kHead + 3 bytes). Returns why the file is read whole, or null.
const char* readLayout(std::string_view start, const InputFile& file, Layout& out) {
  if (file.kind == FileKind::Intel) return "threat intel is read whole";
  if (start.size() < 2) return "small";
  const auto* u = reinterpret_cast<const unsigned char*>(start.data());
  if (u[0] == 0x1f && u[1] == 0x8b) return "gzip";
  if ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe)) return "UTF-16";
  const size_t bom = start.size() >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf ? 3 : 0;
  std::string_view head = start.substr(bom, kHead);
  if (head.find('\0') != std::string_view::npos) return "binary or UTF-16";
  if (loneCr(head)) return "lone CR line ends";
  const ReaderFactory* factory = file.format.empty() ? detectReader(head, file.path, file.kind) : findReader(file.format);
  if (!factory || factory->kind != FileKind::Events) return "not an events format";
  const std::string_view name = factory->name;
  Shape shape;
  if (name == "defender-csv") shape = Shape::kCsv;
  else if (name == "zeek-tsv") shape = Shape::kZeek;
  else if (name == "defender-json" || name == "zeek-json" || name == "suricata-eve") shape = Shape::kJsonLines;
  else return "format read whole";

  // The header: the first CSV record, the leading '#' lines of a Zeek log, nothing for JSON Lines.
  size_t headerEnd = bom;
  size_t columns = 0;
  if (shape == Shape::kCsv) {
    bool quoted = false;
    size_t i = bom;
    for (; i < start.size() && i < bom + kHead; ++i) {
      if (start[i] == '"') quoted = !quoted;
      else if (start[i] == '\n' && !quoted) break;
    }
    if (i >= start.size() || start[i] != '\n') return "no CSV header line";
    headerEnd = i + 1;
    CsvProbe probe(0, 1);
    probe.run(start.substr(bom, headerEnd - bom), false);
    columns = probe.first;
    if (columns < 2) return "CSV header of one field";
  } else if (shape == Shape::kZeek) {
    // The leading '#' lines. A later header (logs concatenated) is not looked for here: that would
    // read the whole file before its pieces (all of it faulted into memory at once); the reader
    // says so instead (RecordSink::layoutChanged) and the pieces are read again whole.
    while (headerEnd < start.size() && start[headerEnd] == '#') {
      size_t nl = start.find('\n', headerEnd);
      if (nl == std::string_view::npos) return "Zeek header only";
      headerEnd = nl + 1;
    }
    if (headerEnd >= start.size()) return "Zeek header only";
  } else if (!jsonLines(head)) {
    return "one JSON document";
  }
  std::string_view header = start.substr(bom, headerEnd - bom);
  if (!asciiOnly(header)) return "header not ASCII";
  if (shape != Shape::kJsonLines) {
    NullSink sink;
    sink.kind_ = factory->kind;
    auto reader = factory->create(sink);
    reader->feed(header.data(), header.size());
    if (sink.failed || !reader->splittable()) return "the reader keeps state from row to row";
  }
  out.shape = shape;
  out.bom = bom;
  out.headerEnd = headerEnd;
  out.columns = columns;
  return nullptr;
}

// The first record start after a line break at or after bytes[pos - 1] (pos >= 1), or npos.
// `endsFile`: the bytes run to the end of the file (a CSV probe may then end short).
size_t findCut(std::string_view bytes, size_t pos, const Layout& layout, bool endsFile) {
  for (int tries = 0; tries < kCandidates && pos < bytes.size(); ++tries) {
    size_t nl = bytes.find('\n', pos - 1);
    if (nl == std::string_view::npos || nl + 1 >= bytes.size()) break;
    const size_t at = nl + 1;
    pos = at + 1;
    if (layout.shape == Shape::kJsonLines && bytes[at] != '{') continue;
    // A piece never starts at a Zeek header line: one after records always follows a record in its piece.
    if (layout.shape == Shape::kZeek && bytes[at] == '#') continue;
    if (layout.shape == Shape::kCsv) {
      const size_t span = std::min<size_t>(bytes.size() - at, 256 * 1024);
      const bool toEnd = at + span == bytes.size() && endsFile;
      CsvProbe probe(layout.columns, kParseAhead);
      probe.run(bytes.substr(at, span), toEnd);
      if (!probe.good() || (probe.records < kParseAhead && !toEnd)) continue;
    }
    return at;
  }
  return std::string_view::npos;
}

void finishPlan(SplitPlan& plan, std::string_view start, const Layout& layout) {
  plan.headerBegin = layout.bom;
  plan.headerEnd = layout.headerEnd;
  const std::string_view header = start.substr(layout.bom, layout.headerEnd - layout.bom);
  plan.headerLines = countNewlines(header.data(), header.size());
}

}  // namespace

SplitPlan planSplit(std::string_view bytes, const InputFile& file, unsigned pieces, size_t minPiece) {
  SplitPlan plan;
  auto whole = [&](const char* why) {
    plan.starts.clear();
    plan.why = why;
    return plan;
  };
  if (pieces < 2) return whole("one thread");
  if (file.kind == FileKind::Intel) return whole("threat intel is read whole");
  if (bytes.size() < 2 * minPiece) return whole("small");
  Layout layout;
  if (const char* why = readLayout(bytes, file, layout)) return whole(why);
  const size_t headerEnd = layout.headerEnd;
  const size_t body = bytes.size() - headerEnd;
  const size_t n = std::min<size_t>(pieces, body / minPiece);
  if (n < 2) return whole("small");
  plan.starts.push_back(0);
  for (size_t k = 1; k < n; ++k) {
    const size_t pos = std::max(headerEnd + body / n * k, plan.starts.back() + 1);
    const size_t cut = findCut(bytes, pos, layout, true);
    if (cut == std::string_view::npos) break;  // no safe cut here: the pieces before it stand
    plan.starts.push_back(cut);
  }
  if (plan.starts.size() < 2) return whole("no safe cut");
  finishPlan(plan, bytes, layout);
  return plan;
}

SplitPlan planSplitWindow(std::string_view head, std::string_view window, uint64_t windowOffset, uint64_t fileSize,
                          const InputFile& file) {
  SplitPlan plan;
  auto whole = [&](const char* why) {
    plan.starts.clear();
    plan.why = why;
    return plan;
  };
  if (head.size() > fileSize || windowOffset > fileSize || window.size() > fileSize - windowOffset)
    return whole("the head or window lies outside the file");
  if (head.size() < std::min<uint64_t>(fileSize, kHead + 3)) return whole("the head is shorter than what the readers sniff");
  Layout layout;
  if (const char* why = readLayout(head, file, layout)) return whole(why);
  if (windowOffset < layout.headerEnd + 1) return whole("the window starts inside the header");
  const size_t cut = findCut(window, 1, layout, windowOffset + window.size() == fileSize);
  if (cut == std::string_view::npos) return whole("no safe cut in the window");
  plan.starts = {0, size_t(windowOffset + cut)};
  finishPlan(plan, head, layout);
  return plan;
}

}  // namespace vpshunt
