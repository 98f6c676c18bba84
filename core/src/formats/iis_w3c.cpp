// IIS logs in the W3C extended format: each line one request, fields separated by spaces (IIS writes
// '+' for a space inside a value and '-' for an empty one).
//
//   #Software: Microsoft Internet Information Services 10.0
//   #Version: 1.0
//   #Date: 2026-11-24 00:00:00
//   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) ...
//   2026-11-24 00:00:01 10.0.0.4 GET /owa/ - 443 - 203.0.113.7 Mozilla/5.0+(...) - 200 0 0 31
//
// With a `#Fields:` directive, each line has exactly its fields, in its order; a later directive
// changes the layout from the next line on (IIS writes a new header when it restarts or the logged
// fields change). Other directives (#Software, #Version, #Date, #Remark) are not records; #Date's
// date serves lines whose layout has a `time` but no `date` field.
//
// Without a directive (lines pasted from a log, or a file cut from the middle of one), the layout is
// guessed per line from the shapes of its values. IIS always writes the fields it logs in one order,
// whichever of them are selected:
//   date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username
//   c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus
//   sc-win32-status sc-bytes cs-bytes time-taken [X-Forwarded-For]
// so a line is some of these, in this order: date and time first, c-ip required. Values with a
// shape (addresses, numbers, a three-digit status, HTTP/x.y, W3SVC<n>, an HTTP method) must sit in
// fields of that shape; free text (paths, queries, user agents, cookies, referrers) fits the free
// fields. Of the layouts that fit, the one using most of IIS's default fields wins (the default set
// weighs most, then s-sitename, s-computername, cs-version, sc-bytes, cs-bytes, cs-host, cs(Cookie),
// and a trailing X-Forwarded-For last). The layout assumed is said in a note, once per distinct
// layout, with the first line it was assumed for; a line that fits no layout is skipped with its
// line and the reason.
//
// The event: web_request.hpp (client by c-ip and X-Forwarded-For; outcome by sc-status and
// sc-win32-status), with LocalIP = s-ip, LocalPort = s-port, DeviceName = s-computername (else
// s-sitename when there is no s-ip to name the target by: every IIS server has a W3SVC1), AccountName
// = cs-username, InitiatingProcessCommandLine = "cs-method cs-uri-stem[ cs-uri-query]" when they are
// adjacent fields (else cs-uri-stem). Times are UTC, as IIS writes them.
#include <array>
#include <string>
#include <vector>

