#include "events/net_event.hpp"

#include "events/values.hpp"

namespace vpshunt {

ActionMeaning actionTypeMeaning(std::string_view a) {
  // By length first: one compare for the common ActionTypes.
  switch (a.size()) {
    case 17:
      if (sameText(a, "ConnectionSuccess")) return {Direction::Outbound, Outcome::Success};
      if (sameText(a, "ConnectionRequest")) return {Direction::Outbound, Outcome::Unknown};
      if (sameText(a, "ConnectionAttempt")) return {Direction::Outbound, Outcome::Failure};
      break;
    case 16:
      if (sameText(a, "ConnectionFailed")) return {Direction::Outbound, Outcome::Failure};
      break;
    case 25:
      if (sameText(a, "InboundConnectionAccepted")) return {Direction::Inbound, Outcome::Success};
      break;
    case 23:
      if (sameText(a, "InboundConnectionFailed")) return {Direction::Inbound, Outcome::Failure};
      break;
    case 26:
      if (sameText(a, "ListeningConnectionCreated")) return {Direction::Listening, Outcome::Unknown};
      break;
    default:
      break;
  }
  return {};
}

std::string_view directionName(Direction d) {
  switch (d) {
    case Direction::Outbound: return "outbound";
    case Direction::Inbound: return "inbound";
    case Direction::Listening: return "listening";
    default: return "unknown";
  }
}

}  // namespace vpshunt
