// Sign-in and logon rows of CSV exports, shared by the sign-in CSV readers (signin_csv.cpp) and the
// Defender CSV reader (csv_readers.cpp, whose DeviceLogonEvents rows are sign-ins).
//
// One column map per table, found by header name in any order (Log Analytics' column order is not
// stable across years): Entra ID sign-in logs (Log Analytics), the Entra admin center's "Download"
// CSV, Defender's AADSignInEventsBeta / EntraIdSignInEvents / IdentityLogonEvents /
// DeviceLogonEvents, Windows SecurityEvent, AWSCloudTrail. Each data row becomes one
// RecordSink::onSignIn, other() (a row of another table or event) or skip() (located).
//
// Times: every row's time is converted here (RawSignIn::hasTime). ISO 8601 times (advanced-hunting
// exports) are read as they come. Log Analytics' "Export to CSV" writes times in the exporting
// browser's locale, and `02/04/2025` is 2 April or 4 February depending on that locale, which the
// file does not name. So the date order is decided from the file's own rows, never from one
// ambiguous row:
//   - a row whose first number is > 12 decides day/month, one whose second number is > 12
//     month/day (every `[UTC]` / `[Local Time]` column of the row counts, not only the time read);
//   - until one does, rows whose two readings differ are held back (copies of their fields,
//     at most kMaxPendingRows rows or kMaxPendingBytes bytes), while rows that read the same either
//     way go on at once;
//   - when the bound is reached or the file ends undecided, the clock breaks the tie: a 24-hour time
//     past 12:59 without AM/PM (never written by en-US) reads day/month, anything else month/day (en-US,
//     Log Analytics' default). AM/PM alone is no proof of month/day: en-AU writes `21/4/2025, 9:45 am`;
//   - a file note says which row or rule decided; a later row that contradicts the decision is
//     skipped with a located message ("date order contradicts the file").
// Held rows reach the sink when the order is decided (or at finish()), so records may arrive in an
// order other than the file's; the result never depends on how the input was chunked.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "formats/csv_tokenizer.hpp"
#include "formats/record.hpp"

namespace vpshunt {

enum class SignInTable : uint8_t {
  EntraSignInLogs,      // SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipal/ManagedIdentitySignInLogs
  EntraPortalDownload,  // InteractiveSignIns_*.csv / NonInteractiveSignIns_*.csv / ApplicationSignIns_*.csv
  AadSignInEvents,      // AADSignInEventsBeta, EntraIdSignInEvents (advanced hunting)
  IdentityLogonEvents,
  DeviceLogonEvents,
  SecurityEvent,
  AwsCloudTrail,
};
std::string_view signInTableName(SignInTable t);  // "SigninLogs", "SecurityEvent", ...

constexpr size_t kMaxPendingRows = 10000;
constexpr size_t kMaxPendingBytes = 4u << 20;

// Header cell `cell` names `name`: ASCII case-insensitive, surrounding spaces and a ` [UTC]` /
// ` [Local Time]` suffix ignored, runs of spaces inside taken as one (the admin center writes
// `Autonomous system  number`), KQL union suffixes (`_string`, `_long`, ...) ignored.
bool headerNameIs(std::string_view cell, std::string_view name);

// The sign-in table a header line's cells belong to, and how sure that is (0 = none; 95 = its
// characteristic columns are all there). Headers with a RemoteIP column (DeviceNetworkEvents,
// DeviceLogonEvents: the Defender CSV reader's) or a NetworkIP column (threat intel) score 0.
struct SignInHeaderMatch {
  SignInTable table = SignInTable::EntraSignInLogs;
  int score = 0;
};
SignInHeaderMatch matchSignInHeader(const std::vector<std::string_view>& cells);

// The rows of one sign-in table in one file.
class SignInCsvRows {
 public:
  explicit SignInCsvRows(RecordSink& sink);
  ~SignInCsvRows();
  SignInCsvRows(const SignInCsvRows&) = delete;
  SignInCsvRows& operator=(const SignInCsvRows&) = delete;

  // Maps `table`'s columns from the header record and marks the cells it reads in `wanted` (one
  // entry per header cell; others' marks are kept). False, after sink.fatal(), when the header
  // lacks the table's time column (or SecurityEvent's EventID, AWSCloudTrail's EventName).
  bool begin(SignInTable table, const CsvRecord& header, std::vector<uint8_t>& wanted);
  // Writes the file notes about the table (its name, the time column, columns it lacks): now, or
  // else with the first row given to row() (a union export with no row of the table says nothing).
  void announce();
  // One well-formed data record (as many fields as the header).
  void row(const CsvRecord& r);
  // End of input: rows still held for the date order are decided and delivered.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vpshunt
