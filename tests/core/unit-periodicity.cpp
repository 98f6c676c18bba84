// The beacon test: planted beacons (1-60 min sleeps, 0-30 % jitter, missed beats) score above
// Poisson traffic with the same number of connections.
#include <catch2/catch.hpp>

#include <random>

#include "detections/beacon/periodicity.hpp"

using vpshunt::kTicksPerSecond;
using vpshunt::measurePeriodicity;
using vpshunt::Ticks;

namespace {

std::vector<Ticks> beacon(double sleepSeconds, double jitter, int n, double missRate, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0), coin(0.0, 1.0);
  std::vector<Ticks> out;
  double t = 1.7e9;
  while (int(out.size()) < n) {
    t += sleepSeconds * (1.0 + jitter * u(rng));
    if (coin(rng) < missRate) continue;  // the implant missed this beat
    out.push_back(Ticks(t * double(kTicksPerSecond)));
  }
  return out;
}

std::vector<Ticks> poisson(double meanSeconds, int n, std::mt19937_64& rng) {
  std::exponential_distribution<double> e(1.0 / meanSeconds);
  std::vector<Ticks> out;
  double t = 1.7e9;
  for (int i = 0; i < n; ++i) {
    t += e(rng);
    out.push_back(Ticks(t * double(kTicksPerSecond)));
  }
  return out;
}

}  // namespace

TEST_CASE("periodicity: exact beacon", "[periodicity]") {
  std::vector<Ticks> t;
  for (int i = 0; i < 50; ++i) t.push_back(Ticks(i) * 300 * kTicksPerSecond);
  auto p = measurePeriodicity(t);
  CHECK(p.medianIntervalSeconds == Approx(300));
  CHECK(p.score == Approx(1.0));
  CHECK(p.dispersion == Approx(0.0));
}

TEST_CASE("periodicity: bursts of connections are one beat", "[periodicity]") {
  std::vector<Ticks> t;
  for (int i = 0; i < 30; ++i) {
    t.push_back(Ticks(i) * 60 * kTicksPerSecond);
    t.push_back(Ticks(i) * 60 * kTicksPerSecond + kTicksPerSecond / 10);
  }
  auto p = measurePeriodicity(t);
  CHECK(p.beats == 30);
  CHECK(p.medianIntervalSeconds == Approx(60).epsilon(0.01));
  CHECK(p.score > 0.95);
}

TEST_CASE("periodicity: too few beats say little", "[periodicity]") {
  CHECK(measurePeriodicity({}).score == 0);
  CHECK(measurePeriodicity({0, kTicksPerSecond}).score == 0);
  CHECK(measurePeriodicity({0, 60 * kTicksPerSecond, 120 * kTicksPerSecond, 180 * kTicksPerSecond}).score < 0.6);
}

TEST_CASE("periodicity: every beacon scores above every Poisson process of the same size", "[periodicity]") {
  std::mt19937_64 rng(20261126);
  double lowestBeacon = 1, highestRandom = 0;
  for (double sleepMin : {1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 45.0, 60.0}) {
    for (double jitter : {0.0, 0.1, 0.2, 0.3}) {
      for (double miss : {0.0, 0.1}) {
        // A day of beaconing, at most 400 callbacks.
        int n = std::max(20, std::min(400, int(24 * 60 / sleepMin)));
        auto b = measurePeriodicity(beacon(sleepMin * 60, jitter, n, miss, rng));
        auto r = measurePeriodicity(poisson(sleepMin * 60, n, rng));
        INFO("sleep " << sleepMin << " min, jitter " << jitter << ", miss " << miss << ": beacon " << b.score
                      << " (median " << b.medianIntervalSeconds << " s), random " << r.score);
        CHECK(b.medianIntervalSeconds == Approx(sleepMin * 60).epsilon(0.25));
        lowestBeacon = std::min(lowestBeacon, b.score);
        highestRandom = std::max(highestRandom, r.score);
      }
    }
  }
  INFO("lowest beacon " << lowestBeacon << ", highest random " << highestRandom);
  CHECK(lowestBeacon > highestRandom);
  CHECK(lowestBeacon > 0.7);
  CHECK(highestRandom < 0.6);
}
