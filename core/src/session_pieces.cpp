// The page's two workers (issue 12): a piece of a file, or whole files, read by the helper worker's
// session and handed to the main one as bytes (AnalysisState::saveAggregates), then merged by the
// same mergeChunk / mergeFiles as the native threads' sessions (ingest/parallel.cpp).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "analysis_state.hpp"
#include "ingest/split.hpp"
#include "vpshunt/session.hpp"
#include "wire.hpp"

namespace vpshunt {

namespace {
FileKind parseKind(const std::string& kind) {
  if (kind.empty() || kind == "auto") return FileKind::Auto;
  if (kind == "events") return FileKind::Events;
  if (kind == "intel") return FileKind::Intel;
  throw SessionError("bad-kind", "unknown file kind \"" + kind + "\": expected auto, events or intel");
}
}  // namespace

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

uint64_t Session::recordsInCurrentFile() const {
  return piece_ ? piece_->recordsInCurrentFile() : analysis_.recordsInCurrentFile();
}

void Session::beginPiece(std::string name, const std::string& kind, std::string format, uint64_t headerBytes) {
  const FileKind k = parseKind(kind);
  if (piece_) throw SessionError("usage", "beginPiece: the piece begun before was not ended (endFile)");
  piece_ = analysis_.state_->spawn();
  piece_->beginChunk(std::move(name), k, std::move(format));
  pieceHeaderLeft_ = headerBytes;
  pieceNewlines_ = 0;
}

void Session::feedPiece(const uint8_t* data, size_t size) {
  const size_t header = size_t(std::min<uint64_t>(pieceHeaderLeft_, size));
  pieceHeaderLeft_ -= header;
  pieceNewlines_ += countNewlines(reinterpret_cast<const char*>(data) + header, size - header);
  piece_->feed(reinterpret_cast<const char*>(data), size);
}

void Session::pieceError(std::string message) { piece_->fileError(std::move(message)); }

void Session::endPiece() {
  piece_->endFile();
  pieces_.emplace_back(std::move(piece_), pieceNewlines_);
}

void Session::dropPieces() {
  piece_.reset();
  pieces_.clear();
}

std::string Session::exportPiece() {
  if (pieces_.empty()) throw SessionError("usage", "exportPiece: no piece was read (beginPiece ... endFile)");
  auto last = std::move(pieces_.back());
  pieces_.pop_back();
  return last.first->saveAggregates(last.second);
}

std::string Session::exportFiles() {
  std::string out = analysis_.state_->saveAggregates(0);
  // Forget the files, keep the rule, detections and now (reset() keeps them all).
  analysis_.state_->reset();
  return out;
}

std::string Session::planCut(const uint8_t* head, size_t headSize, const uint8_t* window, size_t windowSize,
                             uint64_t windowOffset, uint64_t fileSize, const std::string& name, const std::string& kind,
                             const std::string& format) {
  InputFile f;
  f.path = name;
  f.kind = parseKind(kind);
  f.format = format;
  const SplitPlan plan =
      planSplitWindow(std::string_view(reinterpret_cast<const char*>(head), headSize),
                      std::string_view(reinterpret_cast<const char*>(window), windowSize), windowOffset, fileSize, f);
  nlohmann::json j;
  if (plan.starts.size() < 2) {
    j["cut"] = nullptr;
    j["why"] = plan.why;
  } else {
    j["cut"] = plan.starts[1];
    j["headerBegin"] = plan.headerBegin;
    j["headerEnd"] = plan.headerEnd;
    j["headerLines"] = plan.headerLines;
  }
  return j.dump();
}

std::unique_ptr<AnalysisState> Session::loadBlob(const uint8_t* data, size_t size, uint64_t& newlines) const {
  auto s = analysis_.state_->spawn();
  try {
    newlines = s->loadAggregates(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const WireError& e) {
    throw SessionError("bad-blob", e.what());
  }
  return s;
}

void Session::importPiece(const uint8_t* data, size_t size) {
  uint64_t newlines = 0;
  auto s = loadBlob(data, size, newlines);
  if (s->reportCount() != 1)
    throw SessionError("bad-blob", "importPiece: the blob holds no piece of a file");
  pieces_.emplace_back(std::move(s), newlines);
}

bool Session::mergePieces(uint64_t headerLines) {
  if (piece_) throw SessionError("usage", "mergePieces: a piece is still being read (endFile)");
  std::vector<const AnalysisState*> all;
  for (const auto& p : pieces_) all.push_back(p.first.get());
  auto pieces = std::move(pieces_);
  pieces_.clear();
  if (pieces.size() < 2 || !AnalysisState::piecesAgree(all)) return false;  // one piece is no cut file
  AnalysisState& main = *analysis_.state_;
  uint64_t lines = 0;
  for (size_t j = 0; j < pieces.size(); ++j) {  // as ParallelReader::run merges a cut file's pieces
    const bool first = j == 0;
    const uint64_t offset = first ? 0 : lines - headerLines;
    lines += pieces[j].second;
    if (!main.mergeChunk(std::move(*pieces[j].first), first, offset, headerLines)) break;
  }
  main.endChunkedFile();
  return true;
}

bool Session::importFiles(const uint8_t* data, size_t size) {
  uint64_t newlines = 0;
  auto s = loadBlob(data, size, newlines);
  return analysis_.state_->mergeFiles(std::move(*s));
}

}  // namespace vpshunt
