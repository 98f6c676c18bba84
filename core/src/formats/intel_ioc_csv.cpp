// Threat intel as CSV with one observable a row: a value column and a type column.
//
// Three shapes share it:
//  * Sentinel ThreatIntelIndicators (the table that replaced ThreatIntelligenceIndicator in 2025),
//    as exported from Log Analytics: ObservableKey (`ipv4-addr:value`, `ipv6-addr:value`,
//    `network-traffic:dst_ref.value`, ...), ObservableValue, Pattern, Confidence, IsActive,
//    IsDeleted, Revoked, ValidFrom, ValidUntil, TimeGenerated [UTC].
//  * Microsoft's published IOC CSVs (microsoft/mstic): `IoC,IoC_Type,...` with Sentinel's column
//    names for the rest (TimeGenerated, ExpirationDateTime, Description, ConfidenceScore,
//    ThreatType, Active), or `DateAdded,FirstSeen,IoC,Type,...,Category`; US dates (12/7/2022).
//  * Sentinel's "Import using a file" CSV template: threatTypes, name, description, confidence,
//    revoked, validFrom, validUntil, observableType (a STIX SCO name), observableValue.
//
// Header names are matched ignoring case, surrounding Unicode whitespace and a Log Analytics
// ` [UTC]` / ` [Local Time]` suffix. A row whose value is an IP address gives NetworkIP (or
// NetworkDestinationIP / NetworkSourceIP for `network-traffic:dst_ref/src_ref` keys), a CIDR block
// NetworkCidrBlock. Rows of other observables (domains, hashes, URLs) are other("non-IP indicator");
// a row whose type says IP but whose value is not one is skipped. When ObservableValue is empty the
// STIX Pattern is scanned instead. Values are trimmed of Unicode whitespace (NO-BREAK SPACE trails
// values in some Microsoft files).
//   TimeGenerated      = TimeGenerated, else DateAdded, else ValidFrom, else FirstSeen
//   ExpirationDateTime = ExpirationDateTime, else ValidUntil
//   Active             = Active / IsActive ("TRUE" -> "true"), "false" when IsDeleted or Revoked is
//                        true; "true" when none of these columns exists
//   ConfidenceScore    = ConfidenceScore, else Confidence
//   ThreatType         = ThreatType, else threatTypes, else Category
//   Description        = Description, else name, else Release
// US dates "M/D/YYYY", optionally followed by a time ("6/17/2023, 2:32:49.068 PM"), are rewritten
// to ISO 8601 (taken as UTC) so that every time reaches the engine in one shape.
#include <cstdio>
#include <string>
#include <vector>

#include "formats/csv_tokenizer.hpp"
#include "formats/encoding.hpp"
#include "formats/intel_json_common.hpp"
#include "formats/registry.hpp"

