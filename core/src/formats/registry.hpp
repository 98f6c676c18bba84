// Every reader registers here: a name, what it reads, how sure it is that a file's first bytes are
// its format, and how to make one. Detection asks every entry and takes the highest score.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "formats/record.hpp"

namespace vpshunt {

struct ReaderFactory {
  std::string_view name;         // stable identifier, used by --format-override and in reports
  std::string_view description;  // one line for `--list-formats` and the page
  FileKind kind;                 // what records it yields: Events or Intel
  // 0 = not this format; 100 = certain. `head` is the first bytes of the file (up to 64 KiB, after
  // BOM/UTF-16 decoding to UTF-8), `path` the file name (may be empty).
  int (*sniff)(std::string_view head, std::string_view path);
  std::unique_ptr<Reader> (*create)(RecordSink& sink);
};

// All readers, in a stable order (ties in detection go to the earlier entry).
const std::vector<ReaderFactory>& readerFactories();
const ReaderFactory* findReader(std::string_view name);
// The best match for `head`, restricted to `kind` unless it is Auto; null when nothing scores > 0.
const ReaderFactory* detectReader(std::string_view head, std::string_view path, FileKind kind);

}  // namespace vpshunt
