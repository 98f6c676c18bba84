// Defender (MDE / Defender XDR) DeviceNetworkEvents as JSON, in every shape we have met:
//
//   * streaming API records, one per line (Event Hub capture / Storage blobs `PT1H.json`, CRLF):
//       {"time", "tenantId", "operationName", "category": "AdvancedHunting-DeviceNetworkEvents",
//        "properties": {...the table's columns...}, "Tenant", "_TimeReceivedBySvc"}
//     or pretty-printed, one after another;
//   * Event Hub messages holding several records: {"records": [ {...}, ... ]} (several per file);
//   * the Splunk MSCS add-on wrapper: {"body": {...record...}, "x-opt-sequence-number": ...};
//   * the advanced-hunting API: {"Stats": ..., "Schema": [{"Name","Type"}], "Results": [{...row...}]}
//     and Graph runHuntingQuery: {"@odata.context", "schema": [{"name","type"}], "results": [...]};
//   * rows one per line or in a bare array (OTRF's Export-ALAM365DEvents, ConvertTo-Json), with KQL
//     union suffixes (`ReportId_long`, `AdditionalFields_string`) and several schemas in one file.
//
// Field names go through eventFieldByName (case, union suffixes, ` [UTC]`). The event time is
// `properties.Timestamp` (the envelope's `time` is when Defender received the event); rows without a
// Timestamp fall back to TimeGenerated. When a record has `properties`, only those are read.
// Records whose category is another AdvancedHunting table, and rows without a RemoteIP (other tables
// of a union export), are counted with other(); RemoteIP "-" is skipped with its reason.
// AdditionalFields may be null, a string or an object: it is not read either way.
//
// Sign-in tables go to onSignIn (signin::Builder, the same rules as every other sign-in shape):
//   * by category: AdvancedHunting-IdentityLogonEvents, -DeviceLogonEvents, -AADSignInEventsBeta,
//     -EntraIdSignInEvents (and their service-principal tables -AADSpnSignInEventsBeta,
//     -EntraIdSpnSignInEvents);
//   * without a category (API rows, union exports), by the row's columns: ActionType LogonSuccess /
//     LogonFailed / LogonAttempted is a DeviceLogonEvents row when it has RemoteIP, else an
//     IdentityLogonEvents row; ErrorCode with AccountUpn is AADSignInEventsBeta / EntraIdSignInEvents.
// DeviceNetworkEvents records never take that path, and their events are exactly what they were.
#include <array>

#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"
#include "formats/signin_rows.hpp"

namespace vpshunt {
namespace {

constexpr int kFields = static_cast<int>(kEventFieldCount);
constexpr int kPropBase = 0;            // fields inside `properties`
constexpr int kFlatBase = kFields;      // fields directly in the record (API rows)
constexpr int kCategory = 2 * kFields;  // "AdvancedHunting-<Table>"
constexpr int kTimeGeneratedProp = kCategory + 1;
constexpr int kTimeGeneratedFlat = kCategory + 2;
constexpr int kCols = static_cast<int>(signin::kColCount);
constexpr int kSignInProp = kCategory + 3;     // sign-in columns inside `properties`
constexpr int kSignInFlat = kSignInProp + kCols;  // sign-in columns directly in the record
constexpr int kSlotCount = kSignInFlat + kCols;

using signin::Col;
using signin::Family;

Family familyOfTable(std::string_view table) {
  if (table == "IdentityLogonEvents") return Family::IdentityLogon;
  if (table == "DeviceLogonEvents") return Family::DeviceLogon;
  if (table == "AADSignInEventsBeta" || table == "EntraIdSignInEvents" || table == "AADSpnSignInEventsBeta" ||
      table == "EntraIdSpnSignInEvents")
    return Family::DefenderEntra;
  return Family::None;
}

bool startsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

class DefenderJsonReader final : public jsonev::RecordReader {
 public:
  explicit DefenderJsonReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {
    // A sign-in column that is also one of the rule's fields (Timestamp, RemoteIP, ActionType, ...)
    // is read from that field's slot: one key, one slot.
    for (int base = 0; base < 2; ++base)
      for (int c = 0; c < kCols; ++c) {
        EventField f;
        int fields = base == 0 ? kPropBase : kFlatBase;
        if (eventFieldByName(signin::colName(Col(c)), f)) colSlot_[base][c] = fields + static_cast<int>(f);
        else if (Col(c) == Col::TimeGenerated) colSlot_[base][c] = base == 0 ? kTimeGeneratedProp : kTimeGeneratedFlat;
        else colSlot_[base][c] = (base == 0 ? kSignInProp : kSignInFlat) + c;
      }
  }

