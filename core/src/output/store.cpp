#include "vpshunt/store.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>

#include "vpshunt/time.hpp"

namespace vpshunt {

namespace {

constexpr char kListSeparator = '\x1f';

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// Case-insensitive (ASCII) substring test; `needle` is lower case already.
bool containsLower(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  const char first = needle[0];
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (lowerAscii(hay[i]) != first) continue;
    size_t k = 1;
    while (k < needle.size() && lowerAscii(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

int compareNoCase(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = lowerAscii(a[i]), y = lowerAscii(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

std::string formatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// Interned values of one text-like column.
struct Dict {
  std::deque<std::string> values;  // a deque: the strings do not move, so the index may view them
  std::unordered_map<std::string_view, uint32_t> index;
  mutable std::vector<uint32_t> rank;  // value id -> place in the column's sort order (built on demand)

  uint32_t intern(std::string_view v) {
    auto it = index.find(v);
    if (it != index.end()) return it->second;
    values.emplace_back(v);
    const uint32_t id = uint32_t(values.size() - 1);
    index.emplace(std::string_view(values.back()), id);
    rank.clear();
    return id;
  }
};

}  // namespace

struct ResultStore::Table {
  const TableSchema* schema;
  struct Col {
    CellType type;
    std::vector<uint8_t> null;
    std::vector<int64_t> ints;       // Int, Bool, Time
    std::vector<double> numbers;     // Number
    std::vector<uint32_t> ids;       // Text, TextList, IntList: into dict
    Dict dict;
  };
  std::vector<Col> cols;
  std::vector<uint64_t> keys;
  uint64_t rows = 0;
  // The last view's rows (row numbers in view order), for the next page of the same view.
  mutable std::string cachedFor;
  mutable std::vector<uint32_t> cached;

  explicit Table(const TableSchema& s) : schema(&s), cols(s.columns.size()) {
    for (size_t i = 0; i < cols.size(); ++i) cols[i].type = s.columns[i].type;
  }

  void add(const Row& r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      Col& col = cols[c];
      const Cell& cell = r.cells[c];
      col.null.push_back(cell.null);
      switch (col.type) {
        case CellType::Int:
        case CellType::Bool:
        case CellType::Time: col.ints.push_back(cell.null ? 0 : cell.i); break;
        case CellType::Number: col.numbers.push_back(cell.null ? 0 : cell.d); break;
        case CellType::Text: col.ids.push_back(col.dict.intern(cell.null ? std::string_view() : std::string_view(cell.s))); break;
        case CellType::TextList: {
          std::string joined;
          for (size_t i = 0; i < cell.texts.size(); ++i) {
            if (i) joined += kListSeparator;
            joined += cell.texts[i];
          }
          col.ids.push_back(col.dict.intern(joined));
          break;
        }
        case CellType::IntList: {
          std::string joined;
          for (size_t i = 0; i < cell.ints.size(); ++i) joined += (i ? "," : "") + std::to_string(cell.ints[i]);
          col.ids.push_back(col.dict.intern(joined));
          break;
        }
      }
    }
    keys.push_back(r.key);
    ++rows;
  }

  void fill(uint32_t i, Row& out) const {
    out.key = keys[i];
    for (size_t c = 0; c < cols.size(); ++c) {
      const Col& col = cols[c];
      Cell& cell = out.cells[c];
      cell.null = col.null[i] != 0;
      switch (col.type) {
        case CellType::Int:
        case CellType::Bool:
        case CellType::Time: cell.i = col.ints[i]; break;
        case CellType::Number: cell.d = col.numbers[i]; break;
        case CellType::Text: cell.s = col.dict.values[col.ids[i]]; break;
        case CellType::TextList: {
          cell.texts.clear();
          const std::string& joined = col.dict.values[col.ids[i]];
          for (size_t start = 0; !joined.empty();) {
            size_t sep = joined.find(kListSeparator, start);
            cell.texts.emplace_back(joined.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
            if (sep == std::string::npos) break;
            start = sep + 1;
          }
          break;
        }
        case CellType::IntList: {
          cell.ints.clear();
          const std::string& joined = col.dict.values[col.ids[i]];
          size_t start = 0;
          while (start < joined.size()) {
            size_t comma = joined.find(',', start);
            cell.ints.push_back(std::stoll(joined.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
          break;
        }
      }
    }
  }

  // The display text of a cell, as csv and the terminal show it (for the text filter).
  static std::string numberText(CellType t, int64_t i, double d) {
    switch (t) {
      case CellType::Int: return std::to_string(i);
      case CellType::Bool: return i ? "true" : "false";
      case CellType::Time: return formatIsoTime(i);
      case CellType::Number: return formatNumber(d);
      default: return {};
    }
  }

  const std::vector<uint32_t>& ranks(const Col& col) const {
    if (col.dict.rank.size() == col.dict.values.size()) return col.dict.rank;
    std::vector<uint32_t> order(col.dict.values.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    if (col.type == CellType::IntList) {
      auto parse = [&](uint32_t id) {
        std::vector<int64_t> v;
        const std::string& s = col.dict.values[id];
        size_t start = 0;
        while (start < s.size()) {
          size_t comma = s.find(',', start);
          v.push_back(std::stoll(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        return v;
      };
      std::vector<std::vector<int64_t>> parsed(order.size());
      for (uint32_t i = 0; i < order.size(); ++i) parsed[i] = parse(i);
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return parsed[a] < parsed[b]; });
    } else {
      // A million distinct values (addresses) sort by a 64-bit key first: the first eight bytes,
      // lowercased, big-endian (short values padded with 0), whose order agrees with compareNoCase's
      // wherever two keys differ. Only values with equal keys are compared in full.
      const auto full = [&](uint32_t a, uint32_t b) {
        const int c = compareNoCase(col.dict.values[a], col.dict.values[b]);
        return c != 0 ? c < 0 : col.dict.values[a] < col.dict.values[b];
      };
      std::vector<std::pair<uint64_t, uint32_t>> keyed(order.size());
      for (uint32_t i = 0; i < order.size(); ++i) {
        const std::string& v = col.dict.values[i];
        uint64_t k = 0;
        for (size_t b = 0; b < 8; ++b) k = k << 8 | (b < v.size() ? uint8_t(lowerAscii(v[b])) : 0);
        keyed[i] = {k, i};
      }
      std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
      for (size_t i = 0; i < keyed.size();) {
        size_t j = i + 1;
        while (j < keyed.size() && keyed[j].first == keyed[i].first) ++j;
        if (j - i > 1) std::sort(order.begin() + long(i), order.begin() + long(j), full);
        i = j;
      }
    }
    col.dict.rank.assign(order.size(), 0);
    for (uint32_t r = 0; r < order.size(); ++r) col.dict.rank[order[r]] = r;
    return col.dict.rank;
  }

  // A key per row for one sort column: ascending order of the key is the wanted order (nulls are
  // ordered last by the caller, from col.null).
  std::vector<uint64_t> sortKeys(const Col& col, bool descending) const {
    std::vector<uint64_t> k(rows);
    const std::vector<uint32_t>* rank = nullptr;
    if (col.type == CellType::Text || col.type == CellType::TextList || col.type == CellType::IntList) rank = &ranks(col);
    for (uint64_t i = 0; i < rows; ++i) {
      uint64_t v;
      if (rank) {
        v = (*rank)[col.ids[i]];
      } else if (col.type == CellType::Number) {
        double d = col.numbers[i];
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        v = (bits >> 63) ? ~bits : bits | (uint64_t(1) << 63);  // IEEE order as unsigned order
      } else {
        v = uint64_t(col.ints[i]) ^ (uint64_t(1) << 63);
      }
      k[i] = descending ? ~v : v;
    }
    return k;
  }

  std::vector<uint32_t> select(const ViewRequest& req) const {
    std::vector<uint32_t> order(rows);
    for (uint32_t i = 0; i < rows; ++i) order[i] = i;
    // Stable sorts from the last key to the first: ties keep the earlier keys' and then the
    // detection's order.
    for (auto it = req.sort.rbegin(); it != req.sort.rend(); ++it) {
      const Col& col = cols[schema->index(it->column)];
      const std::vector<uint64_t> k = sortKeys(col, it->descending);
      const std::vector<uint8_t>& null = col.null;
      std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (null[a] != null[b]) return null[b] != 0;  // nulls last, in either direction
        return !null[a] && k[a] < k[b];
      });
    }
    std::vector<size_t> only;
    for (const std::string& name : req.only) {
      const size_t c = schema->index(name);
      if (cols[c].type != CellType::Bool) throw std::invalid_argument("\"" + name + "\" is not a true/false column");
      only.push_back(c);
    }
    std::string needle;
    for (char c : req.filter) needle += lowerAscii(c);
    while (!needle.empty() && needle.back() == ' ') needle.pop_back();
    while (!needle.empty() && needle.front() == ' ') needle.erase(needle.begin());
    if (needle.empty() && only.empty()) return order;

    // Which interned values and which numbers match, decided once per distinct value.
    std::vector<std::vector<uint8_t>> textMatch(cols.size());
    std::vector<std::unordered_map<int64_t, bool>> intMatch(cols.size());
    if (!needle.empty())
      for (size_t c = 0; c < cols.size(); ++c) {
        const Col& col = cols[c];
        if (!col.dict.values.empty()) {
          textMatch[c].resize(col.dict.values.size());
          for (size_t v = 0; v < col.dict.values.size(); ++v) {
            std::string shown = col.dict.values[v];
            if (col.type == CellType::TextList) std::replace(shown.begin(), shown.end(), kListSeparator, ' ');
            textMatch[c][v] = containsLower(shown, needle);
          }
        }
      }
    // A number, a time or a true/false cell can only show some characters: a needle with any other
    // ("ws-0001", a user name) never matches such a column, which is then not formatted row by row.
    std::vector<uint8_t> mayMatch(cols.size(), 1);
    if (!needle.empty())
      for (size_t c = 0; c < cols.size(); ++c) {
        const char* shows = nullptr;
        switch (cols[c].type) {
          case CellType::Int: shows = "-0123456789"; break;
          case CellType::Number: shows = "-+.0123456789einfa"; break;  // 1e+20, inf, nan
          case CellType::Time: shows = "-:.0123456789tz"; break;
          case CellType::Bool: shows = "truefals"; break;
          default: break;
        }
        if (shows && needle.find_first_not_of(shows) != std::string::npos) mayMatch[c] = 0;
      }
    std::vector<uint32_t> out;
    out.reserve(order.size());
    for (uint32_t i : order) {
      bool ok = true;
      for (size_t c : only) ok = ok && !cols[c].null[i] && cols[c].ints[i] != 0;
      if (!ok) continue;
      if (!needle.empty()) {
        bool hit = false;
        for (size_t c = 0; c < cols.size() && !hit; ++c) {
          const Col& col = cols[c];
          if (col.null[i] || !mayMatch[c]) continue;
          if (!textMatch[c].empty()) {
            hit = textMatch[c][col.ids[i]] != 0;
          } else if (col.type == CellType::Number) {
            hit = containsLower(formatNumber(col.numbers[i]), needle);
          } else {
            auto [it, fresh] = intMatch[c].try_emplace(col.ints[i], false);
            if (fresh) it->second = containsLower(numberText(col.type, col.ints[i], 0), needle);
            hit = it->second;
          }
        }
        if (!hit) continue;
      }
      out.push_back(i);
    }
    return out;
  }

  const std::vector<uint32_t>& selectCached(const ViewRequest& req) const {
    std::string key = req.filter + '\x01';
    for (const auto& s : req.sort) key += s.column + (s.descending ? "-" : "+") + '\x01';
    for (const auto& o : req.only) key += o + '\x02';
    if (key != cachedFor || cached.empty()) {
      cached = select(req);
      cachedFor = key;
    }
    return cached;
  }
};

ResultStore::ResultStore() = default;
ResultStore::~ResultStore() = default;
ResultStore::ResultStore(ResultStore&&) noexcept = default;
ResultStore& ResultStore::operator=(ResultStore&&) noexcept = default;

void ResultStore::clear() {
  tables_.clear();
  filling_ = nullptr;
}

void ResultStore::beginTable(const TableSchema& schema) {
  for (auto& t : tables_)
    if (t->schema->detection == schema.detection) {  // a mode's schema replaces the other's (TableSchema::output)
      *t = Table(schema);
      filling_ = t.get();
      return;
    }
  tables_.push_back(std::make_unique<Table>(schema));
  filling_ = tables_.back().get();
}

void ResultStore::row(const Row& row) {
  if (!filling_ || filling_->schema != row.schema) beginTable(*row.schema);
  filling_->add(row);
}

void ResultStore::endTable(const TableSchema&, uint64_t) { filling_ = nullptr; }

ResultStore::Table* ResultStore::table(std::string_view detection) const {
  for (const auto& t : tables_)
    if (t->schema->detection == detection) return t.get();
  return nullptr;
}

uint64_t ResultStore::rowCount(std::string_view detection) const {
  const Table* t = table(detection);
  return t ? t->rows : 0;
}

std::string ResultStore::view(const ViewRequest& req) const {
  const TableSchema* schema = findTableSchema(req.detection);
  if (!schema) throw std::invalid_argument("unknown detection \"" + req.detection + "\"");
  const Table* t = table(req.detection);
  std::string out = "{\"detection\":\"" + req.detection + "\",\"total\":" + std::to_string(t ? t->rows : 0);
  if (!t) return out + ",\"matched\":0,\"offset\":0,\"rows\":[]}";
  const std::vector<uint32_t>& rows = t->selectCached(req);
  const uint64_t offset = std::min<uint64_t>(req.offset, rows.size());
  const uint64_t end = std::min<uint64_t>(rows.size(), offset + std::min<uint64_t>(req.limit, 10000));
  out += ",\"matched\":" + std::to_string(rows.size()) + ",\"offset\":" + std::to_string(offset) + ",\"rows\":[";
  Row r(*t->schema);  // the table's own columns (seed mode's rows have fewer: TableSchema::output)
  for (uint64_t i = offset; i < end; ++i) {
    t->fill(rows[i], r);
    if (i > offset) out += ',';
    appendJsonl(r, out);
    out.pop_back();  // the closing brace: the handles follow
    out += ",\"_index\":" + std::to_string(rows[i]) + ",\"_key\":" + std::to_string(r.key) + "}";
  }
  out += "]}";
  return out;
}

void ResultStore::exportView(const ViewRequest& req, OutputFormat format, const std::function<void(std::string_view)>& write) const {
  const TableSchema* schema = findTableSchema(req.detection);
  if (!schema) throw std::invalid_argument("unknown detection \"" + req.detection + "\"");
  const Table* t = table(req.detection);
  TableWriter writer(format, write);
  const TableSchema& columns = t ? *t->schema : *schema;  // the table's own (TableSchema::output)
  writer.beginTable(columns);
  uint64_t n = 0;
  if (t) {
    Row r(columns);
    for (uint32_t i : t->select(req)) {
      t->fill(i, r);
      writer.row(r);
      ++n;
    }
  }
  writer.endTable(columns, n);
  writer.finish();
}

std::string ResultStore::overview(std::string_view detection) const {
  const TableSchema* schema = findTableSchema(detection);
  if (!schema) throw std::invalid_argument("unknown detection \"" + std::string(detection) + "\"");
  nlohmann::json out = {{"detection", std::string(detection)}, {"rows", 0}, {"bins", nlohmann::json::array()},
                        {"networks", nlohmann::json::array()}};
  const Table* t = table(detection);
  if (!t || t->rows == 0) return out.dump();
  out["rows"] = t->rows;
  const Table::Col* score = &t->cols[schema->index("Score")];
  if (!schema->overviewTime.empty()) {
    const Table::Col& time = t->cols[schema->index(schema->overviewTime)];
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint64_t i = 0; i < t->rows; ++i)
      if (!time.null[i]) lo = std::min(lo, time.ints[i]), hi = std::max(hi, time.ints[i]);
    if (lo <= hi) {
      const int bins = 48;
      const int64_t width = std::max<int64_t>(1, (hi - lo) / bins + 1);
      std::vector<uint64_t> rows(bins, 0);
      std::vector<int64_t> best(bins, -1);
      for (uint64_t i = 0; i < t->rows; ++i) {
        if (time.null[i]) continue;
        const size_t b = size_t((time.ints[i] - lo) / width);
        ++rows[b];
        best[b] = std::max(best[b], score->ints[i]);
      }
      for (int b = 0; b < bins; ++b)
        if (rows[b]) out["bins"].push_back({{"t", formatIsoTime(lo + b * width)}, {"rows", rows[b]}, {"maxScore", best[b]}});
      out["from"] = formatIsoTime(lo);
      out["to"] = formatIsoTime(lo + bins * width);
    }
  }
  // Networks: the provider when the row is hosting, else the organisation; rows without either are "unknown".
  struct Net {
    uint64_t rows = 0;
    int64_t maxScore = -1;
    bool hosting = false;
  };
  std::unordered_map<std::string, Net> nets;
  const Table::Col* provider = nullptr;
  const Table::Col* org = nullptr;
  for (size_t c = 0; c < schema->columns.size(); ++c) {
    if (schema->columns[c].name == schema->overviewProvider) provider = &t->cols[c];
    if (schema->columns[c].name == schema->overviewOrg) org = &t->cols[c];
  }
  for (uint64_t i = 0; i < t->rows; ++i) {
    std::string name = "unknown network";
    bool hosting = false;
    if (provider && !provider->null[i]) name = provider->dict.values[provider->ids[i]], hosting = true;
    else if (org && !org->null[i]) name = org->dict.values[org->ids[i]];
    Net& n = nets[name];
    ++n.rows;
    n.maxScore = std::max(n.maxScore, score->ints[i]);
    n.hosting = hosting;
  }
  std::vector<std::pair<std::string, Net>> sorted(nets.begin(), nets.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.rows != b.second.rows ? a.second.rows > b.second.rows : a.first < b.first;
  });
  for (size_t k = 0; k < sorted.size() && k < 8; ++k)
    out["networks"].push_back({{"name", sorted[k].first}, {"hosting", sorted[k].second.hosting}, {"rows", sorted[k].second.rows},
                               {"maxScore", sorted[k].second.maxScore}});
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool ResultStore::findRow(std::string_view detection, uint64_t key, Row& out) const {
  const Table* t = table(detection);
  if (!t) return false;
  for (uint32_t i = 0; i < t->rows; ++i)
    if (t->keys[i] == key) {
      if (out.schema != t->schema) out = Row(*t->schema);  // the table's own columns
      t->fill(i, out);
      return true;
    }
  return false;
}

size_t ResultStore::memoryBytes() const {
  size_t n = 0;
  for (const auto& t : tables_) {
    n += t->keys.capacity() * 8;
    for (const auto& c : t->cols) {
      n += c.null.capacity() + c.ints.capacity() * 8 + c.numbers.capacity() * 8 + c.ids.capacity() * 4;
      for (const auto& v : c.dict.values) n += v.capacity() + sizeof(std::string) + 32;
    }
  }
  return n;
}

ViewRequest viewRequestFromJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_object()) throw std::invalid_argument("a view request must be a JSON object");
  ViewRequest r;
  if (!j.contains("detection") || !j["detection"].is_string()) throw std::invalid_argument("a view names its \"detection\"");
  r.detection = j["detection"].get<std::string>();
  if (j.contains("sort")) {
    if (!j["sort"].is_array()) throw std::invalid_argument("\"sort\" must be an array of {column, desc}");
    for (const auto& k : j["sort"]) {
      if (!k.is_object() || !k.contains("column") || !k["column"].is_string())
        throw std::invalid_argument("\"sort\" must be an array of {column, desc}");
      r.sort.push_back({k["column"].get<std::string>(), k.value("desc", false)});
    }
  }
  if (j.contains("filter") && j["filter"].is_string()) r.filter = j["filter"].get<std::string>();
  if (j.contains("only") && j["only"].is_array())
    for (const auto& o : j["only"])
      if (o.is_string()) r.only.push_back(o.get<std::string>());
  if (j.contains("offset") && j["offset"].is_number_unsigned()) r.offset = j["offset"].get<uint64_t>();
  if (j.contains("limit") && j["limit"].is_number_unsigned()) r.limit = j["limit"].get<uint64_t>();
  return r;
}

}  // namespace vpshunt
