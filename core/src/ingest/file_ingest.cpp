#include "ingest/file_ingest.hpp"

#include <algorithm>

#include "events/values.hpp"
#include "formats/registry.hpp"

namespace vpshunt {

namespace {

constexpr size_t kSniffBytes = 64 * 1024;
constexpr size_t kMaxProblems = 20;

// `AS123 # comment` lines (X4BNet lists_vpn) or a CSV whose header starts with an ASN column
// (brianhama bad-asn-list): the hosting lists that --hosting-list reads.
bool looksLikeHostingList(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.size() > 2 && (line[0] == 'A' || line[0] == 'a') && (line[1] == 'S' || line[1] == 's') && line[2] >= '0' &&
        line[2] <= '9')
      return true;
    std::string lower = asciiLower(line.substr(0, 4));
    return lower == "asn," || lower == "asn\t" || lower == "\"asn";
  }
  return false;
}

}  // namespace

void FileIngest::reset() {
  inFile_ = false;
  fileFatal_ = false;
  reader_.reset();
  reports_.clear();
  anyEventFile_ = false;
}

void FileIngest::beginChunk(std::string path, FileKind kind, std::string format) {
  pendingChunk_ = true;
  beginFile(std::move(path), kind, std::move(format));
}

void FileIngest::beginFile(std::string path, FileKind kind, std::string format) {
  if (inFile_) endFile();
  inFile_ = true;
  chunk_ = pendingChunk_;  // before onFileBegin: the detections count a piece's ActionTypes apart
  pendingChunk_ = false;
  delivered_ = signInsDelivered_ = layoutChanges_ = 0;
  fileFatal_ = false;
  requestedKind_ = kind;
  currentKind_ = kind;
  requestedFormat_ = std::move(format);
  head_.clear();
  encoding_ = Utf8Normalizer();
  reader_.reset();
  FileReport rep;
  rep.path = std::move(path);
  rep.kind = kind;
  reports_.push_back(std::move(rep));
  handler_.onFileBegin(*this);
}

void FileIngest::feed(const char* raw, size_t rawSize) {
  if (!inFile_ || fileFatal_ || rawSize == 0) return;
  std::string_view text = encoding_.convert(raw, rawSize, converted_);
  const char* data = text.data();
  size_t size = text.size();
  if (size == 0) return;
  if (!reader_) {
    head_.append(data, size);
    if (head_.size() >= kSniffBytes) chooseReader();
    return;
  }
  pushToReader(data, size);
}

void FileIngest::pushToReader(const char* data, size_t size) {
  if (!reader_ || fileFatal_) return;
  reader_->feed(data, size);
}

void FileIngest::chooseReader() {
  FileReport& rep = reports_.back();
  std::string head = std::move(head_);
  head_.clear();
  if (encoding_.encoding() != Utf8Normalizer::Encoding::Utf8 && encoding_.encoding() != Utf8Normalizer::Encoding::Unknown)
    rep.notes.push_back("text encoding " + std::string(encoding_.encodingName()) + ", read as UTF-8");
  std::string_view sniffView(head);
  const ReaderFactory* factory = nullptr;
  if (!requestedFormat_.empty()) {
    factory = findReader(requestedFormat_);
    if (!factory) {
      std::string names;
      for (const auto& f : readerFactories()) names += (names.empty() ? "" : ", ") + std::string(f.name);
      fatalWithCode(0, 0, "unknown format \"" + requestedFormat_ + "\": expected one of " + names, "unknown-format");
      return;
    }
  } else {
    factory = detectReader(sniffView, rep.path, requestedKind_);
    if (!factory) {
      const ReaderFactory* other = requestedKind_ != FileKind::Auto ? detectReader(sniffView, rep.path, FileKind::Auto) : nullptr;
      if (other) {
        fatalWithCode(1, 1, std::string("this looks like ") + (other->kind == FileKind::Intel ? "a threat-intel" : "an events") +
                        " file (" + std::string(other->description) + "), not " +
                        (requestedKind_ == FileKind::Intel ? "threat intel" : "network events") + ": load it as " +
                        (other->kind == FileKind::Intel ? "threat intel" : "events"),
                      "wrong-kind");
      } else if (sniffView.empty()) {
        fatalWithCode(0, 0, "the file is empty: expected a network-events or threat-intel export", "empty-file");
      } else {
        bool binary = false;
        for (size_t i = 0; i < std::min<size_t>(sniffView.size(), 512); ++i) {
          auto c = static_cast<unsigned char>(sniffView[i]);
          if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) binary = true;
        }
        if (binary) {
          fatalWithCode(1, 1, "binary data, not a text export: expected CSV, TSV or JSON", "binary-file");
        } else if (looksLikeHostingList(sniffView)) {
          fatalWithCode(1, 1, "this is a list of hosting ASNs, not events or threat intel: load it as a hosting list", "hosting-list");
        } else {
          fatalWithCode(1, 1,
                        "not a recognised export: expected a CSV header naming Timestamp and RemoteIP "
                        "(DeviceNetworkEvents), TimeGenerated and NetworkIP (ThreatIntelligenceIndicator) or a sign-in "
                        "log's columns, or another of the formats vpshunt reads (the list of formats)",
                        "not-an-export");
        }
      }
      return;
    }
  }
  currentKind_ = factory->kind;
  rep.kind = factory->kind;
  rep.format = std::string(factory->name);
  if (factory->kind == FileKind::Events) anyEventFile_ = true;
  reader_ = factory->create(*this);
  pushToReader(sniffView.data(), sniffView.size());
}