namespace vpshunt {
namespace {

using intel::AddressKind;
using intel::equalsIgnoreCase;

enum Col : uint8_t {
  kValue,
  kType,
  kPattern,
  kTimeGenerated,
  kDateAdded,
  kValidFrom,
  kFirstSeen,
  kExpiration,
  kValidUntil,
  kActive,
  kIsDeleted,
  kRevoked,
  kConfidenceScore,
  kConfidence,
  kThreatType,
  kThreatTypes,
  kCategory,
  kDescription,
  kName,
  kRelease,
  kColCount
};

struct ColName {
  std::string_view name;
  Col col;
};
// Earlier names win when a header has several for one role (IoC_Type before Type).
constexpr ColName kColNames[] = {
    {"ObservableValue", kValue}, {"IoC", kValue},          {"Indicator", kValue},
    {"ObservableKey", kType},    {"IoC_Type", kType},      {"observableType", kType},
    {"IndicatorType", kType},    {"Type", kType},          {"Pattern", kPattern},
    {"TimeGenerated", kTimeGenerated}, {"DateAdded", kDateAdded}, {"ValidFrom", kValidFrom},
    {"FirstSeen", kFirstSeen},   {"ExpirationDateTime", kExpiration}, {"ValidUntil", kValidUntil},
    {"Active", kActive},         {"IsActive", kActive},    {"IsDeleted", kIsDeleted},
    {"Revoked", kRevoked},       {"ConfidenceScore", kConfidenceScore}, {"Confidence", kConfidence},
    {"ThreatType", kThreatType}, {"threatTypes", kThreatTypes}, {"Category", kCategory},
    {"Description", kDescription}, {"name", kName},        {"Release", kRelease},
};

// "TimeGenerated [UTC]" -> "TimeGenerated"; trims Unicode whitespace and quotes left by sloppy files.
std::string_view headerName(std::string_view n) {
  n = trimUnicodeSpace(n);
  if (!n.empty() && n.back() == ']') {
    size_t open = n.rfind(" [");
    if (open != std::string_view::npos) n = trimUnicodeSpace(n.substr(0, open));
  }
  return n;
}

bool isTrue(std::string_view v) { return equalsIgnoreCase(v, "true") || v == "1"; }

// Which address a type column names: 0 = not an address type (or unknown), 1 = NetworkIP,
// 2 = NetworkDestinationIP, 3 = NetworkSourceIP.
int addressType(std::string_view t) {
  static constexpr std::string_view ip[] = {"ip", "ipv4", "ipv6", "ipv4-addr", "ipv6-addr", "ipv4-addr:value",
                                            "ipv6-addr:value", "ipaddress", "ip address", "ip-address",
                                            "networkip", "cidr", "ip-dst", "ip-src"};
  for (auto s : ip)
    if (equalsIgnoreCase(t, s)) return 1;
  if (equalsIgnoreCase(t, "network-traffic:dst_ref.value")) return 2;
  if (equalsIgnoreCase(t, "network-traffic:src_ref.value")) return 3;
  return 0;
}

// "12/7/2022", "6/17/2023, 2:32:49.068 PM", "5/28/2021 13:05" -> ISO 8601 in `out`. False when `s`
// is not such a date (the text is then passed on as it is).
bool usDateToIso(std::string_view s, std::string& out) {
  size_t i = 0;
  auto num = [&](int maxDigits, int& v) {
    size_t st = i;
    v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && int(i - st) < maxDigits) v = v * 10 + (s[i++] - '0');
    return i > st;
  };
  int mo, d, y, h = 0, mi = 0, se = 0;
  if (!num(2, mo) || i >= s.size() || s[i++] != '/' || !num(2, d) || i >= s.size() || s[i++] != '/' || !num(4, y)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1000) return false;
  std::string frac;
  if (i < s.size()) {
    if (s[i] == ',') ++i;
    if (i >= s.size() || s[i] != ' ') return false;
    while (i < s.size() && s[i] == ' ') ++i;
    if (!num(2, h) || i >= s.size() || s[i++] != ':' || !num(2, mi)) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!num(2, se)) return false;
      if (i < s.size() && s[i] == '.') {
        size_t st = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        frac.assign(s.substr(st, i - st));
        if (frac.empty()) return false;
      }
    }
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size()) {
      std::string_view ampm = s.substr(i);
      bool pm = equalsIgnoreCase(ampm, "PM"), am = equalsIgnoreCase(ampm, "AM");
      if (!pm && !am) return false;
      if (h < 1 || h > 12) return false;
      if (am && h == 12) h = 0;
      if (pm && h != 12) h += 12;
    }
    if (h > 23 || mi > 59 || se > 60) return false;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, se);
  out.assign(buf);
  if (!frac.empty()) {
    out.push_back('.');
    out.append(frac);
  }
  out.push_back('Z');
  return true;
}

class IocCsvReader final : public Reader, private CsvTokenizer::Handler {
 public:
  explicit IocCsvReader(RecordSink& sink) : sink_(sink), tok_(*this) {}

  void feed(const char* data, size_t size) override { tok_.feed(data, size); }
  void finish() override {
    tok_.finish();
    if (!haveHeader_ && !failed_) sink_.fatal(0, 0, "expected a CSV header with an IoC or ObservableValue column, found an empty file");
  }

 private:
  void onRecord(const CsvRecord& r) override {
    if (!haveHeader_) {
      onHeader(r);
      return;
    }
    if (r.error) {
      sink_.skip("malformed CSV record", r.errorLine, r.errorColumn, r.error);
      return;
    }
    onRow(r);
  }

  void onHeader(const CsvRecord& r) {
    haveHeader_ = true;
    for (auto& c : cols_) c = -1;
    for (size_t i = 0; i < r.count; ++i) {
      std::string_view n = headerName(r.fields[i]);
      for (const auto& cn : kColNames) {
        if (!equalsIgnoreCase(n, cn.name)) continue;
        // Keep the first column for a role, except that a better name beats a worse one (IoC_Type
        // over Type): names earlier in kColNames are better.
        int& slot = cols_[cn.col];
        if (slot < 0 || rank(n) < rank(headerName(r.fields[size_t(slot)]))) slot = int(i);
        break;
      }
    }
    if (cols_[kValue] < 0 && cols_[kPattern] < 0) {
      failed_ = true;
      tok_.stop();
      sink_.fatal(r.line, 1, "expected an IoC, Indicator or ObservableValue column in the CSV header");
    }
  }

  static size_t rank(std::string_view n) {
    size_t k = 0;
    for (const auto& cn : kColNames) {
      if (equalsIgnoreCase(n, cn.name)) return k;
      ++k;
    }
    return k;
  }

  std::string_view field(const CsvRecord& r, Col c, uint32_t* column = nullptr) const {
    int i = cols_[c];
    if (i < 0 || size_t(i) >= r.count) return {};
    if (column) *column = r.columns[i];
    return trimUnicodeSpace(r.fields[i]);
  }

