// Zeek conn.log written as JSON: Zeek's own JSON writer (`"id.orig_h"` dotted keys, `"_path":"conn"`,
// booleans for local_orig/local_resp), json-streaming-logs (`"@stream":"conn"`, `"@system"`, and
// underscored `"id_orig_h"`), or nested `"id": {"orig_h": ...}` objects; one record per line or an array.
//
// The mapping is the same as the TSV reader's (zeek_tsv.cpp; the shared rules are in zeek_conn.hpp), so
// both spellings of one log agree:
//  * Timestamp: `ts`, epoch seconds (a number; converted here, RawEvent::hasTime) or an ISO string
//    (Zeek's JSON::TS_ISO8601 option; parsed by the engine).
//  * Direction from local_orig / local_resp:
//      local_orig true                          -> the originator is local; remote = responder
//      local_orig false and local_resp not false -> inbound; remote = originator
//      otherwise (absent, or both false)         -> remote = responder, unless the responder is a
//        non-public address and the originator a public one (then the connection came in)
//  * DeviceName and LocalIP = the local-side address (Zeek has no device names); RemoteIP/RemotePort =
//    the far end. RemoteIPType is not set: the engine classifies the address itself.
//  * ActionType from conn_state: SF S1 S2 S3 RSTO RSTR -> ConnectionSuccess; OTH SHR RSTRH ->
//    ConnectionSuccess when the responder sent packets (resp_pkts, else resp_bytes > 0), else
//    ConnectionFailed; S0 REJ SH RSTOS0 -> ConnectionFailed; absent or other -> ConnectionUnknown.
//  * SentBytes/ReceivedBytes = orig_bytes/resp_bytes seen from the local side.
//  * No process, account or command line: missingColumn() for each, once.
//  * Records of other Zeek logs (`_path`/`@stream` not "conn") are counted with other().
#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"
#include "formats/zeek_conn.hpp"

namespace vpshunt {
namespace {

using namespace zeek;  // the conn fields kTs ... kRespPkts are the first slots
enum Slot : int { kPath = kFieldCount, kStream, kSlotCount };

class ZeekJsonReader final : public jsonev::RecordReader {
 public:
  explicit ZeekJsonReader(RecordSink& sink) : RecordReader(sink, kSlotCount) {}

 private:
  int slotFor(std::string_view p) override {
    // `id_orig_h` (json-streaming-logs) is `id.orig_h`.
    if (p.size() > 3 && p.substr(0, 3) == "id_") {
      if (p == "id_orig_h") return kOrigH;
      if (p == "id_orig_p") return kOrigP;
      if (p == "id_resp_h") return kRespH;
      if (p == "id_resp_p") return kRespP;
      return -1;
    }
    if (p == "_path") return kPath;
    if (p == "@stream") return kStream;
    return fieldByName(p);
  }

  void onRecord() override {
    std::string_view log = hasValue(kPath) ? text(kPath) : hasValue(kStream) ? text(kStream) : std::string_view();
    if (!log.empty() && log != "conn") {
      sink_.other("Zeek " + std::string(log) + " record (not conn)");
      return;
    }
    if (!hasValue(kOrigH) || !hasValue(kRespH)) {
      if (!has(kOrigH) && !has(kRespH) && !has(kTs)) {
        sink_.other("not a Zeek conn record");
      } else {
        int at = hasValue(kOrigH) ? kRespH : kOrigH;
        sink_.skip("missing connection address", valueLine(at), valueColumn(at),
                   "the record has no " + std::string(fieldName(Field(at))));
      }
      return;
    }
    RawEvent e;
    e.line = recordLine();
    if (!hasValue(kTs)) {
      sink_.skip("missing ts", valueLine(kTs), valueColumn(kTs), "the record has no ts");
      return;
    }
    // Epoch seconds (a number, or a number in a string) are converted here; other strings are ISO
    // times (Zeek's JSON::TS_ISO8601) for the engine to parse.
    Ticks t;
    bool epoch = (kind(kTs) == json::TokenKind::Number || kind(kTs) == json::TokenKind::String) &&
                 parseEpochSeconds(text(kTs), t, Exponent::Allow);
    if (epoch) {
      if (isRelativeTime(t) && !relativeNoted_) {
        relativeNoted_ = true;
        sink_.note("ts values are relative (seconds from the start of the capture, e.g. " + std::string(text(kTs)) +
                   "): a JSON log has no #open time, so times are placed on 1970-01-01T00:00:00Z");
      }
      e.hasTime = true;
      e.time = t;
    } else if (kind(kTs) != json::TokenKind::String) {
      sink_.skip("unparseable ts", valueLine(kTs), valueColumn(kTs),
                 "expected epoch seconds such as 1596790164.509987 or an ISO time in ts, found " +
                     std::string(text(kTs)));
      return;
    }
    put(e, EventField::Timestamp, kTs);

    auto flag = [&](int s) { return isTrue(s) ? Flag::True : isFalse(s) ? Flag::False : Flag::Unknown; };
    bool remoteIsOrig = remoteIsOriginator(flag(kLocalOrig), flag(kLocalResp), text(kOrigH), text(kRespH));
    const Orientation o = orient(remoteIsOrig);
    put(e, EventField::DeviceName, o.localH);
    put(e, EventField::LocalIP, o.localH);
    put(e, EventField::RemoteIP, o.remoteH);
    if (hasValue(o.remoteP)) put(e, EventField::RemotePort, o.remoteP);
    if (hasValue(o.localP)) put(e, EventField::LocalPort, o.localP);

    // A count is used when it has a value; any value but "0" is positive.
    auto count = [&](int s) {
      if (!hasValue(s)) return Count::Absent;
      return text(s) != "0" ? Count::Positive : Count::Zero;
    };
    const ConnMeaning m = connMeaning(remoteIsOrig, hasValue(kConnState) ? text(kConnState) : std::string_view(),
                                      [&] { return responderAnswered(count(kRespPkts), count(kRespBytes)); });
    e.direction = m.direction;
    e.outcome = m.outcome;
    e.set(EventField::ActionType, m.actionType, column(kConnState));

    if (hasValue(o.sent)) put(e, EventField::SentBytes, o.sent);
    if (hasValue(o.received)) put(e, EventField::ReceivedBytes, o.received);

    if (!announced_) {
      announced_ = true;
      announceConnLog(sink_, has(kLocalOrig));
    }
    sink_.onEvent(e);
  }

  bool announced_ = false, relativeNoted_ = false;
};

int sniffZeekJson(std::string_view head, std::string_view path) {
  (void)path;
  if (jsonev::firstByte(head) != '{' && jsonev::firstByte(head) != '[') return 0;
  using jsonev::contains;
  bool ids = contains(head, "\"id.orig_h\"") || contains(head, "\"id_orig_h\"");
  bool conn = contains(head, "\"conn_state\"") || contains(head, "\"_path\":\"conn\"") ||
              contains(head, "\"_path\": \"conn\"") || contains(head, "\"@stream\":\"conn\"");
  if (ids && conn) return 100;
  if (ids || contains(head, "\"_path\"") || contains(head, "\"@stream\"")) return 70;
  return 0;
}

std::unique_ptr<Reader> createZeekJson(RecordSink& sink) { return std::make_unique<ZeekJsonReader>(sink); }

}  // namespace

const ReaderFactory& zeekJsonFactory() {
  static const ReaderFactory f{"zeek-json",
                               "Zeek conn.log as JSON (id.orig_h or id_orig_h keys, _path/@stream), one record a line",
                               FileKind::Events, sniffZeekJson, createZeekJson};
  return f;
}

}  // namespace vpshunt
