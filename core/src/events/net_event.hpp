// Network events: what a reader's RawEvent means once its direction and outcome are known.
//
// Direction is a fact of the event, not a guess: the reader says it when its format does (Zeek
// local_orig/local_resp, Suricata's flow roles, Sysmon Initiated, firewall source/destination
// roles); otherwise the export's ActionType says it (Defender). An inbound connection never feeds
// the beacon detection; an outbound one never feeds the inbound detection.
#pragma once
#include <cstdint>
#include <string_view>

#include "formats/record.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

// Defender's ActionTypes (DeviceNetworkEvents) with what each says of direction and outcome:
//   ConnectionSuccess          outbound, success
//   ConnectionFailed           outbound, failure
//   ConnectionAttempt          outbound, failure (no answer seen)
//   ConnectionRequest          outbound, unknown
//   InboundConnectionAccepted  inbound, success
//   InboundConnectionFailed    inbound, failure   (vpshunt's name for a refused inbound connection,
//                                                  written by the Zeek/Suricata/firewall readers)
//   ListeningConnectionCreated listening
//   anything else              unknown (NetworkSignatureInspected and the *Inspected kinds)
struct ActionMeaning {
  Direction direction = Direction::Unknown;
  Outcome outcome = Outcome::Unknown;
};
ActionMeaning actionTypeMeaning(std::string_view actionType);

// The event's direction and outcome: the reader's when it gave them, else the ActionType's.
inline ActionMeaning eventMeaning(const RawEvent& e) {
  ActionMeaning m{e.direction, e.outcome};
  if (m.direction == Direction::Unknown || m.outcome == Outcome::Unknown) {
    const ActionMeaning a = e.has(EventField::ActionType) ? actionTypeMeaning(e.get(EventField::ActionType)) : ActionMeaning{};
    if (m.direction == Direction::Unknown) m.direction = a.direction;
    if (m.outcome == Outcome::Unknown) m.outcome = a.outcome;
  }
  return m;
}

std::string_view directionName(Direction d);  // "outbound", "inbound", "listening", "unknown"

}  // namespace vpshunt
