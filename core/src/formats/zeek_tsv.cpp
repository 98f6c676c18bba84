// Zeek conn.log in Zeek's own TSV ("ASCII writer") format.
//
//   #separator \x09
//   #set_separator	,
//   #empty_field	(empty)
//   #unset_field	-
//   #path	conn
//   #open	2017-03-08-13-47-04
//   #fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	...
//   #types	time	string	addr	port	addr	port	enum	...
//   1596790164.509987	Cr01B21ezPdgDs60pb	10.8.0.61	35740	8.8.8.8	53	udp	...
//   #close	2021-04-28-16-25-22
//
// Columns are found by name, so extra columns (a cluster's `_node_name` before `ts`, Stratosphere's
// `label`/`detailedlabel` after the standard ones) do not matter. Header lines may appear again later
// (concatenated logs): each `#fields` starts a new column layout. `#close` is optional.
//
// Mapping onto the rule's fields (what Zeek lacks is reported, never invented):
//  * Timestamp: `ts`, epoch seconds with a fraction, converted here (RawEvent::hasTime). Values below
//    1e8 (before 1973-03-03) are RELATIVE times, seconds from the start of the capture (Stratosphere's
//    labeled logs): they are placed on the `#open` time of the file when it has one (read as UTC; Zeek
//    writes it in the sensor's local zone, which the file does not record), else on 1970-01-01T00:00:00Z.
//    A note says which.
//  * Direction, from Zeek's local_orig / local_resp (set when Zeek's Site::local_nets is configured):
//      T,F or T,T or T,-  -> the originator is local; remote = responder
//      F,T or F,-         -> the originator is remote (an inbound connection); remote = originator
//      F,F or -,* or no such columns -> unknown (F,F is what an unconfigured local_nets writes):
//        remote = responder, unless the responder is a non-public address and the originator a
//        public one (then the connection came in from the internet).
//  * DeviceName and LocalIP = the local-side address (Zeek has no device names); RemoteIP/RemotePort =
//    the far end's address and port. RemoteIPType is not set: the engine classifies the address.
//  * No process, account or command line: reported with missingColumn().
//  * ActionType from conn_state:
//      SF, S1, S2, S3, RSTO, RSTR (a handshake was seen, data could flow) -> "ConnectionSuccess"
//      OTH, SHR, RSTRH (Zeek saw no SYN from the originator, e.g. mid-stream or a UDP reply only):
//        "ConnectionSuccess" when the responder sent packets (resp_pkts > 0, or resp_bytes > 0 when
//        resp_pkts is absent), else "ConnectionFailed"
//      S0, REJ, SH, RSTOS0 (no answer, rejected, or given up before an answer) -> "ConnectionFailed"
//      anything else, or unset -> "ConnectionUnknown" (kept as a record; the default rule filters it)
//  * SentBytes/ReceivedBytes: orig_bytes/resp_bytes (payload bytes), oriented from the local side
//    (when the originator is remote, SentBytes = resp_bytes). Unset values ('-') are left out.
//  * Records of other Zeek logs (`#path dns`, ...) are counted with other(), not as problems.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "formats/registry.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {
namespace {

enum Role : uint8_t {
  kNone,
  kTs,
  kOrigH,
  kOrigP,
  kRespH,
  kRespP,
  kConnState,
  kLocalOrig,
  kLocalResp,
  kOrigBytes,
  kRespBytes,
  kRespPkts,
  kRoleCount
};

struct RoleName {
  const char* name;
  Role role;
};
constexpr RoleName kRoleNames[] = {
    {"ts", kTs},
    {"id.orig_h", kOrigH},
    {"id.orig_p", kOrigP},
    {"id.resp_h", kRespH},
    {"id.resp_p", kRespP},
    {"conn_state", kConnState},
    {"local_orig", kLocalOrig},
    {"local_resp", kLocalResp},
    {"orig_bytes", kOrigBytes},
    {"resp_bytes", kRespBytes},
    {"resp_pkts", kRespPkts},
};

// Seconds with an optional fraction ("1596790164.509987") -> ticks. False when not such a number.
bool parseEpochSeconds(std::string_view s, Ticks& out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  int64_t whole = 0;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (whole > 900'000'000'000LL) return false;  // beyond any sensible time
    whole = whole * 10 + (s[i] - '0');
    ++i;
    ++digits;
  }
  int64_t frac = 0;
  size_t fracDigits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (fracDigits < 7) {
        frac = frac * 10 + (s[i] - '0');
        ++fracDigits;
      }
      ++i;
      ++digits;
    }
  }
  if (i != s.size() || digits == 0) return false;
  while (fracDigits < 7) {
    frac *= 10;
    ++fracDigits;
  }
  Ticks t = whole * kTicksPerSecond + frac;
  out = neg ? -t : t;
  return true;
}

