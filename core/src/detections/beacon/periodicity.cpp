#include "detections/beacon/periodicity.hpp"

#include <algorithm>
#include <cmath>

namespace vpshunt {

namespace {

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  double pos = q * double(sorted.size() - 1);
  size_t i = size_t(pos);
  double frac = pos - double(i);
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] * (1 - frac) + sorted[i + 1] * frac;
}

}  // namespace

Periodicity measurePeriodicity(const std::vector<Ticks>& times, double burstSeconds) {
  Periodicity p;
  if (times.size() < 2) return p;
  const Ticks burst = Ticks(burstSeconds * double(kTicksPerSecond));
  std::vector<double> intervals;
  intervals.reserve(times.size());
  Ticks lastBeat = times[0];
  p.beats = 1;
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] - times[i - 1] < burst) continue;  // same callback
    intervals.push_back(double(times[i] - lastBeat) / double(kTicksPerSecond));
    lastBeat = times[i];
    ++p.beats;
  }
  if (intervals.size() < 3) return p;

  std::vector<double> sorted = intervals;
  std::sort(sorted.begin(), sorted.end());
  const double m = quantile(sorted, 0.5);
  p.medianIntervalSeconds = m;
  if (m <= 0) return p;
  std::vector<double> dev;
  dev.reserve(sorted.size());
  size_t regular = 0;
  for (double d : sorted) {
    dev.push_back(std::fabs(d - m));
    if (std::fabs(d - m) <= 0.35 * m) ++regular;
    // A missed beat: about twice or three times the median (reported, not rewarded: random
    // traffic has such intervals too).
    for (double k : {2.0, 3.0})
      if (std::fabs(d - k * m) <= 0.15 * k * m) ++p.missedBeats;
  }
  std::sort(dev.begin(), dev.end());
  p.dispersion = quantile(dev, 0.5) / m;
  p.regularShare = double(regular) / double(sorted.size());
  const double q1 = quantile(sorted, 0.25), q2 = m, q3 = quantile(sorted, 0.75);
  const double spread = q3 - q1;
  p.skew = spread < std::max(1.0, 0.02 * m) ? 0.0 : (q1 + q3 - 2 * q2) / spread;
  const double dispersionScore = std::max(0.0, 1.0 - p.dispersion / 0.5);
  const double skewScore = 1.0 - std::min(1.0, std::fabs(p.skew));
  p.score = 0.45 * p.regularShare + 0.35 * dispersionScore + 0.20 * skewScore;
  // Few beats say little: shrink toward 0 below 6 intervals.
  if (sorted.size() < 6) p.score *= double(sorted.size()) / 6.0;
  p.score = std::clamp(p.score, 0.0, 1.0);
  return p;
}

}  // namespace vpshunt
