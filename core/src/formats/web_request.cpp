#include "formats/web_request.hpp"

#include "events/values.hpp"
#include "formats/firewall_rows.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt::web {

namespace {

bool junk(char c) { return c == ' ' || c == '\t' || c == '+' || c == '"' || c == '\''; }

// One X-Forwarded-For entry as an address text: "[v6]:port" -> "v6", "v4:port" -> "v4", quotes,
// spaces and a `for=` (RFC 7239 style) removed.
std::string_view cleanEntry(std::string_view e) {
  while (!e.empty() && junk(e.front())) e.remove_prefix(1);
  while (!e.empty() && junk(e.back())) e.remove_suffix(1);
  if (e.size() > 4 && equalsIgnoreCaseAscii(e.substr(0, 4), "for=")) {
    e.remove_prefix(4);
    while (!e.empty() && junk(e.front())) e.remove_prefix(1);
  }
  if (!e.empty() && e.front() == '[') {
    size_t close = e.find(']');
    return close == std::string_view::npos ? e : e.substr(1, close - 1);
  }
  size_t colon = e.find(':');
  if (colon != std::string_view::npos && e.find(':', colon + 1) == std::string_view::npos &&
      e.find('.') != std::string_view::npos)
    return e.substr(0, colon);
  return e;
}

bool isAddress(std::string_view text) {
  IpAddress ip;
  return !text.empty() && parseIp(text, ip);
}

bool digits(std::string_view s, size_t at, size_t n, unsigned& v) {
  if (at + n > s.size()) return false;
  v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + unsigned(s[i] - '0');
  }
  return true;
}

}  // namespace

Client clientAddress(std::string_view direct, std::string_view forwarded) {
  direct = trimValue(direct);
  if (fw::sideOf(direct) != fw::Side::Internal) return {direct, false};
  size_t end = forwarded.size();
  while (end > 0) {
    size_t comma = forwarded.rfind(',', end - 1);
    size_t start = comma == std::string_view::npos ? 0 : comma + 1;
    std::string_view entry = cleanEntry(forwarded.substr(start, end - start));
    end = comma == std::string_view::npos ? 0 : comma;
    if (entry.empty() || entry == "-") continue;
    const fw::Side side = fw::sideOf(entry);
    if (side == fw::Side::Unknown) break;  // not an address: nothing left of it is vouched for
    if (side == fw::Side::External) return {entry, true};
  }
  return {direct, false};
}

Outcome statusOutcome(std::string_view status, std::string_view win32) {
  int64_t code;
  if (!parseInt64(trimValue(status), code)) return Outcome::Success;
  if (code == 403 || code == 429 || code == 444) return Outcome::Failure;
  if (code == 401) {
    int64_t w;
    if (parseInt64(trimValue(win32), w) && w == 1326) return Outcome::Failure;
  }
  return Outcome::Success;
}

bool parseClfTime(std::string_view s, Ticks& out) {
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  size_t i = 0;
  unsigned day = 0;
  while (i < s.size() && i < 2 && s[i] >= '0' && s[i] <= '9') day = day * 10 + unsigned(s[i++] - '0');
  if (i == 0 || i >= s.size() || s[i] != '/') return false;
  ++i;
  if (i + 4 > s.size() || s[i + 3] != '/') return false;
  unsigned month = 0;
  for (unsigned m = 0; m < 12; ++m)
    if (equalsIgnoreCaseAscii(s.substr(i, 3), months[m])) month = m + 1;
  if (month == 0) return false;
  i += 4;
  unsigned year, hour, minute, second;
  if (!digits(s, i, 4, year) || i + 4 >= s.size() || s[i + 4] != ':') return false;
  i += 5;
  if (!digits(s, i, 2, hour) || i + 2 >= s.size() || s[i + 2] != ':' || !digits(s, i + 3, 2, minute) ||
      i + 5 >= s.size() || s[i + 5] != ':' || !digits(s, i + 6, 2, second))
    return false;
  i += 8;
  int64_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 7) fraction = fraction * 10 + (s[i] - '0'), ++n;
      ++i;
    }
    while (n++ < 7) fraction *= 10;
  }
  if (i >= s.size() || s[i] != ' ') return false;
  ++i;
  if (i + 5 != s.size() || (s[i] != '+' && s[i] != '-')) return false;
  unsigned oh, om;
  if (!digits(s, i + 1, 2, oh) || !digits(s, i + 3, 2, om) || oh > 23 || om > 59) return false;
  static constexpr unsigned monthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day < 1 || day > monthDays[month - 1] || (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 ||
      second > 60)
    return false;
  const int64_t offset = (int64_t(oh) * 60 + om) * kTicksPerMinute * (s[i] == '-' ? -1 : 1);
  out = daysFromCivil(year, month, day) * kTicksPerDay + int64_t(hour) * kTicksPerHour + int64_t(minute) * kTicksPerMinute +
        int64_t(second) * kTicksPerSecond + fraction - offset;
  return true;
}

bool looksLikeForwardedFor(std::string_view text) {
  if (text.empty() || text == "-") return false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view entry = cleanEntry(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!isAddress(entry) && !equalsIgnoreCaseAscii(entry, "unknown")) return false;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return true;
}

void setRequest(RawEvent& e, std::string_view client, uint32_t clientColumn, Outcome outcome) {
  e.direction = Direction::Inbound;
  e.outcome = outcome;
  e.set(EventField::ActionType, outcome == Outcome::Failure ? "InboundConnectionFailed" : "InboundConnectionAccepted");
  e.set(EventField::RemoteIP, client, clientColumn);
}

}  // namespace vpshunt::web
