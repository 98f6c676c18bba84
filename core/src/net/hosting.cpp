// HostingList (curated, imported and user lists of hosting ASNs), the organisation-name signal,
// AttackEvidence and attribute().
// The curated list lives in core/src/net/hosting-asns.txt, the imported public lists and the
// exclusions under core/src/net/hosting/; asn-db.cmake embeds them at build time (generated
// hosting_asns_data.cpp), parsed here by the same reader as user lists.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "vpshunt/asn.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {
namespace detail {
struct BuiltinHostingImport {
  const char* source;  // the list's name in reasons
  const char* text;
};
extern const char kBuiltinHostingAsns[];        // hosting-asns.txt
extern const char kBuiltinHostingExclusions[];  // hosting/exclusions.txt
extern const BuiltinHostingImport kBuiltinHostingImports[];  // hosting/*, in precedence order
extern const unsigned kBuiltinHostingImportCount;
}  // namespace detail

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
  return "\"" + std::string(cutUtf8(s, 60)) + "\"";
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

}  // namespace

bool parseHostingCategory(std::string_view s, HostingCategory& out) {
  std::string l = lower(trim(s));
  if (l == "hosting") out = HostingCategory::Hosting;
  else if (l == "cloud") out = HostingCategory::Cloud;
  else if (l == "vps") out = HostingCategory::Vps;
  else if (l == "bulletproof") out = HostingCategory::Bulletproof;
  else if (l == "vpn") out = HostingCategory::Vpn;
  else if (l == "proxy") out = HostingCategory::Proxy;
  else return false;
  return true;
}

std::string_view hostingCategoryName(HostingCategory c) {
  switch (c) {
    case HostingCategory::Hosting: return "hosting";
    case HostingCategory::Cloud: return "cloud";
    case HostingCategory::Vps: return "vps";
    case HostingCategory::Bulletproof: return "bulletproof";
    case HostingCategory::Vpn: return "vpn";
    case HostingCategory::Proxy: return "proxy";
  }
  return "hosting";
}

std::string_view hostingConfidenceName(HostingConfidence c) {
  switch (c) {
    case HostingConfidence::None: return "none";
    case HostingConfidence::Listed: return "listed";
    case HostingConfidence::InferredFromName: return "inferred-name";
    case HostingConfidence::InferredFromActivity: return "inferred-activity";
  }
  return "none";
}

const HostingList& HostingList::builtin() {
  static const HostingList list = [] {
    HostingList l;
    HostingListLoad curated;
    curated.source = kCuratedSource;
    l.load(detail::kBuiltinHostingAsns, nullptr, curated);
    l.loadExclusions(detail::kBuiltinHostingExclusions);
    for (unsigned i = 0; i < detail::kBuiltinHostingImportCount; ++i) {
      HostingListLoad imported;
      imported.source = detail::kBuiltinHostingImports[i].source;
      imported.honourExclusions = true;
      imported.providerFromData = true;
      l.load(detail::kBuiltinHostingImports[i].text, nullptr, imported);
    }
    return l;
  }();
  return list;
}

const HostingList& HostingList::curatedOnly() {
  static const HostingList list = [] {
    HostingList l;
    HostingListLoad curated;
    curated.source = kCuratedSource;
    l.load(detail::kBuiltinHostingAsns, nullptr, curated);
    l.setInference(false);
    return l;
  }();
  return list;
}

uint16_t HostingList::sourceIndex(std::string_view name) {
  if (name.empty()) return 0;
  for (size_t i = 0; i < sources_.size(); ++i)
    if (sources_[i] == name) return uint16_t(i);
  if (sources_.size() >= 0xFFFF) return 0;  // absurdly many named lists: the rest are "yours"
  sources_.emplace_back(name);
  return uint16_t(sources_.size() - 1);
}

std::string_view HostingList::sourceName(const HostingEntry& e) const noexcept {
  return e.source < sources_.size() ? std::string_view(sources_[e.source]) : kUserSource;
}