 private:
  int slotFor(std::string_view path) override {
    if (startsWith(path, "body.")) path.remove_prefix(5);
    int base = kFlatBase;
    if (startsWith(path, "properties.")) {
      path.remove_prefix(11);
      base = kPropBase;
    }
    if (path.find('.') != std::string_view::npos) return -1;  // inside AdditionalFields & co.
    if (base == kFlatBase && jsonev::iequals(path, "category")) return kCategory;
    EventField f;
    if (eventFieldByName(path, f)) return base + static_cast<int>(f);
    if (jsonev::iequals(path, "TimeGenerated") || jsonev::iequals(path, "TimeGenerated [UTC]"))
      return base == kPropBase ? kTimeGeneratedProp : kTimeGeneratedFlat;
    Col c;
    if (signin::columnByName(path, c)) return (base == kPropBase ? kSignInProp : kSignInFlat) + static_cast<int>(c);
    return -1;
  }

  bool isRecordArray(std::string_view path) override {
    return path == "records" || path == "Records" || path == "Results" || path == "results" ||
           path == "body.records";
  }

  void onRecord() override {
    bool categorised = false;
    if (has(kCategory)) {
      std::string_view cat = text(kCategory);
      if (startsWith(cat, "AdvancedHunting-") && cat != "AdvancedHunting-DeviceNetworkEvents") {
        std::string_view table = cat.substr(16);
        Family fam = familyOfTable(table);
        if (fam != Family::None) {
          emitSignIn(fam, table, /*viaProperties=*/true);
          return;
        }
        sink_.other("category " + std::string(cat));
        return;
      }
      categorised = startsWith(cat, "AdvancedHunting-");
    }
    bool viaProperties = has(kTimeGeneratedProp);
    for (int i = 0; i < kFields && !viaProperties; ++i) viaProperties = has(kPropBase + i);
    int base = viaProperties ? kPropBase : kFlatBase;
    if (!categorised) {
      Family fam = rowFamily(viaProperties);
      if (fam != Family::None) {
        emitSignIn(fam, {}, viaProperties);
        return;
      }
    }

    RawEvent e;
    e.line = recordLine();
    for (int i = 0; i < kFields; ++i) put(e, static_cast<EventField>(i), base + i, /*nullIsPresent=*/true);
    if (!e.has(EventField::Timestamp)) {
      int tg = viaProperties ? kTimeGeneratedProp : kTimeGeneratedFlat;
      if (has(tg)) put(e, EventField::Timestamp, tg, true);
    }
    emitter_.emit(sink_, e);
  }

  void onFinish() override { emitter_.finish(sink_); }

  // A row without a category: a sign-in table's, by its columns (see the file's comment), or None.
  Family rowFamily(bool viaProperties) {
    const int* cols = colSlot_[viaProperties ? 0 : 1];
    auto present = [&](Col c) { return has(cols[static_cast<int>(c)]); };
    std::string_view action = present(Col::ActionType) ? text(cols[static_cast<int>(Col::ActionType)]) : std::string_view();
    if (signin::isLogonAction(action)) return present(Col::RemoteIP) ? Family::DeviceLogon : Family::IdentityLogon;
    if (!present(Col::ErrorCode) && !present(Col::ResultType) && !present(Col::EventID) && !present(Col::EventName) &&
        !present(Col::EventType))
      return Family::None;  // the common case: a network row, decided without building the sign-in row
    Family fam = signin::familyOf(signInRow(viaProperties));
    return fam == Family::DeviceLogon || fam == Family::IdentityLogon ? Family::None : fam;
  }

