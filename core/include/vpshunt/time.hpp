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

// `YYYY-MM-DDThh:mm:ss[.fffffff]Z`, as KQL prints datetimes: seven fraction digits when the time
// has a fraction, none when it falls on a whole second.
std::string formatIsoTime(Ticks t);
// `YYYY-MM-DDThh:mm:ssZ` (whole seconds, the bin-start form).
std::string formatIsoSeconds(Ticks t);

// Floor division that rounds toward minus infinity (bins before 1970 stay aligned).
constexpr int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace vpshunt
