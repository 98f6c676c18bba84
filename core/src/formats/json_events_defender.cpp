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
#include <array>

#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

constexpr int kFields = static_cast<int>(kEventFieldCount);
constexpr int kPropBase = 0;            // fields inside `properties`
constexpr int kFlatBase = kFields;      // fields directly in the record (API rows)
constexpr int kCategory = 2 * kFields;  // "AdvancedHunting-<Table>"
constexpr int kTimeGeneratedProp = kCategory + 1;
constexpr int kTimeGeneratedFlat = kCategory + 2;
constexpr int kSlotCount = kCategory + 3;

bool startsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

class DefenderJsonReader final : public jsonev::RecordReader {
 public:
  explicit DefenderJsonReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {}

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
    return -1;
  }

  bool isRecordArray(std::string_view path) override {
    return path == "records" || path == "Records" || path == "Results" || path == "results" ||
           path == "body.records";
  }

  void onRecord() override {
    if (has(kCategory)) {
      std::string_view cat = text(kCategory);
      if (startsWith(cat, "AdvancedHunting-") && cat != "AdvancedHunting-DeviceNetworkEvents") {
        sink_.other("category " + std::string(cat));
        return;
      }
    }
    bool viaProperties = has(kTimeGeneratedProp);
    for (int i = 0; i < kFields && !viaProperties; ++i) viaProperties = has(kPropBase + i);
    int base = viaProperties ? kPropBase : kFlatBase;

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

  jsonev::DefenderRowEmitter emitter_;
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
      "Defender DeviceNetworkEvents as JSON: streaming API (JSON Lines, Event Hub {\"records\"}, body wrapper), "
      "advanced-hunting API / Graph ({Schema, Results}), one row per line",
      FileKind::Events, sniffDefenderJson, createDefenderJson};
  return f;
}

}  // namespace vpshunt
