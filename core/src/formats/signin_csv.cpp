// The sign-in CSV readers: one per family of exports, so that the name a user sees in the file
// report and gives to --format-of says what the file is (the table within the family comes from
// the header and is named in a file note):
//   entra-signin-csv     Entra ID sign-in logs exported from Log Analytics, and the Entra admin
//                        center's "Download" CSV
//   defender-signin-csv  Defender advanced hunting AADSignInEventsBeta / EntraIdSignInEvents /
//                        IdentityLogonEvents (portal CSV, or the same tables exported from Log Analytics)
//   windows-security-csv Windows SecurityEvent 4624 / 4625 / 4771 / 4776 exported from Log Analytics
//   cloudtrail-csv       AWSCloudTrail ConsoleLogin exported from Log Analytics
// DeviceLogonEvents is read by defender-csv (csv_readers.cpp): it shares its columns with
// DeviceNetworkEvents and turns up in the same union exports.
#include <string>

#include "formats/registry.hpp"
#include "formats/signin_csv.hpp"

namespace vpshunt {

namespace {

enum class Family : uint8_t { Entra, Defender, Windows, Aws };

Family familyOf(SignInTable t) {
  switch (t) {
    case SignInTable::EntraSignInLogs:
    case SignInTable::EntraPortalDownload: return Family::Entra;
    case SignInTable::AadSignInEvents:
    case SignInTable::IdentityLogonEvents:
    case SignInTable::DeviceLogonEvents: return Family::Defender;
    case SignInTable::SecurityEvent: return Family::Windows;
    case SignInTable::AwsCloudTrail: return Family::Aws;
  }
  return Family::Entra;
}

std::string_view familyReader(Family f) {
  switch (f) {
    case Family::Entra: return "entra-signin-csv";
    case Family::Defender: return "defender-signin-csv";
    case Family::Windows: return "windows-security-csv";
    case Family::Aws: return "cloudtrail-csv";
  }
  return "";
}

std::string_view familyExpectation(Family f) {
  switch (f) {
    case Family::Entra:
      return "an Entra ID sign-in header (SigninLogs: ResultType, IPAddress, UserPrincipalName; or the admin center's "
             "download: Date (UTC), IP address, Username)";
    case Family::Defender:
      return "a Defender sign-in header (AADSignInEventsBeta / EntraIdSignInEvents: ErrorCode, IPAddress, AccountUpn; "
             "IdentityLogonEvents: ActionType, IPAddress, LogonType)";
    case Family::Windows: return "a SecurityEvent header (EventID, IpAddress, TargetUserName)";
    case Family::Aws: return "an AWSCloudTrail header (EventName, SourceIpAddress)";
  }
  return "";
}

// Header cells of the first line (quotes removed), without a full tokenizer: enough for sniffing.
std::vector<std::string_view> headerCells(std::string_view head) {
  size_t nl = head.find_first_of("\r\n");
  std::string_view line = nl == std::string_view::npos ? head : head.substr(0, nl);
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= line.size()) {
    size_t j;
    if (i < line.size() && line[i] == '"') {
      size_t close = line.find('"', i + 1);
      if (close == std::string_view::npos) close = line.size();
      out.push_back(line.substr(i + 1, close - i - 1));
      j = line.find(',', close);
    } else {
      j = line.find(',', i);
      out.push_back(line.substr(i, (j == std::string_view::npos ? line.size() : j) - i));
    }
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

bool looksLikeJson(std::string_view head) {
  size_t i = head.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (head[i] == '{' || head[i] == '[' || head[i] == '<');
}

class SignInCsvReader final : public Reader, public CsvTokenizer::Handler {
 public:
  SignInCsvReader(RecordSink& sink, Family family) : sink_(sink), family_(family), tok_(*this), rows_(sink) {}

  void feed(const char* data, size_t size) override { tok_.feed(data, size); }
  void finish() override {
    tok_.finish();
    if (stopped_) return;
    if (!sawHeader_) {
      sink_.fatal(0, 0, "the file is empty: expected a CSV header line");
      return;
    }
    rows_.finish();
  }

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
    rows_.row(r);
  }

 private:
  void header(const CsvRecord& r) {
    columns_ = r.count;
    std::vector<std::string_view> cells(r.fields, r.fields + r.count);
    SignInHeaderMatch m = matchSignInHeader(cells);
    if (m.score == 0 || familyOf(m.table) != family_) {
      std::string message = "expected " + std::string(familyExpectation(family_));
      if (m.score > 0)
        message += "; this header is " + std::string(signInTableName(m.table)) + "'s: read it as " +
                   std::string(familyReader(familyOf(m.table)));
      fail(r.line, message);
      return;
    }
    std::vector<uint8_t> wanted(r.count, 0);
    if (!rows_.begin(m.table, r, wanted)) {
      stop();
      return;
    }
    rows_.announce();
    tok_.setWanted(std::move(wanted));
  }
  void fail(uint64_t line, std::string message) {
    sink_.fatal(line, 1, std::move(message));
    stop();
  }
  void stop() {
    stopped_ = true;
    tok_.stop();
  }

  RecordSink& sink_;
  Family family_;
  CsvTokenizer tok_;
  SignInCsvRows rows_;
  size_t columns_ = 0;
  bool sawHeader_ = false, stopped_ = false;
};

int sniffFamily(std::string_view head, Family f) {
  if (looksLikeJson(head)) return 0;
  SignInHeaderMatch m = matchSignInHeader(headerCells(head));
  return m.score > 0 && familyOf(m.table) == f ? m.score : 0;
}

template <Family F>
int sniff(std::string_view head, std::string_view) {
  return sniffFamily(head, F);
}

template <Family F>
std::unique_ptr<Reader> create(RecordSink& s) {
  return std::make_unique<SignInCsvReader>(s, F);
}

}  // namespace

const ReaderFactory& entraSignInCsvFactory() {
  static const ReaderFactory f{
      "entra-signin-csv",
      "Entra ID sign-ins CSV: SigninLogs / AADNonInteractiveUserSignInLogs exported from Log Analytics, the Entra admin "
      "center's sign-ins download",
      FileKind::Events, sniff<Family::Entra>, create<Family::Entra>};
  return f;
}

const ReaderFactory& defenderSignInCsvFactory() {
  static const ReaderFactory f{
      "defender-signin-csv",
      "Defender sign-in CSV: AADSignInEventsBeta, EntraIdSignInEvents, IdentityLogonEvents (advanced hunting or Log Analytics)",
      FileKind::Events, sniff<Family::Defender>, create<Family::Defender>};
  return f;
}

const ReaderFactory& windowsSecurityCsvFactory() {
  static const ReaderFactory f{"windows-security-csv",
                               "Windows logons (4624, 4625, 4771, 4776) in a Log Analytics SecurityEvent CSV export",
                               FileKind::Events, sniff<Family::Windows>, create<Family::Windows>};
  return f;
}

const ReaderFactory& cloudTrailCsvFactory() {
  static const ReaderFactory f{"cloudtrail-csv", "AWS console sign-ins (ConsoleLogin) in a Log Analytics AWSCloudTrail CSV export",
                               FileKind::Events, sniff<Family::Aws>, create<Family::Aws>};
  return f;
}

}  // namespace vpshunt
