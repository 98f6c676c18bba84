// Requests to a cloud resource as a CSV of CloudTrail data events flattened by an alerting tool, one
// request a row: the shape of the OTRF S3 honey-bucket export (an internet-facing bucket's alerts).
//
//   Event Type,Event Name,Request ID,User ID,Request Parameters,Alert,Event ID,Event DateTime,Alarm DateTime,
//   Source IP,Request User Agent,Repeated Attempts
//   AwsApiCall,ListObjects,E2E9...,"{'type': 'AWSAccount', 'principalId': '', 'accountId': 'ANONYMOUS_PRINCIPAL'}",
//   "{'bucketName': 'corp-backups', 'Host': 'corp-backups.s3.amazonaws.com'}", 302-...,283770f5-...,
//   2026-02-18T17:34:57Z,2026-02-18T17:39:28.127636+00:00,198.51.100.7,Go-http-client/1.1,4
//
// Each row is an inbound request from `Source IP` to the resource: DeviceName = the bucket
// (`bucketName` in Request Parameters, a Python-dict or JSON text), else "S3"; LocalPort 443 (the
// S3 API is HTTPS; the export does not say otherwise); AccountName = the caller's `accountId`
// (ANONYMOUS_PRINCIPAL for the unauthenticated scans such a bucket draws); the command line = the
// event name (HeadBucket, ListObjects, PutObject, ...). The time is `Event DateTime` (when the
// request was made; `Alarm DateTime` is when the tool alerted). An `Error Code` column, when the
// export has one, makes AccessDenied and other errors refusals; without it every request counts as
// answered (it reached the service, which logged it).
#include <string>
#include <vector>

#include "events/values.hpp"
#include "formats/csv_tokenizer.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

enum Col : int { kSourceIp, kTime, kEventName, kParameters, kUserId, kErrorCode, kColCount };

struct Name {
  std::string_view name;
  Col col;
};
constexpr Name kNames[] = {
    {"Source IP", kSourceIp},       {"Source IP Address", kSourceIp}, {"Event DateTime", kTime},
    {"Event Time", kTime},          {"Event Name", kEventName},       {"Request Parameters", kParameters},
    {"User ID", kUserId},           {"User Identity", kUserId},       {"Error Code", kErrorCode},
};

bool colByName(std::string_view name, Col& out) {
  name = trimValue(name);
  for (const Name& n : kNames)
    if (equalsIgnoreCaseAscii(name, n.name)) return out = n.col, true;
  return false;
}

// The value of `key` in a Python-dict or JSON text: {'bucketName': 'x'} or {"bucketName": "x"}.
std::string_view dictValue(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string_view::npos) {
    const size_t after = pos + key.size();
    const bool quotedKey = pos > 0 && (text[pos - 1] == '\'' || text[pos - 1] == '"') && after < text.size() &&
                           text[after] == text[pos - 1];
    pos = after;
    if (!quotedKey) continue;
    size_t i = after + 1;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != ':') continue;
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || (text[i] != '\'' && text[i] != '"')) continue;
    const char q = text[i];
    const size_t end = text.find(q, i + 1);
    if (end == std::string_view::npos) return {};
    return text.substr(i + 1, end - i - 1);
  }
  return {};
}

