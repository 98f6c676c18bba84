// Sentinel threat-intel tables as JSON: the legacy ThreatIntelligenceIndicator table and its
// successor ThreatIntelIndicators (populated since 2025), in the shapes a query or an export gives:
//
//   [ {"TimeGenerated": ..., "NetworkIP": ..., ...}, ... ]           a JSON array of rows
//   {"value": [ ... ]}, {"Results": [ ... ]}, {"results": [ ... ]}  API envelopes
//   {"TimeGenerated": ..., ...}\n{...}                               JSON Lines (resynchronised per line)
//   {"tables": [{"columns": [{"name": ...}], "rows": [[...], ...]}]}  Log Analytics query API
//
// Legacy rows: every member whose name is one of the rule's intel fields (intelFieldByName: case,
// KQL type suffixes and " [UTC]" ignored) is passed on as it is, one indicator per row. Microsoft
// Graph tiIndicator names are accepted too (networkIPv4/IPv6 -> NetworkIP, networkDestinationIPv4 ->
// NetworkDestinationIP, networkSourceIPv4 -> NetworkSourceIP, isActive, confidence,
// lastReportedDateTime -> TimeGenerated). Rows
// without NetworkIP, NetworkSourceIP, NetworkDestinationIP or NetworkCidrBlock (domain, URL, file
// indicators) are other("non-IP indicator").
// Successor rows (ObservableKey / ObservableValue / Pattern present):
//   ObservableKey ipv4-addr:value / ipv6-addr:value -> NetworkIP, network-traffic:dst_ref.value ->
//   NetworkDestinationIP, network-traffic:src_ref.value -> NetworkSourceIP (a CIDR value ->
//   NetworkCidrBlock); without ObservableValue the Pattern is scanned as STIX.
//   TimeGenerated = TimeGenerated, else ValidFrom; ExpirationDateTime = ValidUntil;
//   Active = IsActive, and "false" when IsDeleted or Revoked is true; ConfidenceScore = Confidence;
//   ThreatType = Data.indicator_types, else Data.labels; Description = Data.description, else Data.name.
#include <string>
#include <vector>

#include "formats/intel_json_common.hpp"
#include "formats/registry.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {
namespace {

using intel::AddressKind;
using intel::FlatObject;
using json::Token;
using json::TokenKind;

bool isTrueText(std::string_view v) { return intel::equalsIgnoreCase(v, "true") || v == "1"; }

// Microsoft Graph security tiIndicator names (the API that fed the legacy table) -> table columns.
bool graphFieldByName(std::string_view name, IntelField& out) {
  struct Alias {
    std::string_view name;
    IntelField field;
  };
  static constexpr Alias aliases[] = {
      {"networkIPv4", IntelField::NetworkIP},
      {"networkIPv6", IntelField::NetworkIP},
      {"networkDestinationIPv4", IntelField::NetworkDestinationIP},
      {"networkDestinationIPv6", IntelField::NetworkDestinationIP},
      {"networkSourceIPv4", IntelField::NetworkSourceIP},
      {"networkSourceIPv6", IntelField::NetworkSourceIP},
      {"isActive", IntelField::Active},
      {"confidence", IntelField::ConfidenceScore},
      {"lastReportedDateTime", IntelField::TimeGenerated},
  };
  for (const auto& a : aliases)
    if (intel::equalsIgnoreCase(name, a.name)) {
      out = a.field;
      return true;
    }
  return false;
}

class SentinelJsonReader final : public Reader, private json::Handler {
 public:
  explicit SentinelJsonReader(RecordSink& sink) : sink_(sink), stream_(*this, options()) {}

  void feed(const char* data, size_t size) override { stream_.feed(data, size); }
  void finish() override {
    stream_.finish();
    if (records_ == 0 && errors_ == 0) sink_.fatal(0, 0, "expected Sentinel threat-intel rows (JSON objects with NetworkIP or ObservableValue), found none");
  }

 private:
  static json::Options options() {
    json::Options o;
    o.resyncAtNewline = true;  // JSON Lines: a damaged line costs that line only
    return o;
  }

