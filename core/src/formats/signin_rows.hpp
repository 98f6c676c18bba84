// Sign-in rows by column: one vocabulary for every JSON/XML sign-in shape, and what each family of
// sign-in tables makes of a row (a RawSignIn, an other() or a located skip).
//
// The vocabulary is the tables' own column names as Log Analytics and advanced hunting spell them
// (SigninLogs, AADSignInEventsBeta, IdentityLogonEvents, DeviceLogonEvents, SecurityEvent,
// AWSCloudTrail, Okta_CL): tabular readers (Log Analytics query API, Defender rows) look their
// columns up by name (columnByName), and the readers of raw shapes (Graph camelCase keys, Okta and
// CloudTrail nested paths, Windows event data names) map their keys onto the same columns. A reader
// fills a Row with what a record holds and hands it to the Builder of the record's family, so that
// every shape of one source reads alike: the same outcome for the same code, the same user for the
// same account, the same reasons for records that are not usable.
//
// Lifetimes: a Row holds views (into the reader's buffers) valid until the Builder call returns;
// the Builder's own texts (DOMAIN\user, readable reasons) live in buffers it reuses, valid during
// the sink's onSignIn call. No allocation per record once the buffers have grown.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/record.hpp"

namespace vpshunt::signin {

enum class Col : uint8_t {
  // Times, in the order of the families' preferences (see Builder).
  TimeGenerated,
  Timestamp,
  CreatedDateTime,
  EnvelopeTime,     // `time` of a diagnostic-settings record (when Entra wrote it)
  TimeCreated,      // Windows System/TimeCreated@SystemTime
  AtTimestamp,      // `@timestamp` of NXLog / Winlogbeat (UTC)
  EventTime,        // CloudTrail eventTime (UTC); NXLog EventTime (the collector's local time)
  Published,        // Okta published
  Type,             // Log Analytics `Type`: the table's name
  Category,         // diagnostic-settings category ("SignInLogs", ...)
  // Entra ID sign-in logs (SigninLogs, AADNonInteractiveUserSignInLogs, ..., Graph signIn)
  IPAddress,        // also Windows IpAddress, Defender IPAddress (same name, compared case-insensitively)
  CallerIpAddress,
  UserPrincipalName,
  ServicePrincipalName,
  ServicePrincipalId,
  UserId,
  ResultType,
  ResultDescription,
  StatusErrorCode,      // Graph / diagnostic status.errorCode
  StatusFailureReason,  // Graph / diagnostic status.failureReason
  AppDisplayName,
  ResourceDisplayName,
  ClientAppUsed,
  AuthenticationProtocol,
  SignInEventTypes,     // Graph signInEventTypes[0], or the Log Analytics string `["nonInteractiveUser"]`
  IsInteractive,
  AutonomousSystemNumber,
  UserAgent,
  // AADSignInEventsBeta / EntraIdSignInEvents
  ErrorCode,            // also CloudTrail errorCode
  AccountUpn,
  AccountDisplayName,
  AccountObjectId,
  Application,
  LogonType,            // also Windows LogonType
  // IdentityLogonEvents / DeviceLogonEvents
  ActionType,
  FailureReason,
  AccountName,
  AccountDomain,
  Protocol,
  Port,
  RemoteIP,
  RemotePort,
  DeviceName,
  DestinationDeviceName,
  TargetDeviceName,
  Isp,                  // `Isp` in advanced hunting, `ISP` in Log Analytics
  // Windows Security events (event data names; SecurityEvent columns)
  EventID,
  Channel,
  Provider,
  Computer,
  Account,
  TargetAccount,
  TargetUserName,
  TargetDomainName,
  IpPort,
  Status,
  SubStatus,
  LogonTypeName,
  AuthenticationPackageName,
  LogonProcessName,
  // AWS CloudTrail (raw keys mapped to the AWSCloudTrail table's names)
  EventName,
  EventSource,
  SourceIpAddress,
  UserIdentityType,
  UserIdentityUserName,
  UserIdentityArn,
  UserIdentityPrincipalId,
  UserIdentityAccountId,
  RecipientAccountId,
  ResponseElements,     // Log Analytics: the JSON text {"ConsoleLogin":"Success"}
  ConsoleLogin,         // raw: responseElements.ConsoleLogin
  ErrorMessage,
  AdditionalEventData,  // Log Analytics: the JSON text {"MFAUsed":"No",...}
  MFAUsed,              // raw: additionalEventData.MFAUsed
  // Okta System Log (raw paths mapped to the Okta_CL table's names)
  EventType,
  OutcomeResult,
  OutcomeReason,
  ClientIpAddress,
  IpChainIp,            // request.ipChain[0].ip (client.ipChain[0].ip in event hooks)
  ActorAlternateId,
  AsNumber,
  AsOrg,
  SecurityIsp,
  RawUserAgent,
  CredentialType,
  TargetApp,            // displayName of the first target of type AppInstance
  kCount
};
constexpr size_t kColCount = static_cast<size_t>(Col::kCount);
std::string_view colName(Col c);  // the column's name as the tables spell it ("IPAddress", "eventType", ...)

// A column name of a Log Analytics / advanced-hunting / Okta_CL table to its column: case-insensitive,
// after the KQL suffixes and ` [UTC]` (as eventFieldByName) and the custom-table type suffixes of
// Okta_CL (`eventType_s`, `securityContext_asNumber_d`, `published_t`). False for other names.
bool columnByName(std::string_view name, Col& out);

// What a record holds, by column. `name` is the key or column as the file spells it (for messages);
// line/column locate the value (0 when unknown).
struct Value {
  std::string_view text;
  std::string_view name;
  uint64_t line = 0, column = 0;
  bool null = false;
};

class Row {
 public:
  uint64_t line = 0, column = 0;  // where the record starts
  std::string_view source;        // the table or log, when the reader knows it ("IdentityLogonEvents")
  // Times may also be in the US locale form of Log Analytics' portal (`3/31/2022, 10:52:35.857 AM`);
  // false: ISO 8601 only, as every API and raw log writes them.
  bool usLocaleTimes = false;

