// Time parsing and formatting: ISO 8601 with 0-7 fraction digits and zones, locale forms.
#include <catch2/catch.hpp>

#include "vpshunt/time.hpp"

using vpshunt::formatIsoTime;
using vpshunt::parseAnyTime;
using vpshunt::parseIsoTime;
using vpshunt::Ticks;

TEST_CASE("ISO 8601 times", "[time]") {
  struct Case {
    const char* input;
    const char* expected;  // formatIsoTime of the result; nullptr = must fail
  } cases[] = {
      {"2023-10-18T14:37:28.2012261Z", "2023-10-18T14:37:28.2012261Z"},
      {"2023-10-18T14:37:28Z", "2023-10-18T14:37:28Z"},
      {"2023-10-18T14:37:28.5Z", "2023-10-18T14:37:28.5000000Z"},
      {"2023-10-18T14:37:28.123456Z", "2023-10-18T14:37:28.1234560Z"},
      {"2023-10-18T14:37:28.123456789Z", "2023-10-18T14:37:28.1234567Z"},  // truncated to 100 ns
      {"2023-10-18T14:37:28+02:00", "2023-10-18T12:37:28Z"},
      {"2026-06-12T03:23:01.540677-0400", "2026-06-12T07:23:01.5406770Z"},
      {"2020-08-06 05:20:17.513", "2020-08-06T05:20:17.5130000Z"},  // no zone: UTC
      {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
      {"1969-12-31T23:59:59.9Z", "1969-12-31T23:59:59.9000000Z"},
      {"2023-02-29T00:00:00Z", nullptr},
      {"2023-13-01T00:00:00Z", nullptr},
      {"2023-10-18", nullptr},
      {"2023-10-18T25:00:00Z", nullptr},
      {"2023-10-18T14:37:28.Z", nullptr},
      {"2023-10-18T14:37:28Zjunk", nullptr},
      {"yesterday", nullptr},
      {"", nullptr},
  };
  for (const auto& c : cases) {
    SECTION(c.input) {
      Ticks t = 0;
      bool ok = parseIsoTime(c.input, t);
      CHECK(ok == (c.expected != nullptr));
      if (ok && c.expected) CHECK(formatIsoTime(t) == c.expected);
    }
  }
}

TEST_CASE("Log Analytics / Excel locale times", "[time]") {
  struct Case {
    const char* input;
    const char* expected;
  } cases[] = {
      {"6/17/2023, 2:32:49.068 PM", "2023-06-17T14:32:49.0680000Z"},
      {"2/25/2025, 9:19:25.391 AM", "2025-02-25T09:19:25.3910000Z"},
      {"12/7/2022", "2022-12-07T00:00:00Z"},
      {"1/1/2024, 12:00:00 AM", "2024-01-01T00:00:00Z"},
      {"1/1/2024, 12:00:00 PM", "2024-01-01T12:00:00Z"},
      {"13/1/2024", nullptr},
      {"1/1/2024, 13:00:00 PM", nullptr},
  };
  for (const auto& c : cases) {
    SECTION(c.input) {
      Ticks t = 0;
      bool ok = parseAnyTime(c.input, t);
      CHECK(ok == (c.expected != nullptr));
      if (ok && c.expected) CHECK(formatIsoTime(t) == c.expected);
    }
  }
}

TEST_CASE("floorDiv and bin starts before 1970", "[time]") {
  CHECK(vpshunt::floorDiv(-1, 60) == -1);
  CHECK(vpshunt::floorDiv(0, 60) == 0);
  CHECK(vpshunt::floorDiv(59, 60) == 0);
  CHECK(vpshunt::formatIsoSeconds(-1) == "1969-12-31T23:59:59Z");
}

TEST_CASE("locale times in either date order", "[time]") {
  using vpshunt::DateOrder;
  using vpshunt::LocaleDateTime;
  struct Case {
    const char* input;
    DateOrder order;
    const char* expected;  // nullptr = must fail
  } cases[] = {
      {"21/04/2025, 09:45:54.000", DateOrder::DayFirst, "2025-04-21T09:45:54Z"},
      {"21/04/2025, 09:45:54.000", DateOrder::MonthFirst, nullptr},
      {"02/04/2025, 10:13:15.000", DateOrder::DayFirst, "2025-04-02T10:13:15Z"},
      {"02/04/2025, 10:13:15.000", DateOrder::MonthFirst, "2025-02-04T10:13:15Z"},
      {"6/17/2023, 2:32:49.068 PM", DateOrder::MonthFirst, "2023-06-17T14:32:49.0680000Z"},
      {"6/17/2023, 2:32:49.068 PM", DateOrder::DayFirst, nullptr},
      {"21/4/2025, 9:45:54 pm", DateOrder::DayFirst, "2025-04-21T21:45:54Z"},  // en-AU: day first, 12-hour clock
      {"21.04.2025, 09:45:54", DateOrder::MonthFirst, "2025-04-21T09:45:54Z"},  // dotted: always day first
      {"2.4.2025, 18:00:00", DateOrder::MonthFirst, "2025-04-02T18:00:00Z"},
      {"21-4-2025, 09:45:54", DateOrder::MonthFirst, "2025-04-21T09:45:54Z"},
      {"2025/4/21 09:45:54", DateOrder::DayFirst, "2025-04-21T09:45:54Z"},      // year first
      {"29/02/2023, 10:00:00", DateOrder::DayFirst, nullptr},
      {"29/02/2024, 10:00:00", DateOrder::DayFirst, "2024-02-29T10:00:00Z"},
      {"21/04/2025, 24:00:00", DateOrder::DayFirst, nullptr},
      {"21/04/25, 09:45:54", DateOrder::DayFirst, nullptr},
      {"21/04/2025 junk", DateOrder::DayFirst, nullptr},
  };
  for (const auto& c : cases) {
    SECTION(c.input) {
      Ticks t = 0;
      bool ok = vpshunt::parseLocaleTime(c.input, c.order, t);
      CHECK(ok == (c.expected != nullptr));
      if (ok && c.expected) CHECK(formatIsoTime(t) == c.expected);
    }
  }
  SECTION("split: which rows leave the order open") {
    LocaleDateTime d;
    REQUIRE(vpshunt::splitLocaleTime("02/04/2025, 10:13:15.000", d));
    CHECK(d.orderMatters());
    CHECK(d.hasClock);
    CHECK_FALSE(d.amPm);
    CHECK(d.hour == 10);
    REQUIRE(vpshunt::splitLocaleTime("4/4/2025, 1:00 AM", d));
    CHECK_FALSE(d.orderMatters());  // the same date either way
    CHECK(d.amPm);
    REQUIRE(vpshunt::splitLocaleTime("21/04/2025", d));
    CHECK_FALSE(d.orderMatters());
    CHECK(d.first == 21);
    CHECK_FALSE(d.hasClock);
    REQUIRE(vpshunt::splitLocaleTime("02.04.2025, 10:00", d));
    CHECK_FALSE(d.orderMatters());  // dotted: day first
    CHECK_FALSE(vpshunt::splitLocaleTime("2023-10-18T14:37:28Z", d));
  }
  SECTION("the en-US parser still refuses the other shapes") {
    Ticks t = 0;
    CHECK_FALSE(vpshunt::parseUsLocaleTime("21.04.2025, 09:45:54", t));
    CHECK_FALSE(vpshunt::parseUsLocaleTime("2025/4/21 09:45:54", t));
    CHECK(vpshunt::parseUsLocaleTime("4/21/2025 9:45", t));
  }
}

TEST_CASE("formatIsoTime digit by digit: fixed times, round trips, and years outside 0-9999", "[time]") {
  using vpshunt::appendIsoTime;
  using vpshunt::formatIsoSeconds;
  using vpshunt::kTicksPerSecond;
  CHECK(formatIsoTime(0) == "1970-01-01T00:00:00Z");
  CHECK(formatIsoTime(-1) == "1969-12-31T23:59:59.9999999Z");
  CHECK(formatIsoTime(1) == "1970-01-01T00:00:00.0000001Z");
  CHECK(formatIsoSeconds(-1) == "1969-12-31T23:59:59Z");
  Ticks t = 0;
  REQUIRE(parseIsoTime("0000-01-01T00:00:00Z", t));
  CHECK(formatIsoTime(t) == "0000-01-01T00:00:00Z");
  CHECK(formatIsoTime(t - kTicksPerSecond) == "-001-12-31T23:59:59Z");  // snprintf's %04lld, as before
  REQUIRE(parseIsoTime("9999-12-31T23:59:59.9999999Z", t));
  CHECK(formatIsoTime(t) == "9999-12-31T23:59:59.9999999Z");
  CHECK(formatIsoTime(t + 1) == "10000-01-01T00:00:00Z");
  // Every field's digits: times spread over years 1 to 9999, each parsed back to itself, and the
  // appended form the same as the string.
  uint64_t x = 88172645463325252ull;
  Ticks lo = 0, hi = 0;
  REQUIRE(parseIsoTime("0001-01-01T00:00:00Z", lo));
  REQUIRE(parseIsoTime("9999-12-31T23:59:59Z", hi));
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    Ticks v = lo + Ticks(x % uint64_t(hi - lo));
    if (i % 3 == 0) v -= v % kTicksPerSecond;  // whole seconds: no fraction written
    const std::string s = formatIsoTime(v);
    INFO(v << " " << s);
    Ticks back = 0;
    REQUIRE(parseIsoTime(s, back));
    CHECK(back == v);
    CHECK(s.size() == (v % kTicksPerSecond ? 28u : 20u));
    std::string appended = "x";
    appendIsoTime(v, appended);
    CHECK(appended == "x" + s);
    CHECK(formatIsoSeconds(v) == s.substr(0, 19) + "Z");
  }
}
