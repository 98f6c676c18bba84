#include "vpshunt/output.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "detections/beacon/beacon.hpp"
#include "detections/inbound/inbound.hpp"
#include "detections/infrastructure/infrastructure.hpp"
#include "detections/signin/signin.hpp"
#include "formats/encoding.hpp"
#include "formats/scan.hpp"

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

constexpr size_t kPiece = 1u << 20;

// A JSON string as nlohmann writes it without ensure_ascii: '"' and '\\' escaped, control
// characters as \b \t \n \f \r or \u00xx, other bytes as they are. Text that is not valid UTF-8
// goes through nlohmann itself (its replacement of the invalid bytes).
void appendJsonString(std::string_view s, std::string& out) {
  const char* p = s.data();
  const size_t n = s.size();
  if (validUtf8Prefix(s) != n) {
    out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out += '"';
  size_t plain = 0;
  for (size_t i; (i = findJsonStringSpecial(p, plain, n)) < n; plain = i + 1) {
    out.append(p + plain, i - plain);
    const unsigned char c = static_cast<unsigned char>(p[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        static const char hex[] = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
  }
  out.append(p + plain, n - plain);
  out += '"';
}

void appendInt(int64_t v, std::string& out) {
  char buf[24];
  out.append(buf, size_t(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
}

// A double as nlohmann's serializer writes it (dump_float): null unless finite, else its shortest
// round-trip form (Grisu2, nlohmann's own to_chars), without a json value and a string made a cell.
void appendJsonNumber(double v, std::string& out) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf;
  out.append(buf.data(), size_t(nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v) - buf.data()));
}

void appendJsonValue(const Column& col, const Cell& c, std::string& out) {
  if (c.null) {
    out += "null";
    return;
  }
  switch (col.type) {
    case CellType::Text: appendJsonString(c.s, out); break;
    case CellType::Int: appendInt(c.i, out); break;
    case CellType::Number: appendJsonNumber(c.d, out); break;
    case CellType::Bool: out += c.i ? "true" : "false"; break;
    case CellType::Time:  // digits, '-', 'T', ':', '.', 'Z': nothing to escape
      out += '"';
      appendIsoTime(c.i, out);
      out += '"';
      break;
    case CellType::IntList:
      out += '[';
      for (size_t i = 0; i < c.ints.size(); ++i) {
        if (i) out += ',';
        appendInt(c.ints[i], out);
      }
      out += ']';
      break;
    case CellType::TextList:
      out += '[';
      for (size_t i = 0; i < c.texts.size(); ++i) {
        if (i) out += ',';
        appendJsonString(c.texts[i], out);
      }
      out += ']';
      break;
  }
}

json cellJson(const Column& col, const Cell& c) {
  if (c.null) return nullptr;
  switch (col.type) {
    case CellType::Text: return c.s;
    case CellType::Int: return c.i;
    case CellType::Number: return c.d;
    case CellType::Bool: return c.i != 0;
    case CellType::Time: return formatIsoTime(c.i);
    case CellType::IntList: return c.ints;
    case CellType::TextList: return c.texts;
  }
  return nullptr;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// A cell as csv and the terminal show it.
std::string cellText(const Column& col, const Cell& c) {
  if (c.null) return {};
  switch (col.type) {
    case CellType::Text: return c.s;
    case CellType::Int: return std::to_string(c.i);
    case CellType::Number: return num(c.d);
    case CellType::Bool: return c.i ? "true" : "false";
    case CellType::Time: return formatIsoTime(c.i);
    case CellType::IntList: {
      std::string s = "[";
      for (size_t i = 0; i < c.ints.size(); ++i) s += (i ? "," : "") + std::to_string(c.ints[i]);
      return s + "]";
    }
    case CellType::TextList: {
      std::string s;
      for (size_t i = 0; i < c.texts.size(); ++i) s += (i ? " · " : "") + c.texts[i];
      return s;
    }
  }
  return {};
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

json columnsJson(const TableSchema& s) {
  json cols = json::array();
  for (const Column& c : s.columns)
    cols.push_back({{"name", std::string(c.name)}, {"type", std::string(cellTypeName(c.type))}, {"nullable", c.nullable},
                    {"description", std::string(c.description)}});
  return cols;
}

json viewJson(const std::vector<ViewColumn>& v) {
  json out = json::array();
  for (const ViewColumn& c : v) out.push_back({{"column", std::string(c.column)}, {"header", std::string(c.header.empty() ? c.column : c.header)}});
  return out;
}

// What a detection's section holds that depends on its schema only (title, order, the columns
// with their descriptions, the page views), built once per schema, as json and as nlohmann's text:
// the page asks for every section on each refresh and the json output writes them on each run, and
// building them afresh was most of the work of a small run (issue 14: the session fuzz target).
struct SchemaPart {
  json title, order, columns, pageSeed, pageBeyond;
  std::string titleText, orderText, columnsText, pageSeedText, pageBeyondText;
};

std::string dumpText(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const SchemaPart& schemaPart(const TableSchema& s) {
  // Schemas are static objects (tableSchemas(), their seed outputs): their addresses are stable keys.
  static std::mutex mutex;
  static std::map<const TableSchema*, std::unique_ptr<SchemaPart>> parts;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<SchemaPart>& p = parts[&s];
  if (!p) {
    p = std::make_unique<SchemaPart>();
    p->title = std::string(s.title);
    p->order = std::string(s.order);
    p->columns = columnsJson(s);
    p->pageSeed = viewJson(s.pageSeed);
    p->pageBeyond = viewJson(s.pageBeyond);
    p->titleText = dumpText(p->title);
    p->orderText = dumpText(p->order);
    p->columnsText = dumpText(p->columns);
    p->pageSeedText = dumpText(p->pageSeed);
    p->pageBeyondText = dumpText(p->pageBeyond);
  }
  return *p;
}

// A detection's section of the json document, without its rows.
json sectionJson(const TableSchema& s, const DetectionSummary* summary) {
  const SchemaPart& part = schemaPart(s);
  json o = json::object();
  o["title"] = part.title;
  o["order"] = part.order;
  o["columns"] = part.columns;
  o["pageSeed"] = part.pageSeed;
  o["pageBeyond"] = part.pageBeyond;
  o["rowCount"] = summary ? summary->rowCount : 0;
  o["considered"] = summary ? summary->considered : 0;
  o["sawEvents"] = summary ? summary->sawEvents : false;
  o["notices"] = summary ? summary->notices : std::vector<std::string>{};
  // Tuning (issue 13): only when the rule has suppressions / hid rows, so other output is as before.
  if (summary && !summary->suppressedBy.empty()) o["suppressedBy"] = summary->suppressedBy;
  if (summary && summary->knownSoftwareHidden) o["knownSoftwareHidden"] = summary->knownSoftwareHidden;
  return o;
}

}  // namespace

// sectionJson's dump, written from the schema's cached texts: nlohmann writes an object's keys in
// their sorted order (std::map), so this is the same order; tests/core/unit-output-section.cpp
// compares the two for every schema and summary shape.
std::string sectionJsonText(const TableSchema& s, const DetectionSummary* summary) {
  const SchemaPart& part = schemaPart(s);
  std::string out;
  out.reserve(part.columnsText.size() + part.pageSeedText.size() + part.pageBeyondText.size() + 256);
  out += "{\"columns\":";
  out += part.columnsText;
  out += ",\"considered\":";
  out += std::to_string(summary ? summary->considered : 0);
  if (summary && summary->knownSoftwareHidden) {
    out += ",\"knownSoftwareHidden\":";
    out += dumpText(json(summary->knownSoftwareHidden));
  }
  out += ",\"notices\":";
  out += summary ? dumpText(json(summary->notices)) : std::string("[]");
  out += ",\"order\":";
  out += part.orderText;
  out += ",\"pageBeyond\":";
  out += part.pageBeyondText;
  out += ",\"pageSeed\":";
  out += part.pageSeedText;
  out += ",\"rowCount\":";
  out += std::to_string(summary ? summary->rowCount : 0);
  out += ",\"sawEvents\":";
  out += summary && summary->sawEvents ? "true" : "false";
  if (summary && !summary->suppressedBy.empty()) {
    out += ",\"suppressedBy\":";
    out += dumpText(json(summary->suppressedBy));
  }
  out += ",\"title\":";
  out += part.titleText;
  out += '}';
  return out;
}

namespace {

// The head of the json document: everything but the detections' rows.
json headJson(const Results& r) {
  json files = json::array();
  for (const auto& f : r.files) files.push_back(fileReportToJson(f));
  json o = json::object();
  o["now"] = r.hasEvents || r.nowSource == "given" ? json(formatIsoTime(r.now)) : json(nullptr);
  o["nowSource"] = r.nowSource;
  o["files"] = files;
  o["notices"] = r.notices;
  o["mode"] = r.mode;
  o["asnDatabaseLoaded"] = r.asnDatabaseLoaded;
  o["collectGroups"] = r.collectGroups;
  return o;
}

}  // namespace

void appendJsonl(const Row& row, std::string& out) {
  const TableSchema& s = *row.schema;
  out += '{';
  bool first = true;
  for (size_t k : s.keyOrder) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += s.columns[k].name;
    out += "\":";
    appendJsonValue(s.columns[k], row.cells[k], out);
  }
  out += '}';
}

json rowJson(const Row& row) {
  json o = json::object();
  for (size_t i = 0; i < row.schema->columns.size(); ++i)
    o[std::string(row.schema->columns[i].name)] = cellJson(row.schema->columns[i], row.cells[i]);
  return o;
}

json rowToJson(const ResultRow& r) {
  // The jsonl line's columns: a beyond-mode row (a flow) has them all, a seed row the seed output's.
  Row row(beaconSchema().output(r.groupId >= BeaconDetection::flowIdBase()));
  BeaconDetection::cells(r, row);
  return rowJson(row);
}

json inboundRowToJson(const InboundRow& r) {
  Row row(inboundSchema());
  InboundDetection::cells(r, row);
  return rowJson(row);
}

json signinRowToJson(const SignInRow& r) {
  Row row(signinSchema());
  SignInDetection::cells(r, row);
  return rowJson(row);
}

json infrastructureRowToJson(const InfrastructureRow& r) {
  Row row(infrastructureSchema());
  InfrastructureDetection::cells(r, row);
  return rowJson(row);
}

const DetectionSummary* findSummary(const Results& r, std::string_view detection) {
  for (const auto& d : r.detections)
    if (d.detection == detection) return &d;
  return nullptr;
}

json fileReportToJson(const FileReport& f) {
  json problems = json::array();
  for (const auto& p : f.problems)
    problems.push_back({{"line", p.line}, {"column", p.column}, {"code", p.code}, {"message", p.message}});
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

json statusToJson(const Results& r) {
  json o = headJson(r);
  json sections = json::object();
  for (const auto& d : r.detections)
    if (const TableSchema* s = findTableSchema(d.detection)) sections[d.detection] = sectionJson(s->output(r.mode == "beyond"), &d);
  o["detections"] = sections;
  o["detectionOrder"] = [&] {
    json order = json::array();
    for (const auto& d : r.detections) order.push_back(d.detection);
    return order;
  }();
  return o;
}

// statusToJson's dump with `extra`'s members added, written without the detections' tree: their
// sections come from sectionJsonText (the schema's texts cached), the rest from nlohmann, member by
// member in the sorted order nlohmann writes an object's keys in (tests/core/unit-output-section.cpp
// compares it with the dump). The Session answers every status, refresh and render with it, so the
// columns' descriptions are not built into a tree and dumped again each time.
std::string statusJsonText(const Results& r, json extra) {
  json o = headJson(r);
  json order = json::array();
  for (const auto& d : r.detections) order.push_back(d.detection);
  o["detectionOrder"] = std::move(order);
  for (auto& [key, value] : extra.items()) o[key] = std::move(value);
  std::map<std::string, std::string> sections;  // sorted as nlohmann sorts an object's keys
  for (const auto& d : r.detections)
    if (const TableSchema* s = findTableSchema(d.detection)) sections[d.detection] = sectionJsonText(s->output(r.mode == "beyond"), &d);
  o.erase("detections");
  std::string out = "{";
  bool first = true, placed = false;
  auto member = [&](const std::string& key, const std::string& valueText) {
    if (!first) out += ',';
    first = false;
    out += dumpText(json(key));
    out += ':';
    out += valueText;
  };
  auto placeDetections = [&] {
    std::string text = "{";
    for (const auto& [name, section] : sections) {
      if (text.size() > 1) text += ',';
      text += dumpText(json(name));
      text += ':';
      text += section;
    }
    text += '}';
    member("detections", text);
    placed = true;
  };
  for (auto& [key, value] : o.items()) {
    if (!placed && key > std::string_view("detections")) placeDetections();
    member(key, dumpText(value));
  }
  if (!placed) placeDetections();
  out += '}';
  return out;
}

std::string statusJsonText(const Results& r) { return statusJsonText(r, json::object()); }

json schemasToJson() {
  json out = json::object();
  for (const TableSchema* s : tableSchemas()) out[std::string(s->detection)] = sectionJson(*s, nullptr);
  return out;
}

json resultsToJson(const Results& r) {
  json o = headJson(r);
  json sections = json::object();
  for (const auto& d : r.detections) {
    const TableSchema* s = findTableSchema(d.detection);
    if (!s) continue;
    json section = sectionJson(s->output(r.mode == "beyond"), &d);
    json rows = json::array();
    if (d.detection == "beacon")
      for (const auto& row : r.rows) rows.push_back(rowToJson(row));
    if (d.detection == "inbound")
      for (const auto& row : r.inbound) rows.push_back(inboundRowToJson(row));
    if (d.detection == "signin")
      for (const auto& row : r.signin) rows.push_back(signinRowToJson(row));
    if (d.detection == "infrastructure")
      for (const auto& row : r.infrastructure) rows.push_back(infrastructureRowToJson(row));
    section["rows"] = rows;
    sections[d.detection] = section;
  }
  o["detections"] = sections;
  return o;
}

std::string problemCode(std::string_view reason) {
  std::string code;
  for (char c : reason) {
    if (c >= 'A' && c <= 'Z') code += char(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) code += c;
    else if (!code.empty() && code.back() != '-') code += '-';
  }
  while (!code.empty() && code.back() == '-') code.pop_back();
  return code;
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

// ---------------------------------------------------------------------------------------------
// TableWriter

struct TableWriter::State {
  OutputFormat format;
  std::function<void(std::string_view)> write;
  const Results* head;
  std::string out;
  // csv: a table's header is written with its first row; an empty line separates tables.
  bool headerPending = false, anyCsvTable = false;
  const TableSchema* firstSchema = nullptr;
  // json
  bool firstSection = true, firstRow = true;
  // table: the detection's rows, kept to align the columns
  std::vector<std::vector<std::string>> lines;
  bool beyond = false;

  void flushIfLarge() {
    if (out.size() >= kPiece) flush();
  }
  void flush() {
    if (out.empty()) return;
    write(out);
    out.clear();
  }
  void csvHeader(const TableSchema& s) {
    if (anyCsvTable) out += "\r\n";
    anyCsvTable = true;
    for (size_t i = 0; i < s.columns.size(); ++i) out += (i ? "," : "") + std::string(s.columns[i].name);
    out += "\r\n";
    headerPending = false;
  }
};

TableWriter::TableWriter(OutputFormat format, std::function<void(std::string_view)> write, const Results* head)
    : s_(std::make_unique<State>()) {
  s_->format = format;
  s_->write = std::move(write);
  s_->head = head;
  s_->beyond = head && head->mode == "beyond";
  if (format == OutputFormat::Json) {
    // The head first (files and notices at the top), then the detections' sections.
    json h = head ? headJson(*head) : json::object();
    std::string text = h.dump(2, ' ', false, json::error_handler_t::replace);
    text.pop_back();  // the closing brace: the detections follow
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    s_->out += text;
    s_->out += (h.empty() ? "\n" : ",\n");
    s_->out += "  \"detections\": {";
  } else if (format == OutputFormat::Table && head) {
    s_->out += "now: " + (head->hasEvents || head->nowSource == "given" ? formatIsoTime(head->now) : std::string("-")) + " (" +
               head->nowSource + ")\n";
  }
}

TableWriter::~TableWriter() = default;

void TableWriter::beginTable(const TableSchema& schema) {
  State& s = *s_;
  if (!s.firstSchema) s.firstSchema = &schema;
  switch (s.format) {
    case OutputFormat::Csv:
      s.headerPending = true;
      break;
    case OutputFormat::Json: {
      const DetectionSummary* summary = s.head ? findSummary(*s.head, schema.detection) : nullptr;
      std::string section = sectionJsonText(schema, summary);
      section.pop_back();  // "}": the rows follow
      s.out += s.firstSection ? "\n    \"" : ",\n    \"";
      s.out += schema.detection;
      s.out += "\": " + section + ",\"rows\":[";
      s.firstSection = false;
      s.firstRow = true;
      break;
    }
    case OutputFormat::Table: {
      s.lines.clear();
      std::vector<std::string> head;
      for (const ViewColumn& v : schema.terminal(s.beyond)) head.emplace_back(v.header.empty() ? v.column : v.header);
      s.lines.push_back(std::move(head));
      break;
    }
    case OutputFormat::Jsonl:
      break;
  }
}

void TableWriter::row(const Row& row) {
  State& s = *s_;
  const TableSchema& schema = *row.schema;
  switch (s.format) {
    case OutputFormat::Jsonl:
      appendJsonl(row, s.out);
      s.out += '\n';
      break;
    case OutputFormat::Csv:
      if (s.headerPending) s.csvHeader(schema);
      for (size_t i = 0; i < schema.columns.size(); ++i) {
        if (i) s.out += ',';
        s.out += csvCell(cellText(schema.columns[i], row.cells[i]));
      }
      s.out += "\r\n";
      break;
    case OutputFormat::Json:
      s.out += s.firstRow ? "\n      " : ",\n      ";
      s.firstRow = false;
      appendJsonl(row, s.out);
      break;
    case OutputFormat::Table: {
      std::vector<std::string> line;
      for (const ViewColumn& v : schema.terminal(s.beyond)) {
        const size_t i = schema.index(v.column);
        line.push_back(displayText(cellText(schema.columns[i], row.cells[i]), v.width ? v.width : 40));
      }
      s.lines.push_back(std::move(line));
      break;
    }
  }
  s.flushIfLarge();
}

void TableWriter::endTable(const TableSchema& schema, uint64_t rowCount) {
  State& s = *s_;
  switch (s.format) {
    case OutputFormat::Json:
      s.out += s.firstRow ? "]}" : "\n    ]}";
      break;
    case OutputFormat::Table: {
      if (rowCount == 0 && &schema != s.firstSchema) break;  // other detections: only when they have rows
      std::vector<size_t> width(s.lines[0].size(), 0);
      for (const auto& line : s.lines)
        for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], displayWidth(line[i]));
      if (&schema != s.firstSchema) s.out += "\n";
      s.out += std::string(schema.title) + "\n";
      for (const auto& line : s.lines) {
        for (size_t i = 0; i < line.size(); ++i) {
          s.out += line[i];
          if (i + 1 < line.size()) s.out += std::string(width[i] - displayWidth(line[i]) + 2, ' ');
        }
        s.out += '\n';
      }
      s.out += std::to_string(rowCount) + (rowCount == 1 ? " row\n" : " rows\n");
      s.lines.clear();
      break;
    }
    case OutputFormat::Csv:
    case OutputFormat::Jsonl:
      break;
  }
  s.flushIfLarge();
}

void TableWriter::finish() {
  State& s = *s_;
  if (s.format == OutputFormat::Csv && !s.anyCsvTable && s.firstSchema) s.csvHeader(*s.firstSchema);
  if (s.format == OutputFormat::Json) s.out += s.firstSection ? "}\n}\n" : "\n  }\n}\n";
  s.flush();
}

Results writeResults(const Analysis& analysis, std::optional<Ticks> now, OutputFormat format,
                     const std::function<void(std::string_view)>& write) {
  std::optional<Results> head;
  if (format == OutputFormat::Json || format == OutputFormat::Table) head = analysis.finishEach(now, nullptr);
  TableWriter writer(format, write, head ? &*head : nullptr);
  Results r = analysis.finishEach(now, &writer);
  writer.finish();
  return r;
}

std::string renderResults(const Analysis& analysis, std::optional<Ticks> now, OutputFormat format) {
  std::string all;
  writeResults(analysis, now, format, [&](std::string_view piece) { all.append(piece.data(), piece.size()); });
  return all;
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
