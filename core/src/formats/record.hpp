// The contract between readers (one per export shape) and the engine.
//
// A reader turns bytes into records and hands each one, as text fields, to its RecordSink. The
// sink (the engine's ingest) parses times, addresses and numbers, applies the ingest filter and
// aggregates, so that every format shares one set of conversions and one set of error messages.
// Field texts are string_views into the reader's buffers: valid only during the call.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vpshunt/ip.hpp"
#include "vpshunt/results.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

enum class EventField : uint8_t {
  Timestamp,
  DeviceName,
  AccountName,                  // preferred when the export has it
  InitiatingProcessAccountName, // fallback for AccountName (real Defender exports have only this)
  InitiatingProcessFileName,
  InitiatingProcessCommandLine,
  RemoteIP,
  RemotePort,
  ActionType,
  RemoteIPType,
  SentBytes,
  ReceivedBytes,
  LocalIP,
  LocalPort,  // the local side's port: for an inbound connection, the service that was reached
  // The initiating process's identity, for the known-software matcher (core/src/enrich/known_software.hpp).
  // Defender: InitiatingProcessFolderPath usually holds the full path including the file name, sometimes
  // only the folder; Sysmon: Image (always the full path). Company/product are the file's version-info
  // fields (Defender's InitiatingProcessVersionInfoCompanyName / ...ProductName); Sysmon writes Company and
  // Product in event 1 (process creation) only, never in event 3.
  InitiatingProcessFolderPath,
  InitiatingProcessVersionInfoCompanyName,
  InitiatingProcessVersionInfoProductName,
  kCount
};
constexpr size_t kEventFieldCount = static_cast<size_t>(EventField::kCount);
static_assert(kEventFieldCount <= 32, "RawEvent::present is a 32-bit mask");
std::string_view eventFieldName(EventField f);

// What a reader knows of a connection's direction and outcome, when its format says so (Zeek
// local_orig/local_resp and conn_state, Suricata's flow roles, Sysmon Initiated, a firewall's
// source/destination and allow/deny). Unknown: the engine derives them from ActionType where the
// export has one (Defender: InboundConnectionAccepted is inbound; ConnectionFailed and
// ConnectionAttempt are failures). An inbound connection never feeds the beacon detection.
enum class Direction : uint8_t { Unknown, Outbound, Inbound, Listening };
enum class Outcome : uint8_t { Unknown, Success, Failure };

// One event record. Only the fields a reader set hold anything: the per-field arrays are left
// uninitialised (an event is made per input row, and zeroing them cost more than reading the row's
// fields), so read them through get() and col(), which answer "" and 0 for a field not set.
struct RawEvent {
  uint32_t present = 0;  // bit i set: field i exists in this record (it may still be empty)
  uint64_t line = 0;     // 1-based line where the record starts

  // Readers whose format carries a time or address in another shape (Zeek epoch seconds, ...)
  // may convert it themselves and set these; the sink then skips its own parsing.
  bool hasTime = false;
  Ticks time = 0;
  // Set by readers whose format states them (see Direction); RemoteIP is then the far side.
  Direction direction = Direction::Unknown;
  Outcome outcome = Outcome::Unknown;

  void set(EventField f, std::string_view v, uint32_t col = 0) {
    auto i = static_cast<size_t>(f);
    text_[i] = {v.data(), v.size()};
    column_[i] = col;
    present |= 1u << i;
  }
  bool has(EventField f) const { return present & (1u << static_cast<size_t>(f)); }
  std::string_view get(EventField f) const {
    auto i = static_cast<size_t>(f);
    return has(f) ? std::string_view(text_[i].data, text_[i].size) : std::string_view();
  }
  uint32_t col(EventField f) const { return has(f) ? column_[static_cast<size_t>(f)] : 0; }  // 1-based, 0 = unknown

 private:
  struct Text {
    const char* data;
    size_t size;
  };
  Text text_[kEventFieldCount];
  uint32_t column_[kEventFieldCount];
};

enum class IntelField : uint8_t {
  TimeGenerated,
  NetworkIP,
  NetworkSourceIP,
  NetworkDestinationIP,
  NetworkCidrBlock,
  ThreatType,
  ConfidenceScore,
  Description,
  Active,
  ExpirationDateTime,
  kCount
};
constexpr size_t kIntelFieldCount = static_cast<size_t>(IntelField::kCount);
std::string_view intelFieldName(IntelField f);

struct RawIndicator {
  std::array<std::string_view, kIntelFieldCount> text{};
  std::array<uint32_t, kIntelFieldCount> column{};
  uint32_t present = 0;
  uint64_t line = 0;
  bool hasTime = false;
  Ticks time = 0;

  void set(IntelField f, std::string_view v, uint32_t col = 0) {
    auto i = static_cast<size_t>(f);
    text[i] = v;
    column[i] = col;
    present |= 1u << i;
  }
  bool has(IntelField f) const { return present & (1u << static_cast<size_t>(f)); }
  std::string_view get(IntelField f) const { return text[static_cast<size_t>(f)]; }
};

