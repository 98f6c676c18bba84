// CommonSecurityLog (CEF firewalls) as Log Analytics "Export to CSV" writes it: a header naming
// TimeGenerated [UTC] (or [Local Time]), DeviceVendor, DeviceProduct, SourceIP, DestinationIP, ...
// in any order, RFC 4180 quoting, locale times. Each row becomes one inbound or outbound network
// event by the rules of firewall_rows.hpp.
//
// (The other firewall and flow tables exported from Log Analytics, Azure Firewall's AZFW* among
// them, are read by defender-csv, which has read them since before direction was known and now
// applies the same rules; see csv_readers.cpp.)
#include <string>
#include <vector>

#include "formats/csv_tokenizer.hpp"
#include "formats/firewall_rows.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

class CefCsvReader final : public Reader, CsvTokenizer::Handler {
 public:
  explicit CefCsvReader(RecordSink& sink) : sink_(sink), tok_(*this) {}
  void feed(const char* data, size_t size) override { tok_.feed(data, size); }
  void finish() override {
    tok_.finish();
    if (!sawHeader_ && !stopped_) sink_.fatal(0, 0, "the file is empty: expected a CommonSecurityLog CSV header line");
  }

 private:
  void onRecord(const CsvRecord& r) override {
    if (stopped_) return;
    if (!sawHeader_) {
      sawHeader_ = true;
      header(r);
      return;
    }
    if (r.error) {
      sink_.skip("malformed CSV record", r.errorLine, r.errorColumn, r.error);
      return;
    }
    if (r.count != columns_) {
      // Located as csv_readers.cpp does: at the first extra field, or the last field of a short record.
      sink_.skip("wrong field count", r.lastLine, r.count > columns_ ? r.columns[columns_] : r.count ? r.columns[r.count - 1] : 1,
                 "expected " + std::to_string(columns_) + " fields as in the header, found " + std::to_string(r.count));
      return;
    }
    row_.clear();
    row_.line = r.line;
    for (const auto& [c, i] : used_) row_.set(c, r.fields[i], r.columns[i]);
    if (!builder_.sourceReadable(row_, sourceName_, sink_)) return;
    RawEvent e;
    e.line = r.line;
    builder_.fill(row_, builder_.decide(row_, sink_), e);
    sink_.onEvent(e);
  }

  void header(const CsvRecord& r) {
    columns_ = r.count;
    uint32_t have = 0;
    std::vector<uint8_t> wanted(r.count, 0);
    for (size_t i = 0; i < r.count; ++i) {
      fw::Col c;
      if (!fw::columnByName(r.fields[i], c) || (have & fw::bit(c))) continue;
      have |= fw::bit(c);
      if (c == fw::Col::SourceIp) sourceName_.assign(r.fields[i]);
      used_.emplace_back(c, i);
      wanted[i] = 1;
    }
    if (fw::familyOf(have) != fw::Family::Cef || !(have & fw::bit(fw::Col::Time))) {
      sink_.fatal(r.line, 1,
                  std::string("expected a CommonSecurityLog header with TimeGenerated, DeviceVendor or DeviceProduct, and "
                              "SourceIP or DestinationIP; the ") +
                      (!(have & fw::bit(fw::Col::Time)) ? "TimeGenerated" : fw::familyOf(have) == fw::Family::None ? "SourceIP/DestinationIP" : "DeviceVendor") +
                      " column is missing");
      stopped_ = true;
      tok_.stop();
      return;
    }
    builder_.begin(fw::Family::Cef);
    builder_.announce(sink_);
    if (!(have & fw::bit(fw::Col::SourceUser))) sink_.missingColumn("AccountName");
    tok_.setWanted(std::move(wanted));
  }

  RecordSink& sink_;
  CsvTokenizer tok_;
  size_t columns_ = 0;
  bool sawHeader_ = false, stopped_ = false;
  std::vector<std::pair<fw::Col, size_t>> used_;
  fw::Row row_;
  fw::Builder builder_;
  std::string sourceName_;  // the header's name of the source address column
};

// The first line's cells (quotes removed): enough to recognise the header.
std::vector<std::string_view> headerCells(std::string_view head) {
  size_t nl = head.find_first_of("\r\n");
  std::string_view line = nl == std::string_view::npos ? head : head.substr(0, nl);
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= line.size()) {
    if (i < line.size() && line[i] == '"') {
      size_t close = line.find('"', i + 1);
      if (close == std::string_view::npos) close = line.size();
      out.push_back(line.substr(i + 1, close - i - 1));
      size_t comma = line.find(',', close);
      if (comma == std::string_view::npos) break;
      i = comma + 1;
    } else {
      size_t comma = line.find(',', i);
      out.push_back(line.substr(i, (comma == std::string_view::npos ? line.size() : comma) - i));
      if (comma == std::string_view::npos) break;
      i = comma + 1;
    }
  }
  return out;
}

int sniffCefCsv(std::string_view head, std::string_view) {
  size_t first = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first == std::string_view::npos || head[first] == '{' || head[first] == '[') return 0;
  uint32_t have = 0;
  for (auto cell : headerCells(head)) {
    fw::Col c;
    if (fw::columnByName(cell, c)) have |= fw::bit(c);
  }
  if (fw::familyOf(have) != fw::Family::Cef) return 0;
  // Above defender-csv's 90 (the table has a RemoteIP column of its own).
  return (have & fw::bit(fw::Col::Time)) ? 96 : 60;
}

std::unique_ptr<Reader> createCefCsv(RecordSink& sink) { return std::make_unique<CefCsvReader>(sink); }

}  // namespace

const ReaderFactory& cefCsvFactory() {
  static const ReaderFactory f{"cef-csv",
                               "CommonSecurityLog (CEF: Fortinet, Palo Alto, Check Point, ...) as Log Analytics CSV; rows "
                               "inbound or outbound by interface roles, addresses and CommunicationDirection",
                               FileKind::Events, sniffCefCsv, createCefCsv};
  return f;
}

}  // namespace vpshunt
