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

void FileIngest::beginFile(std::string path, FileKind kind, std::string format) {
  if (inFile_) endFile();
  inFile_ = true;
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
  FileReport& rep = reports_.back();
  if (encoding_.replacements())
    rep.notes.push_back(std::to_string(encoding_.replacements()) +
                        " invalid byte sequence(s) replaced by U+FFFD (the file is not valid " +
                        std::string(encoding_.encodingName()) + ")");
  if (!rep.fatal && rep.records == 0 && rep.problems.empty()) {
    rep.notes.push_back("no data records (only a header, or nothing after it)");
  }
  if (!rep.fatal && rep.kept == 0 && rep.records > 0 && rep.skipped == rep.records) {
    rep.fatal = true;  // every record was bad: nothing usable
  }
  reader_.reset();
  inFile_ = false;
}

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
