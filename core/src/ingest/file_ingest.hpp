// A file from bytes to records: text encoding (BOMs, UTF-16, invalid UTF-8), format sniffing and
// the reader it picks, and the file's report (records, kept, skipped with reasons and located
// problems, filtered counts, notes). What the records mean is the RecordHandler's business.
//
//   FileIngest in(handler);
//   in.beginFile("a.csv", FileKind::Auto, "");   // kind and format detected from the content
//   in.feed(bytes, n);                            // any chunking
//   in.endFile();                                 // in.reports().back() is its report
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/encoding.hpp"
#include "formats/record.hpp"
#include "vpshunt/results.hpp"

namespace vpshunt {

class FileIngest;
class WireWriter;
class WireReader;

// What the session does with a file's records. The handler counts what it keeps in
// file.report() (records, kept) and reports bad values through the FileIngest's RecordSink side.
class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  virtual void onEvent(const RawEvent& e, FileIngest& file) = 0;
  virtual void onIndicator(const RawIndicator& r, FileIngest& file) = 0;
  virtual void onSignIn(const RawSignIn& s, FileIngest& file) = 0;
  virtual void onFileBegin(FileIngest& file) = 0;  // a file starts (per-file state)
  virtual void onFileEnd(FileIngest& file) = 0;    // its records are read (write per-file counts to the report)
};

class FileIngest final : public RecordSink {
 public:
  explicit FileIngest(RecordHandler& handler) : handler_(handler) {}

  // `format` empty = detect.
  void beginFile(std::string path, FileKind kind, std::string format);
  void feed(const char* data, size_t size);
  void endFile();
  // The front end could not read the current file: fatal unless records were read already.
  void fileError(std::string message);

  bool inFile() const { return inFile_; }
  FileReport& report() { return reports_.back(); }
  const std::vector<FileReport>& reports() const { return reports_; }
  std::vector<FileReport>& reports() { return reports_; }
  bool anyEventFile() const { return anyEventFile_; }
  uint64_t recordsInCurrentFile() const { return inFile_ ? reports_.back().records : 0; }
  void reset();

  // A problem with a record already counted as read (records is not incremented again).
  void rejectCounted(std::string_view reason, uint64_t line, uint64_t column, std::string message);
  // A problem that concerns no single record (line 0: the whole file), with its code (problem.hpp).
  void addProblem(uint64_t line, uint64_t column, std::string message, std::string code = "capacity");

  // --- threads (issue 12): a file read in pieces (ingest/parallel.cpp) ---
  // A piece of a file read by another session: as beginFile, but endFile leaves the conclusions
  // about the whole file (no data records, every record bad, replaced bytes) to the merging session.
  void beginChunk(std::string path, FileKind kind, std::string format);
  bool inChunk() const { return chunk_; }
  uint64_t lastReplacements() const { return lastReplacements_; }  // of the file or piece last ended
  const std::string& lastEncodingName() const { return lastEncoding_; }
  // Records the reader handed on in the current (or last) file, and how many were sign-ins.
  uint64_t delivered() const { return delivered_; }
  uint64_t signInsDelivered() const { return signInsDelivered_; }
  // How often the reader's layout changed after its leading header lines in the current (or last) file.
  uint64_t layoutChanges() const { return layoutChanges_; }
  // The merging session: a piece's report joins the current chunked file's (the first one starts
  // it). Its problems' lines past `headerLines` (the header repeated before the piece) move by
  // `lineOffset`; problems on the header lines of a later piece repeat the first piece's and are
  // dropped. Returns false, taking nothing, when the file already stopped (fatal) in an earlier piece.
  // A reader may name missing columns from the records it saw (JSON): a piece that handed on no
  // record (`delivered` 0) says nothing of them.
  bool mergeChunkReport(FileReport&& piece, bool first, uint64_t lineOffset, uint64_t headerLines, uint64_t replacements,
                        const std::string& encodingName, uint64_t delivered);
  void endChunkedFile();
  // The merging session: whole files read by another session, their reports after this one's.
  void takeReports(FileIngest&& other);
  // --- end threads ---
  // --- workers (issue 12; file_ingest_wire.cpp): what the merging session reads of this one
  // (reports, the last file's replacements, encoding and delivered counts), as bytes ---
  void save(WireWriter& w) const;
  void load(WireReader& r);  // into an ingest that read nothing; throws WireError

  // RecordSink (for the reader)
  void onEvent(const RawEvent& e) override {
    ++delivered_;
    handler_.onEvent(e, *this);
  }
  void onIndicator(const RawIndicator& i) override {
    ++delivered_;
    handler_.onIndicator(i, *this);
  }
  void onSignIn(const RawSignIn& s) override {
    ++delivered_;
    ++signInsDelivered_;
    handler_.onSignIn(s, *this);
  }
  void skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) override;
  void other(std::string_view reason) override;
  void fatal(uint64_t line, uint64_t column, std::string message) override;
  void note(std::string text) override;
  void missingColumn(std::string name) override;
  FileKind kind() const override { return currentKind_; }
  void layoutChanged() override { ++layoutChanges_; }

 private:
  void chooseReader();
  void fatalWithCode(uint64_t line, uint64_t column, std::string message, std::string code);
  void pushToReader(const char* data, size_t size);
  void concludeFile(FileReport& rep, uint64_t replacements, const std::string& encodingName);  // threads

  RecordHandler& handler_;
  bool inFile_ = false;
  bool fileFatal_ = false;
  bool anyEventFile_ = false;
  FileKind requestedKind_ = FileKind::Auto, currentKind_ = FileKind::Auto;
  std::string requestedFormat_;
  std::string head_;         // bytes held back until the format is known
  Utf8Normalizer encoding_;  // every byte passes through here first (BOMs, UTF-16, invalid UTF-8)
  std::string converted_;
  std::unique_ptr<Reader> reader_;
  std::vector<FileReport> reports_;
  // threads (issue 12)
  bool chunk_ = false, pendingChunk_ = false;
  uint64_t delivered_ = 0, signInsDelivered_ = 0, layoutChanges_ = 0;
  bool chunkedMissingKnown_ = false;  // some merged piece handed on a record
  uint64_t lastReplacements_ = 0;
  std::string lastEncoding_;
  uint64_t chunkedReplacements_ = 0;
  std::string chunkedEncoding_;
};

}  // namespace vpshunt
