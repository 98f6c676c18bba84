// Entra ID sign-in logs as JSON, in the shapes analysts save them:
//
//   * diagnostic-settings records (Event Hub `{"records": [...]}`, Storage `PT1H.json` one per line,
//     what Elastic's azure input stores): a camelCase envelope `{time, category: "SignInLogs" |
//     "NonInteractiveUserSignInLogs" | "ServicePrincipalSignInLogs" | "ManagedIdentitySignInLogs" |
//     "ADFSSignInLogs", resultType, resultDescription, callerIpAddress, properties: {ipAddress,
//     autonomousSystemNumber (a number), userPrincipalName, appDisplayName, status: {errorCode,
//     failureReason}, createdDateTime (with an offset), signInEventTypes, ...}}`;
//   * Microsoft Graph `auditLogs/signIns`: `{"@odata.context", "@odata.nextLink", "value": [signIn, ...]}`,
//     and the same objects with PascalCase names as the Graph PowerShell SDK writes them;
//   * the Entra admin center's "Download" JSON: a bare array of Graph signIn objects;
//   * Log Analytics rows as JSON objects (`az monitor log-analytics query`, a DataFrame written one
//     row a line): SigninLogs / AADNonInteractiveUserSignInLogs columns, `Status` an object or text;
//   * AADSignInEventsBeta / EntraIdSignInEvents rows (ErrorCode, AccountUpn) without a Defender envelope.
// Keys compare case-insensitively, so Graph's `ipAddress` and Log Analytics' `IPAddress` are one
// column. What each becomes is signin::Builder::entra's contract.
#include "formats/json_signin_common.hpp"
#include "formats/registry.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {
namespace {

using signin::Col;

class EntraSignInReader final : public jsonev::SignInJsonReader {
 public:
  explicit EntraSignInReader(RecordSink& sink) : SignInJsonReader(sink) {}

 private:
  int slotFor(std::string_view path) override {
    bool inProperties = jsonev::startsWithIgnoreCase(path, "properties.");
    if (inProperties) path.remove_prefix(11);
    if (!inProperties && path == "time") return slot(Col::EnvelopeTime);
    if (jsonev::iequals(path, "status.errorCode")) return slot(Col::StatusErrorCode);
    if (jsonev::iequals(path, "status.failureReason")) return slot(Col::StatusFailureReason);
    if (jsonev::iequals(path, "signInEventTypes.0")) return slot(Col::SignInEventTypes);
    if (path.find('.') != std::string_view::npos) return -1;
    Col c;
    if (!signin::columnByName(path, c)) return -1;
    switch (c) {
      case Col::CreatedDateTime: case Col::TimeGenerated: case Col::Timestamp: case Col::Type: case Col::Category:
      case Col::IPAddress: case Col::CallerIpAddress: case Col::UserPrincipalName: case Col::ServicePrincipalName:
      case Col::ServicePrincipalId: case Col::UserId: case Col::ResultType: case Col::ResultDescription:
      case Col::AppDisplayName: case Col::ResourceDisplayName: case Col::ClientAppUsed:
      case Col::AuthenticationProtocol: case Col::SignInEventTypes: case Col::IsInteractive:
      case Col::AutonomousSystemNumber: case Col::UserAgent: case Col::ErrorCode: case Col::AccountUpn:
      case Col::AccountDisplayName: case Col::AccountObjectId: case Col::Application: case Col::LogonType:
        return slot(c);
      default:
        return -1;
    }
  }

  std::string_view keyName(Col c) const override {
    switch (c) {
      case Col::EnvelopeTime: return "time";
      case Col::CreatedDateTime: return "createdDateTime";
      default: return signin::colName(c);
    }
  }

  bool isRecordArray(std::string_view path) override { return path == "records" || path == "value" || path == "Value"; }
  bool readsArray(std::string_view path) override {
    return jsonev::iequals(path, "signInEventTypes") || jsonev::iequals(path, "properties.signInEventTypes");
  }

  void onRecord() override {
    const signin::Row& r = row();
    if (!r.has(Col::CreatedDateTime) && !r.has(Col::TimeGenerated) && !r.has(Col::Timestamp) &&
        !r.has(Col::IPAddress) && !r.has(Col::UserPrincipalName) && !r.has(Col::ResultType) &&
        !r.has(Col::StatusErrorCode) && !r.has(Col::ErrorCode)) {
      sink_.other("not an Entra sign-in record");
      return;
    }
    if (r.hasValue(Col::Category) && !isSignInCategory(r.text(Col::Category))) {
      std::string reason = "Entra category ";
      reason.append(cutUtf8(r.text(Col::Category), 60));
      sink_.other(reason);
      return;
    }
    builder_.entra(r, sink_);
  }

  static bool isSignInCategory(std::string_view c) {
    for (std::string_view k : {"SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs",
                               "ManagedIdentitySignInLogs", "ADFSSignInLogs"})
      if (c == k) return true;
    return false;
  }
};

int sniffEntra(std::string_view head, std::string_view path) {
  (void)path;
  char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  // Other readers' envelopes: Defender streaming / AH rows, Log Analytics tables.
  if (contains(head, "\"AdvancedHunting-") || contains(head, "\"ReportId") ||
      (contains(head, "\"tables\"") && contains(head, "\"columns\"")))
    return 0;
  // The camelCase and PascalCase variants: the head lowered once, searched for lowered names (a
  // search per name, case-insensitively byte by byte, was the costliest sniffer in the session fuzz
  // target's profile).
  std::string lowered(head);
  for (char& ch : lowered)
    if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
  if (contains(lowered, "auditlogs/signins")) return 97;
  bool category = false;
  for (std::string_view k : {"\"SignInLogs\"", "\"NonInteractiveUserSignInLogs\"", "\"ServicePrincipalSignInLogs\"",
                             "\"ManagedIdentitySignInLogs\"", "\"ADFSSignInLogs\""})
    category |= contains(head, k);
  if (category && contains(head, "\"properties\"")) return 97;
  int hits = 0;
  for (std::string_view k : {"\"userprincipalname\"", "\"appdisplayname\"", "\"ipaddress\"", "\"createddatetime\"",
                             "\"clientappused\"", "\"resulttype\"", "\"conditionalaccessstatus\"",
                             "\"autonomoussystemnumber\"", "\"resourcedisplayname\"", "\"isinteractive\""})
    hits += contains(lowered, k);
  return hits >= 4 ? 92 : hits == 3 ? 70 : 0;
}

std::unique_ptr<Reader> createEntra(RecordSink& sink) { return std::make_unique<EntraSignInReader>(sink); }

}  // namespace

const ReaderFactory& entraSignInJsonFactory() {
  static const ReaderFactory f{
      "entra-signin-json",
      "Entra ID sign-ins as JSON: diagnostic-settings records (Event Hub {\"records\"}, Storage, Elastic), Graph "
      "auditLogs/signIns ({\"value\"}), the admin center's Download JSON, Log Analytics rows as objects",
      FileKind::Events, sniffEntra, createEntra};
  return f;
}

}  // namespace vpshunt