void FileIngest::endFile() {
  if (!inFile_) return;
  if (!fileFatal_) {
    converted_.clear();
    encoding_.finish(converted_);
    if (!converted_.empty()) {
      if (reader_) pushToReader(converted_.data(), converted_.size());
      else head_ += converted_;
    }
  }
  if (!reader_ && !fileFatal_) chooseReader();
  if (reader_ && !fileFatal_) reader_->finish();
  handler_.onFileEnd(*this);
  lastReplacements_ = encoding_.replacements();
  lastEncoding_ = std::string(encoding_.encodingName());
  if (!chunk_) concludeFile(reports_.back(), lastReplacements_, lastEncoding_);
  reader_.reset();
  inFile_ = false;
}

void FileIngest::concludeFile(FileReport& rep, uint64_t replacements, const std::string& encodingName) {
  if (replacements)
    rep.notes.push_back(std::to_string(replacements) + " invalid byte sequence(s) replaced by U+FFFD (the file is not valid " +
                        encodingName + ")");
  if (!rep.fatal && rep.records == 0 && rep.problems.empty()) {
    rep.notes.push_back("no data records (only a header, or nothing after it)");
  }
  if (!rep.fatal && rep.kept == 0 && rep.records > 0 && rep.skipped == rep.records) {
    rep.fatal = true;  // every record was bad: nothing usable
  }
}

