// A small, fast, non-cryptographic hash for group keys (8 bytes a step). Not exposed to input
// that could choose collisions cheaply in a way that matters: a flood of colliding keys only slows
// one analysis down, it cannot make it wrong (keys are always compared in full).
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace vpshunt {

// 64-bit multiply and fold: native on x86-64 and on wasm (no 128-bit product needed).
inline uint64_t mix64(uint64_t h, uint64_t w) {
  h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

constexpr uint64_t kHashSeed = 0x5eed;

inline uint64_t hashBytes(std::string_view s, uint64_t seed) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h, w);
    p += 8;
    n -= 8;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = mix64(h, w ^ (uint64_t(n) << 56));
  }
  return h;
}

}  // namespace vpshunt
