// A small, fast, non-cryptographic hash for group keys (8 bytes a step; 32 in four lanes for long
// texts). Not exposed to input that could choose collisions cheaply in a way that matters: a flood
// of colliding keys only slows one analysis down, it cannot make it wrong (keys are always compared
// in full).
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

// The 16 bytes of an address (IPv4 mapped into IPv6), as two words.
inline uint64_t hashAddress(const uint8_t* bytes16) {
  uint64_t w0, w1;
  std::memcpy(&w0, bytes16, 8);
  std::memcpy(&w1, bytes16 + 8, 8);
  return mix64(mix64(kHashSeed, w0), w1);
}

inline uint64_t hashBytes(std::string_view s, uint64_t seed) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
  if (n >= 32) {
    // Four independent lanes: a command line costs a quarter of the multiply chain.
    uint64_t a = h, b = h ^ 0x6a09e667f3bcc909ULL, c = h ^ 0xbb67ae8584caa73bULL, d = h ^ 0x3c6ef372fe94f82bULL;
    do {
      uint64_t w[4];
      std::memcpy(w, p, 32);
      a = mix64(a, w[0]);
      b = mix64(b, w[1]);
      c = mix64(c, w[2]);
      d = mix64(d, w[3]);
      p += 32;
      n -= 32;
    } while (n >= 32);
    h = mix64(mix64(mix64(a, b), c), d);
  }
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h, w);
    p += 8;
    n -= 8;
  }
  if (n) {
    // The last n bytes as a little-endian word: one overlapping 8-byte load when the text is long
    // enough (a memcpy of variable size is a library call in wasm), else byte by byte.
    uint64_t w = 0;
    if (s.size() >= 8) {
      std::memcpy(&w, p + n - 8, 8);
      w >>= 8 * (8 - n);
    } else {
      for (size_t i = 0; i < n; ++i) w |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    h = mix64(h, w ^ (uint64_t(n) << 56));
  }
  return h;
}

}  // namespace vpshunt
