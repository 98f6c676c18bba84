// How regular a flow's connections are: the beacon test of the "beyond the seed" mode.
//
// Input: connection times in ascending order (any number; fewer than 4 beats scores 0). Output: the
// median interval and a score in [0, 1] that is near 1 for a process that sleeps a fixed time
// between callbacks, even with jitter (up to about ±30 %) and missed beats, and low for traffic
// whose intervals are random (Poisson-like) at the same rate.
//
// Method (after RITA's beacon analysis, extended):
//  1. Connections closer than `burstSeconds` to the previous one are one beat (a callback that opens
//     several connections).
//  2. Intervals between beats; m = their median (robust to a minority of missed beats).
//  3. regular  = share of intervals within ±35 % of m
//     dispersion = MAD / m  ->  dispersionScore = max(0, 1 - dispersion / 0.5)
//     skew = Bowley skew (Q1 + Q3 - 2·Q2) / (Q3 - Q1), taken as 0 when Q3 - Q1 is below
//            max(1 s, 2 % of m) (RITA's minimum spread)  ->  skewScore = 1 - |skew|
//  4. score = 0.45·regular + 0.35·dispersionScore + 0.20·skewScore
#pragma once
#include <cstdint>
#include <vector>

#include "vpshunt/time.hpp"

namespace vpshunt {

struct Periodicity {
  double score = 0;                 // 0..1
  double medianIntervalSeconds = 0;  // 0 when too few beats
  double dispersion = 0;            // MAD / median
  double skew = 0;                  // Bowley
  double regularShare = 0;          // share of intervals within ±35 % of the median
  uint32_t beats = 0;               // after merging bursts
  uint32_t missedBeats = 0;         // intervals of about 2 or 3 medians (informational)
};

Periodicity measurePeriodicity(const std::vector<Ticks>& sortedTimes, double burstSeconds = 1.0);

}  // namespace vpshunt
