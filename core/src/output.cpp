#include "vpshunt/output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

namespace vpshunt {

using nlohmann::json;

std::string_view fileKindName(FileKind k) {
  switch (k) {
    case FileKind::Events: return "events";
    case FileKind::Intel: return "intel";
    default: return "auto";
  }
}

namespace {

// Every field of a jsonl row, in one place: rowToJson() and the text writer below both walk it.
template <class V>
void visitRow(const ResultRow& r, V& v) {
  auto text = [&](const char* k, const std::optional<std::string>& s) { s ? v.text(k, *s) : v.null(k); };
  auto integer = [&](const char* k, const std::optional<int64_t>& i) { i ? v.integer(k, *i) : v.null(k); };
  v.text("Timestamp", formatIsoSeconds(r.binStart));
  v.text("DeviceName", r.deviceName);
  v.text("AccountName", r.accountName);
  v.text("InitiatingProcessFileName", r.processName);
  v.text("InitiatingProcessCommandLine", r.commandLine);
  v.text("RemoteIP", r.remoteIp);
  v.integer("ConnectionCount", r.connectionCount);
  v.number("ConnectionsPerMinute", r.connectionsPerMinute);
  v.integer("UniqueRemotePorts", r.uniqueRemotePorts);
  v.integers("RemotePorts", r.remotePorts);
  integer("TotalBytesSent", r.totalBytesSent);
  integer("TotalBytesReceived", r.totalBytesReceived);
  v.number("ByteRatio", r.byteRatio);
  v.boolean("IsTIMatch", r.isTiMatch);
  text("ThreatType", r.threatType);
  integer("TIConfidence", r.tiConfidence);
  text("TIDescription", r.tiDescription);
  v.integer("RiskScore", r.riskScore);
  v.text("FirstConnection", formatIsoTime(r.firstConnection));
  v.text("LastConnection", formatIsoTime(r.lastConnection));
  v.unsignedInteger("GroupId", r.groupId);
  // Beyond the seed (never part of RiskScore).
  r.remoteAsn ? v.unsignedInteger("RemoteASN", r.remoteAsn) : v.null("RemoteASN");
  r.remoteAsn ? v.text("RemoteOrg", r.remoteOrg) : v.null("RemoteOrg");
  v.boolean("IsHosting", r.isHosting);
  r.isHosting ? v.text("HostingProvider", r.hostingProvider) : v.null("HostingProvider");
  r.isHosting ? v.text("HostingCategory", r.hostingCategory) : v.null("HostingCategory");
  v.unsignedInteger("DeviceCount", r.deviceCount);
  v.text("RemoteIPFirstSeen", formatIsoTime(r.remoteIpFirstSeen));
  v.text("RemoteIPLastSeen", formatIsoTime(r.remoteIpLastSeen));
  r.medianIntervalSeconds ? v.number("MedianIntervalSeconds", std::round(*r.medianIntervalSeconds * 100) / 100)
                          : v.null("MedianIntervalSeconds");
  r.periodicityScore ? v.number("PeriodicityScore", *r.periodicityScore) : v.null("PeriodicityScore");
  r.periodicityScore ? v.number("IntervalDispersion", std::round(r.intervalDispersion * 1000) / 1000)
                     : v.null("IntervalDispersion");
  v.integer("VpsScore", r.vpsScore);
  v.texts("VpsReasons", r.vpsReasons);
}

struct JsonBuilder {
  json& o;
  void text(const char* k, std::string_view s) { o[k] = std::string(s); }
  void null(const char* k) { o[k] = nullptr; }
  void integer(const char* k, int64_t i) { o[k] = i; }
  void unsignedInteger(const char* k, uint64_t i) { o[k] = i; }
  void number(const char* k, double d) { o[k] = d; }
  void boolean(const char* k, bool b) { o[k] = b; }
  void integers(const char* k, const std::vector<int64_t>& v) { o[k] = v; }
  void texts(const char* k, const std::vector<std::string>& v) { o[k] = v; }
};

// The text of rowToJson(r).dump(-1, ' ', false, replace), written directly: the same keys in the
// same (sorted) order, the same escapes, numbers and doubles as nlohmann formats them. No object
// tree, one pass: what jsonl output of many rows costs.
class JsonlWriter {
 public:
  void write(const ResultRow& r, std::string& out) {
    values_.clear();
    n_ = 0;
    visitRow(r, *this);
    out += '{';
    for (size_t i = 0; i < n_; ++i) {
      const Field& f = fields_[order()[i]];
      if (i) out += ',';
      out += '"';
      out += f.key;
      out += "\":";
      out.append(values_, f.begin, f.end - f.begin);
    }
    out += '}';
  }