size_t HostingList::load(std::string_view text, std::vector<Problem>* problems, HostingCategory defaultCategory) {
  HostingListLoad how;
  how.defaultCategory = defaultCategory;
  return load(text, problems, how);
}

size_t HostingList::load(std::string_view text, std::vector<Problem>* problems, const HostingListLoad& how) {
  const HostingCategory defaultCategory = how.defaultCategory;
  const uint16_t source = sourceIndex(how.source);
  if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
  std::vector<HostingEntry> batch;
  auto problem = [&](uint64_t line, size_t column, std::string message) {
    if (problems) problems->push_back(Problem{line, column + 1, std::move(message), "hosting-list"});
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
      e.source = source;
      e.providerFromData = how.providerFromData;
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
        if (close == std::string_view::npos || !parseHostingCategory(t.substr(1, close - 1), category))
          problem(lineNo, column,
                  "expected a section [hosting], [cloud], [vps], [bulletproof], [vpn] or [proxy], found " + quoted(t));
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
      e.source = source;
      e.providerFromData = how.providerFromData;
      batch.push_back(std::move(e));
    }
  }
  if (how.honourExclusions)
    batch.erase(std::remove_if(batch.begin(), batch.end(), [&](const HostingEntry& e) { return exclusion(e.asn) != nullptr; }),
                batch.end());

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
  for (const HostingEntry& e : other.entries_) {
    HostingEntry copy = e;
    copy.source = sourceIndex(other.sourceName(e));
    add(std::move(copy));
  }
  for (const HostingExclusion& x : other.exclusions_) {
    auto it = std::lower_bound(exclusions_.begin(), exclusions_.end(), x.asn,
                               [](const HostingExclusion& a, uint32_t asn) { return a.asn < asn; });
    if (it == exclusions_.end() || it->asn != x.asn) exclusions_.insert(it, x);
  }
}

size_t HostingList::loadExclusions(std::string_view text, std::vector<Problem>* problems) {
  // The same `AS123 Name # reason` lines as a list (sections are not meaningful here, and refused).
  // Section lines are blanked (keeping the line numbers) and reported.
  std::string body(text);
  uint64_t lineNo = 1;
  for (size_t pos = 0; pos < body.size(); ++lineNo) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string::npos ? body.size() : nl;
    std::string_view t = trim(std::string_view(body).substr(pos, end - pos));
    if (!t.empty() && t.front() == '[') {
      if (problems)
        problems->push_back(Problem{lineNo, uint64_t(t.data() - body.data() - long(pos)) + 1,
                                    "sections have no meaning in an exclusion list", "hosting-list"});
      std::fill(body.begin() + long(pos), body.begin() + long(end), ' ');
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  HostingList parsed;
  parsed.load(body, problems);
  size_t added = 0;
  for (HostingEntry& e : parsed.entries_) {
    auto it = std::lower_bound(exclusions_.begin(), exclusions_.end(), e.asn,
                               [](const HostingExclusion& a, uint32_t asn) { return a.asn < asn; });
    if (it != exclusions_.end() && it->asn == e.asn) continue;
    std::string name = e.provider == e.note ? std::string() : e.provider;  // a line without a name
    exclusions_.insert(it, HostingExclusion{e.asn, std::move(name), std::move(e.note)});
    ++added;
  }
  return added;
}

const HostingExclusion* HostingList::exclusion(uint32_t asn) const noexcept {
  auto it = std::lower_bound(exclusions_.begin(), exclusions_.end(), asn,
                             [](const HostingExclusion& e, uint32_t x) { return e.asn < x; });
  return it != exclusions_.end() && it->asn == asn ? &*it : nullptr;
}

const HostingEntry* HostingList::find(uint32_t asn) const noexcept {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), asn,
                             [](const HostingEntry& e, uint32_t x) { return e.asn < x; });
  return it != entries_.end() && it->asn == asn ? &*it : nullptr;
}

