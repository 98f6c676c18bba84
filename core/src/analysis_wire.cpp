// A spawned session as bytes (issue 12: the page's two workers; core/src/wire.hpp), and the check
// both the threads and the workers make before the pieces of a file are merged.
#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "analysis_state.hpp"
#include "detections/hash.hpp"
#include "vpshunt/rule.hpp"
#include "wire.hpp"

namespace vpshunt {

namespace {
constexpr char kMagic[8] = {'V', 'P', 'S', 'A', 'G', 'G', '\r', '\n'};
// Bump on any change of what save() writes: a blob of another version is refused, not misread.
constexpr uint32_t kWireVersion = 2;  // 2: the last file's layout changes (FileIngest::save)
}  // namespace

bool AnalysisState::piecesAgree(const std::vector<const AnalysisState*>& pieces) {
  if (pieces.empty()) return false;
  const FileReport* first = pieces.front()->lastReport();
  for (const AnalysisState* p : pieces) {
    const FileReport* r = p->lastReport();
    if (!first || !r || r->format != first->format || r->kind != first->kind || r->kind != FileKind::Events ||
        p->signInsInLastFile() != 0 || p->layoutChangesInLastFile() != 0)
      return false;
    // A note the first piece did not write may come from a reader's first-record state (an
    // example value, the first record's columns): its place among the notes, or its text, could
    // differ from one read's.
    for (const std::string& n : r->notes)
      if (std::find(first->notes.begin(), first->notes.end(), n) == first->notes.end()) return false;
  }
  return true;
}

// What a blob must have been read under to merge here: the rule (as its JSON), the detections run
// and the now of ingest.
static uint64_t fingerprint(const Rule& rule, const std::vector<std::string>& detections, const std::optional<Ticks>& now) {
  uint64_t h = hashBytes(ruleToJson(rule).dump(), 31);
  for (const std::string& d : detections) h = mix64(h, hashBytes(d, 32));
  return mix64(h, now ? uint64_t(*now) ^ 0x9e3779b97f4a7c15ULL : 0);
}

std::string AnalysisState::saveAggregates(uint64_t pieceNewlines) const {
  WireWriter w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kWireVersion);
  w.u64(fingerprint(rule, detections_, ingestNow_));
  w.u64(pieceNewlines);
  w.boolean(haveEventTime_);
  w.i64(maxEventTime_);
  // A report of threat intel travels (mergeFiles refuses it: the merging session reads that file
  // itself, in order); the indicators do not.
  ingest_.save(w);
  beacon_.save(w);
  inbound_.save(w);
  signin_.save(w);
  return std::move(w.bytes());
}

uint64_t AnalysisState::loadAggregates(std::string_view blob) {
  WireReader r(blob);
  char magic[sizeof kMagic];
  if (blob.size() < sizeof kMagic) r.fail("not an aggregate blob (" + std::to_string(blob.size()) + " bytes)");
  r.raw(magic, sizeof magic, "magic");
  if (std::memcmp(magic, kMagic, sizeof magic) != 0) r.fail(0, "not an aggregate blob (no VPSAGG header)");
  const uint32_t version = r.u32("wire version");
  if (version != kWireVersion)
    r.fail(8, "wire version " + std::to_string(version) + ", this build reads version " + std::to_string(kWireVersion) +
                  " (the two workers run different builds)");
  if (r.u64("fingerprint") != fingerprint(rule, detections_, ingestNow_))
    r.fail(12, "read under another rule, detection list or now than this session's");
  const uint64_t newlines = r.u64("piece line breaks");
  haveEventTime_ = r.boolean("has event time");
  maxEventTime_ = r.i64("latest event time");
  ingest_.load(r);
  beacon_.load(r);
  inbound_.load(r);
  signin_.load(r);
  if (!r.atEnd()) r.fail(std::to_string(blob.size() - r.offset()) + " bytes after the aggregates");
  return newlines;
}

}  // namespace vpshunt