#include "events/values.hpp"
#include "formats/line_splitter.hpp"
#include "formats/registry.hpp"
#include "formats/web_request.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {
namespace {

enum F : uint8_t {
  kDate, kTime, kSiteName, kComputerName, kServerIp, kMethod, kUriStem, kUriQuery, kServerPort, kUserName,
  kClientIp, kVersion, kUserAgent, kCookie, kReferer, kHost, kStatus, kSubStatus, kWin32Status, kScBytes,
  kCsBytes, kTimeTaken, kXff, kFieldCount, kIgnored = 0xff
};

constexpr std::string_view kFieldNames[kFieldCount] = {
    "date",         "time",           "s-sitename",  "s-computername", "s-ip",          "cs-method",
    "cs-uri-stem",  "cs-uri-query",   "s-port",      "cs-username",    "c-ip",          "cs-version",
    "cs(User-Agent)", "cs(Cookie)",   "cs(Referer)", "cs-host",        "sc-status",     "sc-substatus",
    "sc-win32-status", "sc-bytes",    "cs-bytes",    "time-taken",     "X-Forwarded-For"};

// Token shapes (bits), computed once per token of a line without a directive.
enum Shape : uint16_t {
  kShDash = 1, kShIp = 2, kShInt = 4, kShStatus = 8, kShPort = 16, kShMethod = 32, kShVersion = 64,
  kShDate = 128, kShTime = 256, kShSite = 512, kShHost = 1024, kShXff = 2048,
};

// Each field: the shapes it accepts (0 = any text) and its weight when guessing.
struct FieldRule {
  uint16_t accepts;
  uint16_t rejects;  // shapes it never holds
  int weight;
};
constexpr FieldRule kRules[kFieldCount] = {
    {kShDate, 0, 0},  {kShTime, 0, 0},   {kShSite, 0, 6},          {0, kShIp | kShDash, 5}, {kShIp, 0, 10},
    {kShMethod, 0, 10}, {0, 0, 10},      {0, 0, 10},               {kShPort, 0, 10},        {0, 0, 10},
    {kShIp, 0, 10},   {kShVersion | kShDash, 0, 5}, {0, 0, 10},    {0, 0, 3},               {0, 0, 10},
    {kShHost | kShDash, 0, 4}, {kShStatus, 0, 10}, {kShInt, 0, 10}, {kShInt, 0, 10},        {kShInt, 0, 5},
    {kShInt, 0, 5},   {kShInt, 0, 10},   {kShXff | kShDash, 0, 2}};

bool fieldByName(std::string_view name, uint8_t& out) {
  for (uint8_t f = 0; f < kFieldCount; ++f)
    if (equalsIgnoreCaseAscii(name, kFieldNames[f])) return out = f, true;
  for (std::string_view alias : {"cs(X-Forwarded-For)", "X_Forwarded_For", "cs(X-Forwarded-For):"})
    if (equalsIgnoreCaseAscii(name, alias)) return out = kXff, true;
  return false;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

bool allDigits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (!isDigit(c)) return false;
  return true;
}

bool isIsoDate(std::string_view s) {
  return s.size() == 10 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-' &&
         isDigit(s[5]) && isDigit(s[6]) && s[7] == '-' && isDigit(s[8]) && isDigit(s[9]);
}
bool isClock(std::string_view s) {
  if (s.size() < 8 || !isDigit(s[0]) || !isDigit(s[1]) || s[2] != ':' || !isDigit(s[3]) || !isDigit(s[4]) || s[5] != ':' ||
      !isDigit(s[6]) || !isDigit(s[7]))
    return false;
  if (s.size() == 8) return true;
  if (s[8] != '.' || s.size() == 9) return false;
  for (size_t i = 9; i < s.size(); ++i)
    if (!isDigit(s[i])) return false;
  return true;
}

uint16_t shapeOf(std::string_view t) {
  if (t == "-") return kShDash;
  uint16_t s = 0;
  bool ipChars = t.size() <= 64, hostChars = true, letters = true, anyLetter = false;
  for (char c : t) {
    const bool hex = isDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    if (!(hex || c == ':' || c == '.' || c == '%' || c == '[' || c == ']' || c == ',' || c == '+')) ipChars = false;
    if (!(isDigit(c) || isAlpha(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']')) hostChars = false;
    if (!isAlpha(c)) letters = false;
    anyLetter |= isAlpha(c);
  }
  if (allDigits(t)) {
    s |= kShInt;
    if (t.size() == 3 && t[0] >= '1' && t[0] <= '5') s |= kShStatus;
    int64_t v;
    if (t.size() <= 5 && parseInt64(t, v) && v >= 1 && v <= 65535) s |= kShPort;
  }
  if (letters && t.size() >= 3 && t.size() <= 16) s |= kShMethod;
  if (t.size() >= 6 && t.size() <= 10 && t.substr(0, 5) == "HTTP/") s |= kShVersion;
  if (isIsoDate(t)) s |= kShDate;
  if (isClock(t)) s |= kShTime;
  if (t.size() > 5 && anyLetter) {
    size_t svc = t.find("SVC");
    if (svc != std::string_view::npos && svc > 0 && svc + 3 < t.size() && allDigits(t.substr(svc + 3))) {
      bool upper = true;
      for (size_t i = 0; i < svc; ++i) upper &= (t[i] >= 'A' && t[i] <= 'Z') || isDigit(t[i]);
      if (upper) s |= kShSite;
    }
  }
  if (hostChars && (anyLetter || t.find('.') != std::string_view::npos)) s |= kShHost;
  if (ipChars && t.find_first_of(".:") != std::string_view::npos) {
    IpAddress ip;
    if (parseIp(t, ip)) s |= kShIp;
    if (web::looksLikeForwardedFor(t)) s |= kShXff;
  }
  if (t.size() >= 7 && equalsIgnoreCaseAscii(t.substr(0, 7), "unknown") && web::looksLikeForwardedFor(t)) s |= kShXff;
  return s;
}

bool fits(uint8_t f, uint16_t shape) {
  const FieldRule& r = kRules[f];
  if (shape & r.rejects) return false;
  return r.accepts == 0 || (shape & r.accepts);
}

constexpr size_t kMaxTokens = 48;

// The layout of IIS's canonical order that fits the shapes with the most weight (see the file
// comment); false when none does. Ties go to the layout that uses earlier fields.
bool guessLayout(const std::vector<uint16_t>& shapes, std::vector<uint8_t>& layout) {
  const size_t n = shapes.size();
  if (n < 3 || n > kMaxTokens) return false;
  constexpr int kNone = -1000000;
  // best[i][f]: the most weight for tokens i.. using fields f.. (kNone: impossible).
  std::array<std::array<int, kFieldCount + 1>, kMaxTokens + 1> best;
  auto required = [](uint8_t f) { return f == kDate || f == kTime || f == kClientIp; };
  for (int f = kFieldCount; f >= 0; --f) {
    for (int i = int(n); i >= 0; --i) {
      int& b = best[size_t(i)][size_t(f)];
      if (f == kFieldCount) {
        b = i == int(n) ? 0 : kNone;
        continue;
      }
      int skip = required(uint8_t(f)) ? kNone : best[size_t(i)][size_t(f + 1)];
      int take = kNone;
      if (i < int(n) && fits(uint8_t(f), shapes[size_t(i)]) && best[size_t(i + 1)][size_t(f + 1)] != kNone)
        take = kRules[f].weight + best[size_t(i + 1)][size_t(f + 1)];
      b = std::max(skip, take);
    }
  }
  if (best[0][0] == kNone) return false;
  layout.clear();
  size_t i = 0;
  for (uint8_t f = 0; f < kFieldCount && i < n; ++f) {
    const int here = best[i][f];
    if (fits(f, shapes[i]) && best[i + 1][f + 1] != kNone && kRules[f].weight + best[i + 1][f + 1] == here) {
      layout.push_back(f);
      ++i;
    }
  }
  return i == n;
}

std::string layoutText(const std::vector<uint8_t>& layout) {
  std::string s;
  for (uint8_t f : layout) {
    if (!s.empty()) s += ' ';
    s += f == kIgnored ? std::string("(other)") : std::string(kFieldNames[f]);
  }
  return s;
}

class IisW3cReader final : public Reader {
 public:
  explicit IisW3cReader(RecordSink& sink) : sink_(sink) {}
  void feed(const char* data, size_t size) override {
    lines_.feed(data, size, [this](std::string_view line, uint64_t n) { onLine(line, n); });
  }
  void finish() override {
    lines_.finish([this](std::string_view line, uint64_t n) { onLine(line, n); });
  }

 private:
  void onLine(std::string_view line, uint64_t number) {
    size_t start = 0;
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
    if (start == line.size()) return;
    if (line[start] == '#') {
      directive(line.substr(start), number);
      return;
    }
    tokens_.clear();
    columns_.clear();
    size_t i = start;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i == line.size()) break;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      tokens_.push_back(line.substr(i, j - i));
      columns_.push_back(uint32_t(i + 1));
      i = j;
    }
    const std::vector<uint8_t>* layout = &fields_;
    if (!haveFields_) {
      if (!guess(number)) return;
      layout = &guessed_;
    } else if (tokens_.size() != fields_.size()) {
      // At the first extra field, or the last field of a short line (every problem has a column).
      sink_.skip("wrong field count", number,
                 tokens_.size() > fields_.size() ? columns_[fields_.size()] : tokens_.empty() ? 1 : columns_.back(),
                 "expected " + std::to_string(fields_.size()) + " fields as in the #Fields directive of line " +
                     std::to_string(fieldsLine_) + ", found " + std::to_string(tokens_.size()));
      return;
    }
    record(*layout, number);
  }

