// Tests over the real third-party exports of the shared samples folder (never copied into the
// repository). The folder is $VPSHUNT_SAMPLES, or shared/samples beside the repository.
//
// A test whose sample is missing FAILS, so that a moved or renamed sample cannot turn the test into
// a pass that tests nothing. Only when VPSHUNT_SAMPLES_ABSENT=1 says the samples are absent on
// purpose (a CI clone without them; scripts/test.sh sets it only when the folder does not exist) is
// the test skipped: it prints "SKIPPED (sample absent on purpose): PATH", which ctest reports as a
// skip (SKIP_REGULAR_EXPRESSION in CMakeLists.txt), and appends PATH to $VPSHUNT_SKIP_LOG when set,
// which scripts/test.sh counts.
//
//   std::string text;
//   if (!test::sample("stratosphere/labeled-conn.log", text)) return;  // skipped on purpose
#pragma once
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace test {

inline std::string samplesDir() {
  const char* env = std::getenv("VPSHUNT_SAMPLES");
  if (env && *env) return env;
  return std::string(VPSHUNT_SOURCE_DIR) + "/../shared/samples";
}

inline bool samplesAbsentOnPurpose() {
  const char* env = std::getenv("VPSHUNT_SAMPLES_ABSENT");
  return env && std::string(env) == "1";
}

// Reads the sample at `relative` (under samplesDir()) into `out`. Returns false only when the sample
// is absent and VPSHUNT_SAMPLES_ABSENT=1 (the caller returns: the test is skipped); otherwise a
// missing or empty sample fails the test here.
inline bool sample(const std::string& relative, std::string& out) {
  const std::string path = samplesDir() + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    if (out.empty()) FAIL("the sample " << path << " is empty");
    return true;
  }
  if (!samplesAbsentOnPurpose())
    FAIL("the sample " << path << " is missing: set VPSHUNT_SAMPLES to the samples folder, or "
                          "VPSHUNT_SAMPLES_ABSENT=1 if the samples are absent on purpose");
  std::cout << "SKIPPED (sample absent on purpose): " << path << std::endl;
  if (const char* log = std::getenv("VPSHUNT_SKIP_LOG"); log && *log) std::ofstream(log, std::ios::app) << "core: " << path << "\n";
  WARN("SKIPPED (sample absent on purpose): " << path);
  return false;
}

}  // namespace test