// Sign-in and logon records (the third trace: authentication from rented servers). Readers of
// identity exports (Entra ID sign-in logs, Defender identity tables, Windows 4624/4625, Okta,
// CloudTrail ConsoleLogin, ...) hand one RawSignIn per attempt; the engine makes a SignInEvent of it.
enum class SignInField : uint8_t {
  Time,         // when the attempt happened (set `hasTime` instead when the reader converts it)
  User,         // who tried: UPN / login / DOMAIN\user as the log writes it (compared case-insensitively)
  RemoteIP,     // the client's address (the one to attribute), not the server's
  RemotePort,
  ResultCode,   // the log's own failure code as text: Entra "50126", Windows SubStatus "0xc000006a", Okta reason
  ResultText,   // the log's words for it: "Invalid username or password", "UnknownUser", ...
  Application,  // the app or resource signed in to ("Azure Portal", "Office 365", "ConsoleLogin")
  Target,       // the host or service authenticated against (a DC, a server's name, an AWS account)
  LogonType,    // "Network", "RemoteInteractive", "3 - Network", "interactiveUser", ...
  Protocol,     // "NTLM", "Kerberos", "ROPC", ...
  Asn,          // the autonomous system the log itself names for RemoteIP, when it carries one
  AsOrg,        // its organisation / ISP text, when the log carries one
  UserAgent,
  Source,       // the table or log the record came from ("SigninLogs", "4625", "Okta", ...), for reports
  kCount
};
constexpr size_t kSignInFieldCount = static_cast<size_t>(SignInField::kCount);
std::string_view signInFieldName(SignInField f);

// How the attempt ended, as the reader's format defines it: Entra ResultType 0 / Status "Success",
// EventID 4624 vs 4625, Okta outcome.result, CloudTrail responseElements.ConsoleLogin. Interrupted:
// the sign-in stopped for a further step (Entra 50074/50076 MFA required, 50140, 50158, ...).
enum class SignInOutcome : uint8_t { Unknown, Success, Failure, Interrupted };

struct RawSignIn {
  uint32_t present = 0;  // bit i set: field i exists in this record (it may still be empty)
  uint64_t line = 0;     // 1-based line where the record starts
  bool hasTime = false;  // the reader converted the time itself (epoch values, a day-first locale, ...)
  Ticks time = 0;
  SignInOutcome outcome = SignInOutcome::Unknown;

  void set(SignInField f, std::string_view v, uint32_t col = 0) {
    auto i = static_cast<size_t>(f);
    text_[i] = v;
    column_[i] = col;
    present |= 1u << i;
  }
  bool has(SignInField f) const { return present & (1u << static_cast<size_t>(f)); }
  std::string_view get(SignInField f) const { return has(f) ? text_[static_cast<size_t>(f)] : std::string_view(); }
  uint32_t col(SignInField f) const { return has(f) ? column_[static_cast<size_t>(f)] : 0; }

 private:
  std::array<std::string_view, kSignInFieldCount> text_{};
  std::array<uint32_t, kSignInFieldCount> column_{};
};

// Column or key name -> field, shared by every Defender/Sentinel-shaped reader: exact names
// (case-insensitive), KQL union suffixes (`RemoteIP_string`, `RemotePort_long`, `..._dynamic`), Log
// Analytics export suffixes (`Timestamp [UTC]`, `TimeGenerated [Local Time]`) and surrounding
// whitespace. False for names the rule does not use.
bool eventFieldByName(std::string_view name, EventField& out);
// ASCII case-insensitive equality (field names, flags such as "True").
bool equalsIgnoreCaseAscii(std::string_view a, std::string_view b);
bool intelFieldByName(std::string_view name, IntelField& out);

// Where readers send what they find. One sink per file; the engine implements it.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void onEvent(const RawEvent& e) = 0;
  virtual void onIndicator(const RawIndicator& i) = 0;
  virtual void onSignIn(const RawSignIn& s) = 0;
  // A record that cannot be used: counted as skipped under `reason`, located by line/column.
  virtual void skip(std::string_view reason, uint64_t line, uint64_t column, std::string message) = 0;
  // A record of another kind the file legitimately holds (a union export's DeviceProcessEvents
  // row, a Zeek dns record): counted as read and as filtered under `reason`, not a problem.
  virtual void other(std::string_view reason) = 0;
  // The file cannot be read at all (wrong kind, unterminated structure at the top level, ...).
  virtual void fatal(uint64_t line, uint64_t column, std::string message) = 0;
  virtual void note(std::string text) = 0;
  virtual void missingColumn(std::string name) = 0;
  virtual FileKind kind() const = 0;
  // --- threads (issue 12) ---
  // The file's layout changed after its leading header lines (a Zeek log's header line after a
  // record or a blank line, as in logs concatenated): a piece cut after the first header and read
  // after a copy of it would be read with the wrong layout, so a file cut into pieces is read again whole.
  virtual void layoutChanged() {}
  // --- end threads ---
};

class Reader {
 public:
  virtual ~Reader() = default;
  virtual void feed(const char* data, size_t size) = 0;  // any chunking; records may span chunks
  virtual void finish() = 0;                             // end of input
  // --- threads (issue 12) ---
  // After its header: whether the rest of the file could be read in pieces, each piece after a
  // copy of the header, with the same records and reports (no state carried from row to row).
  virtual bool splittable() const { return false; }
  // --- end threads ---
};

}  // namespace vpshunt
