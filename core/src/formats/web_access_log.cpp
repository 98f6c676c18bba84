// Web access logs in the common log format and its relatives, one request a line:
//
//   common          %h %l %u %t "%r" %>s %b
//   combined        %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"        (Apache, nginx's default)
//   vhost_combined  %v:%p %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"  (Debian; SUSE writes %v alone)
//   nginx "main"    ... "$http_user_agent" "$http_x_forwarded_for"                (nginx.conf's example)
//   S3 server access logs: owner bucket [time] remote-ip requester request-id operation key "request-uri"
//                   status error bytes size total-time turn-around "referer" "user-agent" version host-id
//                   sig-version cipher auth-type host-header tls-version ...       (AWS's documented format)
//
// Fields are bare (up to a space), bracketed ([10/Oct/2000:13:55:36 -0700], the time, its offset
// applied) or quoted; inside quotes a backslash escapes the next byte (Apache writes \" and \xhh,
// nginx \x22), and a quote not followed by a space or the line's end is part of the value (older
// Apache versions did not escape quotes). The fields before the time are the client, ident and user,
// with a virtual host first when the first is no address and the second is; a user name with spaces
// (it comes from the client) makes no difference. After the user agent, the first quoted field that
// holds only addresses is X-Forwarded-For.
//
// The event: web_request.hpp, with DeviceName = the virtual host (the S3 bucket), LocalPort = its
// port (S3: 443 when the request used TLS, 80 when it did not), AccountName = the user (the S3
// requester), InitiatingProcessCommandLine = the request line. Lines that are none of these shapes
// are skipped with their line and the reason.
#include <string>
#include <vector>

#include "events/values.hpp"
#include "formats/line_splitter.hpp"
#include "formats/registry.hpp"
#include "formats/web_request.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt {
namespace {

struct Token {
  std::string_view text;  // without the quotes or brackets
  uint32_t column;        // 1-based, of the first byte (the quote or bracket)
  char kind;              // 'b' bare, 'q' quoted, '[' bracketed
};

// The line's fields; false (with `error`, `errorColumn`) when a quote or bracket is not closed.
bool tokenize(std::string_view line, std::vector<Token>& out, const char*& error, uint32_t& errorColumn) {
  out.clear();
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == n) break;
    const uint32_t col = uint32_t(i + 1);
    if (line[i] == '"') {
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (line[j] == '\\' && j + 1 < n) {
          j += 2;
          continue;
        }
        if (line[j] == '"' && (j + 1 == n || line[j + 1] == ' ' || line[j + 1] == '\t')) {
          closed = true;
          break;
        }
        ++j;
      }
      if (!closed) {
        error = "a quoted field is not closed";
        errorColumn = col;
        return false;
      }
      out.push_back({line.substr(i + 1, j - i - 1), col, 'q'});
      i = j + 1;
    } else if (line[i] == '[') {
      size_t close = line.find(']', i + 1);
      if (close == std::string_view::npos) {
        error = "a bracketed field is not closed";
        errorColumn = col;
        return false;
      }
      out.push_back({line.substr(i + 1, close - i - 1), col, '['});
      i = close + 1;
    } else {
      size_t j = i;
      while (j < n && line[j] != ' ' && line[j] != '\t') ++j;
      out.push_back({line.substr(i, j - i), col, 'b'});
      i = j;
    }
  }
  return true;
}

bool isAddress(std::string_view t) {
  IpAddress ip;
  return !t.empty() && t.size() <= 64 && parseIp(t, ip);
}

bool isStatus(std::string_view t) {
  return t.size() == 3 && t[0] >= '1' && t[0] <= '5' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9';
}

bool isS3Operation(std::string_view t) {
  for (std::string_view p : {"REST.", "SOAP.", "WEBSITE.", "BATCH."})
    if (t.size() > p.size() && t.substr(0, p.size()) == p) return true;
  return false;
}

// What a line is, before it becomes an event.
struct Parsed {
  enum Shape { kClf, kS3 } shape = kClf;
  size_t time = 0;        // index of the [time] token
  int vhost = -1;         // CLF: index of the virtual host, or -1
  size_t client = 0;      // index of the direct client's address
  std::string_view user;  // CLF: %u (to the last field before the time); S3: the requester
  uint32_t userColumn = 0;
  size_t request = 0, status = 0;
  int forwarded = -1;  // index of an X-Forwarded-For field, or -1
  int port = -1;       // S3: 443 (TLS) or 80; -1 unknown
  const char* reason = nullptr;  // why the line is not one of the shapes
  uint32_t reasonColumn = 0;
};