bool parseUnsigned(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  out = v;
  return true;
}

// Zeek's `#open 2017-03-08-13-47-04` -> ticks (read as UTC).
bool parseZeekOpenTime(std::string_view s, Ticks& out) {
  int v[6];
  size_t i = 0;
  for (int k = 0; k < 6; ++k) {
    size_t width = k == 0 ? 4 : 2;
    if (i + width > s.size()) return false;
    int n = 0;
    for (size_t j = 0; j < width; ++j) {
      char c = s[i + j];
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    v[k] = n;
    i += width;
    if (k < 5) {
      if (i >= s.size() || s[i] != '-') return false;
      ++i;
    }
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) return false;
  out = daysFromCivil(v[0], unsigned(v[1]), unsigned(v[2])) * kTicksPerDay + v[3] * kTicksPerHour +
        v[4] * kTicksPerMinute + v[5] * kTicksPerSecond;
  return true;
}

// "\x09" -> '\t'; a plain single character is taken as is.
bool parseSeparator(std::string_view s, char& out) {
  if (s.size() == 4 && s[0] == '\\' && (s[1] == 'x' || s[1] == 'X')) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int a = hex(s[2]), b = hex(s[3]);
    if (a < 0 || b < 0) return false;
    out = static_cast<char>(a * 16 + b);
    return true;
  }
  if (s.size() == 1) {
    out = s[0];
    return true;
  }
  return false;
}

bool isPublic(std::string_view text) {
  IpAddress ip;
  return parseIp(text, ip) && classifyIp(ip) == IpType::Public;
}

class ZeekTsvReader final : public Reader {
 public:
  explicit ZeekTsvReader(RecordSink& sink) : sink_(sink) { std::fill(std::begin(roleIndex_), std::end(roleIndex_), -1); }

