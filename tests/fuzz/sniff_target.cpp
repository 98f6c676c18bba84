// Auto-detection over any bytes, as the engine does it: the raw bytes are normalised to UTF-8 whole
// and in fuzzer-chosen chunks (both must give the same text, encoding and replacement count), every
// reader's sniff() scores the head (0-100), detectReader() picks the best score within the kind
// asked for, and the reader detected reads the text whole and split (fuzz_support.hpp's oracle).
#include "fuzz_support.hpp"

namespace {
constexpr size_t kSniffBytes = 64 * 1024;  // as core/src/engine/analysis.cpp
const char* const kPaths[] = {"", "DeviceNetworkEvents.csv", "conn.log", "events.json", "export.xml", "iocs.txt", "x.jsonl"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vpshunt;
  std::string whole;
  Utf8Normalizer wn;
  wn.feed(reinterpret_cast<const char*>(data), size, whole);
  wn.finish(whole);
  VPSHUNT_FUZZ_CHECK(fuzz::isValidUtf8(whole), "normalised text is not valid UTF-8");

  std::string split;
  Utf8Normalizer sn;
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  std::string scratch;
  bool useConvert = size && (data[0] & 1);  // both entry points: feed() and the zero-copy convert()
  fuzz::feedChunks(raw, fuzz::chooseCuts(data, size, size), [&](const char* p, size_t n) {
    if (useConvert) split.append(sn.convert(p, n, scratch));
    else sn.feed(p, n, split);
  });
  sn.finish(split);
  VPSHUNT_FUZZ_CHECK(split == whole, "normalising in chunks differs from normalising whole");
  VPSHUNT_FUZZ_CHECK(sn.replacements() == wn.replacements(), "replacement count differs in chunks");
  VPSHUNT_FUZZ_CHECK(sn.encodingName() == wn.encodingName(), "encoding differs in chunks");

  std::string_view head = std::string_view(whole).substr(0, kSniffBytes);
  std::string_view path = kPaths[size ? data[0] % (sizeof kPaths / sizeof *kPaths) : 0];
  // Every sniff() scores 0-100; detection is the highest score, ties to the earlier entry, within
  // the kind asked for (what detectReader promises, checked against the scores once).
  const ReaderFactory* best[3] = {nullptr, nullptr, nullptr};  // Auto, Events, Intel
  int bestScore[3] = {0, 0, 0};
  for (const auto& f : readerFactories()) {
    int s = f.sniff(head, path);
    if (s < 0 || s > 100) fuzz::fail("sniff score out of range", std::string(f.name) + " " + std::to_string(s));
    for (int k : {0, f.kind == FileKind::Events ? 1 : 2})
      if (s > bestScore[k]) best[k] = &f, bestScore[k] = s;
  }
  FileKind kinds[3] = {FileKind::Auto, FileKind::Events, FileKind::Intel};
  int k = size ? data[size - 1] % 3 : 0;
  const ReaderFactory* f = detectReader(head, path, kinds[k]);
  VPSHUNT_FUZZ_CHECK(f == best[k], "detectReader is not the best sniff score");
  if (best[0]) fuzz::readWholeAndSplit(*best[0], whole, fuzz::chooseCuts(data, size, whole.size()));
  return 0;
}
