// AWS CloudTrail records as JSON, for their ConsoleLogin events:
//   * the log files CloudTrail delivers to S3 (`{"Records": [...]}`, usually gzip: un-gzipped before
//     any reader sees the bytes);
//   * one record a line (JSON Lines, as Elastic and `jq -c '.Records[]'` write them), or a pretty array;
//   * EventBridge events `{"detail-type": "AWS Console Sign In via CloudTrail", "detail": {record}}`.
// Read per record: eventTime, eventName, eventSource, sourceIPAddress, userIdentity.{type, userName,
// arn, principalId, accountId}, recipientAccountId, responseElements.ConsoleLogin, errorCode,
// errorMessage, userAgent, additionalEventData.MFAUsed. Other events are counted with other(); what a
// ConsoleLogin becomes is signin::Builder::cloudTrail's contract.
#include "formats/json_signin_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

using signin::Col;

class CloudTrailReader final : public jsonev::SignInJsonReader {
 public:
  explicit CloudTrailReader(RecordSink& sink) : SignInJsonReader(sink) {}

 private:
  int slotFor(std::string_view p) override {
    if (p.size() > 7 && p.substr(0, 7) == "detail.") p.remove_prefix(7);
    for (const auto& x : kPaths)
      if (p == x.path) return slot(x.col);
    return -1;
  }

  std::string_view keyName(Col c) const override {
    for (const auto& x : kPaths)
      if (x.col == c) return x.path;
    return signin::colName(c);
  }

  bool isRecordArray(std::string_view path) override { return path == "Records"; }

  void onRecord() override {
    const signin::Row& r = row();
    if (!r.has(Col::EventName)) {
      sink_.other("not a CloudTrail record (no eventName)");
      return;
    }
    builder_.cloudTrail(r, sink_);
  }

  struct PathCol {
    std::string_view path;
    Col col;
  };
  static constexpr PathCol kPaths[] = {
      {"eventTime", Col::EventTime},
      {"eventName", Col::EventName},
      {"eventSource", Col::EventSource},
      {"sourceIPAddress", Col::SourceIpAddress},
      {"userIdentity.type", Col::UserIdentityType},
      {"userIdentity.userName", Col::UserIdentityUserName},
      {"userIdentity.arn", Col::UserIdentityArn},
      {"userIdentity.principalId", Col::UserIdentityPrincipalId},
      {"userIdentity.accountId", Col::UserIdentityAccountId},
      {"recipientAccountId", Col::RecipientAccountId},
      {"responseElements.ConsoleLogin", Col::ConsoleLogin},
      {"errorCode", Col::ErrorCode},
      {"errorMessage", Col::ErrorMessage},
      {"userAgent", Col::UserAgent},
      {"additionalEventData.MFAUsed", Col::MFAUsed},
  };
};

int sniffCloudTrail(std::string_view head, std::string_view path) {
  (void)path;
  char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  if (contains(head, "\"tables\"") && contains(head, "\"columns\"")) return 0;  // AWSCloudTrail in a Log Analytics response
  bool names = contains(head, "\"eventName\"") && contains(head, "\"eventSource\"");
  if (!names) return 0;
  int hits = contains(head, "\"userIdentity\"") + contains(head, "\"awsRegion\"") + contains(head, "\"sourceIPAddress\"") +
             contains(head, "\"eventVersion\"") + contains(head, "\"recipientAccountId\"");
  return hits >= 2 ? 96 : hits == 1 ? 75 : 0;
}

std::unique_ptr<Reader> createCloudTrail(RecordSink& sink) { return std::make_unique<CloudTrailReader>(sink); }

}  // namespace

const ReaderFactory& cloudTrailJsonFactory() {
  static const ReaderFactory f{
      "cloudtrail-json",
      "AWS CloudTrail records as JSON ({\"Records\"} files as S3 delivers them, gzip or not; one record a line; "
      "EventBridge events): ConsoleLogin sign-ins",
      FileKind::Events, sniffCloudTrail, createCloudTrail};
  return f;
}

}  // namespace vpshunt