  void onToken(const Token& t) override {
    path_.onToken(t);
    if (rec_.active()) {
      if (rec_.onToken(t, path_)) onObject(rec_);
      return;
    }
    uint32_t d = t.depth;
    // Log Analytics query API: {"tables": [{"columns": [{"name"}], "rows": [[...]]}]} -- the top object
    // is frame 0, "tables" frame 1, a table frame 2, its columns/rows arrays frame 3.
    if (d == 3 && t.kind == TokenKind::BeginArray && path_.lastKey(0) == "tables" && path_.lastKey(2) == "columns")
      columns_.clear();
    if (d == 5 && t.kind == TokenKind::String && path_.memberName(5) == "name" && path_.lastKey(2) == "columns" &&
        path_.lastKey(0) == "tables") {
      columns_.emplace_back(t.text);
      return;
    }
    if (d >= 4 && path_.lastKey(0) == "tables" && path_.lastKey(2) == "rows") {
      onTableToken(t);
      return;
    }
    if (t.kind == TokenKind::BeginObject) {
      if (d == 0) {  // a row (JSON Lines) or an envelope: decided when it closes
        top_.begin(0, t.line, t.column);
        nested_ = false;
        return;
      }
      bool record = (d == 1 && !path_.isObject(0)) ||
                    (d == 2 && path_.isObject(0) && !path_.isObject(1) &&
                     (path_.lastKey(0) == "value" || path_.lastKey(0) == "Results" || path_.lastKey(0) == "results"));
      if (record) {
        rec_.begin(d, t.line, t.column);
        nested_ = true;
        return;
      }
    }
    if (top_.active() && top_.onToken(t, path_) && !nested_) onObject(top_);
  }

  // Rows of the query API: arrays at depth 4 holding one cell per column (tables[i].rows[j][k]).
  void onTableToken(const Token& t) {
    if (t.depth == 4 && t.kind == TokenKind::BeginArray) {
      nested_ = true;
      row_.begin(0, t.line, t.column);
      rowIndex_ = 0;
      rowActive_ = true;
      return;
    }
    if (!rowActive_) return;
    if (t.depth == 4 && t.kind == TokenKind::EndArray) {
      rowActive_ = false;
      onObject(row_);
      return;
    }
    if (t.depth == 5) {
      if (t.isScalar()) {
        if (rowIndex_ < columns_.size()) row_.addScalar(columns_[rowIndex_], t);
        ++rowIndex_;
      } else if (t.isBegin()) {
        ++rowIndex_;  // a dynamic column (Data, AdditionalFields) as an object: not used here
      }
    }
  }

  void onError(const json::Error& e) override {
    ++errors_;
    rec_.end();
    top_.end();
    rowActive_ = false;
    sink_.skip("malformed JSON", e.line, e.column, e.message);
  }

  void onObject(const FlatObject& o) {
    ++records_;
    if (o.findCi("ObservableKey") || o.findCi("ObservableValue") || o.findCi("Pattern")) {
      onSuccessorRow(o);
      return;
    }
    RawIndicator ind;
    ind.line = o.line();
    bool address = false;
    for (size_t i = 0; i < o.size(); ++i) {
      const auto& m = o.at(i);
      IntelField f;
      if (m.isNull || (!intelFieldByName(m.key, f) && !graphFieldByName(m.key, f))) continue;
      if (ind.has(f)) continue;  // a duplicate column: the first one wins
      ind.set(f, m.value, uint32_t(m.column));
      if ((f == IntelField::NetworkIP || f == IntelField::NetworkSourceIP || f == IntelField::NetworkDestinationIP ||
           f == IntelField::NetworkCidrBlock) &&
          !m.value.empty())
        address = true;
    }
    if (!address) {
      if (ind.present == 0)
        sink_.skip("not a threat-intel row", o.line(), o.column(), "expected Sentinel threat-intel columns (NetworkIP, ThreatType, ...) in the object");
      else
        sink_.other("non-IP indicator");
      return;
    }
    sink_.onIndicator(ind);
  }