  void text(const char* k, std::string_view s) { add(k, [&] { escaped(s); }); }
  void null(const char* k) { add(k, [&] { values_ += "null"; }); }
  void integer(const char* k, int64_t i) { add(k, [&] { values_ += std::to_string(i); }); }
  void unsignedInteger(const char* k, uint64_t i) { add(k, [&] { values_ += std::to_string(i); }); }
  void number(const char* k, double d) { add(k, [&] { values_ += json(d).dump(); }); }
  void boolean(const char* k, bool b) { add(k, [&] { values_ += b ? "true" : "false"; }); }
  void integers(const char* k, const std::vector<int64_t>& v) {
    add(k, [&] {
      values_ += '[';
      for (size_t i = 0; i < v.size(); ++i) (i ? values_ += ',' : values_) += std::to_string(v[i]);
      values_ += ']';
    });
  }
  void texts(const char* k, const std::vector<std::string>& v) {
    add(k, [&] {
      values_ += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) values_ += ',';
        escaped(v[i]);
      }
      values_ += ']';
    });
  }

 private:
  struct Field {
    const char* key;
    size_t begin, end;  // the value's text in values_
  };
  static constexpr size_t kMaxFields = 40;

  template <class F>
  void add(const char* key, F&& render) {
    const size_t begin = values_.size();
    render();
    fields_[n_++] = {key, begin, values_.size()};
  }
  // Visit order -> key order, found once from the keys themselves (nlohmann keeps objects sorted).
  const std::vector<size_t>& order() {
    static const std::vector<size_t> sorted = [this] {
      std::vector<size_t> idx(n_);
      for (size_t i = 0; i < n_; ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(),
                [&](size_t a, size_t b) { return std::string_view(fields_[a].key) < std::string_view(fields_[b].key); });
      return idx;
    }();
    return sorted;
  }
  // A JSON string as nlohmann writes it without ensure_ascii: '"' and '\\' escaped, control
  // characters as \b \t \n \f \r or \u00xx, other bytes as they are. Text with bytes >= 0x80 goes
  // through nlohmann itself (its handling of invalid UTF-8 included).
  void escaped(std::string_view s) {
    for (unsigned char c : s)
      if (c >= 0x80) {
        values_ += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
        return;
      }
    values_ += '"';
    size_t plain = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      values_.append(s.data() + plain, i - plain);
      plain = i + 1;
      switch (c) {
        case '"': values_ += "\\\""; break;
        case '\\': values_ += "\\\\"; break;
        case '\b': values_ += "\\b"; break;
        case '\t': values_ += "\\t"; break;
        case '\n': values_ += "\\n"; break;
        case '\f': values_ += "\\f"; break;
        case '\r': values_ += "\\r"; break;
        default: {
          static const char hex[] = "0123456789abcdef";
          values_ += "\\u00";
          values_ += hex[c >> 4];
          values_ += hex[c & 15];
        }
      }
    }
    values_.append(s.data() + plain, s.size() - plain);
    values_ += '"';
  }

  std::string values_;
  Field fields_[kMaxFields];
  size_t n_ = 0;
};

}  // namespace

json rowToJson(const ResultRow& r) {
  json o = json::object();
  JsonBuilder b{o};
  visitRow(r, b);
  return o;
}

void appendRowJsonl(const ResultRow& r, std::string& out) {
  static thread_local JsonlWriter writer;
  writer.write(r, out);
}

json fileReportToJson(const FileReport& f) {
  json problems = json::array();
  for (const auto& p : f.problems) problems.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
  json o = json::object();
  o["path"] = f.path;
  o["kind"] = std::string(fileKindName(f.kind));
  o["format"] = f.format;
  o["records"] = f.records;
  o["kept"] = f.kept;
  o["skipped"] = f.skipped;
  o["problems"] = problems;
  o["problemsTotal"] = f.problemsTotal;
  o["skipReasons"] = f.skipReasons;
  o["filtered"] = f.filtered;
  o["missingColumns"] = f.missingColumns;
  o["notes"] = f.notes;
  o["fatal"] = f.fatal;
  return o;
}

json resultsToJson(const Results& r) {
  json rows = json::array();
  for (const auto& row : r.rows) rows.push_back(rowToJson(row));
  json files = json::array();
  for (const auto& f : r.files) files.push_back(fileReportToJson(f));
  json o = json::object();
  o["now"] = r.hasEvents || r.nowSource == "given" ? json(formatIsoTime(r.now)) : json(nullptr);
  o["nowSource"] = r.nowSource;
  o["rows"] = rows;
  o["files"] = files;
  o["notices"] = r.notices;
  o["groupsConsidered"] = r.groupsConsidered;
  o["mode"] = r.mode;
  o["asnDatabaseLoaded"] = r.asnDatabaseLoaded;
  o["collectGroups"] = r.collectGroups;
  return o;
}

