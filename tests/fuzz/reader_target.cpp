// One reader, through the registry. A single binary (fuzz-reader) serves every reader: it is run by
// the name of a link, fuzz-<reader> (tests/fuzz/CMakeLists.txt makes one per reader target), and
// reads with the reader --list-formats names so; VPSHUNT_FUZZ_READER=<name> in the environment
// overrides that. The input is normalised to UTF-8 as the engine does, read whole and read in
// fuzzer-chosen chunks; the reader contract is checked on every call (fuzz_support.hpp) and the two
// reads must report exactly the same records, skips and problems.
#include "fuzz_support.hpp"

namespace {
const vpshunt::ReaderFactory* gFactory = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  std::string name;
  if (const char* env = std::getenv("VPSHUNT_FUZZ_READER")) name = env;
  if (name.empty() && *argc > 0) {
    std::string_view self = (*argv)[0];
    size_t slash = self.rfind('/');
    if (slash != std::string_view::npos) self.remove_prefix(slash + 1);
    constexpr std::string_view kPrefix = "fuzz-";
    if (self.substr(0, kPrefix.size()) == kPrefix) name = std::string(self.substr(kPrefix.size()));
  }
  gFactory = vpshunt::findReader(name);
  if (!gFactory)
    vpshunt::fuzz::fail("no such reader",
                        "\"" + name + "\": run this binary as fuzz-<reader> (a link to it) or set VPSHUNT_FUZZ_READER (see vpshunt --list-formats)");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vpshunt;
  std::string text = fuzz::normalize(data, size);
  fuzz::readWholeAndSplit(*gFactory, text, fuzz::chooseCuts(data, size, text.size()));
  return 0;
}
