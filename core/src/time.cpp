#include "vpshunt/time.hpp"

#include <cstdio>
#include <cstring>

namespace vpshunt {

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

struct Civil {
  int64_t y;
  unsigned m, d;
};

Civil civilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

inline bool digit(char c) { return c >= '0' && c <= '9'; }

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned daysInMonth(int64_t y, unsigned m) {
  static const unsigned k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : k[m - 1];
}

}  // namespace

namespace {

// The shape every Defender/Sentinel export uses, `YYYY-MM-DDThh:mm:ss[.f{1,7}]Z`, parsed without
// branches per character; consecutive rows share their date, so the day number is cached.
inline bool fastIso(std::string_view s, Ticks& out) {
  const size_t n = s.size();
  if (n < 20 || n > 28 || s[n - 1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':')
    return false;
  auto d2 = [&](size_t i) -> unsigned {
    unsigned a = unsigned(s[i] - '0'), b = unsigned(s[i + 1] - '0');
    return a > 9 || b > 9 ? 1000u : a * 10 + b;
  };
  unsigned hour = d2(11), minute = d2(14), second = d2(17);
  if (hour > 23 || minute > 59 || second > 59) return false;
  int64_t frac = 0;
  if (n > 20) {
    if (s[19] != '.' || n == 21) return false;
    for (size_t i = 20; i < n - 1; ++i) {
      unsigned c = unsigned(s[i] - '0');
      if (c > 9) return false;
      frac = frac * 10 + c;
    }
    static const int64_t scale[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    frac *= scale[n - 22];
  } else if (s[19] != 'Z') {
    return false;
  }
  thread_local char cachedDate[10] = {0};
  thread_local int64_t cachedDays = 0;
  if (std::memcmp(cachedDate, s.data(), 10) != 0) {
    unsigned y1 = d2(0), y2 = d2(2), month = d2(5), day = d2(8);
    if (y1 > 99 || y2 > 99 || month < 1 || month > 12 || day < 1) return false;
    int64_t year = y1 * 100 + y2;
    static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leapYear = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > dim[month - 1] + (month == 2 && leapYear)) return false;
    cachedDays = daysFromCivil(year, month, day);
    std::memcpy(cachedDate, s.data(), 10);
  }
  out = (cachedDays * 86400 + int64_t(hour) * 3600 + int64_t(minute) * 60 + second) * kTicksPerSecond + frac;
  return true;
}

}  // namespace

bool parseIsoTime(std::string_view s, Ticks& out, size_t* errorOffset) {
  if (fastIso(s, out)) return true;
  size_t i = 0;
  const size_t n = s.size();
  auto fail = [&](size_t at) {
    if (errorOffset) *errorOffset = at;
    return false;
  };
  auto num = [&](size_t count, unsigned& v) {
    if (i + count > n) return false;
    v = 0;
    for (size_t k = 0; k < count; ++k) {
      char c = s[i + k];
      if (!digit(c)) {
        i += k;
        return false;
      }
      v = v * 10 + unsigned(c - '0');
    }
    i += count;
    return true;
  };
  unsigned year, month, day, hour, minute, second = 0;
  if (!num(4, year)) return fail(i);
  if (i >= n || s[i] != '-') return fail(i);
  ++i;
  if (!num(2, month) || month < 1 || month > 12) return fail(i);
  if (i >= n || s[i] != '-') return fail(i);
  ++i;
  if (!num(2, day) || day < 1 || day > daysInMonth(year, month)) return fail(i);
  if (i >= n || (s[i] != 'T' && s[i] != 't' && s[i] != ' ')) return fail(i);
  ++i;
  if (!num(2, hour) || hour > 23) return fail(i);
  if (i >= n || s[i] != ':') return fail(i);
  ++i;
  if (!num(2, minute) || minute > 59) return fail(i);
  int64_t frac = 0;
  if (i < n && s[i] == ':') {
    ++i;
    if (!num(2, second) || second > 60) return fail(i);  // 60: a leap second, folded below
    if (i < n && (s[i] == '.' || s[i] == ',')) {
      ++i;
      size_t digits = 0;
      while (i < n && digit(s[i])) {
        if (digits < 7) frac = frac * 10 + (s[i] - '0');
        ++digits;
        ++i;
      }
      if (digits == 0) return fail(i);
      for (size_t k = digits; k < 7; ++k) frac *= 10;
    }
  }
  int64_t offsetMinutes = 0;
  if (i < n) {
    char c = s[i];
    if (c == 'Z' || c == 'z') {
      ++i;
    } else if (c == '+' || c == '-') {
      ++i;
      unsigned oh, om = 0;
      if (!num(2, oh) || oh > 23) return fail(i);
      if (i < n && s[i] == ':') ++i;
      if (i < n) {
        if (!num(2, om) || om > 59) return fail(i);
      }
      offsetMinutes = int64_t(oh) * 60 + om;
      if (c == '-') offsetMinutes = -offsetMinutes;
    } else {
      return fail(i);
    }
  }
  if (i != n) return fail(i);
  int64_t days = daysFromCivil(year, month, day);
  int64_t secs = days * 86400 + int64_t(hour) * 3600 + int64_t(minute) * 60 + second -
                 offsetMinutes * 60;
  out = secs * kTicksPerSecond + frac;
  return true;
}

bool splitLocaleTime(std::string_view s, LocaleDateTime& out) {
  size_t i = 0, n = s.size();
  auto num = [&](unsigned maxDigits, unsigned& v) {
    size_t start = i;
    v = 0;
    while (i < n && digit(s[i]) && i - start < maxDigits) v = v * 10 + unsigned(s[i++] - '0');
    return i > start;
  };
  LocaleDateTime t;
  unsigned a, b, c;
  size_t aStart = i;
  if (!num(4, a)) return false;
  const size_t aDigits = i - aStart;
  if (i >= n || (s[i] != '/' && s[i] != '.' && s[i] != '-')) return false;
  t.separator = s[i++];
  if (!num(2, b) || i >= n || s[i++] != t.separator) return false;
  size_t cStart = i;
  if (!num(4, c)) return false;
  if (aDigits == 4) {  // year first: YYYY/M/D
    if (a < 1000 || i - cStart > 2) return false;
    t.yearFirst = true;
    t.year = a;
    t.first = b;
    t.second = c;
  } else {
    if (aDigits > 2 || c < 1000) return false;
    t.first = a;
    t.second = b;
    t.year = c;
  }
  if (i < n && t.separator == '.' && s[i] == '.') ++i;  // "21.04.2025."
  if (i < n) {
    if (s[i] == ',') ++i;
    if (i >= n || s[i] != ' ') return false;
    while (i < n && s[i] == ' ') ++i;
    t.hasClock = true;
    if (!num(2, t.hour) || i >= n || s[i++] != ':') return false;
    if (!num(2, t.minute) || t.minute > 59) return false;
    if (i < n && s[i] == ':') {
      ++i;
      if (!num(2, t.seconds) || t.seconds > 60) return false;
      if (i < n && s[i] == '.') {
        ++i;
        size_t digits = 0;
        while (i < n && digit(s[i])) {
          if (digits < 7) t.fraction = t.fraction * 10 + (s[i] - '0');
          ++digits;
          ++i;
        }
        if (!digits) return false;
        for (size_t k = digits; k < 7; ++k) t.fraction *= 10;
      }
    }
    while (i < n && s[i] == ' ') ++i;
    if (i < n) {
      if (i + 2 != n) return false;
      char x = char(s[i] | 0x20), m = char(s[i + 1] | 0x20);
      if (m != 'm' || (x != 'a' && x != 'p') || t.hour < 1 || t.hour > 12) return false;
      t.amPm = true;
      t.pm = x == 'p';
      i = n;
    } else if (t.hour > 23) {
      return false;
    }
  }
  if (i != n) return false;
  out = t;
  return true;
}

namespace {

bool localeTicks(const LocaleDateTime& t, DateOrder order, Ticks& out) {
  unsigned month = t.first, day = t.second;
  if (!t.yearFirst && (t.separator != '/' || order == DateOrder::DayFirst)) {
    month = t.second;
    day = t.first;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(t.year, month)) return false;
  unsigned hour = t.hour;
  if (t.amPm) {
    if (hour == 12) hour = 0;
    if (t.pm) hour += 12;
  }
  int64_t secs = daysFromCivil(t.year, month, day) * 86400 + int64_t(hour) * 3600 + int64_t(t.minute) * 60 + t.seconds;
  out = secs * kTicksPerSecond + t.fraction;
  return true;
}

}  // namespace

bool parseLocaleTime(std::string_view s, DateOrder order, Ticks& out) {
  LocaleDateTime t;
  return splitLocaleTime(s, t) && localeTicks(t, order, out);
}

bool parseUsLocaleTime(std::string_view s, Ticks& out) {
  // Only the en-US shape, as before the other locales were read: the network-event readers still
  // take any slash date as month/day and refuse the rest.
  LocaleDateTime t;
  return splitLocaleTime(s, t) && t.separator == '/' && !t.yearFirst && localeTicks(t, DateOrder::MonthFirst, out);
}

bool parseAnyTime(std::string_view s, Ticks& out) {
  return parseIsoTime(s, out) || parseUsLocaleTime(s, out);
}

// Writes the form into buf (cap >= 48) and returns its length. Years 0-9999 digit by digit (a row
// has several times and the output writers format each: snprintf was a tenth of a result-heavy run),
// others through snprintf's %04lld (a sign, more digits).
static size_t formatCore(Ticks t, char* buf, size_t cap, bool withFraction) {
  int64_t secs = floorDiv(t, kTicksPerSecond);
  int64_t frac = t - secs * kTicksPerSecond;
  int64_t days = floorDiv(secs, 86400);
  int64_t sod = secs - days * 86400;
  Civil c = civilFromDays(days);
  auto two = [](char* at, unsigned v) {
    at[0] = char('0' + v / 10);
    at[1] = char('0' + v % 10);
  };
  size_t len;
  if (c.y >= 0 && c.y <= 9999) {
    const unsigned y = unsigned(c.y);
    two(buf, y / 100);
    two(buf + 2, y % 100);
    buf[4] = '-';
    two(buf + 5, c.m);
    buf[7] = '-';
    two(buf + 8, c.d);
    buf[10] = 'T';
    two(buf + 11, unsigned(sod / 3600));
    buf[13] = ':';
    two(buf + 14, unsigned(sod / 60 % 60));
    buf[16] = ':';
    two(buf + 17, unsigned(sod % 60));
    len = 19;
  } else {
    len = size_t(std::snprintf(buf, cap, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(c.y), c.m, c.d,
                               int(sod / 3600), int(sod / 60 % 60), int(sod % 60)));
  }
  if (withFraction && frac != 0) {  // KQL's form: all seven digits whenever there is a fraction
    buf[len++] = '.';
    for (int k = 6; k >= 0; --k) {
      buf[len + size_t(k)] = char('0' + frac % 10);
      frac /= 10;
    }
    len += 7;
  }
  buf[len++] = 'Z';
  buf[len] = 0;
  return len;
}

void appendIsoTime(Ticks t, std::string& out) {
  char buf[48];
  out.append(buf, formatCore(t, buf, sizeof buf, true));
}

std::string formatIsoTime(Ticks t) {
  char buf[48];
  formatCore(t, buf, sizeof buf, true);
  return buf;
}

std::string formatIsoSeconds(Ticks t) {
  char buf[48];
  formatCore(t, buf, sizeof buf, false);
  return buf;
}

}  // namespace vpshunt