// ---------------------------------------------------------------------------------------------
// The organisation-name signal.
//
// Measured against every organisation name in the bundled IP-to-ASN data (about 91,000) and the
// residential controls (scripts/measure-attribution.mjs): a word of hosting alone marks few access
// networks, and those few carry a word of an access network, which vetoes ("VPS Broadband ...",
// "Server ISP"). "FOP" (a Ukrainian sole proprietor) alone is not evidence: of the 92 FOP
// organisations in the data most are small home ISPs, so it only counts with attacks seen from the
// AS (InferredFromActivity).

namespace {

enum class Match : uint8_t { Exact, Prefix, Suffix, Contains };
// HostingWeak: a hosting word that telecoms use too ("Cloud Telecom"): cancelled by the telecom
// words as well. VetoTelecom: those words; they also cancel SoleProprietor (many small ISPs are FOPs).
enum class Role : uint8_t { Hosting, HostingWeak, Vpn, SoleProprietor, Veto, VetoTelecom };

struct Word {
  std::string_view text;
  Match match;
  Role role;
};

// Single words, lower case. Several languages: the names are registry names, mostly ASCII.
constexpr Word kWords[] = {
    // hosting, in the languages the registry names use
    {"hosting", Match::Contains, Role::Hosting},      // webhosting, hostingnet, tube-hosting
    {"host", Match::Exact, Role::Hosting},            {"hosts", Match::Exact, Role::Hosting},
    {"hosted", Match::Exact, Role::Hosting},          {"host", Match::Prefix, Role::Hosting},  // hostkey, hostpapa
    {"host", Match::Suffix, Role::Hosting},           // ultahost, absamhost
    {"heberg", Match::Contains, Role::Hosting},       // hebergement, redheberg (French)
    {"h\xc3\xa9" "berg", Match::Contains, Role::Hosting},  // hébergement (the literal is split: "\xa9b" would be one escape)
    {"h\xc3\x89" "berg", Match::Contains, Role::Hosting},  // HÉBERGEMENT (É is not lower-cased)
    {"hospedagem", Match::Exact, Role::Hosting},      {"hospedaje", Match::Exact, Role::Hosting},
    {"alojamiento", Match::Exact, Role::Hosting},     {"barindirma", Match::Exact, Role::Hosting},  // Turkish
    {"server", Match::Exact, Role::Hosting},          {"servers", Match::Exact, Role::Hosting},
    {"server", Match::Prefix, Role::Hosting},         // serverius, servermania
    {"server", Match::Suffix, Role::Hosting},         {"servers", Match::Suffix, Role::Hosting},
    {"serveur", Match::Exact, Role::Hosting},         {"serveurs", Match::Exact, Role::Hosting},
    {"servidor", Match::Exact, Role::Hosting},        {"servidores", Match::Exact, Role::Hosting},
    {"serwer", Match::Exact, Role::Hosting},          {"serwery", Match::Exact, Role::Hosting},
    {"serwerownia", Match::Exact, Role::Hosting},     {"sunucu", Match::Exact, Role::Hosting},
    {"vps", Match::Exact, Role::Hosting},             {"vds", Match::Exact, Role::Hosting},
    {"dedicated", Match::Exact, Role::Hosting},       {"dedi", Match::Exact, Role::Hosting},
    {"dedicado", Match::Exact, Role::Hosting},        {"dedicados", Match::Exact, Role::Hosting},
    {"datacenter", Match::Contains, Role::Hosting},   {"datacentre", Match::Contains, Role::Hosting},
    {"datacentrum", Match::Exact, Role::Hosting},
    // Not "rechenzentrum": in the data it names more enterprises', cities' and universities' own
    // computing centres (Leibniz-Rechenzentrum, Bundesrechenzentrum, EDEKA Rechenzentrum) than hosters.
    {"colo", Match::Exact, Role::Hosting},            {"colocation", Match::Exact, Role::Hosting},
    {"colocacion", Match::Exact, Role::Hosting},      {"colocated", Match::Exact, Role::Hosting},
    {"cloud", Match::Exact, Role::HostingWeak},       {"cloud", Match::Suffix, Role::HostingWeak},  // upcloud, not cloudflare
    {"idc", Match::Exact, Role::Hosting},             // "internet data center" of the Chinese carriers
    // commercial VPN services
    {"vpn", Match::Exact, Role::Vpn},                 {"vpn", Match::Suffix, Role::Vpn},
    // sole proprietors (only with attacks from the AS)
    {"fop", Match::Exact, Role::SoleProprietor},      // Ukrainian FOP (fizychna osoba-pidpryiemets)
    {"eood", Match::Exact, Role::SoleProprietor},     // Bulgarian single-owner company
    {"ovich", Match::Suffix, Role::SoleProprietor},   {"evich", Match::Suffix, Role::SoleProprietor},
    {"ovna", Match::Suffix, Role::SoleProprietor},    {"evna", Match::Suffix, Role::SoleProprietor},  // patronymics: a natural person
    // access networks: a name with one of these is not inferred to be hosting
    {"broadband", Match::Contains, Role::Veto},       {"cable", Match::Exact, Role::Veto},
    {"cablevision", Match::Exact, Role::Veto},        {"catv", Match::Exact, Role::Veto},
    {"mobile", Match::Exact, Role::Veto},             {"mobil", Match::Exact, Role::Veto},
    {"movil", Match::Exact, Role::Veto},              {"cellular", Match::Exact, Role::Veto},
    {"wireless", Match::Exact, Role::Veto},           {"wifi", Match::Exact, Role::Veto},
    {"fibra", Match::Exact, Role::Veto},              {"fiber", Match::Exact, Role::Veto},
    {"fibre", Match::Exact, Role::Veto},              {"ftth", Match::Exact, Role::Veto},
    {"dsl", Match::Exact, Role::Veto},                {"adsl", Match::Exact, Role::Veto},
    {"isp", Match::Exact, Role::Veto},                {"provedor", Match::Exact, Role::Veto},
    {"university", Match::Exact, Role::Veto},         {"universidad", Match::Exact, Role::Veto},
    {"universidade", Match::Exact, Role::Veto},       {"universitaet", Match::Exact, Role::Veto},
    {"universite", Match::Exact, Role::Veto},         {"college", Match::Exact, Role::Veto},
    {"school", Match::Exact, Role::Veto},             {"bank", Match::Exact, Role::Veto},
    {"hospital", Match::Exact, Role::Veto},
    // telecoms: cancel "cloud" and the sole-proprietor signal (many small ISPs are FOPs)
    {"telecom", Match::Contains, Role::VetoTelecom},  {"telekom", Match::Contains, Role::VetoTelecom},
    {"telecommunications", Match::Exact, Role::VetoTelecom},
    {"net", Match::Suffix, Role::VetoTelecom},        // "...net": the usual name of a small ISP
};

struct Phrase {
  std::string_view first, second;
  Role role;
  std::string_view text;  // for the reasons
};
constexpr Phrase kPhrases[] = {
    {"data", "center", Role::Hosting, "data center"},       {"data", "centre", Role::Hosting, "data centre"},
    {"data", "centers", Role::Hosting, "data centers"},     {"data", "centres", Role::Hosting, "data centres"},
    {"centro", "dati", Role::Hosting, "centro dati"},       {"co", "location", Role::Hosting, "co-location"},
    {"trading", "as", Role::SoleProprietor, "trading as"},  {"sole", "proprietor", Role::SoleProprietor, "sole proprietor"},
    {"sole", "proprietorship", Role::SoleProprietor, "sole proprietorship"},
    {"individual", "entrepreneur", Role::SoleProprietor, "individual entrepreneur"},
    {"private", "entrepreneur", Role::SoleProprietor, "private entrepreneur"},
    {"broad", "band", Role::Veto, "broad band"},            {"internet", "exchange", Role::Veto, "internet exchange"},
    {"route", "server", Role::Veto, "route server"},        {"service", "provider", Role::Veto, "service provider"},
};
// "centro de datos" / "centro de dados": three words.
constexpr std::string_view kCentroDe[] = {"datos", "dados"};

bool wordMatches(std::string_view w, const Word& k) {
  switch (k.match) {
    case Match::Exact: return w == k.text;
    case Match::Prefix: return w.size() > k.text.size() && w.compare(0, k.text.size(), k.text) == 0;
    case Match::Suffix:
      return w.size() > k.text.size() && w.compare(w.size() - k.text.size(), k.text.size(), k.text) == 0;
    case Match::Contains: return w.find(k.text) != std::string_view::npos;
  }
  return false;
}

}  // namespace