bool parseOutputFormat(std::string_view name, OutputFormat& out) {
  if (name == "table") out = OutputFormat::Table;
  else if (name == "csv") out = OutputFormat::Csv;
  else if (name == "json") out = OutputFormat::Json;
  else if (name == "jsonl") out = OutputFormat::Jsonl;
  else return false;
  return true;
}

std::string csvCell(std::string_view text) {
  std::string s;
  // Formula injection: a spreadsheet would evaluate these. A leading apostrophe makes them text.
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' ||
                        text[0] == '\r'))
    s += '\'';
  s.append(text.data(), text.size());
  bool quote = s.find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

namespace {

const char* kColumns[] = {"Timestamp", "DeviceName", "AccountName", "InitiatingProcessFileName",
                          "InitiatingProcessCommandLine", "RemoteIP", "ConnectionCount", "ConnectionsPerMinute",
                          "UniqueRemotePorts", "RemotePorts", "TotalBytesSent", "TotalBytesReceived", "ByteRatio",
                          "IsTIMatch", "ThreatType", "TIConfidence", "TIDescription", "RiskScore",
                          "FirstConnection", "LastConnection", "RemoteASN", "RemoteOrg", "IsHosting",
                          "HostingProvider", "DeviceCount", "MedianIntervalSeconds", "PeriodicityScore", "VpsScore",
                          "VpsReasons"};

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::vector<std::string> cells(const ResultRow& r) {
  std::string reasons;
  for (size_t i = 0; i < r.vpsReasons.size(); ++i) reasons += (i ? " · " : "") + r.vpsReasons[i];
  std::string ports = "[";
  for (size_t i = 0; i < r.remotePorts.size(); ++i) ports += (i ? "," : "") + std::to_string(r.remotePorts[i]);
  ports += "]";
  return {formatIsoSeconds(r.binStart),
          r.deviceName,
          r.accountName,
          r.processName,
          r.commandLine,
          r.remoteIp,
          std::to_string(r.connectionCount),
          num(r.connectionsPerMinute),
          std::to_string(r.uniqueRemotePorts),
          ports,
          r.totalBytesSent ? std::to_string(*r.totalBytesSent) : "",
          r.totalBytesReceived ? std::to_string(*r.totalBytesReceived) : "",
          num(r.byteRatio),
          r.isTiMatch ? "true" : "false",
          r.threatType.value_or(""),
          r.tiConfidence ? std::to_string(*r.tiConfidence) : "",
          r.tiDescription.value_or(""),
          std::to_string(r.riskScore),
          formatIsoTime(r.firstConnection),
          formatIsoTime(r.lastConnection),
          r.remoteAsn ? std::to_string(r.remoteAsn) : "",
          r.remoteOrg,
          r.isHosting ? "true" : "false",
          r.hostingProvider,
          std::to_string(r.deviceCount),
          r.medianIntervalSeconds ? num(std::round(*r.medianIntervalSeconds * 100) / 100) : "",
          r.periodicityScore ? num(*r.periodicityScore) : "",
          std::to_string(r.vpsScore),
          reasons};
}

// For the terminal: control characters shown escaped, long values cut.
std::string displayText(std::string_view s, size_t max) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) ++chars;
    if (chars > max) {
      out += "…";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}

size_t displayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string renderResults(const Results& r, OutputFormat format) {
  std::string all;
  renderResultsTo(r, format, [&](std::string_view piece) { all.append(piece.data(), piece.size()); });
  return all;
}

RowStream::RowStream(OutputFormat format, std::function<void(std::string_view)> write)
    : format_(format), write_(std::move(write)) {
  if (format_ == OutputFormat::Csv) {
    for (size_t i = 0; i < std::size(kColumns); ++i) out_ += (i ? "," : "") + std::string(kColumns[i]);
    out_ += "\r\n";
  }
}

void RowStream::row(const ResultRow& row) {
  if (format_ == OutputFormat::Jsonl) {
    appendRowJsonl(row, out_);
    out_ += '\n';
  } else {
    auto c = cells(row);
    for (size_t i = 0; i < c.size(); ++i) {
      if (i) out_ += ',';
      out_ += csvCell(c[i]);
    }
    out_ += "\r\n";
  }
  // Pieces of about 1 MiB: a large result never sits in memory whole.
  if (out_.size() >= (1u << 20)) flush();
}

void RowStream::flush() {
  if (out_.empty()) return;
  write_(out_);
  out_.clear();
}

