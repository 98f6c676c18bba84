// An open-addressing index from 64-bit keys to 32-bit values, for the per-row lookups of a
// detection's aggregation ((source, user) pairs, ...): one probe of a flat array instead of a
// node-based hash map's allocation and pointer chase per key. Keys are mixed before probing, so
// structured keys (a source index in the high half, a user index in the low half) spread well. The
// key UINT64_MAX is reserved (never a key).
#pragma once
#include <cstdint>
#include <vector>

#include "detections/hash.hpp"

namespace vpshunt {

class FlatIndex {
 public:
  FlatIndex() { clear(); }
  void clear() {
    slots_.assign(1 << 10, Slot{});
    size_ = 0;
  }
  size_t size() const { return size_; }
  // The value of `key`, inserting `value` when absent (`created` says which).
  uint32_t findOrInsert(uint64_t key, uint32_t value, bool& created) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix64(kHashSeed, key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == key) {
        created = false;
        return s.value;
      }
      if (s.key == kEmpty) {
        s.key = key;
        s.value = value;
        created = true;
        if (++size_ * 2 > slots_.size()) grow();
        return value;
      }
    }
  }

 private:
  static constexpr uint64_t kEmpty = UINT64_MAX;
  struct Slot {
    uint64_t key = kEmpty;
    uint32_t value = 0;
  };
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      size_t i = mix64(kHashSeed, s.key) & mask;
      while (slots_[i].key != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace vpshunt