OrgNameSignal orgNameSignal(std::string_view org) noexcept {
  // Lower-case the name into a fixed buffer and cut it into words (no allocation). Registry names
  // are short; a longer one is read up to the buffer's end.
  char buf[192];
  size_t n = std::min(org.size(), sizeof buf);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(org[i]);
    buf[i] = c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c);
  }
  std::string_view words[40];
  size_t count = 0;
  for (size_t i = 0; i < n && count < 40;) {
    auto isWordByte = [](unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80; };
    while (i < n && !isWordByte(static_cast<unsigned char>(buf[i]))) ++i;
    size_t start = i;
    while (i < n && isWordByte(static_cast<unsigned char>(buf[i]))) ++i;
    if (i > start) words[count++] = std::string_view(buf + start, i - start);
  }

  // The first hit of each role, by the table's text (static storage: safe to return).
  std::string_view hosting, weak, vpn, sole, veto, telecom;
  auto note = [&](Role role, std::string_view text) {
    std::string_view* slot = role == Role::Hosting       ? &hosting
                             : role == Role::HostingWeak ? &weak
                             : role == Role::Vpn         ? &vpn
                             : role == Role::SoleProprietor ? &sole
                             : role == Role::Veto        ? &veto
                                                         : &telecom;
    if (slot->empty()) *slot = text;
  };
  for (size_t i = 0; i < count; ++i) {
    for (const Word& k : kWords)
      if (wordMatches(words[i], k)) note(k.role, k.text);
    if (i + 1 < count) {
      for (const Phrase& p : kPhrases)
        if (words[i] == p.first && words[i + 1] == p.second) note(p.role, p.text);
      if (i + 2 < count && words[i] == "centro" && words[i + 1] == "de")
        for (std::string_view d : kCentroDe)
          if (words[i + 2] == d) note(Role::Hosting, "centro de datos");
    }
  }

  OrgNameSignal out;
  if (!veto.empty()) {
    out.veto = veto;
    return out;
  }
  if (!hosting.empty() || !vpn.empty()) {
    out.kind = OrgNameSignal::Kind::Hosting;
    out.category = hosting.empty() ? HostingCategory::Vpn : HostingCategory::Hosting;
    out.word = hosting.empty() ? vpn : hosting;
    return out;
  }
  if (!telecom.empty() && (!weak.empty() || !sole.empty())) {
    out.veto = telecom;
    return out;
  }
  if (!weak.empty()) {
    out.kind = OrgNameSignal::Kind::Hosting;
    out.word = weak;
    return out;
  }
  if (!sole.empty()) {
    out.kind = OrgNameSignal::Kind::SoleProprietor;
    out.word = sole;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// AttackEvidence

size_t AttackEvidence::Hash::operator()(const IpAddress& ip) const noexcept {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: the key is 16 fixed bytes
  for (uint8_t b : ip.bytes) h = (h ^ b) * 1099511628211ull;
  return size_t(h ^ (h >> 32));
}

void AttackEvidence::add(const IpAddress& ip, uint32_t asn) {
  if (!addresses_.insert(ip).second) return;
  if (asn) ++perAs_[asn];
}

bool AttackEvidence::attacked(const IpAddress& ip) const { return addresses_.count(ip) != 0; }

uint32_t AttackEvidence::attackersInAs(uint32_t asn) const noexcept {
  auto it = perAs_.find(asn);
  return it == perAs_.end() ? 0 : it->second;
}

// ---------------------------------------------------------------------------------------------
// attribution

HostingMatch matchHosting(const AsnDatabase& db, const HostingList& hosting, const IpAddress& ip,
                          const AttackEvidence* evidence) noexcept {
  return matchHostingAsn(hosting, db.lookup(ip), evidence);
}

HostingMatch matchHostingAsn(const HostingList& hosting, AsnInfo info, const AttackEvidence* evidence) noexcept {
  HostingMatch m;
  if (!info) return m;
  m.asn = info.asn;
  m.org = info.org;
  if (const HostingEntry* e = hosting.find(info.asn)) {
    m.confidence = HostingConfidence::Listed;
    m.category = e->category;
    m.entry = e;
    m.source = hosting.sourceName(*e);
    return m;
  }
  if (!hosting.inference() || hosting.exclusion(info.asn)) return m;
  m.name = orgNameSignal(info.org);
  if (m.name.kind == OrgNameSignal::Kind::Hosting) {
    m.confidence = HostingConfidence::InferredFromName;
    m.category = m.name.category;
  } else if (m.name.kind == OrgNameSignal::Kind::SoleProprietor && evidence) {
    m.attackers = evidence->attackersInAs(info.asn);
    if (m.attackers) {
      m.confidence = HostingConfidence::InferredFromActivity;
      m.category = HostingCategory::Hosting;
    }
  }
  return m;
}

namespace {
// The provider name of a listed match: the list's, unless the list has none or only a comment.
std::string_view listedProvider(const HostingMatch& m) {
  if (!m.entry || m.entry->provider.empty() || (m.entry->providerFromData && !m.org.empty())) return m.org;
  return m.entry->provider;
}
}  // namespace

std::string hostingReason(const HostingMatch& m) {
  if (!m.asn) return "no ASN for this address";
  std::string out = "AS" + std::to_string(m.asn) + " ";
  switch (m.confidence) {
    case HostingConfidence::None:
      if (m.org.empty()) out.pop_back();  // an AS known by number only (a sign-in log's)
      out.append(m.org).append(" (not a listed hosting provider)");
      break;
    case HostingConfidence::Listed: {
      out.append(listedProvider(m));
      out.append(" (");
      out.append(m.category == HostingCategory::Bulletproof ? std::string_view("bulletproof hosting")
                                                            : hostingCategoryName(m.category));
      // The curated list is the default; other lists are named, so the analyst can weigh them.
      if (m.source != HostingList::kCuratedSource) out.append("; ").append(m.source);
      out.append(")");
      break;
    }
    case HostingConfidence::InferredFromName:
      out.append(m.org).append(" (").append(hostingCategoryName(m.category));
      out.append("; inferred from the word '").append(m.name.word).append("' in the organisation name)");
      break;
    case HostingConfidence::InferredFromActivity:
      out.append(m.org).append(" (").append(hostingCategoryName(m.category));
      out.append("; inferred from the sole-proprietor-style organisation name ('").append(m.name.word);
      out.append("') and ").append(std::to_string(m.attackers));
      out.append(m.attackers == 1 ? " address of this AS that attacked" : " addresses of this AS that attacked");
      out.append(" in the loaded data)");
      break;
  }
  return out;
}

HostingAttribution attribute(const AsnDatabase& db, const HostingList& hosting, const IpAddress& ip,
                             const AttackEvidence* evidence) {
  return attributeAsn(hosting, db.lookup(ip), evidence);
}

HostingAttribution attributeAsn(const HostingList& hosting, AsnInfo info, const AttackEvidence* evidence) {
  HostingAttribution out;
  HostingMatch m = matchHostingAsn(hosting, info, evidence);
  out.reason = hostingReason(m);
  if (!m.asn) return out;
  out.asn = m.asn;
  out.org = std::string(m.org);
  out.confidence = m.confidence;
  if (!m.isHosting()) return out;
  out.isHosting = true;
  out.category = m.category;
  switch (m.confidence) {
    case HostingConfidence::Listed:
      out.provider = std::string(listedProvider(m));
      out.source = std::string(m.source);
      break;
    case HostingConfidence::InferredFromName:
      out.provider = out.org;
      out.source = "organisation name";
      break;
    case HostingConfidence::InferredFromActivity:
      out.provider = out.org;
      out.source = "organisation name and activity in the loaded data";
      break;
    case HostingConfidence::None: break;
  }
  return out;
}

}  // namespace vpshunt
