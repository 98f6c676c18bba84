// What the two Zeek conn.log readers (zeek_tsv.cpp: Zeek's TSV; json_events_zeek.cpp: Zeek's JSON)
// share: the columns they read, how `ts` is parsed, which side is remote, which byte count is sent,
// and the conn_state -> ActionType table. Each reader keeps what belongs to its format: how a flag
// or a count is spelled (TSV "T"/"-", JSON true/null), columns, and its notes about time.
#pragma once
#include <cstdint>
#include <string_view>

#include "formats/record.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt::zeek {

// The conn.log columns the readers use. Readers index their per-record arrays with these.
enum Field : int {
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
  kFieldCount
};

// Zeek's own (dotted) column name: "ts", "id.orig_h", ...
std::string_view fieldName(Field f);
// The field called `name` (Zeek's dotted spelling), or -1.
int fieldByName(std::string_view name);

// Epoch seconds with an optional fraction ("1596790164.509987", "-1.5") -> ticks; exact (no floating
// point), digits past 100 ns are dropped. At least one digit before the point is required. With
// Exponent::Allow, an exponent form ("1.5e9") is read through a double (JSON writers may use it);
// Zeek's TSV writer never does, so that reader rejects it. False when not such a number.
enum class Exponent : uint8_t { Reject, Allow };
bool parseEpochSeconds(std::string_view text, Ticks& out, Exponent exponent);

// ts values below 1e8 s (before 1973-03-03) are relative: seconds from the start of the capture.
inline bool isRelativeTime(Ticks t) { return t < 100'000'000LL * kTicksPerSecond; }

// A local_orig / local_resp value as the reader understood it.
enum class Flag : int8_t { Unknown = -1, False = 0, True = 1 };

// Which side is remote:
//   local_orig T                      -> the originator is local; remote = responder
//   local_orig F, local_resp not F    -> inbound; remote = originator
//   otherwise (unknown, or F,F)       -> remote = responder, unless the responder is a non-public
//                                        address and the originator a public one
bool remoteIsOriginator(Flag localOrig, Flag localResp, std::string_view origH, std::string_view respH);

// The columns for each side once the remote side is known. SentBytes is what the local side sent.
// The remote side originating the connection makes it inbound: LocalPort is then the service reached.
struct Orientation {
  Field localH, localP, remoteH, remoteP, sent, received;
};
inline Orientation orient(bool remoteIsOrig) {
  if (remoteIsOrig) return {kRespH, kRespP, kOrigH, kOrigP, kRespBytes, kOrigBytes};
  return {kOrigH, kOrigP, kRespH, kRespP, kOrigBytes, kRespBytes};
}

// A resp_pkts / resp_bytes value as the reader understood it: absent (or unusable), zero, or more.
enum class Count : uint8_t { Absent, Zero, Positive };
// Whether the responder sent anything: resp_pkts decides when usable, else resp_bytes.
inline bool responderAnswered(Count respPkts, Count respBytes) {
  return respPkts != Count::Absent ? respPkts == Count::Positive : respBytes == Count::Positive;
}

// conn_state -> ActionType:
//   SF S1 S2 S3 RSTO RSTR   (a handshake was seen)               -> ConnectionSuccess
//   OTH SHR RSTRH           (no SYN seen from the originator)    -> ConnectionSuccess when `answered()`
//                                                                   (see responderAnswered), else ConnectionFailed
//   S0 REJ SH RSTOS0        (no answer, rejected, given up)      -> ConnectionFailed
//   anything else, or empty                                      -> ConnectionUnknown
// `answered` is only called for the middle group.
enum class StateGroup : uint8_t { Unknown, Established, NoSyn, Failed };
StateGroup stateGroup(std::string_view connState);
template <class Answered>
std::string_view actionType(std::string_view connState, Answered&& answered) {
  switch (stateGroup(connState)) {
    case StateGroup::Established:
      return "ConnectionSuccess";
    case StateGroup::Failed:
      return "ConnectionFailed";
    case StateGroup::NoSyn:
      return answered() ? "ConnectionSuccess" : "ConnectionFailed";
    case StateGroup::Unknown:
      break;
  }
  return "ConnectionUnknown";
}

// A connection's direction (inbound when the remote side originated it), outcome (from conn_state
// as actionType() groups it) and the ActionType written for it: outbound as actionType() says;
// inbound InboundConnectionAccepted (established) or InboundConnectionFailed (no answer, rejected).
struct ConnMeaning {
  Direction direction;
  Outcome outcome;
  std::string_view actionType;
};
template <class Answered>
ConnMeaning connMeaning(bool remoteIsOrig, std::string_view connState, Answered&& answered) {
  const std::string_view outbound = actionType(connState, answered);
  const Outcome outcome = outbound == "ConnectionSuccess" ? Outcome::Success
                          : outbound == "ConnectionFailed" ? Outcome::Failure
                                                           : Outcome::Unknown;
  if (!remoteIsOrig) return {Direction::Outbound, outcome, outbound};
  return {Direction::Inbound, outcome,
          outcome == Outcome::Success   ? std::string_view("InboundConnectionAccepted")
          : outcome == Outcome::Failure ? std::string_view("InboundConnectionFailed")
                                        : outbound};
}

// What a conn log lacks, said once per file: no device names, process, account or command line; and
// the direction rule when there is no local_orig column.
void announceConnLog(RecordSink& sink, bool hasLocalOrig);

}  // namespace vpshunt::zeek
