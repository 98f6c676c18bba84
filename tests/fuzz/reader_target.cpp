// One reader, through the registry: compiled once per reader name (VPSHUNT_FUZZ_READER, set by
// tests/fuzz/CMakeLists.txt). The input is normalised to UTF-8 as the engine does, read whole and
// read in fuzzer-chosen chunks; the reader contract is checked on every call (fuzz_support.hpp)
// and the two reads must report exactly the same records, skips and problems.
#include "fuzz_support.hpp"

#ifndef VPSHUNT_FUZZ_READER
#error "VPSHUNT_FUZZ_READER must name a reader (see --list-formats)"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vpshunt;
  static const ReaderFactory* factory = [] {
    const ReaderFactory* f = findReader(VPSHUNT_FUZZ_READER);
    if (!f) fuzz::fail("no such reader", VPSHUNT_FUZZ_READER);
    return f;
  }();
  std::string text = fuzz::normalize(data, size);
  fuzz::readWholeAndSplit(*factory, text, fuzz::chooseCuts(data, size, text.size()));
  return 0;
}