  void feed(const char* data, size_t size) override {
    const char* p = data;
    const char* end = data + size;
    if (!carry_.empty()) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
      if (!nl) {
        carry_.append(p, size_t(end - p));
        return;
      }
      carry_.append(p, size_t(nl - p));
      onLine(carry_);
      carry_.clear();
      p = nl + 1;
    }
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
      if (!nl) {
        carry_.assign(p, size_t(end - p));
        return;
      }
      onLine(std::string_view(p, size_t(nl - p)));
      p = nl + 1;
    }
  }

  void finish() override {
    if (!carry_.empty()) {
      onLine(carry_);
      carry_.clear();
    }
    if (!sawFields_ && !failed_) sink_.fatal(line_ > 0 ? 1 : 0, 0, "expected a Zeek log header with a #fields line, found none");
  }

 private:
  void onLine(std::string_view line) {
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (failed_) return;
    if (line.empty()) return;
    if (line[0] == '#') {
      onHeader(line);
      return;
    }
    if (!sawFields_) {
      failed_ = true;
      sink_.fatal(line_, 1, "expected a Zeek log header (#separator, #fields) before the first record");
      return;
    }
    if (!isConn_) {
      sink_.other(otherReason_);
      return;
    }
    onRecord(line);
  }

  void onHeader(std::string_view line) {
    // `#separator \x09` uses a space; every other directive uses the separator itself.
    if (line.substr(0, 11) == "#separator ") {
      char sep;
      if (!parseSeparator(line.substr(11), sep)) {
        failed_ = true;
        sink_.fatal(line_, 12, "expected a separator such as \\x09 after #separator, found \"" + std::string(line.substr(11)) + "\"");
        return;
      }
      sep_ = sep;
      return;
    }
    size_t cut = line.find(sep_);
    std::string_view key = line.substr(0, cut);
    std::string_view value = cut == std::string_view::npos ? std::string_view() : line.substr(cut + 1);
    if (key == "#fields") {
      onFields(value);
    } else if (key == "#unset_field") {
      unset_ = std::string(value);
    } else if (key == "#empty_field") {
      empty_ = std::string(value);
    } else if (key == "#path") {
      path_ = std::string(value);
      isConn_ = value == "conn" || value == "conn_long" || value.empty();  // conn_long: Corelight's long-lived connections
      otherReason_ = "Zeek " + path_ + " log record (not conn)";
      if (!isConn_) sink_.note("Zeek log of type \"" + path_ + "\": only conn logs hold connections; its records are counted as other");
    } else if (key == "#open") {
      openTimeValid_ = parseZeekOpenTime(value, openTime_);
      if (openTimeValid_) openText_ = std::string(value);
    }
    // #set_separator, #types, #close and unknown directives need nothing.
  }

  void onFields(std::string_view value) {
    sawFields_ = true;
    roles_.clear();
    std::fill(std::begin(roleIndex_), std::end(roleIndex_), -1);
    size_t start = 0;
    while (true) {
      size_t cut = value.find(sep_, start);
      std::string_view name = value.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
      Role role = kNone;
      for (const auto& rn : kRoleNames)
        if (name == rn.name) role = rn.role;
      if (role != kNone && roleIndex_[role] < 0) roleIndex_[role] = int(roles_.size());
      roles_.push_back(role);
      if (cut == std::string_view::npos) break;
      start = cut + 1;
    }
    if (!isConn_) return;
    static const char* const required[] = {"ts", "id.orig_h", "id.resp_h", "id.resp_p"};
    static const Role requiredRoles[] = {kTs, kOrigH, kRespH, kRespP};
    for (size_t k = 0; k < 4; ++k) {
      if (roleIndex_[requiredRoles[k]] < 0) {
        failed_ = true;
        sink_.fatal(line_, 1, std::string("expected a \"") + required[k] + "\" column in the Zeek conn log #fields line");
        return;
      }
    }
    if (!announced_) {
      announced_ = true;
      sink_.note("Zeek conn log: no device names; the local-side address stands for DeviceName");
      sink_.missingColumn("InitiatingProcessFileName");
      sink_.missingColumn("InitiatingProcessAccountName");
      sink_.missingColumn("InitiatingProcessCommandLine");
      if (roleIndex_[kLocalOrig] < 0) sink_.note("Zeek conn log without local_orig: the responder is taken as the remote side unless it is a non-public address and the originator a public one");
    }
  }

  void onRecord(std::string_view line) {
    // Split into the columns we use; no allocation (views into `line`).
    std::string_view val[kRoleCount];
    uint32_t col[kRoleCount] = {};
    size_t start = 0, idx = 0;
    while (true) {
      size_t cut = line.find(sep_, start);
      std::string_view f = line.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
      if (idx < roles_.size() && roles_[idx] != kNone) {
        val[roles_[idx]] = f;
        col[roles_[idx]] = uint32_t(start + 1);
      }
      ++idx;
      if (cut == std::string_view::npos) break;
      start = cut + 1;
    }
    if (idx < roles_.size()) {
      // A short line (a truncated file's last record, or a damaged one).
      int missing = -1;
      for (int r : {kTs, kOrigH, kRespH, kRespP})
        if (size_t(roleIndex_[r]) >= idx) {
          missing = r;
          break;
        }
      if (missing >= 0) {
        sink_.skip("truncated Zeek record", line_, line.size() + 1,
                   "expected " + std::to_string(roles_.size()) + " tab-separated fields, found " + std::to_string(idx));
        return;
      }
    }
    auto isSet = [&](Role r) { return roleIndex_[r] >= 0 && !val[r].empty() && val[r] != unset_; };

    RawEvent e;
    e.line = line_;
    Ticks t;
    if (!parseEpochSeconds(val[kTs], t)) {
      sink_.skip("unparseable ts", line_, col[kTs],
                 "expected epoch seconds such as 1596790164.509987 in ts, found \"" + std::string(val[kTs]) + "\"");
      return;
    }
    if (t < 100'000'000LL * kTicksPerSecond) {
      if (!relativeNoted_) {
        relativeNoted_ = true;
        if (openTimeValid_)
          sink_.note("ts values are relative (seconds from the start of the capture, e.g. " + std::string(val[kTs]) +
                     "): times are placed on the log's #open time " + openText_ + " read as UTC");
        else
          sink_.note("ts values are relative (seconds from the start of the capture, e.g. " + std::string(val[kTs]) +
                     ") and the log has no #open time: times are placed on 1970-01-01T00:00:00Z");
      }
      if (openTimeValid_) t += openTime_;
    }
    e.hasTime = true;
    e.time = t;
    e.set(EventField::Timestamp, val[kTs], col[kTs]);

    // Direction.
    auto flag = [&](Role r) -> int {  // 1 = T, 0 = F, -1 = unknown
      if (!isSet(r)) return -1;
      if (val[r] == "T" || val[r] == "true") return 1;
      if (val[r] == "F" || val[r] == "false") return 0;
      return -1;
    };
    int lo = flag(kLocalOrig), lr = flag(kLocalResp);
    bool remoteIsOrig;
    if (lo == 1)
      remoteIsOrig = false;
    else if (lo == 0 && lr != 0)
      remoteIsOrig = true;
    else
      remoteIsOrig = !isPublic(val[kRespH]) && isPublic(val[kOrigH]);

    Role remoteH = remoteIsOrig ? kOrigH : kRespH, remoteP = remoteIsOrig ? kOrigP : kRespP;
    Role localH = remoteIsOrig ? kRespH : kOrigH;
    e.set(EventField::DeviceName, val[localH], col[localH]);
    e.set(EventField::LocalIP, val[localH], col[localH]);
    e.set(EventField::RemoteIP, val[remoteH], col[remoteH]);
    if (isSet(remoteP)) e.set(EventField::RemotePort, val[remoteP], col[remoteP]);

    // ActionType.
    std::string_view st = isSet(kConnState) ? val[kConnState] : std::string_view();
    std::string_view action = "ConnectionUnknown";
    if (st == "SF" || st == "S1" || st == "S2" || st == "S3" || st == "RSTO" || st == "RSTR") {
      action = "ConnectionSuccess";
    } else if (st == "S0" || st == "REJ" || st == "SH" || st == "RSTOS0") {
      action = "ConnectionFailed";
    } else if (st == "OTH" || st == "SHR" || st == "RSTRH") {
      uint64_t n = 0;
      bool answered = false;
      if (isSet(kRespPkts) && parseUnsigned(val[kRespPkts], n))
        answered = n > 0;
      else if (isSet(kRespBytes) && parseUnsigned(val[kRespBytes], n))
        answered = n > 0;
      action = answered ? "ConnectionSuccess" : "ConnectionFailed";
    }
    e.set(EventField::ActionType, action, isSet(kConnState) ? col[kConnState] : 0);

    Role sent = remoteIsOrig ? kRespBytes : kOrigBytes, recv = remoteIsOrig ? kOrigBytes : kRespBytes;
    if (isSet(sent)) e.set(EventField::SentBytes, val[sent], col[sent]);
    if (isSet(recv)) e.set(EventField::ReceivedBytes, val[recv], col[recv]);
    sink_.onEvent(e);
  }

  RecordSink& sink_;
  std::string carry_;
  uint64_t line_ = 0;
  char sep_ = '\t';
  std::string unset_ = "-", empty_ = "(empty)", path_;
  std::string otherReason_ = "Zeek log record (not conn)";
  bool isConn_ = true, sawFields_ = false, failed_ = false, announced_ = false, relativeNoted_ = false;
  bool openTimeValid_ = false;
  Ticks openTime_ = 0;
  std::string openText_;
  std::vector<Role> roles_;
  int roleIndex_[kRoleCount];
};

int sniffZeekTsv(std::string_view head, std::string_view path) {
  if (head.substr(0, 11) != "#separator " && head.substr(0, 8) != "#fields\t") return 0;
  bool conn = head.find("\n#path\tconn") != std::string_view::npos ||
              (head.find("id.orig_h") != std::string_view::npos && head.find("conn_state") != std::string_view::npos);
  if (conn) return 100;
  (void)path;
  return 60;  // a Zeek log of another kind: still ours, its records are counted as other
}

std::unique_ptr<Reader> createZeekTsv(RecordSink& sink) { return std::make_unique<ZeekTsvReader>(sink); }

}  // namespace

const ReaderFactory& zeekTsvFactory() {
  static const ReaderFactory f{"zeek-tsv", "Zeek conn.log, Zeek's tab-separated format (#separator, #fields, #types)",
                               FileKind::Events, sniffZeekTsv, createZeekTsv};
  return f;
}

}  // namespace vpshunt