  void directive(std::string_view d, uint64_t number) {
    auto value = [&](std::string_view name) -> std::string_view {
      if (d.size() < name.size() || !equalsIgnoreCaseAscii(d.substr(0, name.size()), name)) return {};
      return trimValue(d.substr(name.size()));
    };
    if (d.size() >= 8 && equalsIgnoreCaseAscii(d.substr(0, 8), "#Fields:")) {
      fields_.clear();
      position_.fill(-1);
      std::string_view rest = d.substr(8);
      size_t i = 0;
      while (i < rest.size()) {
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
        if (i == rest.size()) break;
        size_t j = i;
        while (j < rest.size() && rest[j] != ' ' && rest[j] != '\t') ++j;
        uint8_t f = kIgnored;
        if (fieldByName(rest.substr(i, j - i), f) && position_[f] >= 0) f = kIgnored;  // a repeated field: the first counts
        if (f != kIgnored) position_[f] = int(fields_.size());
        fields_.push_back(f);
        i = j;
      }
      haveFields_ = true;
      fieldsLine_ = number;
      if (position_[kClientIp] < 0)
        sink_.note("the #Fields directive of line " + std::to_string(number) +
                   " has no c-ip: its lines name no client and are skipped");
      else if (position_[kTime] < 0)
        sink_.note("the #Fields directive of line " + std::to_string(number) + " has no time: its lines are skipped");
      return;
    }
    std::string_view date = value("#Date:");
    if (!date.empty()) directiveDate_.assign(cutUtf8(date, 10));
  }

