// Interned strings: each distinct text stored once, in blocks that never move, named by a 32-bit
// id. Group keys hold ids, so memory grows with distinct values, not with rows.
#pragma once
#include <cstdint>
#include <algorithm>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/hash.hpp"

namespace vpshunt {

class StringPool {
 public:
  StringPool() { slots_.assign(1024, kEmpty); }

  uint32_t intern(std::string_view s, uint64_t h) {
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint32_t id = slots_[i];
      if (id == kEmpty) {
        id = uint32_t(views_.size());
        views_.push_back(store(s));
        hashes_.push_back(h);
        slots_[i] = id;
        if (views_.size() * 2 > slots_.size()) grow();
        return id;
      }
      if (hashes_[id] == h && views_[id] == s) return id;
    }
  }
  uint32_t intern(std::string_view s) { return intern(s, hashBytes(s, kSeed)); }
  std::string_view get(uint32_t id) const { return views_[id]; }
  size_t size() const { return views_.size(); }
  size_t bytes() const { return blocksBytes_ + slots_.size() * 4 + views_.size() * 24; }
  static constexpr uint64_t kSeed = 0x5eed;

 private:
  static constexpr uint32_t kEmpty = 0xffffffffu;
  std::string_view store(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > kBlock / 4) {  // large strings get a block of their own
      large_.emplace_back(new char[s.size()]);
      blocksBytes_ += s.size();
      std::copy(s.begin(), s.end(), large_.back().get());
      return {large_.back().get(), s.size()};
    }
    if (blocks_.empty() || used_ + s.size() > kBlock) {
      blocks_.emplace_back(new char[kBlock]);
      blocksBytes_ += kBlock;
      used_ = 0;
    }
    char* dst = blocks_.back().get() + used_;
    std::copy(s.begin(), s.end(), dst);
    used_ += s.size();
    return {dst, s.size()};
  }
  void grow() {
    std::vector<uint32_t> next(slots_.size() * 2, kEmpty);
    size_t mask = next.size() - 1;
    for (uint32_t id = 0; id < views_.size(); ++id) {
      size_t i = hashes_[id] & mask;
      while (next[i] != kEmpty) i = (i + 1) & mask;
      next[i] = id;
    }
    slots_.swap(next);
  }
  static constexpr size_t kBlock = 1 << 16;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;
  size_t used_ = 0;
  size_t blocksBytes_ = 0;
  std::vector<std::string_view> views_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> slots_;
};

}  // namespace vpshunt
