// The byte form of a spawned session's aggregates (issue 12: the page's second worker reads a piece
// of the input in its own wasm instance and hands what it read to the first as bytes). Little-endian
// fixed-width integers and length-prefixed texts, written in the order the reader reads them.
//
// Only our own worker makes these bytes, but they are read as untrusted input all the same: every
// read is bounds-checked, every count is checked against the bytes that remain before anything is
// allocated for it, and every index is checked against what it indexes. A damaged, truncated or
// foreign blob throws WireError naming the byte offset and what was expected; nothing is merged
// from it (the caller loads into a fresh session and merges only a blob that loaded whole).
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vpshunt {

struct WireError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class WireWriter {
 public:
  void u8(uint8_t v) { out_.push_back(char(v)); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(uint64_t(v), 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void text(std::string_view s) {
    u64(s.size());
    out_.append(s.data(), s.size());
  }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& bytes() { return out_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(char(uint8_t(v >> (8 * i))));
  }
  std::string out_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : b_(bytes) {}
  uint8_t u8(const char* what) { return uint8_t(get(1, what)); }
  uint32_t u32(const char* what) { return uint32_t(get(4, what)); }
  uint64_t u64(const char* what) { return get(8, what); }
  int64_t i64(const char* what) { return int64_t(get(8, what)); }
  bool boolean(const char* what) {
    const size_t at = at_;
    const uint8_t v = u8(what);
    if (v > 1) fail(at, std::string(what) + ": expected 0 or 1, found " + std::to_string(v));
    return v == 1;
  }
  std::string_view text(const char* what) {
    const size_t at = at_;
    const uint64_t n = u64(what);
    if (n > b_.size() - at_) fail(at, std::string(what) + ": a text of " + std::to_string(n) + " bytes, past the end");
    std::string_view s = b_.substr(at_, size_t(n));
    at_ += size_t(n);
    return s;
  }
  void raw(void* p, size_t n, const char* what) {
    need(n, what);
    std::memcpy(p, b_.data() + at_, n);
    at_ += n;
  }
  // A count of items of at least `minItemBytes` each: checked against the bytes left, so that a
  // damaged count cannot make the reader allocate more than the blob could hold.
  uint64_t count(const char* what, size_t minItemBytes) {
    const size_t at = at_;
    const uint64_t n = u64(what);
    if (minItemBytes && n > (b_.size() - at_) / minItemBytes)
      fail(at, std::string(what) + ": a count of " + std::to_string(n) + ", more than the blob holds");
    return n;
  }
  // An index that must be below `size`; indexOrNone also takes `none`.
  uint32_t index(const char* what, uint64_t size) {
    const size_t at = at_;
    const uint32_t v = u32(what);
    if (v >= size) fail(at, std::string(what) + ": index " + std::to_string(v) + " of " + std::to_string(size));
    return v;
  }
  uint32_t indexOrNone(const char* what, uint64_t size, uint32_t none) {
    const size_t at = at_;
    const uint32_t v = u32(what);
    if (v != none && v >= size)
      fail(at, std::string(what) + ": index " + std::to_string(v) + " of " + std::to_string(size));
    return v;
  }
  size_t offset() const { return at_; }
  bool atEnd() const { return at_ == b_.size(); }
  [[noreturn]] void fail(size_t at, const std::string& why) const {
    throw WireError("aggregate blob damaged at byte " + std::to_string(at) + ": " + why);
  }
  [[noreturn]] void fail(const std::string& why) const { fail(at_, why); }

 private:
  void need(size_t n, const char* what) {
    if (n > b_.size() - at_)
      fail(std::string("truncated: expected ") + what + " (" + std::to_string(n) + " bytes), " +
           std::to_string(b_.size() - at_) + " left");
  }
  uint64_t get(int n, const char* what) {
    need(size_t(n), what);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(b_[at_ + size_t(i)])) << (8 * i);
    at_ += size_t(n);
    return v;
  }
  std::string_view b_;
  size_t at_ = 0;
};

}  // namespace vpshunt