  void clear() {  // forgets the values and the source (usLocaleTimes is the reader's, and stays)
    present_[0] = present_[1] = 0;
    source = {};
  }
  void set(Col c, const Value& v) {
    values_[size_t(c)] = v;
    present_[size_t(c) >> 6] |= uint64_t(1) << (size_t(c) & 63);
  }
  bool has(Col c) const { return (present_[size_t(c) >> 6] >> (size_t(c) & 63)) & 1; }
  // Present, not null, not empty after trimming.
  bool hasValue(Col c) const;
  const Value& get(Col c) const { return values_[size_t(c)]; }
  std::string_view text(Col c) const;  // trimmed; "" when absent or null

 private:
  Value values_[kColCount];
  uint64_t present_[2] = {0, 0};
  static_assert(kColCount <= 128, "two presence words");
};

// Which family of sign-in tables a set of columns belongs to (Log Analytics tables by their
// columns; Defender rows without a category by their keys).
enum class Family : uint8_t { None, Entra, DefenderEntra, IdentityLogon, DeviceLogon, Windows, CloudTrail, Okta };
Family familyOf(const Row& columns);
std::string_view familyName(Family f);  // "SigninLogs", "AADSignInEventsBeta", ... (the default Source)

// LogonSuccess / LogonFailed / LogonAttempted: the ActionTypes of DeviceLogonEvents and
// IdentityLogonEvents (a union export's rows of those tables are told apart by them).
bool isLogonAction(std::string_view actionType);

// Okta event types that are sign-in attempts (see Builder::okta).
bool isOktaSignIn(std::string_view eventType);

// Turns a Row into a RawSignIn for its family. Each call reports exactly one thing to the sink: an
// onSignIn, an other() (a record of the format that is not a usable sign-in attempt, with the
// reason) or a skip() (a record that is broken, located).
//
// Common rules: the time is converted here (ISO 8601 with any offset; the US locale form too when
// the Row allows it) and a record without one, or with one that does not parse, is skipped with its
// location; RemoteIP is
// the client's address as written (the engine decides what is public); a record with no client
// address (and no ASN, where the log carries one) is other("<source> without a client address").
class Builder {
 public:
  // Entra ID sign-ins (SigninLogs family, Graph signIn, diagnostic settings, the admin center's JSON,
  // AADSignInEventsBeta / EntraIdSignInEvents). Time: CreatedDateTime, TimeGenerated, Timestamp, the
  // envelope's time. RemoteIP: IPAddress, else CallerIpAddress. Code: status.errorCode, ErrorCode,
  // ResultType -> entraOutcome. ResultText: the log's failure reason (not on successes).
  // User: UPN (AccountUpn), else the service principal's name or id, else the object id. LogonType:
  // signInEventTypes / LogonType (the first of a JSON array), else from the category, else
  // IsInteractive. Protocol: AuthenticationProtocol unless "none", else ClientAppUsed.
  void entra(const Row& r, RecordSink& sink);
  // IdentityLogonEvents (`device` false: IPAddress, Port, Isp, Application, DestinationDeviceName)
  // and DeviceLogonEvents (`device` true: RemoteIP, RemotePort, DeviceName). ActionType LogonSuccess
  // -> Success, LogonFailed -> Failure, else Unknown; FailureReason is the code and, made readable,
  // the text. User: AccountUpn, else AccountDomain\AccountName. No address: other() (Defender for
  // Identity often knows the source only by its device name).
  void defenderLogon(const Row& r, bool device, RecordSink& sink);
  // Windows Security 4624 (Success), 4625 (Failure), 4771 (Kerberos pre-authentication failed) and
  // 4776 (Status 0x0 Success, else Failure); other EventIDs: other("Security <id>"). ResultCode: the
  // most specific code (SubStatus when Status is the umbrella 0xc000006d or 0xc000006e). User:
  // TargetDomainName\TargetUserName. Target: Computer. Protocol: AuthenticationPackageName, else LogonProcessName
  // (trailing spaces trimmed). Source: the EventID. IpAddress "-", "::1", link-local: a record; no
  // IpAddress at all: other().
  // Time: TimeCreated, @timestamp, TimeGenerated, then EventTime (NXLog's local time: noted).
  void windows(const Row& r, RecordSink& sink);
  // CloudTrail ConsoleLogin (other events: other()). RemoteIP: sourceIPAddress; an AWS service name
  // there (`signin.amazonaws.com`) is no client: other(). User: userName, else arn, else principalId.
  // ConsoleLogin Success/Failure. ResultText: errorMessage; ResultCode: errorCode. Target: the
  // recipient account. LogonType: userIdentity.type. Protocol: "MFA" / "no MFA" from MFAUsed.
  void cloudTrail(const Row& r, RecordSink& sink);
  // Okta System Log events that are sign-in attempts (isOktaSignIn; others: other("Okta <eventType>")).
  // outcome.result SUCCESS/ALLOW -> Success, FAILURE/DENY -> Failure, CHALLENGE -> Interrupted, else
  // Unknown. RemoteIP: client.ipAddress, else the first ipChain address. Asn/AsOrg: securityContext
  // asNumber, asOrg (else isp). LogonType: the eventType; Protocol: the credential type.
  void okta(const Row& r, RecordSink& sink);

  // Messages once per file (NXLog times without a zone, ...), given to the sink's note().
  void noteOnce(RecordSink& sink, uint32_t bit, std::string text);

 private:
  bool setTime(const Row& r, RawSignIn& s, RecordSink& sink, const Col* order, size_t n);
  void put(const Row& r, RawSignIn& s, SignInField f, Col c) const;
  void putText(const Row& r, RawSignIn& s, SignInField f, Col c, std::string_view text) const;
  bool noClient(RawSignIn& s, RecordSink& sink, std::string_view source);

  std::string user_, reason_, other_;
  uint32_t noted_ = 0;
};

// Text helpers shared by the sign-in readers.
std::string_view trim(std::string_view s);
// `"x"` for messages: at most 60 bytes, control characters as \xNN.
std::string quote(std::string_view s);
// The value of `key` in a small JSON object written as text ({"ConsoleLogin":"Success"}), or "".
std::string_view jsonTextMember(std::string_view json, std::string_view key);

}  // namespace vpshunt::signin
