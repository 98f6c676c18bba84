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
// Mapping onto the rule's fields (what Zeek lacks is reported, never invented); the rules shared with
// the JSON reader (json_events_zeek.cpp) live in zeek_conn.hpp:
//  * Timestamp: `ts`, epoch seconds with a fraction ("1596790164.509987"; a digit before the point is
//    required, no exponent), converted here (RawEvent::hasTime). Values below
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
#include <iterator>
#include <string>
#include <vector>

#include "formats/line_splitter.hpp"
#include "formats/registry.hpp"
#include "formats/zeek_conn.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {
namespace {

using zeek::Field;
constexpr int kNoField = -1;  // a column the reader does not use
constexpr Field kRequired[] = {zeek::kTs, zeek::kOrigH, zeek::kRespH, zeek::kRespP};

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

class ZeekTsvReader final : public Reader {
 public:
  explicit ZeekTsvReader(RecordSink& sink) : sink_(sink) { std::fill(std::begin(roleIndex_), std::end(roleIndex_), -1); }

  void feed(const char* data, size_t size) override {
    lines_.feed(data, size, [this](std::string_view line, uint64_t number) { onLine(line, number); });
  }

  bool splittable() const override { return sawFields_ && !failed_; }  // threads (issue 12)

  void finish() override {
    lines_.finish([this](std::string_view line, uint64_t number) { onLine(line, number); });
    if (!sawFields_ && !failed_) sink_.fatal(lines_.lines() > 0 ? 1 : 0, 0, "expected a Zeek log header with a #fields line, found none");
  }

 private:
  void onLine(std::string_view line, uint64_t number) {
    line_ = number;
    if (failed_) return;
    if (line.empty()) {
      pastHeader_ = true;  // a header line after it is not part of the first header block either
      return;
    }
    if (line[0] == '#') {
      // A header line after records or blank lines (logs concatenated) starts another layout: a
      // piece of this file read after a copy of its leading header lines would not know it
      // (threads). #close changes nothing.
      if (pastHeader_ && line.substr(0, 6) != "#close") {
        pastHeader_ = false;
        sink_.layoutChanged();
      }
      onHeader(line);
      return;
    }
    if (!sawFields_) {
      failed_ = true;
      sink_.fatal(line_, 1, "expected a Zeek log header (#separator, #fields) before the first record");
      return;
    }
    pastHeader_ = true;
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
      int role = zeek::fieldByName(name);
      if (role != kNoField && roleIndex_[role] < 0) roleIndex_[role] = int(roles_.size());
      roles_.push_back(int8_t(role));
      if (cut == std::string_view::npos) break;
      start = cut + 1;
    }
    if (!isConn_) return;
    for (Field required : kRequired) {
      if (roleIndex_[required] < 0) {
        failed_ = true;
        sink_.fatal(line_, 1, "expected a \"" + std::string(zeek::fieldName(required)) + "\" column in the Zeek conn log #fields line");
        return;
      }
    }
    if (!announced_) {
      announced_ = true;
      zeek::announceConnLog(sink_, roleIndex_[zeek::kLocalOrig] >= 0);
    }
  }

  void onRecord(std::string_view line) {
    // Split into the columns we use; no allocation (views into `line`).
    std::string_view val[zeek::kFieldCount];
    uint32_t col[zeek::kFieldCount] = {};
    size_t start = 0, idx = 0;
    while (true) {
      size_t cut = line.find(sep_, start);
      std::string_view f = line.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
      if (idx < roles_.size() && roles_[idx] != kNoField) {
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
      for (Field r : kRequired)
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
    auto isSet = [&](Field r) { return roleIndex_[r] >= 0 && !val[r].empty() && val[r] != unset_; };
    using zeek::kConnState, zeek::kLocalOrig, zeek::kLocalResp, zeek::kOrigH, zeek::kRespBytes, zeek::kRespH,
        zeek::kRespPkts, zeek::kTs;

    RawEvent e;
    e.line = line_;
    Ticks t;
    if (!zeek::parseEpochSeconds(val[kTs], t, zeek::Exponent::Reject)) {
      sink_.skip("unparseable ts", line_, col[kTs],
                 "expected epoch seconds such as 1596790164.509987 in ts, found \"" + std::string(val[kTs]) + "\"");
      return;
    }
    if (zeek::isRelativeTime(t)) {
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
    auto flag = [&](Field r) {
      if (!isSet(r)) return zeek::Flag::Unknown;
      if (val[r] == "T" || val[r] == "true") return zeek::Flag::True;
      if (val[r] == "F" || val[r] == "false") return zeek::Flag::False;
      return zeek::Flag::Unknown;
    };
    bool remoteIsOrig = zeek::remoteIsOriginator(flag(kLocalOrig), flag(kLocalResp), val[kOrigH], val[kRespH]);
    const zeek::Orientation o = zeek::orient(remoteIsOrig);
    e.set(EventField::DeviceName, val[o.localH], col[o.localH]);
    e.set(EventField::LocalIP, val[o.localH], col[o.localH]);
    e.set(EventField::RemoteIP, val[o.remoteH], col[o.remoteH]);
    if (isSet(o.remoteP)) e.set(EventField::RemotePort, val[o.remoteP], col[o.remoteP]);
    if (isSet(o.localP)) e.set(EventField::LocalPort, val[o.localP], col[o.localP]);

    // Direction, outcome and ActionType. A count that is unset or not a number is not used.
    auto count = [&](Field r) {
      uint64_t n = 0;
      if (!isSet(r) || !parseUnsigned(val[r], n)) return zeek::Count::Absent;
      return n > 0 ? zeek::Count::Positive : zeek::Count::Zero;
    };
    const zeek::ConnMeaning m = zeek::connMeaning(remoteIsOrig, isSet(kConnState) ? val[kConnState] : std::string_view(),
                                                  [&] { return zeek::responderAnswered(count(kRespPkts), count(kRespBytes)); });
    e.direction = m.direction;
    e.outcome = m.outcome;
    e.set(EventField::ActionType, m.actionType, isSet(kConnState) ? col[kConnState] : 0);

    if (isSet(o.sent)) e.set(EventField::SentBytes, val[o.sent], col[o.sent]);
    if (isSet(o.received)) e.set(EventField::ReceivedBytes, val[o.received], col[o.received]);
    sink_.onEvent(e);
  }

  RecordSink& sink_;
  LineSplitter lines_;
  uint64_t line_ = 0;  // number of the line being read
  char sep_ = '\t';
  std::string unset_ = "-", empty_ = "(empty)", path_;
  std::string otherReason_ = "Zeek log record (not conn)";
  bool isConn_ = true, sawFields_ = false, failed_ = false, announced_ = false, relativeNoted_ = false;
  bool openTimeValid_ = false;
  bool pastHeader_ = false;  // a record or blank line since the last header line (threads)
  Ticks openTime_ = 0;
  std::string openText_;
  std::vector<int8_t> roles_;           // the field of each column, or kNoField
  int roleIndex_[zeek::kFieldCount];  // the column of each field, or -1
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
