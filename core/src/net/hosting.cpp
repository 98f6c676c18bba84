// HostingList (curated + user lists of hosting ASNs) and attribute().
// The curated list lives in core/src/net/hosting-asns.txt; asn-db.cmake embeds it at build time as
// vpshunt::detail::kBuiltinHostingAsns, parsed here by the same reader as user lists.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "vpshunt/asn.hpp"

namespace vpshunt {
namespace detail {
extern const char kBuiltinHostingAsns[];  // generated from hosting-asns.txt
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quoted(std::string_view s) {
  if (s.size() > 60) s = s.substr(0, 60);
  return "\"" + std::string(s) + "\"";
}

// "AS123", "as123", "123" -> 123. AS0 and numbers above 2^32-1 are rejected.
bool parseAsn(std::string_view s, uint32_t& out) {
  s = trim(s);
  if (s.size() > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) s.remove_prefix(2);
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + unsigned(c - '0');
  }
  if (v == 0 || v > 0xFFFFFFFFull) return false;
  out = uint32_t(v);
  return true;
}

struct Cell {
  std::string text;
  size_t column;  // 0-based byte offset of the cell in its line
};

// One CSV line, leniently: blanks around cells and before quotes are ignored, "" inside quotes is
// a quote, text after a closing quote up to the comma is kept. Returns false on an unclosed quote.
bool splitCsv(std::string_view line, std::vector<Cell>& cells) {
  cells.clear();
  size_t i = 0;
  for (;;) {
    Cell cell{{}, i};
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] == '"') {
      cell.column = i;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell.text.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        cell.text.push_back(line[i++]);
      }
      if (!closed) return false;
      while (i < line.size() && line[i] != ',') cell.text.push_back(line[i++]);
      cell.text = std::string(trim(cell.text));
    } else {
      size_t comma = line.find(',', i);
      size_t end = comma == std::string_view::npos ? line.size() : comma;
      cell.text = std::string(trim(line.substr(i, end - i)));
      i = end;
    }
    cells.push_back(std::move(cell));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

bool isAsnHeader(const std::string& h) {
  return h == "asn" || h == "as" || h == "as_number" || h == "asnumber" || h == "as number" ||
         h == "autonomous_system_number";
}
bool isNameHeader(const std::string& h) {
  return h == "entity" || h == "name" || h == "org" || h == "organization" || h == "organisation" ||
         h == "provider" || h == "description" || h == "as_name" || h == "autonomous_system_organization";
}

bool parseCategory(std::string_view s, HostingCategory& out) {
  std::string l = lower(trim(s));
  if (l == "hosting") out = HostingCategory::Hosting;
  else if (l == "cloud") out = HostingCategory::Cloud;
  else if (l == "vps") out = HostingCategory::Vps;
  else if (l == "bulletproof") out = HostingCategory::Bulletproof;
  else return false;
  return true;
}

}  // namespace

std::string_view hostingCategoryName(HostingCategory c) {
  switch (c) {
    case HostingCategory::Hosting: return "hosting";
    case HostingCategory::Cloud: return "cloud";
    case HostingCategory::Vps: return "vps";
    case HostingCategory::Bulletproof: return "bulletproof";
  }
  return "hosting";
}

const HostingList& HostingList::builtin() {
  static const HostingList list = [] {
    HostingList l;
    l.load(detail::kBuiltinHostingAsns);
    return l;
  }();
  return list;
}