class CloudRequestsCsvReader final : public Reader, CsvTokenizer::Handler {
 public:
  explicit CloudRequestsCsvReader(RecordSink& sink) : sink_(sink), tok_(*this) { at_.fill(-1); }
  void feed(const char* data, size_t size) override { tok_.feed(data, size); }
  void finish() override {
    tok_.finish();
    if (!sawHeader_ && !stopped_) sink_.fatal(0, 0, "the file is empty: expected a CSV header with a Source IP column");
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
    auto cell = [&](Col c) { return at_[c] >= 0 ? r.fields[size_t(at_[c])] : std::string_view(); };
    auto col = [&](Col c) { return at_[c] >= 0 ? r.columns[size_t(at_[c])] : 0u; };
    RawEvent e;
    e.line = r.line;
    e.direction = Direction::Inbound;
    const std::string_view error = trimValue(cell(kErrorCode));
    e.outcome = at_[kErrorCode] >= 0 && !error.empty() && error != "-" ? Outcome::Failure : Outcome::Success;
    e.set(EventField::ActionType, e.outcome == Outcome::Failure ? "InboundConnectionFailed" : "InboundConnectionAccepted");
    e.set(EventField::Timestamp, cell(kTime), col(kTime));
    e.set(EventField::RemoteIP, cell(kSourceIp), col(kSourceIp));
    const std::string_view bucket = dictValue(cell(kParameters), "bucketName");
    e.set(EventField::DeviceName, bucket.empty() ? std::string_view("S3") : bucket, bucket.empty() ? 0 : col(kParameters));
    e.set(EventField::LocalPort, "443");
    const std::string_view account = dictValue(cell(kUserId), "accountId");
    if (!account.empty()) e.set(EventField::AccountName, account, col(kUserId));
    if (at_[kEventName] >= 0) e.set(EventField::InitiatingProcessCommandLine, cell(kEventName), col(kEventName));
    sink_.onEvent(e);
  }

  void header(const CsvRecord& r) {
    columns_ = r.count;
    std::vector<uint8_t> wanted(r.count, 0);
    for (size_t i = 0; i < r.count; ++i) {
      Col c;
      if (colByName(r.fields[i], c) && at_[c] < 0) {
        at_[c] = int(i);
        wanted[i] = 1;
      }
    }
    if (at_[kSourceIp] < 0 || at_[kTime] < 0) {
      sink_.fatal(r.line, 1, std::string("expected a header with Source IP and Event DateTime columns; the ") +
                                 (at_[kSourceIp] < 0 ? "Source IP" : "Event DateTime") + " column is missing");
      stopped_ = true;
      tok_.stop();
      return;
    }
    sink_.note("requests to a cloud resource: each row is an inbound request from Source IP to the bucket named in "
               "Request Parameters (port 443)");
    if (at_[kErrorCode] < 0) sink_.note("no Error Code column: every request counts as answered");
    sink_.missingColumn(std::string(eventFieldName(EventField::InitiatingProcessFileName)));
    tok_.setWanted(std::move(wanted));
  }

  RecordSink& sink_;
  CsvTokenizer tok_;
  std::array<int, kColCount> at_{};
  size_t columns_ = 0;
  bool sawHeader_ = false, stopped_ = false;
};

int sniffCloudRequestsCsv(std::string_view head, std::string_view) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t nl = head.find_first_of("\r\n");
  std::string_view line = head.substr(0, nl);
  if (line.empty() || line[0] == '{' || line[0] == '[') return 0;
  bool ip = false, time = false, name = false;
  size_t i = 0;
  while (i <= line.size()) {
    size_t comma = line.find(',', i);
    std::string_view cell = line.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
    Col c;
    if (colByName(cell, c)) {
      ip |= c == kSourceIp;
      time |= c == kTime;
      name |= c == kEventName;
    }
    if (comma == std::string_view::npos) break;
    i = comma + 1;
  }
  return ip && time && name ? 90 : ip && time ? 60 : 0;
}

std::unique_ptr<Reader> createCloudRequestsCsv(RecordSink& sink) { return std::make_unique<CloudRequestsCsvReader>(sink); }

}  // namespace

const ReaderFactory& cloudRequestsCsvFactory() {
  static const ReaderFactory f{"cloud-requests-csv",
                               "requests to a cloud resource as CSV (CloudTrail data events flattened by alerting tools: "
                               "Source IP, Event Name, Event DateTime, Request Parameters), such as an S3 honey bucket's; "
                               "each row an inbound request to the bucket",
                               FileKind::Events, sniffCloudRequestsCsv, createCloudRequestsCsv};
  return f;
}

}  // namespace vpshunt