  void onSuccessorRow(const FlatObject& o) {
    auto get = [&](std::string_view k) -> const FlatObject::Member* {
      const auto* m = o.findCi(k);
      return m && !m->isNull && !m->value.empty() ? m : nullptr;
    };
    addrs_.clear();
    const auto* key = get("ObservableKey");
    const auto* value = get("ObservableValue");
    const auto* pattern = get("Pattern");
    if (value) {
      std::string_view k = key ? std::string_view(key->value) : std::string_view();
      IntelField f = IntelField::NetworkIP;
      if (intel::equalsIgnoreCase(k, "network-traffic:dst_ref.value")) f = IntelField::NetworkDestinationIP;
      else if (intel::equalsIgnoreCase(k, "network-traffic:src_ref.value")) f = IntelField::NetworkSourceIP;
      bool ipKey = k.empty() || f != IntelField::NetworkIP || intel::equalsIgnoreCase(k, "ipv4-addr:value") ||
                   intel::equalsIgnoreCase(k, "ipv6-addr:value");
      if (ipKey && intel::addressKind(value->value) != AddressKind::None)
        addrs_.push_back({value->value, uint32_t(value->column + 1), f});
      else if (ipKey && !k.empty()) {
        sink_.skip("unparseable IP indicator", value->line, value->column + 1,
                   "expected an IP address or CIDR block for " + std::string(k) + ", found \"" + std::string(cutUtf8(value->value, 80)) + "\"");
        return;
      }
    } else if (pattern) {
      bool saw = false;
      intel::scanStixPattern(pattern->value, patterns_, saw);
      for (const auto& a : patterns_) addrs_.push_back({a.value, uint32_t(pattern->column + 1 + a.offset), a.field});
    }
    if (addrs_.empty()) {
      sink_.other("non-IP indicator");
      return;
    }
    RawIndicator base;
    base.line = o.line();
    auto setFrom = [&](IntelField f, const FlatObject::Member* m) {
      if (m) base.set(f, m->value, uint32_t(m->column));
    };
    const auto* tg = get("TimeGenerated");
    setFrom(IntelField::TimeGenerated, tg ? tg : get("ValidFrom"));
    setFrom(IntelField::ExpirationDateTime, get("ValidUntil"));
    setFrom(IntelField::ConfidenceScore, get("Confidence"));
    const auto* tt = get("Data.indicator_types");
    setFrom(IntelField::ThreatType, tt ? tt : get("Data.labels"));
    const auto* desc = get("Data.description");
    setFrom(IntelField::Description, desc ? desc : get("Data.name"));
    const auto* isActive = get("IsActive");
    bool active = !isActive || isTrueText(isActive->value);
    const auto* del = get("IsDeleted");
    const auto* rev = get("Revoked");
    if ((del && isTrueText(del->value)) || (rev && isTrueText(rev->value))) active = false;
    base.set(IntelField::Active, active ? "true" : "false", isActive ? uint32_t(isActive->column) : 0);
    intel::emitAddresses(sink_, base, addrs_, o.line());
  }


  RecordSink& sink_;
  json::Stream stream_;
  intel::JsonPath path_;
  FlatObject rec_, top_;
  FlatObject row_;
  std::vector<std::string> columns_;
  size_t rowIndex_ = 0;
  bool rowActive_ = false, nested_ = false;
  std::vector<intel::AddressText> addrs_;
  std::vector<intel::PatternAddress> patterns_;
  uint64_t records_ = 0, errors_ = 0;
};

int sniffSentinelJson(std::string_view head, std::string_view /*path*/) {
  using intel::headHasMember;
  size_t i = 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
  if (i >= head.size() || (head[i] != '{' && head[i] != '[')) return 0;
  // Above the CSV readers' 90: a JSON Lines row split at its commas looks like a CSV header.
  if (headHasMember(head, "ObservableKey") || headHasMember(head, "ObservableValue")) return 93;
  for (std::string_view k : {"NetworkIP", "NetworkCidrBlock", "NetworkDestinationIP", "NetworkSourceIP", "networkIPv4",
                             "networkIPv6", "networkCidrBlock", "networkDestinationIPv4", "networkSourceIPv4"})
    if (headHasMember(head, k)) return 93;
  // The query API names columns as values: {"name":"NetworkIP","type":"string"}
  if (headHasMember(head, "tables") && (head.find("\"NetworkIP\"") != std::string_view::npos || head.find("\"ObservableValue\"") != std::string_view::npos))
    return 93;
  return 0;
}

std::unique_ptr<Reader> createSentinelJson(RecordSink& sink) { return std::make_unique<SentinelJsonReader>(sink); }

}  // namespace

const ReaderFactory& intelSentinelJsonFactory() {
  static const ReaderFactory f{"intel-sentinel-json",
                               "Sentinel ThreatIntelligenceIndicator / ThreatIntelIndicators rows as JSON (arrays, JSON Lines, API envelopes)",
                               FileKind::Intel, sniffSentinelJson, createSentinelJson};
  return f;
}

}  // namespace vpshunt
