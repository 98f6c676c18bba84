// A FileIngest's reports and the counters mergeChunk reads, as bytes (issue 12: the page's second
// worker; core/src/wire.hpp).
#include "ingest/file_ingest.hpp"
#include "wire.hpp"

namespace vpshunt {

namespace {

void saveCounts(WireWriter& w, const std::map<std::string, uint64_t>& m) {
  w.u64(m.size());
  for (const auto& [k, v] : m) {
    w.text(k);
    w.u64(v);
  }
}
void loadCounts(WireReader& r, std::map<std::string, uint64_t>& m, const char* what) {
  for (uint64_t n = r.count(what, 16); n > 0; --n) {
    std::string k(r.text(what));
    if (!m.emplace(std::move(k), r.u64(what)).second) r.fail(std::string(what) + ": a name repeated");
  }
}
void saveTexts(WireWriter& w, const std::vector<std::string>& v) {
  w.u64(v.size());
  for (const auto& s : v) w.text(s);
}
void loadTexts(WireReader& r, std::vector<std::string>& v, const char* what) {
  for (uint64_t n = r.count(what, 8); n > 0; --n) v.emplace_back(r.text(what));
}

}  // namespace

void FileIngest::save(WireWriter& w) const {
  w.boolean(anyEventFile_);
  w.u64(lastReplacements_);
  w.text(lastEncoding_);
  w.u64(delivered_);
  w.u64(signInsDelivered_);
  w.u64(layoutChanges_);
  w.u64(reports_.size());
  for (const FileReport& f : reports_) {
    w.text(f.path);
    w.u8(uint8_t(f.kind));
    w.text(f.format);
    w.u64(f.records);
    w.u64(f.kept);
    w.u64(f.skipped);
    w.u64(f.problems.size());
    for (const Problem& p : f.problems) {
      w.u64(p.line);
      w.u64(p.column);
      w.text(p.message);
      w.text(p.code);
    }
    w.u64(f.problemsTotal);
    saveCounts(w, f.skipReasons);
    saveCounts(w, f.filtered);
    saveTexts(w, f.missingColumns);
    saveTexts(w, f.notes);
    w.boolean(f.fatal);
  }
}

void FileIngest::load(WireReader& r) {
  if (inFile_ || !reports_.empty()) r.fail("file reports: loaded into an ingest that read files");
  anyEventFile_ = r.boolean("any event file");
  lastReplacements_ = r.u64("replaced bytes");
  lastEncoding_ = std::string(r.text("encoding"));
  delivered_ = r.u64("records delivered");
  signInsDelivered_ = r.u64("sign-ins delivered");
  if (signInsDelivered_ > delivered_) r.fail("more sign-ins than records delivered");
  layoutChanges_ = r.u64("layout changes");
  for (uint64_t n = r.count("file report count", 80); n > 0; --n) {
    FileReport& f = reports_.emplace_back();
    f.path = std::string(r.text("file path"));
    const uint8_t kind = r.u8("file kind");
    if (kind > uint8_t(FileKind::Intel)) r.fail("file kind " + std::to_string(kind));
    f.kind = FileKind(kind);
    f.format = std::string(r.text("file format"));
    f.records = r.u64("file records");
    f.kept = r.u64("file kept");
    f.skipped = r.u64("file skipped");
    for (uint64_t k = r.count("problem count", 32); k > 0; --k) {
      Problem& p = f.problems.emplace_back();
      p.line = r.u64("problem line");
      p.column = r.u64("problem column");
      p.message = std::string(r.text("problem message"));
      p.code = std::string(r.text("problem code"));
    }
    f.problemsTotal = r.u64("problems total");
    if (f.problemsTotal < f.problems.size()) r.fail("fewer problems counted than listed");
    loadCounts(r, f.skipReasons, "skip reason");
    loadCounts(r, f.filtered, "filter count");
    loadTexts(r, f.missingColumns, "missing column");
    loadTexts(r, f.notes, "note");
    f.fatal = r.boolean("file fatal");
  }
}

}  // namespace vpshunt
