// Byte searches for the hot paths, 16 bytes a step with SSE2 natively and simd128 in wasm.
// (Emscripten's memchr/memcmp work a byte at a time; these are what the readers and the engine
// use instead.)
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vpshunt {

// First occurrence of `c` in [p, end), or nullptr.
inline const char* findByte(const char* p, const char* end, char c) {
#if defined(__wasm_simd128__)
  const v128_t n = wasm_i8x16_splat(c);
  while (end - p >= 16) {
    uint32_t bits = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p), n));
    if (bits) return p + __builtin_ctz(bits);
    p += 16;
  }
#elif defined(__SSE2__)
  const __m128i n = _mm_set1_epi8(c);
  while (end - p >= 16) {
    unsigned bits = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), n)));
    if (bits) return p + __builtin_ctz(bits);
    p += 16;
  }
#endif
  for (; p < end; ++p)
    if (*p == c) return p;
  return nullptr;
}

// First occurrence of `a` or `b` in [p, end), or nullptr.
inline const char* findEither(const char* p, const char* end, char a, char b) {
#if defined(__wasm_simd128__)
  const v128_t na = wasm_i8x16_splat(a), nb = wasm_i8x16_splat(b);
  while (end - p >= 16) {
    v128_t v = wasm_v128_load(p);
    uint32_t bits = wasm_i8x16_bitmask(wasm_v128_or(wasm_i8x16_eq(v, na), wasm_i8x16_eq(v, nb)));
    if (bits) return p + __builtin_ctz(bits);
    p += 16;
  }
#elif defined(__SSE2__)
  const __m128i na = _mm_set1_epi8(a), nb = _mm_set1_epi8(b);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned bits = unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, na), _mm_cmpeq_epi8(v, nb))));
    if (bits) return p + __builtin_ctz(bits);
    p += 16;
  }
#endif
  for (; p < end; ++p)
    if (*p == a || *p == b) return p;
  return nullptr;
}

// a[0, n) == b[0, n), 8 bytes a step.
inline bool bytesEqual(const void* a, const void* b, size_t n) {
  auto x = static_cast<const unsigned char*>(a);
  auto y = static_cast<const unsigned char*>(b);
  while (n >= 8) {
    uint64_t u, v;
    std::memcpy(&u, x, 8);
    std::memcpy(&v, y, 8);
    if (u != v) return false;
    x += 8;
    y += 8;
    n -= 8;
  }
  while (n--) {
    if (*x++ != *y++) return false;
  }
  return true;
}

}  // namespace vpshunt
