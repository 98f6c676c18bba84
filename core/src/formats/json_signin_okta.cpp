// Okta System Log events (LogEvent objects) as JSON:
//   * the System Log API response `/api/v1/logs`: a JSON array of LogEvents;
//   * one event a line, as exports and Elastic's okta input store them;
//   * event hook deliveries `{"eventType": "com.okta.event_hook", ..., "data": {"events": [...]}}`.
// Read per event: published, eventType, actor.alternateId, client.ipAddress (else the first
// request.ipChain[].ip, or client.ipChain[] in hooks), outcome.result / outcome.reason,
// securityContext.asNumber / asOrg / isp (null when Okta has no network data),
// client.userAgent.rawUserAgent, authenticationContext.credentialType and the displayName of the
// first target of type AppInstance. Which event types are sign-in attempts, and the outcome of each
// result word, is signin::Builder::okta's contract.
#include "formats/json_signin_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

using signin::Col;

// Slots past the columns: the targets' types and names, paired up at the end of the record.
constexpr int kTargets = 4;
constexpr int kTargetType = static_cast<int>(signin::kColCount);
constexpr int kTargetName = kTargetType + kTargets;
constexpr int kSlotCount = kTargetName + kTargets;

class OktaReader final : public jsonev::RecordReader {
 public:
  explicit OktaReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {}

 private:
  static int slot(Col c) { return static_cast<int>(c); }

  int slotFor(std::string_view p) override {
    static constexpr std::pair<std::string_view, Col> paths[] = {
        {"published", Col::Published},
        {"eventType", Col::EventType},
        {"actor.alternateId", Col::ActorAlternateId},
        {"client.ipAddress", Col::ClientIpAddress},
        {"request.ipChain.0.ip", Col::IpChainIp},
        {"client.ipChain.0.ip", Col::IpChainIp},
        {"outcome.result", Col::OutcomeResult},
        {"outcome.reason", Col::OutcomeReason},
        {"securityContext.asNumber", Col::AsNumber},
        {"securityContext.asOrg", Col::AsOrg},
        {"securityContext.isp", Col::SecurityIsp},
        {"client.userAgent.rawUserAgent", Col::RawUserAgent},
        {"authenticationContext.credentialType", Col::CredentialType},
    };
    for (const auto& x : paths)
      if (p == x.first) return slot(x.second);
    // target.<i>.type / target.<i>.displayName
    if (p.size() > 9 && p.substr(0, 7) == "target." && p[8] == '.' && p[7] >= '0' && p[7] < '0' + kTargets) {
      std::string_view member = p.substr(9);
      if (member == "type") return kTargetType + (p[7] - '0');
      if (member == "displayName") return kTargetName + (p[7] - '0');
    }
    return -1;
  }

  bool isRecordArray(std::string_view path) override { return path == "data.events"; }
  bool readsArray(std::string_view path) override {
    return path == "request.ipChain" || path == "client.ipChain" || path == "target";
  }

  void onRecord() override {
    if (!has(slot(Col::EventType)) && !has(slot(Col::Published))) {
      sink_.other("not an Okta event");
      return;
    }
    row_.clear();
    row_.line = recordLine();
    row_.column = recordColumn();
    for (size_t i = 0; i < signin::kColCount; ++i) {
      int s = static_cast<int>(i);
      if (has(s)) row_.set(Col(i), value(s, signin::colName(Col(i))));
    }
    for (int i = 0; i < kTargets; ++i)
      if (has(kTargetType + i) && text(kTargetType + i) == "AppInstance" && has(kTargetName + i)) {
        row_.set(Col::TargetApp, value(kTargetName + i, "target.displayName"));
        break;
      }
    builder_.okta(row_, sink_);
  }

  signin::Value value(int s, std::string_view name) const {
    signin::Value v;
    v.text = text(s);
    v.name = name;
    v.line = valueLine(s);
    v.column = valueColumn(s);
    v.null = isNull(s);
    return v;
  }

  signin::Row row_;
  signin::Builder builder_;
};

int sniffOkta(std::string_view head, std::string_view path) {
  (void)path;
  char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  if (contains(head, "\"tables\"") && contains(head, "\"columns\"")) return 0;  // Okta_CL in a Log Analytics response
  if (contains(head, "com.okta.event_hook")) return 98;
  bool event = contains(head, "\"eventType\"") && contains(head, "\"actor\"");
  if (!event) return 0;
  int hits = contains(head, "\"published\"") + contains(head, "\"outcome\"") + contains(head, "\"legacyEventType\"") +
             contains(head, "\"securityContext\"") + contains(head, "\"displayMessage\"");
  return hits >= 2 ? 96 : hits == 1 ? 75 : 0;
}

std::unique_ptr<Reader> createOkta(RecordSink& sink) { return std::make_unique<OktaReader>(sink); }

}  // namespace

const ReaderFactory& oktaJsonFactory() {
  static const ReaderFactory f{
      "okta-json",
      "Okta System Log events as JSON: the /api/v1/logs array, one event a line (exports, Elastic), event hook "
      "deliveries ({\"data\": {\"events\"}}); sign-in events with securityContext.asNumber/asOrg",
      FileKind::Events, sniffOkta, createOkta};
  return f;
}

}  // namespace vpshunt