bool parseLine(std::string_view line, const std::vector<Token>& t, Parsed& p) {
  size_t ti = 0;
  while (ti < t.size() && t[ti].kind != '[') ++ti;
  if (ti == t.size() || ti == 0) {
    p.reason = ti == 0 && !t.empty() ? "expected the client address before the [time] field"
                                     : "expected a [dd/Mon/yyyy:hh:mm:ss +zzzz] time field";
    p.reasonColumn = t.empty() ? 1 : t[0].column;
    return false;
  }
  // Apache writes an empty user as "" (the only quoted field before the time).
  for (size_t i = 0; i < ti; ++i)
    if (t[i].kind != 'b' && !(i >= 2 && t[i].kind == 'q')) {
      p.reason = "expected plain fields (client, ident, user) before the time";
      p.reasonColumn = t[i].column;
      return false;
    }
  p.time = ti;
  // S3 server access log: owner bucket [time] remote-ip requester request-id operation key "request-uri" status ...
  if (ti == 2 && t.size() > ti + 7 && t[ti + 1].kind == 'b' && isS3Operation(t[ti + 4].text) && t[ti + 6].kind == 'q') {
    p.shape = Parsed::kS3;
    p.client = ti + 1;
    p.vhost = 1;  // the bucket
    p.user = t[ti + 2].text == "-" ? std::string_view() : t[ti + 2].text;
    p.userColumn = t[ti + 2].column;
    p.request = ti + 6;
    p.status = ti + 7;
    const size_t cipher = ti + 18, tls = ti + 21;
    if (tls < t.size() && t[tls].text != "-") p.port = 443;
    else if (cipher < t.size()) p.port = t[cipher].text == "-" ? 80 : 443;
  } else {
    if (t[0].kind == 'b' && isAddress(t[0].text)) {
      p.client = 0;
    } else if (ti >= 2 && t[1].kind == 'b' && isAddress(t[1].text)) {
      p.vhost = 0;
      p.client = 1;
    } else {
      p.reason = "expected the client's address first (or second, after a virtual host)";
      p.reasonColumn = t[0].column;
      return false;
    }
    if (p.client + 2 < ti) {
      const std::string_view first = t[p.client + 2].text, last = t[ti - 1].text;
      p.user = std::string_view(first.data(), size_t(last.data() + last.size() - first.data()));
      p.userColumn = t[p.client + 2].column;
      if (p.user == "-" || p.user.empty()) p.user = {};
    }
    p.request = ti + 1;
    p.status = ti + 2;
    if (p.request >= t.size() || t[p.request].kind != 'q') {
      p.reason = "expected the quoted request line after the time";
      p.reasonColumn = p.request < t.size() ? t[p.request].column : uint32_t(line.size() + 1);
      return false;
    }
    // After "referer" "user-agent", the first quoted field of addresses only.
    for (size_t i = ti + 6; i < t.size(); ++i)
      if (t[i].kind == 'q' && web::looksLikeForwardedFor(t[i].text)) {
        p.forwarded = int(i);
        break;
      }
  }
  if (p.status >= t.size() || t[p.status].kind != 'b' || !isStatus(t[p.status].text)) {
    p.reason = "expected a three-digit HTTP status after the request";
    p.reasonColumn = p.status < t.size() ? t[p.status].column : uint32_t(line.size() + 1);
    return false;
  }
  return true;
}

class WebAccessLogReader final : public Reader {
 public:
  explicit WebAccessLogReader(RecordSink& sink) : sink_(sink) {}
  void feed(const char* data, size_t size) override {
    lines_.feed(data, size, [this](std::string_view line, uint64_t n) { onLine(line, n); });
  }
  void finish() override {
    lines_.finish([this](std::string_view line, uint64_t n) { onLine(line, n); });
  }

