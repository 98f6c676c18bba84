// An open-addressing hash table of variable-size records kept in one arena: each record is a
// Header followed by its key bytes, so that a lookup reads one contiguous stretch of memory. Keys
// are always compared in full (a crafted collision can slow a run down, never merge two keys).
//
//   Header needs: uint64_t hash; uint32_t keySize; uint32_t index; and const char* key() const
//   returning the bytes right after the header. The table sets those three; the caller the rest.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "formats/scan.hpp"

namespace vpshunt {

template <class Header>
class RecordTable {
  static_assert(sizeof(Header) % 8 == 0, "records are 8-byte aligned");

 public:
  RecordTable() { clear(); }
  void clear() {
    arena_.clear();
    offsets_.clear();
    slots_.assign(1 << 12, 0);
  }
  size_t size() const { return offsets_.size(); }
  const Header& at(size_t index) const { return *reinterpret_cast<const Header*>(arena_.data() + offsets_[index]); }
  Header& at(size_t index) { return *reinterpret_cast<Header*>(arena_.data() + offsets_[index]); }

  // The record whose key is the concatenation of `parts` (hashed to `h` by the caller). When absent:
  // null unless `create`, else a new record (`created` set) whose other members the caller fills,
  // with `extra` zero bytes reserved right after its key (a payload that is not part of the key:
  // it sits in the memory a lookup reads anyway). Null too when the arena is full (32 GiB of keys:
  // beyond any run).
  template <size_t N>
  Header* find(uint64_t h, const std::array<std::string_view, N>& parts, bool create, bool& created, size_t extra = 0) {
    created = false;
    size_t keySize = 0;
    for (std::string_view p : parts) keySize += p.size();
    const size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
      const uint32_t s = slots_[i];
      if (s == 0) break;
      Header& c = *reinterpret_cast<Header*>(arena_.data() + (s - 1));
      if (c.hash != h || c.keySize != keySize) continue;
      const char* k = c.key();
      bool same = true;
      for (std::string_view p : parts) {
        if (!bytesEqual(k, p.data(), p.size())) {
          same = false;
          break;
        }
        k += p.size();
      }
      if (same) return &c;
    }
    if (!create) return nullptr;
    const size_t offset = arena_.size();
    const size_t words = (sizeof(Header) + keySize + extra + 7) / 8;
    if (offset + words >= UINT32_MAX || offsets_.size() >= UINT32_MAX) return nullptr;
    arena_.resize(offset + words);
    auto* rec = reinterpret_cast<Header*>(arena_.data() + offset);
    rec->hash = h;
    rec->keySize = uint32_t(keySize);
    rec->index = uint32_t(offsets_.size());
    char* w = reinterpret_cast<char*>(rec + 1);
    for (std::string_view p : parts) {
      if (!p.empty()) std::memcpy(w, p.data(), p.size());
      w += p.size();
    }
    offsets_.push_back(uint32_t(offset));
    slots_[i] = uint32_t(offset + 1);
    created = true;
    if (offsets_.size() * 2 > slots_.size()) grow();
    return reinterpret_cast<Header*>(arena_.data() + offset);
  }

 private:
  void grow() {
    std::vector<uint32_t> next(slots_.size() * 2, 0);
    const size_t mask = next.size() - 1;
    for (uint32_t offset : offsets_) {
      size_t i = reinterpret_cast<const Header*>(arena_.data() + offset)->hash & mask;
      while (next[i]) i = (i + 1) & mask;
      next[i] = offset + 1;
    }
    slots_.swap(next);
  }

  std::vector<uint64_t> arena_;    // records, 8-byte aligned
  std::vector<uint32_t> offsets_;  // record index -> offset in arena_ (in 8-byte words)
  std::vector<uint32_t> slots_;    // record offset + 1; 0 = empty
};

// A name, interned in a RecordTable<InternedName>: the key is the name.
struct InternedName {
  uint64_t hash;
  uint32_t keySize;
  uint32_t index;
  const char* key() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view name() const { return {key(), keySize}; }
};

}  // namespace vpshunt