void renderResultsTo(const Results& r, OutputFormat format, const std::function<void(std::string_view)>& write) {
  if (RowStream::supports(format)) {
    RowStream stream(format, write);
    for (const auto& row : r.rows) stream.row(row);
    stream.flush();
    return;
  }
  std::string out;
  switch (format) {
    case OutputFormat::Json:
      out = resultsToJson(r).dump(2, ' ', false, json::error_handler_t::replace);
      out += '\n';
      break;
    case OutputFormat::Jsonl:
    case OutputFormat::Csv:
      break;
    case OutputFormat::Table: {
      const bool beyond = r.mode == "beyond";
      static const std::vector<size_t> seedShown = {0, 1, 2, 3, 4, 5, 6, 8, 9, 13, 14, 17, 23, 27};
      static const std::vector<size_t> beyondShown = {0, 1, 3, 5, 6, 9, 13, 17, 23, 25, 26, 27, 28};
      const std::vector<size_t>& shown = beyond ? beyondShown : seedShown;
      static const size_t maxWidth[] = {20, 24, 16, 24, 40, 39, 8, 0, 6, 18, 0, 0, 0, 5, 16, 0, 0, 5, 0, 0,
                                        0,  24, 0,  20, 0,  0,  0, 4, 90};
      std::vector<std::vector<std::string>> table;
      std::vector<std::string> head;
      static const std::pair<size_t, const char*> shortNames[] = {{6, "Count"}, {8, "Ports#"}, {13, "TI"}, {17, "Risk"},
                                                                  {23, "Hosting"}, {27, "Vps"}, {26, "Period"}, {25, "Every(s)"},
                                                                  {28, "Why"}};
      for (size_t i : shown) {
        std::string name = kColumns[i];
        for (const auto& [k, v] : shortNames)
          if (k == i) name = v;
        head.push_back(name);
      }
      table.push_back(head);
      for (const auto& row : r.rows) {
        auto c = cells(row);
        if (row.isHosting) c[23] = row.hostingProvider;
        else c[23] = row.remoteAsn ? "-" : "";
        std::vector<std::string> line;
        for (size_t i : shown) line.push_back(displayText(c[i], maxWidth[i] ? maxWidth[i] : 40));
        table.push_back(line);
      }
      std::vector<size_t> width(head.size(), 0);
      for (const auto& line : table)
        for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], displayWidth(line[i]));
      out += "now: " + (r.hasEvents || r.nowSource == "given" ? formatIsoTime(r.now) : std::string("-")) + " (" +
             r.nowSource + ")\n";
      for (size_t li = 0; li < table.size(); ++li) {
        for (size_t i = 0; i < table[li].size(); ++i) {
          out += table[li][i];
          if (i + 1 < table[li].size()) out += std::string(width[i] - displayWidth(table[li][i]) + 2, ' ');
        }
        out += '\n';
      }
      out += std::to_string(r.rows.size()) + (r.rows.size() == 1 ? " row\n" : " rows\n");
      break;
    }
  }
  if (!out.empty()) write(out);
}

Results writeResults(const Analysis& analysis, std::optional<Ticks> now, OutputFormat format,
                     const std::function<void(std::string_view)>& write) {
  if (!RowStream::supports(format)) {
    Results r = analysis.finish(now);
    renderResultsTo(r, format, write);
    return r;
  }
  RowStream rows(format, write);
  Results r = analysis.finishEach(now, [&](const ResultRow& row) { rows.row(row); });
  rows.flush();
  return r;
}

std::string renderFileSummaries(const Results& r) {
  std::string out;
  for (const auto& f : r.files) {
    out += f.path + ": ";
    if (f.fatal && f.kept == 0) {
      out += "NOT READ";
      if (!f.format.empty()) out += " (" + f.format + ")";
    } else {
      out += std::string(fileKindName(f.kind)) + ", " + f.format + ", " + std::to_string(f.records) + " records, " +
             std::to_string(f.kept) + " kept, " + std::to_string(f.skipped) + " skipped";
    }
    out += '\n';
    for (const auto& p : f.problems) {
      out += "  " + f.path;
      if (p.line) out += ":" + std::to_string(p.line);
      if (p.line && p.column) out += ":" + std::to_string(p.column);
      out += ": " + displayText(p.message, 300) + '\n';
    }
    if (f.problemsTotal > f.problems.size())
      out += "  ... and " + std::to_string(f.problemsTotal - f.problems.size()) + " more problems\n";
    for (const auto& [reason, n] : f.skipReasons) out += "  skipped " + std::to_string(n) + ": " + reason + '\n';
    for (const auto& [reason, n] : f.filtered) out += "  filtered " + std::to_string(n) + ": " + displayText(reason, 80) + '\n';
    if (!f.missingColumns.empty()) {
      out += "  missing columns:";
      for (const auto& c : f.missingColumns) out += " " + c;
      out += '\n';
    }
    for (const auto& n : f.notes) out += "  note: " + n + '\n';
  }
  for (const auto& n : r.notices) out += "notice: " + n + '\n';
  return out;
}

}  // namespace vpshunt