 private:
  void onLine(std::string_view line, uint64_t number) {
    size_t first = 0;
    while (first < line.size() && (line[first] == ' ' || line[first] == '\t')) ++first;
    if (first == line.size()) return;
    const char* error = nullptr;
    uint32_t errorColumn = 0;
    if (!tokenize(line, tokens_, error, errorColumn)) {
      sink_.skip("malformed access-log line", number, errorColumn, error);
      return;
    }
    Parsed p;
    if (!parseLine(line, tokens_, p)) {
      sink_.skip("not an access-log line", number, p.reasonColumn, p.reason);
      return;
    }
    const Token& time = tokens_[p.time];
    Ticks t;
    if (!web::parseClfTime(time.text, t)) {
      sink_.skip("unparseable time", number, time.column,
                 "expected a time such as [10/Oct/2026:13:55:36 +0200], found " + quoteForMessage(time.text));
      return;
    }
    const Token& client = tokens_[p.client];
    const std::string_view forwarded = p.forwarded >= 0 ? tokens_[size_t(p.forwarded)].text : std::string_view();
    const web::Client who = web::clientAddress(client.text, forwarded);
    RawEvent e;
    e.line = number;
    e.hasTime = true;
    e.time = t;
    web::setRequest(e, who.address, who.forwarded ? tokens_[size_t(p.forwarded)].column + 1 : client.column,
                    web::statusOutcome(tokens_[p.status].text));
    if (p.vhost >= 0) {
      std::string_view host = tokens_[size_t(p.vhost)].text;
      const uint32_t col = tokens_[size_t(p.vhost)].column;
      // Apache's "%v:%p": "host:port", "[v6]:port".
      const size_t colon = host.rfind(':');
      const bool hostPort = p.shape == Parsed::kClf && colon != std::string_view::npos && colon > 0 &&
                            colon + 1 < host.size() &&
                            (host.find(':') == colon || (host.front() == '[' && host[colon - 1] == ']'));
      if (hostPort) {
        int64_t port;
        if (parseInt64(host.substr(colon + 1), port) && port > 0 && port <= 65535) {
          e.set(EventField::LocalPort, host.substr(colon + 1), col + uint32_t(colon) + 1);
          host = host.substr(0, colon);
          if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        }
      }
      if (host != "-") e.set(EventField::DeviceName, host, col);
    }
    if (p.port > 0) e.set(EventField::LocalPort, p.port == 443 ? std::string_view("443") : std::string_view("80"));
    if (!p.user.empty()) e.set(EventField::AccountName, p.user, p.userColumn);
    e.set(EventField::InitiatingProcessCommandLine, tokens_[p.request].text, tokens_[p.request].column + 1);
    if (!announced_) {
      announced_ = true;
      sink_.note(p.shape == Parsed::kS3
                     ? "S3 server access log: each request is an inbound connection from its remote IP to the bucket"
                     : "web access log: each request is an inbound connection from its client (X-Forwarded-For's "
                       "rightmost external address when the client is an internal proxy); no process names");
      sink_.missingColumn(std::string(eventFieldName(EventField::InitiatingProcessFileName)));
    }
    sink_.onEvent(e);
  }

  RecordSink& sink_;
  LineSplitter lines_;
  std::vector<Token> tokens_;
  bool announced_ = false;
};

int sniffWebAccessLog(std::string_view head, std::string_view) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t pos = 0, lines = 0, good = 0, bad = 0;
  std::vector<Token> tokens;
  while (pos < head.size() && lines < 20) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos && pos > 0 && head.size() >= 65536) break;  // cut by the head's limit
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++lines;
    const char* error;
    uint32_t column;
    Parsed p;
    Ticks t;
    if (tokenize(line, tokens, error, column) && parseLine(line, tokens, p) && web::parseClfTime(tokens[p.time].text, t))
      ++good;
    else
      ++bad;
  }
  if (good == 0) return 0;
  return good >= 2 * bad ? 92 : 0;  // above intel-plain-list's 80: these lines start with an address too
}

std::unique_ptr<Reader> createWebAccessLog(RecordSink& sink) { return std::make_unique<WebAccessLogReader>(sink); }

}  // namespace

const ReaderFactory& webAccessLogFactory() {
  static const ReaderFactory f{"web-access-log",
                               "Apache / nginx access logs (common, combined, vhost_combined, a trailing "
                               "X-Forwarded-For) and S3 server access logs; each request an inbound connection from "
                               "its client",
                               FileKind::Events, sniffWebAccessLog, createWebAccessLog};
  return f;
}

}  // namespace vpshunt
