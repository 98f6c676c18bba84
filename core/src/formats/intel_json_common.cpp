#include "formats/intel_json_common.hpp"

#include "vpshunt/ip.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt::intel {

using json::Token;
using json::TokenKind;

void JsonPath::onToken(const Token& t) {
  if (t.kind == TokenKind::Key) {
    if (t.depth > 0 && t.depth - 1 < depth_) frames_[t.depth - 1].key.assign(t.text.data(), t.text.size());
    return;
  }
  if (t.isBegin()) {
    if (frames_.size() <= depth_) frames_.emplace_back();
    Frame& f = frames_[depth_++];
    f.object = t.kind == TokenKind::BeginObject;
    f.key.clear();
    return;
  }
  if (t.isEnd() && depth_ > 0) --depth_;
}

void FlatObject::begin(uint32_t depth, uint64_t line, uint64_t column) {
  active_ = true;
  depth_ = depth;
  line_ = line;
  column_ = column;
  used_ = 0;
}

FlatObject::Member& FlatObject::add(std::string_view key) {
  if (used_ == members_.size()) members_.emplace_back();
  Member& m = members_[used_++];
  m.key.assign(key.data(), key.size());
  m.value.clear();
  m.count = 0;
  m.isString = false;
  m.isNull = false;
  return m;
}

const FlatObject::Member* FlatObject::find(std::string_view key) const {
  for (size_t i = 0; i < used_; ++i)
    if (members_[i].key == key) return &members_[i];
  return nullptr;
}

const FlatObject::Member* FlatObject::findCi(std::string_view key) const {
  for (size_t i = 0; i < used_; ++i)
    if (equalsIgnoreCase(members_[i].key, key)) return &members_[i];
  return nullptr;
}

bool FlatObject::onToken(const Token& t, const JsonPath& path) {
  if (!active_) return false;
  if (t.kind == TokenKind::EndObject && t.depth == depth_) {
    active_ = false;
    return true;
  }
  if (!t.isScalar() || t.depth <= depth_ || t.depth > depth_ + 4) return false;
  // Containers between the record (index depth_) and the token: objects, and at most one array
  // holding the token directly.
  size_t top = t.depth - 1;  // index of the token's own container
  bool inArray = !path.isObject(top);
  size_t lastObject = inArray ? top - 1 : top;
  if (inArray && top == depth_) return false;  // cannot happen: the record is an object
  for (size_t i = depth_; i <= lastObject; ++i)
    if (!path.isObject(i)) return false;
  keyBuf_.clear();
  for (size_t i = depth_; i <= lastObject; ++i) {
    if (!keyBuf_.empty()) keyBuf_.push_back('.');
    keyBuf_.append(path.lastKey(i));
  }
  Member* m = nullptr;
  if (inArray) {
    // Join the array's scalars into one member; it was added at the array's first element.
    if (used_ > 0 && members_[used_ - 1].key == keyBuf_) m = &members_[used_ - 1];
  }
  if (!m) {
    m = &add(keyBuf_);
    m->line = t.line;
    m->column = t.column;
    m->isString = t.kind == TokenKind::String;
    m->isNull = t.kind == TokenKind::Null;
  }
  if (t.kind == TokenKind::Null && inArray) return false;
  if (m->count > 0) m->value.append(", ");
  if (t.kind != TokenKind::Null) m->value.append(t.text.data(), t.text.size());
  ++m->count;
  return false;
}

void FlatObject::addScalar(std::string_view key, const Token& t) {
  Member& m = add(key);
  m.line = t.line;
  m.column = t.column;
  m.isString = t.kind == TokenKind::String;
  m.isNull = t.kind == TokenKind::Null;
  if (!m.isNull) m.value.assign(t.text.data(), t.text.size());
  m.count = 1;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) { return equalsIgnoreCaseAscii(a, b); }

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

AddressKind addressKind(std::string_view text) {
  IpAddress ip;
  int prefix;
  if (text.find('/') != std::string_view::npos) return parseCidr(text, ip, prefix) ? AddressKind::Cidr : AddressKind::None;
  return parseIp(text, ip) ? AddressKind::Ip : AddressKind::None;
}

namespace {

bool isPathChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':' || c == '.' || c == '[' || c == ']' || c == '*';
}
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads a quoted literal starting at pattern[i] == '\''; returns the index after the closing quote.
// Escapes (\' and \\) are rare in address literals; the view keeps them as written.
size_t readLiteral(std::string_view p, size_t i, std::string_view& value, size_t& start) {
  start = i + 1;
  size_t j = start;
  while (j < p.size() && p[j] != '\'') {
    if (p[j] == '\\' && j + 1 < p.size()) ++j;
    ++j;
  }
  value = p.substr(start, j - start);
  return j < p.size() ? j + 1 : j;
}

