// The command line, parsed once for every front end: the native CLI (cli/main.cpp) and the Node
// runner (wasm/runner.mjs, through the bindings) take the same flags, print the same usage text and
// the same usage errors.
//
//   Options o = parseOptions({"--events", "a.csv", "--format", "jsonl"});  // throws UsageError
//   std::cout << usageText();
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "vpshunt/analysis.hpp"

namespace vpshunt {

struct Options {
  std::vector<InputFile> inputs;
  std::string now;        // ISO 8601, empty = the latest event time
  std::string config;     // rule JSON file
  std::string format;     // table, csv, json, jsonl; empty = table on a terminal, jsonl otherwise
  std::string output;     // empty = stdout
  std::string mode;       // seed, beyond; empty = the rule's
  std::string asnDb;      // empty = asn.bin beside the program
  std::vector<std::string> hostingLists;
  std::vector<std::string> detect;  // detection names; empty = every one whose events the files hold
  bool printConfig = false, quiet = false, listFormats = false, help = false;
  unsigned threads = 0;  // --threads N (issue 12); 0 = defaultThreads(); the Node runner reads on at most two (wasm/runner.mjs)
  // The rule as KQL (--export-kql: one detection, the first of --detect, default beacon) and the
  // hosting watchlist (--export-watchlist FILE); no input files needed.
  bool exportKql = false;
  std::string target = "sentinel";  // sentinel, defender, adx
  std::string exportWatchlist;
  std::string watchlistUrl;         // where the watchlist CSV is hosted (adx/defender externaldata)
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The arguments after the program name. `--opt=value` and `--opt value` both work. Throws
// UsageError with the message the front ends print as "vpshunt: <message>\n(try --help)".
Options parseOptions(const std::vector<std::string>& args);
const char* usageText();
// What a run needs besides the flags themselves, checked after --help, --list-formats, --config and
// --print-config (in this order: --now, --format, at least one input). Throws UsageError.
void checkRunOptions(const Options& o);

}  // namespace vpshunt
