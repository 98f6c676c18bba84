// Time as the core sees it: 100-nanosecond ticks since the Unix epoch, UTC.
//
// 100 ns is the precision Defender writes (`2023-10-18T14:37:28.2012261Z`), so no event time is
// ever rounded. An int64 holds ±29,000 years of ticks.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace vpshunt {

using Ticks = int64_t;
constexpr Ticks kTicksPerSecond = 10'000'000;
constexpr Ticks kTicksPerMinute = 60 * kTicksPerSecond;
constexpr Ticks kTicksPerHour = 60 * kTicksPerMinute;
constexpr Ticks kTicksPerDay = 24 * kTicksPerHour;

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t year, unsigned month, unsigned day);

// Parses ISO 8601 / RFC 3339: `YYYY-MM-DD[T| ]hh:mm[:ss[.f{1,9}]][Z|±hh:mm|±hhmm]`.
// A time without a zone is taken as UTC. Fraction digits past the seventh are truncated.
// Returns false (and leaves `out` unchanged) when the text is not such a time; `errorOffset`, when
// given, receives the 0-based offset of the first character that did not fit.
bool parseIsoTime(std::string_view text, Ticks& out, size_t* errorOffset = nullptr);

// The US-locale form that Log Analytics' "Export to CSV" and Excel write:
// `M/D/YYYY[, ][h:mm[:ss[.fff]][ AM| PM]]` (a date alone is midnight). Taken as UTC.
bool parseUsLocaleTime(std::string_view text, Ticks& out);
// parseIsoTime, then parseUsLocaleTime.
bool parseAnyTime(std::string_view text, Ticks& out);

// Locale times as Log Analytics' "Export to CSV" writes them: in the exporting browser's locale,
// which the file does not name. `A/B/YYYY[,] h:mm[:ss[.f]][ AM|PM]` is month/day (en-US) or
// day/month (en-GB, fr, en-AU...), and a 12-hour clock occurs with either order, so only the numbers
// of a file can tell (readers decide per file, never from one ambiguous row). Dotted and dashed
// dates with the year last (`21.04.2025`, `21-4-2025`) are always day/month; year-first dates
// (`2025/4/21`) are always year/month/day. AM/PM may be upper or lower case. Taken as UTC.
enum class DateOrder : uint8_t { MonthFirst, DayFirst };

// A locale date-time split into its numbers, before deciding what the first two mean.
struct LocaleDateTime {
  unsigned first = 0, second = 0, year = 0;  // the date's numbers in text order (year-first: month, day)
  char separator = 0;                        // '/', '.' or '-'
  bool yearFirst = false;
  bool hasClock = false;  // a time of day follows the date
  bool amPm = false;      // ... with AM/PM
  unsigned hour = 0, minute = 0, seconds = 0;  // as written (12-hour clock when amPm)
  bool pm = false;
  int64_t fraction = 0;  // ticks
  // Whether reading it month/day or day/month gives two different valid dates: a slash date with
  // year last whose first two numbers differ and are both 1..12.
  bool orderMatters() const {
    return !yearFirst && separator == '/' && first != second && first >= 1 && first <= 12 && second >= 1 &&
           second <= 12;
  }
};
// Splits `text` (false when it is not such a text; the numbers are not yet checked as a date).
bool splitLocaleTime(std::string_view text, LocaleDateTime& out);
// The time `text` stands for when slash dates are in `order` (dotted, dashed and year-first dates
// ignore it). False when it is not a locale time or not a valid date in that order.
bool parseLocaleTime(std::string_view text, DateOrder order, Ticks& out);

// `YYYY-MM-DDThh:mm:ss[.fffffff]Z`, as KQL prints datetimes: seven fraction digits when the time
// has a fraction, none when it falls on a whole second.
std::string formatIsoTime(Ticks t);
// formatIsoTime(t) appended to out (no string made).
void appendIsoTime(Ticks t, std::string& out);
// `YYYY-MM-DDThh:mm:ssZ` (whole seconds, the bin-start form).
std::string formatIsoSeconds(Ticks t);

// Floor division that rounds toward minus infinity (bins before 1970 stay aligned).
constexpr int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace vpshunt