bool addressPath(std::string_view path, IntelField& field) {
  // Object paths are case-sensitive in STIX; accept any case anyway.
  if (equalsIgnoreCase(path, "ipv4-addr:value") || equalsIgnoreCase(path, "ipv6-addr:value")) {
    field = IntelField::NetworkIP;
    return true;
  }
  if (equalsIgnoreCase(path, "network-traffic:dst_ref.value")) {
    field = IntelField::NetworkDestinationIP;
    return true;
  }
  if (equalsIgnoreCase(path, "network-traffic:src_ref.value")) {
    field = IntelField::NetworkSourceIP;
    return true;
  }
  return false;
}

}  // namespace

void scanStixPattern(std::string_view p, std::vector<PatternAddress>& out, bool& sawAddressPath) {
  out.clear();
  sawAddressPath = false;
  size_t i = 0, n = p.size();
  while (i < n) {
    char c = p[i];
    if (c == '\'') {  // a literal not preceded by a path we care about
      std::string_view v;
      size_t s;
      i = readLiteral(p, i, v, s);
      continue;
    }
    if (!isLetter(c) || (i > 0 && isPathChar(p[i - 1]) && p[i - 1] != '[')) {
      ++i;
      continue;
    }
    size_t ps = i;
    while (i < n && isPathChar(p[i]) && p[i] != ']') ++i;  // ']' ends an observation expression
    std::string_view path = p.substr(ps, i - ps);
    IntelField field;
    bool isAddr = addressPath(path, field);
    if (!isAddr) continue;
    sawAddressPath = true;
    size_t j = i;
    while (j < n && isSpace(p[j])) ++j;
    // The operator.
    std::string_view op;
    if (j < n && p[j] == '=') {
      op = "=";
      ++j;
    } else if (j + 1 < n && p[j] == '!' && p[j + 1] == '=') {
      continue;
    } else {
      size_t os = j;
      while (j < n && isLetter(p[j])) ++j;
      op = p.substr(os, j - os);
      if (equalsIgnoreCase(op, "NOT")) continue;  // NOT =, NOT IN, ...: not an assertion
    }
    while (j < n && isSpace(p[j])) ++j;
    if (op == "=" || equalsIgnoreCase(op, "ISSUBSET")) {
      if (j < n && p[j] == '\'') {
        std::string_view v;
        size_t s;
        i = readLiteral(p, j, v, s);
        out.push_back({v, s, field});
      }
    } else if (equalsIgnoreCase(op, "IN")) {
      if (j < n && p[j] == '(') {
        ++j;
        while (j < n && p[j] != ')') {
          if (p[j] == '\'') {
            std::string_view v;
            size_t s;
            j = readLiteral(p, j, v, s);
            out.push_back({v, s, field});
          } else {
            ++j;
          }
        }
        i = j;
      }
    }
  }
}

bool parseEpochText(std::string_view s, Ticks& out) {
  if (s.empty() || s.size() > 12) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v * kTicksPerSecond;
  return true;
}

}  // namespace vpshunt::intel

namespace vpshunt::intel {

bool headHasMember(std::string_view head, std::string_view key, std::string_view value) {
  size_t pos = 0;
  while (true) {
    pos = head.find(key, pos);
    if (pos == std::string_view::npos) return false;
    size_t after = pos + key.size();
    bool quoted = pos > 0 && head[pos - 1] == '"' && after < head.size() && head[after] == '"';
    pos = after;
    if (!quoted) continue;
    size_t j = after + 1;
    while (j < head.size() && (head[j] == ' ' || head[j] == '\t' || head[j] == '\r' || head[j] == '\n')) ++j;
    if (j >= head.size() || head[j] != ':') continue;
    if (value.empty()) return true;
    ++j;
    while (j < head.size() && (head[j] == ' ' || head[j] == '\t' || head[j] == '\r' || head[j] == '\n')) ++j;
    if (j < head.size() && head[j] == '"' && head.substr(j + 1, value.size()) == value &&
        j + 1 + value.size() < head.size() && head[j + 1 + value.size()] == '"')
      return true;
  }
}

void emitAddresses(RecordSink& sink, const RawIndicator& base, const std::vector<AddressText>& addresses, uint64_t line) {
  for (const auto& a : addresses) {
    AddressKind k = addressKind(a.value);
    if (k == AddressKind::None) {
      sink.skip("unparseable address in a STIX pattern", line, a.column,
                "expected an IP address or CIDR block in the pattern, found '" + std::string(cutUtf8(a.value, 80)) + "'");
      continue;
    }
    RawIndicator ind = base;
    ind.set(k == AddressKind::Cidr ? IntelField::NetworkCidrBlock : a.field, a.value, a.column);
    sink.onIndicator(ind);
  }
}

}  // namespace vpshunt::intel