  bool guess(uint64_t number) {
    shapes_.resize(tokens_.size());
    for (size_t i = 0; i < tokens_.size(); ++i) shapes_[i] = shapeOf(tokens_[i]);
    if (!guessed_.empty() && shapes_ == lastShapes_) return true;  // same shapes, same answer
    if (!guessLayout(shapes_, guessed_)) {
      guessed_.clear();
      lastShapes_.clear();
      const bool dated = tokens_.size() >= 2 && (shapes_[0] & kShDate) && (shapes_[1] & kShTime);
      sink_.skip("not an IIS W3C line", number, columns_.empty() ? 1 : columns_[0],
                 dated ? "no layout of IIS's W3C fields fits the line's " + std::to_string(tokens_.size()) +
                             " values (it needs a client address, c-ip, after the request fields), and the file has no #Fields directive"
                       : "expected a #Fields directive or a line starting with the date and time (2026-11-24 10:00:00), found " +
                             quoteForMessage(tokens_.empty() ? std::string_view() : tokens_[0]));
      return false;
    }
    lastShapes_ = shapes_;
    bool known = false;
    for (const auto& l : notedLayouts_) known |= l == guessed_;
    if (!known) {
      if (notedLayouts_.size() < kMaxLayoutNotes) {
        notedLayouts_.push_back(guessed_);
        sink_.note("line " + std::to_string(number) + " and others like it: no #Fields directive, fields assumed from the "
                   "shapes of the values: " + layoutText(guessed_));
      } else if (notedLayouts_.size() == kMaxLayoutNotes) {
        notedLayouts_.push_back(guessed_);
        sink_.note("more line layouts were assumed than are listed here");
      }
    }
    return true;
  }

  void record(const std::vector<uint8_t>& layout, uint64_t number) {
    std::array<int, kFieldCount> at;
    at.fill(-1);
    for (size_t i = 0; i < layout.size(); ++i)
      if (layout[i] != kIgnored && at[layout[i]] < 0) at[layout[i]] = int(i);
    auto tok = [&](uint8_t f) { return at[f] >= 0 ? tokens_[size_t(at[f])] : std::string_view(); };
    auto col = [&](uint8_t f) { return at[f] >= 0 ? columns_[size_t(at[f])] : 0u; };
    auto value = [&](uint8_t f) {  // "-" is IIS's empty value
      std::string_view v = tok(f);
      return v == "-" ? std::string_view() : v;
    };
    if (at[kClientIp] < 0) {
      sink_.skip("no client address", number, 0, "the layout of this line has no c-ip field");
      return;
    }
    if (at[kTime] < 0) {
      sink_.skip("unparseable date/time", number, 0, "the layout of this line has no time field");
      return;
    }
    // "YYYY-MM-DD hh:mm:ss[.f]" from the date and time fields (or #Date's date), without allocating.
    char buf[64];
    std::string_view date = at[kDate] >= 0 ? tok(kDate) : std::string_view(directiveDate_);
    std::string_view clock = tok(kTime);
    Ticks t = 0;
    bool timeOk = date.size() == 10 && clock.size() <= 40;
    if (timeOk) {
      std::copy(date.begin(), date.end(), buf);
      buf[10] = ' ';
      std::copy(clock.begin(), clock.end(), buf + 11);
      timeOk = isIsoDate(date) && isClock(clock) && parseIsoTime(std::string_view(buf, 11 + clock.size()), t);
    }
    if (!timeOk) {
      const uint8_t bad = at[kDate] >= 0 && !isIsoDate(date) ? kDate : kTime;
      sink_.skip("unparseable date/time", number, col(bad),
                 date.empty() ? std::string("expected a date field or a #Date directive before this line")
                              : "expected a UTC date and time such as 2026-11-24 10:00:00, found " +
                                    quoteForMessage(std::string(date) + " " + std::string(clock)));
      return;
    }
    const web::Client client = web::clientAddress(tok(kClientIp), value(kXff));
    RawEvent e;
    e.line = number;
    e.hasTime = true;
    e.time = t;
    web::setRequest(e, client.address, client.forwarded ? col(kXff) : col(kClientIp),
                    web::statusOutcome(value(kStatus), value(kWin32Status)));
    if (!value(kServerIp).empty()) e.set(EventField::LocalIP, tok(kServerIp), col(kServerIp));
    if (!value(kServerPort).empty()) e.set(EventField::LocalPort, tok(kServerPort), col(kServerPort));
    if (!value(kComputerName).empty()) e.set(EventField::DeviceName, tok(kComputerName), col(kComputerName));
    else if (value(kServerIp).empty() && !value(kSiteName).empty()) e.set(EventField::DeviceName, tok(kSiteName), col(kSiteName));
    if (!value(kUserName).empty()) e.set(EventField::AccountName, tok(kUserName), col(kUserName));
    if (at[kMethod] >= 0 && at[kUriStem] == at[kMethod] + 1) {
      const bool query = at[kUriQuery] == at[kMethod] + 2 && !value(kUriQuery).empty();
      const std::string_view first = tokens_[size_t(at[kMethod])], last = tokens_[size_t(at[query ? kUriQuery : kUriStem])];
      e.set(EventField::InitiatingProcessCommandLine,
            std::string_view(first.data(), size_t(last.data() + last.size() - first.data())), col(kMethod));
    } else if (at[kUriStem] >= 0) {
      e.set(EventField::InitiatingProcessCommandLine, tok(kUriStem), col(kUriStem));
    }
    if (!announced_) {
      announced_ = true;
      sink_.note("IIS W3C log: each request is an inbound connection from its client (c-ip, or X-Forwarded-For's "
                 "rightmost external address when c-ip is internal); no process names");
      sink_.missingColumn(std::string(eventFieldName(EventField::InitiatingProcessFileName)));
    }
    sink_.onEvent(e);
  }

