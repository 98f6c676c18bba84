// Plain threat-intel lists: one IP address or CIDR block a line.
//
//   # IPsum Threat Intelligence Feed          <- '#' (or ';') comment lines
//   185.224.128.17	10                          <- IP<TAB>count (stamparm/ipsum): the count is ignored
//   1.12.0.0/14                                <- CIDR (X4BNet lists_vpn)
//   2001:db8::1   # trailing comment
//
// Blank lines and comments are not records. Each other line is one record: its first token (up to
// whitespace or '#') must be an IP address (-> NetworkIP) or a CIDR block (-> NetworkCidrBlock);
// anything else is skipped with its line and column. Values are trimmed of Unicode whitespace.
// Lists carry no times: TimeGenerated is left unset (the engine takes such indicators as current),
// and Active is "true" (being on the list is the assertion).
#include <string>

#include "formats/encoding.hpp"
#include "formats/line_splitter.hpp"
#include "formats/registry.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {
namespace {

bool isSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// The first token of a trimmed line: up to ASCII whitespace, '#' or ';'.
std::string_view firstToken(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && !isSpaceByte(s[i]) && s[i] != '#' && s[i] != ';') ++i;
  return trimUnicodeSpace(s.substr(0, i));
}

enum class LineKind { Blank, Ip, Cidr, Bad };

LineKind classifyLine(std::string_view line, std::string_view& token, size_t& column) {
  std::string_view t = trimUnicodeSpace(line);
  if (t.empty() || t[0] == '#' || t[0] == ';' || (t.size() >= 2 && t[0] == '/' && t[1] == '/')) return LineKind::Blank;
  token = firstToken(t);
  column = size_t(t.data() - line.data()) + 1;
  if (token.empty()) {
    token = t;
    return LineKind::Bad;
  }
  IpAddress ip;
  int prefix;
  if (token.find('/') != std::string_view::npos) return parseCidr(token, ip, prefix) ? LineKind::Cidr : LineKind::Bad;
  return parseIp(token, ip) ? LineKind::Ip : LineKind::Bad;
}

class PlainListReader final : public Reader {
 public:
  explicit PlainListReader(RecordSink& sink) : sink_(sink) {}

  void feed(const char* data, size_t size) override {
    lines_.feed(data, size, [this](std::string_view line, uint64_t number) { onLine(line, number); });
  }

  void finish() override {
    lines_.finish([this](std::string_view line, uint64_t number) { onLine(line, number); });
  }

 private:
  // `line` comes without its CR (LineSplitter); classifyLine would trim one anyway.
  void onLine(std::string_view line, uint64_t number) {
    std::string_view token;
    size_t column = 0;
    LineKind k = classifyLine(line, token, column);
    if (k == LineKind::Blank) return;
    if (k == LineKind::Bad) {
      std::string shown(cutUtf8(token, 60));
      sink_.skip("not an IP address or CIDR", number, column, "expected an IP address or CIDR block, found \"" + shown + "\"");
      return;
    }
    RawIndicator ind;
    ind.line = number;
    ind.set(k == LineKind::Cidr ? IntelField::NetworkCidrBlock : IntelField::NetworkIP, token, uint32_t(column));
    ind.set(IntelField::Active, "true");
    sink_.onIndicator(ind);
  }

  RecordSink& sink_;
  LineSplitter lines_;
};

int sniffPlainList(std::string_view head, std::string_view /*path*/) {
  size_t good = 0, bad = 0, pos = 0;
  while (pos < head.size() && good + bad < 200) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;  // the last line may be cut short by the head's limit
    std::string_view token;
    size_t column;
    LineKind k = classifyLine(head.substr(pos, nl - pos), token, column);
    if (k == LineKind::Ip || k == LineKind::Cidr)
      ++good;
    else if (k == LineKind::Bad)
      ++bad;
    pos = nl + 1;
  }
  if (pos < head.size() && good + bad == 0) {  // a one-line file without a final newline
    std::string_view token;
    size_t column;
    LineKind k = classifyLine(head.substr(pos), token, column);
    if (k == LineKind::Ip || k == LineKind::Cidr) ++good;
  }
  if (good == 0) return 0;
  if (bad == 0) return 80;
  return good >= 2 * bad ? 40 : 0;  // a list with a few damaged lines
}

std::unique_ptr<Reader> createPlainList(RecordSink& sink) { return std::make_unique<PlainListReader>(sink); }

}  // namespace

const ReaderFactory& intelPlainListFactory() {
  static const ReaderFactory f{"intel-plain-list", "IP/CIDR list, one a line, '#' comments, optional IP<TAB>count",
                               FileKind::Intel, sniffPlainList, createPlainList};
  return f;
}

}  // namespace vpshunt