  void onRow(const CsvRecord& r) {
    uint32_t valueCol = 0;
    std::string_view value = field(r, kValue, &valueCol);
    std::string_view type = field(r, kType);
    int typeKind = addressType(type);

    addrs_.clear();
    AddressKind kind = AddressKind::None;
    if (!value.empty()) {
      kind = intel::addressKind(value);
      if (kind != AddressKind::None) {
        IntelField f = typeKind == 2 ? IntelField::NetworkDestinationIP
                       : typeKind == 3 ? IntelField::NetworkSourceIP
                                       : IntelField::NetworkIP;
        addrs_.push_back({value, valueCol, f});
      } else if (typeKind) {
        sink_.skip("unparseable IP indicator", r.line, valueCol,
                   "expected an IP address or CIDR block (type " + std::string(type) + "), found \"" +
                       std::string(cutUtf8(value, 80)) + "\"");
        return;
      }
    } else {
      uint32_t patternCol = 0;
      std::string_view pattern = field(r, kPattern, &patternCol);
      bool sawAddressPath = false;
      intel::scanStixPattern(pattern, patterns_, sawAddressPath);
      for (const auto& a : patterns_) addrs_.push_back({a.value, uint32_t(patternCol + a.offset), a.field});
    }
    if (addrs_.empty()) {
      sink_.other("non-IP indicator");
      return;
    }

    RawIndicator base;
    base.line = r.line;
    auto first = [&](std::initializer_list<Col> cs, Col& which) {
      for (Col c : cs)
        if (!field(r, c).empty()) {
          which = c;
          return true;
        }
      return false;
    };
    auto setTime = [&](IntelField f, std::initializer_list<Col> cs, std::string& buf) {
      Col c;
      if (!first(cs, c)) return;
      uint32_t col = 0;
      std::string_view v = field(r, c, &col);
      if (usDateToIso(v, buf)) v = buf;
      base.set(f, v, col);
    };
    setTime(IntelField::TimeGenerated, {kTimeGenerated, kDateAdded, kValidFrom, kFirstSeen}, timeBuf_);
    setTime(IntelField::ExpirationDateTime, {kExpiration, kValidUntil}, expiryBuf_);
    auto setText = [&](IntelField f, std::initializer_list<Col> cs) {
      Col c;
      if (!first(cs, c)) return;
      uint32_t col = 0;
      std::string_view v = field(r, c, &col);
      base.set(f, v, col);
    };
    setText(IntelField::ConfidenceScore, {kConfidenceScore, kConfidence});
    setText(IntelField::ThreatType, {kThreatType, kThreatTypes, kCategory});
    setText(IntelField::Description, {kDescription, kName, kRelease});

    uint32_t activeCol = 0;
    std::string_view active = field(r, kActive, &activeCol);
    bool isActive = cols_[kActive] < 0 || active.empty() || isTrue(active);
    if (isTrue(field(r, kIsDeleted)) || isTrue(field(r, kRevoked))) isActive = false;
    base.set(IntelField::Active, isActive ? "true" : "false", activeCol);

    intel::emitAddresses(sink_, base, addrs_, r.line);
  }


  RecordSink& sink_;
  CsvTokenizer tok_;
  bool haveHeader_ = false, failed_ = false;
  int cols_[kColCount];
  std::vector<intel::AddressText> addrs_;
  std::vector<intel::PatternAddress> patterns_;
  std::string timeBuf_, expiryBuf_;
};

// The header line's cells, unquoted (enough for sniffing).
std::vector<std::string_view> headerCells(std::string_view head) {
  std::vector<std::string_view> cells;
  size_t end = head.find_first_of("\r\n");
  std::string_view line = head.substr(0, end);
  size_t pos = 0;
  while (pos <= line.size()) {
    size_t cut = line.find(',', pos);
    std::string_view c = headerName(line.substr(pos, cut == std::string_view::npos ? std::string_view::npos : cut - pos));
    if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = headerName(c.substr(1, c.size() - 2));
    cells.push_back(c);
    if (cut == std::string_view::npos) break;
    pos = cut + 1;
  }
  return cells;
}

int sniffIocCsv(std::string_view head, std::string_view /*path*/) {
  auto cells = headerCells(head);
  if (cells.size() < 2) return 0;
  bool value = false, type = false, pattern = false;
  for (auto c : cells) {
    for (const auto& cn : kColNames) {
      if (!equalsIgnoreCase(c, cn.name)) continue;
      if (cn.col == kValue) value = true;
      if (cn.col == kType) type = true;
      if (cn.col == kPattern) pattern = true;
    }
    if (equalsIgnoreCase(c, "NetworkIP") || equalsIgnoreCase(c, "RemoteIP")) return 0;  // other readers' tables
  }
  if (value && type) return 92;
  if (value || pattern) return 50;
  return 0;
}

std::unique_ptr<Reader> createIocCsv(RecordSink& sink) { return std::make_unique<IocCsvReader>(sink); }

}  // namespace

const ReaderFactory& intelIocCsvFactory() {
  static const ReaderFactory f{"intel-ioc-csv",
                               "IOC CSV with one observable a row: Sentinel ThreatIntelIndicators, Microsoft IOC lists, Sentinel import template",
                               FileKind::Intel, sniffIocCsv, createIocCsv};
  return f;
}

}  // namespace vpshunt
