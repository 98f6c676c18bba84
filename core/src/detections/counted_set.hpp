// A small counted set of 32-bit keys (a source's targets, ports, users, apps, result codes): most
// sources touch one or two keys, a scanner or a spray thousands. Inline up to kInline keys, a hash
// map beyond, so that the common case allocates one small vector and the rare one stays O(1).
#pragma once
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vpshunt {

class CountedSet {
 public:
  void add(uint32_t key, uint32_t n = 1) {
    if (more_.empty()) {
      for (auto& [k, c] : inline_)
        if (k == key) {
          c += n;
          return;
        }
      if (inline_.size() < kInline) {
        inline_.emplace_back(key, n);
        return;
      }
      for (const auto& [k, c] : inline_) more_[k] = c;
      inline_.clear();
      inline_.shrink_to_fit();
    }
    more_[key] += n;
  }
  size_t size() const { return more_.empty() ? inline_.size() : more_.size(); }
  bool empty() const { return size() == 0; }
  template <class F>
  void forEach(F&& f) const {
    if (more_.empty())
      for (const auto& [k, n] : inline_) f(k, n);
    else
      for (const auto& [k, n] : more_) f(k, n);
  }

 private:
  static constexpr size_t kInline = 6;
  std::vector<std::pair<uint32_t, uint32_t>> inline_;
  std::unordered_map<uint32_t, uint32_t> more_;
};

}  // namespace vpshunt