// --- threads (issue 12) ---
bool FileIngest::mergeChunkReport(FileReport&& piece, bool first, uint64_t lineOffset, uint64_t headerLines,
                                  uint64_t replacements, const std::string& encodingName, uint64_t delivered) {
  if (first) {
    chunkedMissingKnown_ = delivered > 0;
    for (Problem& p : piece.problems)
      if (p.line > headerLines) p.line += lineOffset;
    reports_.push_back(std::move(piece));
    if (reports_.back().kind == FileKind::Events) anyEventFile_ = true;
    chunkedReplacements_ = replacements;
    chunkedEncoding_ = encodingName;
    return true;
  }
  FileReport& rep = reports_.back();
  if (rep.fatal) return false;  // one read stops at the fatal problem: later pieces count for nothing
  rep.records += piece.records;
  rep.kept += piece.kept;
  rep.skipped += piece.skipped;
  for (const auto& [k, v] : piece.skipReasons) rep.skipReasons[k] += v;
  for (const auto& [k, v] : piece.filtered) rep.filtered[k] += v;
  // Read as one, a column is missing when no piece had it; notes in the order first written.
  if (delivered > 0 && !chunkedMissingKnown_) {
    rep.missingColumns = std::move(piece.missingColumns);
    chunkedMissingKnown_ = true;
  } else if (delivered > 0) {
    std::vector<std::string> missing;
    for (auto& m : rep.missingColumns)
      if (std::find(piece.missingColumns.begin(), piece.missingColumns.end(), m) != piece.missingColumns.end())
        missing.push_back(std::move(m));
    rep.missingColumns = std::move(missing);
  }
  for (auto& n : piece.notes)
    if (std::find(rep.notes.begin(), rep.notes.end(), n) == rep.notes.end()) rep.notes.push_back(std::move(n));
  std::vector<Problem> problems;
  uint64_t dropped = 0;
  for (Problem& p : piece.problems) {
    if (p.line >= 1 && p.line <= headerLines) {
      ++dropped;
      continue;
    }
    if (p.line > headerLines) p.line += lineOffset;
    problems.push_back(std::move(p));
  }
  rep.problemsTotal += piece.problemsTotal - std::min(dropped, piece.problemsTotal);
  size_t at = 0;
  if (piece.fatal) {
    // A fatal problem goes first, as fatalWithCode puts it.
    rep.fatal = true;
    if (!problems.empty()) {
      rep.problems.insert(rep.problems.begin(), std::move(problems.front()));
      at = 1;
    }
  }
  for (; at < problems.size() && rep.problems.size() < kMaxProblems; ++at) rep.problems.push_back(std::move(problems[at]));
  if (rep.problems.size() > kMaxProblems) rep.problems.resize(kMaxProblems);
  chunkedReplacements_ += replacements;
  return true;
}

void FileIngest::takeReports(FileIngest&& o) {
  for (auto& r : o.reports_) reports_.push_back(std::move(r));
  o.reports_.clear();
  anyEventFile_ = anyEventFile_ || o.anyEventFile_;
}

void FileIngest::endChunkedFile() {
  if (!reports_.empty()) concludeFile(reports_.back(), chunkedReplacements_, chunkedEncoding_);
  chunkedReplacements_ = 0;
}
// --- end threads ---

void FileIngest::fileError(std::string message) {
  if (!inFile_) return;
  if (reports_.back().records == 0 && !reader_) fatalWithCode(0, 0, std::move(message), "read-error");
  else addProblem(0, 0, std::move(message), "read-error");
}

// ---------------------------------------------------------------------------------------------
// RecordSink

void FileIngest::addProblem(uint64_t line, uint64_t column, std::string message, std::string code) {
  FileReport& rep = reports_.back();
  ++rep.problemsTotal;
  if (rep.problems.size() < kMaxProblems) rep.problems.push_back({line, column, std::move(message), std::move(code)});
}

void FileIngest::skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) {
  ++reports_.back().records;
  rejectCounted(reason, line, column, std::move(message));
}

void FileIngest::rejectCounted(std::string_view reason, uint64_t line, uint64_t column, std::string message) {
  FileReport& rep = reports_.back();
  ++rep.skipped;
  ++rep.skipReasons[std::string(reason)];
  addProblem(line, column, std::move(message), problemCode(reason));
}

void FileIngest::other(std::string_view reason) {
  FileReport& rep = reports_.back();
  ++rep.records;
  ++rep.filtered[std::string(reason)];
}



void FileIngest::fatal(uint64_t line, uint64_t column, std::string message) {
  fatalWithCode(line, column, std::move(message), "unreadable-file");
}

void FileIngest::fatalWithCode(uint64_t line, uint64_t column, std::string message, std::string code) {
  FileReport& rep = reports_.back();
  rep.fatal = true;
  fileFatal_ = true;
  rep.problems.insert(rep.problems.begin(), Problem{line, column, std::move(message), std::move(code)});
  ++rep.problemsTotal;
  if (rep.problems.size() > kMaxProblems) rep.problems.pop_back();
}

void FileIngest::note(std::string text) {
  auto& notes = reports_.back().notes;
  if (std::find(notes.begin(), notes.end(), text) == notes.end()) notes.push_back(std::move(text));
}

void FileIngest::missingColumn(std::string name) {
  auto& m = reports_.back().missingColumns;
  if (std::find(m.begin(), m.end(), name) == m.end()) m.push_back(std::move(name));
}

}  // namespace vpshunt