  const signin::Row& signInRow(bool viaProperties) {
    const int* cols = colSlot_[viaProperties ? 0 : 1];
    row_.clear();
    row_.line = recordLine();
    row_.column = recordColumn();
    for (int c = 0; c < kCols; ++c) {
      int s = cols[c];
      if (!has(s)) continue;
      signin::Value v;
      v.text = text(s);
      v.name = signin::colName(Col(c));
      v.line = valueLine(s);
      v.column = valueColumn(s);
      v.null = isNull(s);
      row_.set(Col(c), v);
    }
    return row_;
  }

  void emitSignIn(Family fam, std::string_view table, bool viaProperties) {
    signInRow(viaProperties);
    row_.source = table.empty() ? signin::familyName(fam) : table;
    switch (fam) {
      case Family::IdentityLogon: builder_.defenderLogon(row_, /*device=*/false, sink_); break;
      case Family::DeviceLogon: builder_.defenderLogon(row_, /*device=*/true, sink_); break;
      case Family::Windows: builder_.windows(row_, sink_); break;
      case Family::CloudTrail: builder_.cloudTrail(row_, sink_); break;
      case Family::Okta: builder_.okta(row_, sink_); break;
      default: builder_.entra(row_, sink_); break;
    }
  }

  jsonev::DefenderRowEmitter emitter_;
  int colSlot_[2][kCols];
  signin::Row row_;
  signin::Builder builder_;
};

int sniffDefenderJson(std::string_view head, std::string_view path) {
  (void)path;
  char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  if (contains(head, "\"AdvancedHunting-")) return 100;
  // Threat-intel rows (NetworkIP, ObservableValue) in the same envelopes belong to the intel reader.
  if (!contains(head, "\"RemoteIP") && (contains(head, "\"NetworkIP\"") || contains(head, "\"ObservableValue\"")))
    return 0;
  if ((contains(head, "\"Schema\"") && contains(head, "\"Results\"")) ||
      (contains(head, "\"schema\"") && contains(head, "\"results\"")))
    return 90;
  // Rows of the identity tables (IdentityLogonEvents, AADSignInEventsBeta, ...) carry few of the network keys.
  if (contains(head, "\"ReportId") && (contains(head, "\"AccountUpn") || contains(head, "\"FailureReason")))
    return 88;
  int hits = 0;
  for (std::string_view k : {"\"InitiatingProcessFileName", "\"InitiatingProcessAccountName", "\"RemoteIP", "\"RemotePort",
                             "\"DeviceName", "\"DeviceId", "\"ActionType", "\"ReportId"})
    hits += contains(head, k);
  return hits >= 3 ? 85 : hits == 2 ? 50 : 0;
}

std::unique_ptr<Reader> createDefenderJson(RecordSink& sink) { return std::make_unique<DefenderJsonReader>(sink); }

}  // namespace

const ReaderFactory& defenderJsonFactory() {
  static const ReaderFactory f{
      "defender-json",
      "Defender advanced hunting as JSON: DeviceNetworkEvents, and the sign-in tables IdentityLogonEvents, "
      "DeviceLogonEvents, AADSignInEventsBeta, EntraIdSignInEvents; streaming API (JSON Lines, Event Hub "
      "{\"records\"}, body wrapper), advanced-hunting API / Graph ({Schema, Results}), one row per line",
      FileKind::Events, sniffDefenderJson, createDefenderJson};
  return f;
}

}  // namespace vpshunt