  static constexpr size_t kMaxLayoutNotes = 8;
  RecordSink& sink_;
  LineSplitter lines_;
  std::vector<std::string_view> tokens_;
  std::vector<uint32_t> columns_;
  std::vector<uint8_t> fields_;  // the #Fields directive's layout
  std::array<int, kFieldCount> position_{};
  bool haveFields_ = false;
  uint64_t fieldsLine_ = 0;
  std::string directiveDate_;
  std::vector<uint16_t> shapes_, lastShapes_;
  std::vector<uint8_t> guessed_;
  std::vector<std::vector<uint8_t>> notedLayouts_;
  bool announced_ = false;
};

// A head is IIS W3C when it says so, has a #Fields directive with IIS's request fields, or its lines
// (without a directive) start with a date and time and fit a layout.
int sniffIisW3c(std::string_view head, std::string_view) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t pos = 0, lines = 0, good = 0, bad = 0;
  std::vector<uint16_t> shapes;
  std::vector<uint8_t> layout;
  while (pos < head.size() && lines < 20) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos && pos > 0 && head.size() >= 65536) break;  // cut by the head's limit
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    ++lines;
    if (line[0] == '#') {
      if (line.size() >= 50 && line.substr(0, 50) == "#Software: Microsoft Internet Information Services") return 98;
      if (line.size() >= 8 && equalsIgnoreCaseAscii(line.substr(0, 8), "#Fields:")) {
        const bool request = line.find(" c-ip") != std::string_view::npos || line.find(" cs-uri-stem") != std::string_view::npos ||
                             line.find(" cs-method") != std::string_view::npos;
        return request ? 97 : 0;
      }
      continue;
    }
    // A layout starts with the date and the time (both required, first in IIS's order): a line whose
    // first two tokens are not those fits none, and its other tokens need no shapes.
    auto token = [&](size_t from, size_t& end) {
      while (from < line.size() && (line[from] == ' ' || line[from] == '\t')) ++from;
      end = from;
      while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
      return line.substr(from, end - from);
    };
    size_t afterDate = 0, afterTime = 0;
    const std::string_view date = token(0, afterDate);
    if (!isIsoDate(date) || !isClock(token(afterDate, afterTime))) {
      ++bad;
      continue;
    }
    shapes.clear();
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i == line.size()) break;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
      shapes.push_back(shapeOf(line.substr(i, j - i)));
      i = j;
    }
    if (guessLayout(shapes, layout)) ++good;
    else ++bad;
  }
  if (good == 0) return 0;
  return good >= 2 * bad ? 85 : 0;
}

std::unique_ptr<Reader> createIisW3c(RecordSink& sink) { return std::make_unique<IisW3cReader>(sink); }

}  // namespace

const ReaderFactory& iisW3cFactory() {
  static const ReaderFactory f{"iis-w3c",
                               "IIS W3C extended logs: #Fields directives (the layout may change mid-file) or lines "
                               "without one (the layout guessed per line); each request an inbound connection from its "
                               "client, X-Forwarded-For read when c-ip is a private proxy",
                               FileKind::Events, sniffIisW3c, createIisW3c};
  return f;
}

}  // namespace vpshunt
