#include "vpshunt/options.hpp"

#include "vpshunt/table.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

namespace {

const char* kUsage =
    "usage: vpshunt [--events FILE]... [--intel FILE]... [FILE]... [options]\n"
    "\n"
    "Finds the traces of adversary-rented servers (MITRE ATT&CK T1583.003) in log exports:\n"
    "processes beaconing to them (the seed KQL rule, run locally), inbound attack traffic from\n"
    "them, and sign-ins from them.\n"
    "\n"
    "  --events FILE      an events export (DeviceNetworkEvents CSV, sign-in logs, conn.log, ...)\n"
    "  --intel FILE       a threat-intel export (ThreatIntelligenceIndicator CSV, ...)\n"
    "  FILE               either; the kind is detected from the content\n"
    "  --format-of FILE=NAME  force a reader for FILE (see --list-formats)\n"
    "  --detect LIST      the detections to run, comma-separated: beacon, inbound, signin,\n"
    "                     infrastructure (default: all of them; infrastructure rolls up the\n"
    "                     rows of the other three per network)\n"
    "  --now ISO8601      reference time (default: the latest event time)\n"
    "  --config FILE      the rule as JSON (see --print-config)\n"
    "  --print-config     print the rule in effect as JSON and exit\n"
    "  --format F         table (default on a terminal), csv, json, jsonl (default otherwise)\n"
    "  --mode M           seed (default: the seed rule exactly) or beyond (periodicity, hosting,\n"
    "                     prevalence; VpsScore ranks the beacon rows)\n"
    "  --asn-db FILE      IP -> ASN database: asn.bin, or the CSV of @ip-location-db/asn\n"
    "                     (default: asn.bin beside this program, when present)\n"
    "  --hosting-list FILE  more hosting ASNs (`AS123 # name` lines, or a CSV with an ASN column)\n"
    "  --output FILE      write results to FILE instead of standard output\n"
    "  --export-kql       write the rule in force as one KQL query (to --output or standard output)\n"
    "                     and exit; no input files needed; --detect names the detection: beacon\n"
    "                     (default), inbound, signin or infrastructure\n"
    "  --target T         the KQL's target: sentinel (default), defender (advanced hunting), adx\n"
    "  --export-watchlist FILE  write the hosting ranges (CIDR, ASN, provider, category) as a\n"
    "                     Sentinel watchlist CSV (alias VpsHosting, SearchKey Cidr) and exit\n"
    "  --watchlist-url URL  where that CSV is hosted, for the adx/defender query's externaldata\n"
    "  --list-formats     list the readers and exit\n"
    "  --quiet            no per-file summaries on standard error\n"
    "  --threads N        read on N threads (default: the machine's cores, at most 8; 1: one);\n"
    "                     the results are the same whatever N (the Node runner reads on\n"
    "                     at most 2: a second wasm instance in a worker thread, for inputs\n"
    "                     of 64 MiB or more unless N is given)\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 when something usable was read, 2 when nothing was, 1 on a usage error.\n"
    "Files ending in .gz are decompressed.\n";

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

const char* usageText() { return kUsage; }

Options parseOptions(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::pair<std::string, std::string>> formatOverrides;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& dst) {
      size_t eq = arg.find('=');
      if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        dst = arg.substr(eq + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      dst = args[++i];
      return true;
    };
    const std::string name = arg.substr(0, arg.find('='));
    std::string v;
    if (name == "--events" || name == "--intel") {
      if (!value(v)) throw UsageError(name + " needs a file");
      o.inputs.push_back({v, name == "--events" ? FileKind::Events : FileKind::Intel, ""});
    } else if (name == "--now") {
      if (!value(o.now)) throw UsageError("--now needs an ISO 8601 time");
    } else if (name == "--config") {
      if (!value(o.config)) throw UsageError("--config needs a file");
    } else if (name == "--format") {
      if (!value(o.format)) throw UsageError("--format needs table, csv, json or jsonl");
    } else if (name == "--mode") {
      if (!value(o.mode) || (o.mode != "seed" && o.mode != "beyond")) throw UsageError("--mode needs seed or beyond");
    } else if (name == "--detect") {
      if (!value(v)) throw UsageError("--detect needs a list of detections (beacon, inbound, signin, infrastructure)");
      for (const std::string& d : splitList(v)) o.detect.push_back(d);  // checked by checkRunOptions (or the KQL export)
      if (o.detect.empty()) throw UsageError("--detect needs a list of detections (beacon, inbound, signin, infrastructure)");
    } else if (name == "--asn-db") {
      if (!value(o.asnDb)) throw UsageError("--asn-db needs a file");
    } else if (name == "--hosting-list") {
      if (!value(v)) throw UsageError("--hosting-list needs a file");
      o.hostingLists.push_back(v);
    } else if (name == "--threads") {
      if (!value(v)) throw UsageError("--threads needs a number of threads (1-64)");
      int64_t n = 0;
      bool digits = !v.empty() && v.size() <= 3;
      for (char c : v) digits = digits && c >= '0' && c <= '9';
      if (digits) n = std::stoll(v);
      if (!digits || n < 1 || n > 64) throw UsageError("--threads needs a number of threads (1-64), found \"" + v + "\"");
      o.threads = unsigned(n);
    } else if (name == "--output" || name == "-o") {
      if (!value(o.output)) throw UsageError("--output needs a file");
    } else if (name == "--format-of") {
      if (!value(v) || v.find('=') == std::string::npos) throw UsageError("--format-of needs FILE=FORMAT");
      formatOverrides.emplace_back(v.substr(0, v.rfind('=')), v.substr(v.rfind('=') + 1));
    } else if (arg == "--export-kql") {
      o.exportKql = true;
    } else if (name == "--target") {
      if (!value(o.target) || (o.target != "sentinel" && o.target != "defender" && o.target != "adx"))
        throw UsageError("--target needs sentinel, defender or adx");
    } else if (name == "--export-watchlist") {
      if (!value(o.exportWatchlist)) throw UsageError("--export-watchlist needs a file");
    } else if (name == "--watchlist-url") {
      if (!value(o.watchlistUrl)) throw UsageError("--watchlist-url needs a URL");
    } else if (arg == "--print-config") {
      o.printConfig = true;
    } else if (arg == "--quiet" || arg == "-q") {
      o.quiet = true;
    } else if (arg == "--list-formats") {
      o.listFormats = true;
    } else if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    } else if (arg.rfind("-", 0) == 0 && arg != "-") {
      throw UsageError("unknown option " + arg);
    } else {
      o.inputs.push_back({arg, FileKind::Auto, ""});
    }
  }
  for (auto& [file, fmt] : formatOverrides)
    for (auto& in : o.inputs)
      if (in.path == file) in.format = fmt;
  return o;
}

void checkRunOptions(const Options& o) {
  for (const std::string& d : o.detect)
    if (!findTableSchema(d)) {
      std::string names;
      for (const TableSchema* s : tableSchemas()) names += (names.empty() ? "" : ", ") + std::string(s->detection);
      throw UsageError("--detect: unknown detection \"" + d + "\": expected " + names);
    }
  if (!o.now.empty()) {
    Ticks t;
    if (!parseIsoTime(o.now, t)) throw UsageError("--now: expected an ISO 8601 time, found \"" + o.now + "\"");
  }
  if (!o.format.empty() && o.format != "table" && o.format != "csv" && o.format != "json" && o.format != "jsonl")
    throw UsageError("--format: expected table, csv, json or jsonl, found \"" + o.format + "\"");
  if (o.inputs.empty()) throw UsageError("no input files (give --events FILE and/or --intel FILE)");
}

}  // namespace vpshunt
