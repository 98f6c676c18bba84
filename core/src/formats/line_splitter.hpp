// Cuts a byte stream, fed in chunks of any size, into lines for the line-based readers (Zeek TSV,
// plain intel lists).
//
//   LineSplitter lines;
//   lines.feed(data, size, [&](std::string_view line, uint64_t number) { ... });  // per chunk
//   lines.finish([&](std::string_view line, uint64_t number) { ... });            // at the end
//
// The callback gets each complete line without its '\n' and without one '\r' before it (CRLF files
// read like LF files), and the line's 1-based number. A line cut by a chunk boundary is kept in a
// carry buffer and handed out whole once its '\n' arrives; finish() hands out an unterminated last
// line (if it is not empty). Every line is counted and handed out, blank ones included.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vpshunt {

class LineSplitter {
 public:
  template <class OnLine>
  void feed(const char* data, size_t size, OnLine&& onLine) {
    const char* p = data;
    const char* end = data + size;
    if (!carry_.empty()) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
      if (!nl) {
        carry_.append(p, size_t(end - p));
        return;
      }
      carry_.append(p, size_t(nl - p));
      emit(carry_, onLine);
      carry_.clear();
      p = nl + 1;
    }
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
      if (!nl) {
        carry_.assign(p, size_t(end - p));
        return;
      }
      emit(std::string_view(p, size_t(nl - p)), onLine);
      p = nl + 1;
    }
  }

  template <class OnLine>
  void finish(OnLine&& onLine) {
    if (!carry_.empty()) {
      emit(carry_, onLine);
      carry_.clear();
    }
  }

  // Lines handed out so far (the last one's number).
  uint64_t lines() const { return line_; }

 private:
  template <class OnLine>
  void emit(std::string_view line, OnLine& onLine) {
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    onLine(line, line_);
  }

  std::string carry_;
  uint64_t line_ = 0;
};

}  // namespace vpshunt
