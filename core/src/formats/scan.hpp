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

// First index >= i where p[index] is '"', '\\' or a control byte (< 0x20); n when none: where a JSON
// string's body needs a look, in reading it (json_stream.cpp) and in writing it (output/writers.cpp).
// Sixteen bytes a step (eight without SIMD): string bodies are most of a log export's bytes.
inline size_t findJsonStringSpecial(const char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80)), limit = _mm_set1_epi8(static_cast<char>(0x20 ^ 0x80));
  while (i + 16 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // unsigned v < 0x20  <=>  signed (v ^ 0x80) < (0x20 ^ 0x80)
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmplt_epi8(_mm_xor_si128(v, flip), limit));
    int mask = _mm_movemask_epi8(special);
    if (mask) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#elif defined(__wasm_simd128__)
  const v128_t quote = wasm_i8x16_splat('"'), backslash = wasm_i8x16_splat('\\'), limit = wasm_i8x16_splat(0x20);
  while (i + 16 <= n) {
    v128_t v = wasm_v128_load(p + i);
    v128_t special = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, backslash)), wasm_u8x16_lt(v, limit));
    uint32_t mask = wasm_i8x16_bitmask(special);
    if (mask) return i + static_cast<size_t>(__builtin_ctz(mask));
    i += 16;
  }
#endif
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    auto hasZeroByte = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    uint64_t special = hasZeroByte(w ^ (kOnes * '"')) | hasZeroByte(w ^ (kOnes * '\\')) |
                       ((w - kOnes * 0x20) & ~w & kHighs);
    if (special) break;
    i += 8;
  }
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '"' || c == '\\' || c < 0x20) return i;
  }
  return n;
}

}  // namespace vpshunt