size_t HostingList::load(std::string_view text, std::vector<Problem>* problems, HostingCategory defaultCategory) {
  if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
  std::vector<HostingEntry> batch;
  auto problem = [&](uint64_t line, size_t column, std::string message) {
    if (problems) problems->push_back(Problem{line, column + 1, std::move(message)});
  };

  // Split into lines once; decide the format from the first line that is not blank or a comment.
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (pos < text.size()) lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  bool csv = false;
  for (std::string_view l : lines) {
    std::string_view t = trim(l);
    if (t.empty() || t.front() == '#') continue;
    std::string_view beforeComment = t.substr(0, t.find('#'));
    csv = beforeComment.find(',') != std::string_view::npos;
    break;
  }

  if (csv) {
    std::vector<Cell> cells;
    int asnColumn = -1, nameColumn = -1;
    bool headerSeen = false;
    for (size_t i = 0; i < lines.size(); ++i) {
      uint64_t lineNo = i + 1;
      std::string_view t = trim(lines[i]);
      if (t.empty() || t.front() == '#') continue;
      if (!splitCsv(lines[i], cells)) {
        problem(lineNo, 0, "a quoted cell has no closing quote");
        continue;
      }
      if (!headerSeen) {
        headerSeen = true;
        for (size_t c = 0; c < cells.size(); ++c) {
          std::string h = lower(cells[c].text);
          if (asnColumn < 0 && isAsnHeader(h)) asnColumn = int(c);
          else if (nameColumn < 0 && isNameHeader(h)) nameColumn = int(c);
        }
        if (asnColumn >= 0) {
          if (nameColumn < 0 && cells.size() > 1) nameColumn = asnColumn == 0 ? 1 : 0;
          continue;  // that was the header
        }
        uint32_t probe;
        if (!cells.empty() && parseAsn(cells[0].text, probe)) {
          asnColumn = 0;  // no header: ASN first, name second
          nameColumn = cells.size() > 1 ? 1 : -1;
        } else {
          problem(lineNo, 0, "expected a CSV header naming an ASN column (ASN, as_number, ...), found " +
                                 quoted(t));
          return 0;
        }
      }
      if (int(cells.size()) <= asnColumn) {
        problem(lineNo, 0, "expected an ASN in column " + std::to_string(asnColumn + 1) + ", the line has " +
                               std::to_string(cells.size()) + " cell(s)");
        continue;
      }
      HostingEntry e;
      if (!parseAsn(cells[size_t(asnColumn)].text, e.asn)) {
        problem(lineNo, cells[size_t(asnColumn)].column,
                "expected an AS number like 64500 or AS64500, found " + quoted(cells[size_t(asnColumn)].text));
        continue;
      }
      if (nameColumn >= 0 && int(cells.size()) > nameColumn) e.provider = cells[size_t(nameColumn)].text;
      e.category = defaultCategory;
      batch.push_back(std::move(e));
    }
  } else {
    HostingCategory category = defaultCategory;
    for (size_t i = 0; i < lines.size(); ++i) {
      uint64_t lineNo = i + 1;
      std::string_view line = lines[i];
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string_view t = trim(line);
      if (t.empty() || t.front() == '#') continue;
      size_t column = size_t(t.data() - line.data());
      if (t.front() == '[') {
        size_t close = t.find(']');
        if (close == std::string_view::npos || !parseCategory(t.substr(1, close - 1), category))
          problem(lineNo, column, "expected a section [hosting], [cloud], [vps] or [bulletproof], found " + quoted(t));
        continue;
      }
      size_t hash = t.find('#');
      std::string_view body = trim(t.substr(0, hash));
      std::string_view comment = hash == std::string_view::npos ? std::string_view() : trim(t.substr(hash + 1));
      size_t blank = body.find_first_of(" \t");
      std::string_view asnText = body.substr(0, blank);
      std::string_view name = blank == std::string_view::npos ? std::string_view() : trim(body.substr(blank));
      HostingEntry e;
      if (!parseAsn(asnText, e.asn)) {
        problem(lineNo, column, "expected an AS number like AS64500, found " + quoted(asnText));
        continue;
      }
      e.provider = std::string(name.empty() ? comment : name);
      e.note = std::string(comment);
      e.category = category;
      batch.push_back(std::move(e));
    }
  }

  size_t before = entries_.size();
  std::stable_sort(batch.begin(), batch.end(), [](const HostingEntry& a, const HostingEntry& b) { return a.asn < b.asn; });
  batch.erase(std::unique(batch.begin(), batch.end(),
                          [](const HostingEntry& a, const HostingEntry& b) { return a.asn == b.asn; }),
              batch.end());
  std::vector<HostingEntry> merged;
  merged.reserve(entries_.size() + batch.size());
  size_t a = 0, b = 0;
  while (a < entries_.size() || b < batch.size()) {
    if (b == batch.size() || (a < entries_.size() && entries_[a].asn <= batch[b].asn)) {
      if (b < batch.size() && entries_[a].asn == batch[b].asn) ++b;  // first entry wins
      merged.push_back(std::move(entries_[a++]));
    } else {
      merged.push_back(std::move(batch[b++]));
    }
  }
  entries_ = std::move(merged);
  return entries_.size() - before;
}

void HostingList::add(HostingEntry entry) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), entry.asn,
                             [](const HostingEntry& e, uint32_t asn) { return e.asn < asn; });
  if (it != entries_.end() && it->asn == entry.asn) return;
  entries_.insert(it, std::move(entry));
}

void HostingList::merge(const HostingList& other) {
  for (const HostingEntry& e : other.entries_) add(e);
}

const HostingEntry* HostingList::find(uint32_t asn) const noexcept {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), asn,
                             [](const HostingEntry& e, uint32_t x) { return e.asn < x; });
  return it != entries_.end() && it->asn == asn ? &*it : nullptr;
}

HostingAttribution attribute(const AsnDatabase& db, const HostingList& hosting, const IpAddress& ip) {
  HostingAttribution out;
  AsnInfo info = db.lookup(ip);
  if (!info) return out;
  out.asn = info.asn;
  out.org = std::string(info.org);
  if (const HostingEntry* e = hosting.find(info.asn)) {
    out.isHosting = true;
    out.provider = e->provider;
    out.category = e->category;
  }
  return out;
}

}  // namespace vpshunt
