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

  // RecordSink (for the reader)
  void onEvent(const RawEvent& e) override { handler_.onEvent(e, *this); }
  void onIndicator(const RawIndicator& i) override { handler_.onIndicator(i, *this); }
  void onSignIn(const RawSignIn& s) override { handler_.onSignIn(s, *this); }
  void skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) override;
  void other(std::string_view reason) override;
  void fatal(uint64_t line, uint64_t column, std::string message) override;
  void note(std::string text) override;
  void missingColumn(std::string name) override;
  FileKind kind() const override { return currentKind_; }

 private:
  void chooseReader();
  void fatalWithCode(uint64_t line, uint64_t column, std::string message, std::string code);
  void pushToReader(const char* data, size_t size);

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
};

}  // namespace vpshunt
