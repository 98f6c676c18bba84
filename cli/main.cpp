// vpshunt command-line front end: argument parsing and output only; the core does the work.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "vpshunt/analysis.hpp"
#include "vpshunt/kql.hpp"
#include "vpshunt/output.hpp"

#ifdef VPSHUNT_HAVE_ZLIB
#include <zlib.h>
#endif

namespace {

const char* kUsage =
    "usage: vpshunt [--events FILE]... [--intel FILE]... [FILE]... [options]\n"
    "\n"
    "Finds processes beaconing to public IPs (MITRE ATT&CK T1583.003) in network-event exports,\n"
    "enriched with threat intel: the seed KQL rule, run locally.\n"
    "\n"
    "  --events FILE      a network-events export (DeviceNetworkEvents CSV, ...)\n"
    "  --intel FILE       a threat-intel export (ThreatIntelligenceIndicator CSV, ...)\n"
    "  FILE               either; the kind is detected from the content\n"
    "  --format-of FILE=NAME  force a reader for FILE (see --list-formats)\n"
    "  --now ISO8601      reference time (default: the latest event time)\n"
    "  --config FILE      the rule as JSON (see --print-config)\n"
    "  --print-config     print the rule in effect as JSON and exit\n"
    "  --format F         table (default on a terminal), csv, json, jsonl (default otherwise)\n"
    "  --mode M           seed (default: the seed rule exactly) or beyond (periodicity, hosting,\n"
    "                     prevalence; VpsScore ranks the rows)\n"
    "  --asn-db FILE      IP -> ASN database: asn.bin, or the CSV of @ip-location-db/asn\n"
    "                     (default: asn.bin beside this program, when present)\n"
    "  --hosting-list FILE  more hosting ASNs (`AS123 # name` lines, or a CSV with an ASN column)\n"
    "  --output FILE      write results to FILE instead of standard output\n"
    "  --export-kql       write the rule in force as one KQL query (to --output or standard output)\n"
    "                     and exit; no input files needed\n"
    "  --target T         the KQL's target: sentinel (default), defender (advanced hunting), adx\n"
    "  --detect NAME      the detection to export: beacon (default)\n"
    "  --export-watchlist FILE  write the hosting ranges (CIDR, ASN, provider, category) as a\n"
    "                     Sentinel watchlist CSV (alias VpsHosting, SearchKey Cidr) and exit\n"
    "  --watchlist-url URL  where that CSV is hosted, for the adx/defender query's externaldata\n"
    "  --list-formats     list the readers and exit\n"
    "  --quiet            no per-file summaries on standard error\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 when something usable was read, 2 when nothing was, 1 on a usage error.\n"
    "Files ending in .gz are decompressed.\n";

struct Input {
  std::string path;
  vpshunt::FileKind kind;
  std::string format;
};

int usageError(const std::string& msg) {
  std::cerr << "vpshunt: " << msg << "\n(try --help)\n";
  return 1;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Streams one file into the analysis in 4 MiB chunks (gunzipping .gz files); never holds it whole.
void feedFile(vpshunt::Analysis& a, const Input& in) {
  a.beginFile(in.path, in.kind, in.format);
  std::FILE* f = std::fopen(in.path.c_str(), "rb");
  if (!f) {
    a.fileError(std::string("cannot open the file: ") + std::strerror(errno));
    a.endFile();
    return;
  }
  constexpr size_t kChunk = 256 << 10;
  std::vector<char> buf(kChunk);
  unsigned char magic[2] = {0, 0};
  size_t m = std::fread(magic, 1, 2, f);
  std::rewind(f);
  bool gz = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (gz) {
#ifdef VPSHUNT_HAVE_ZLIB
    z_stream zs{};
    inflateInit2(&zs, 15 + 32);
    std::vector<char> out(kChunk);
    int ret = Z_OK;
    for (;;) {
      size_t n = std::fread(buf.data(), 1, kChunk, f);
      if (n == 0) break;
      zs.next_in = reinterpret_cast<Bytef*>(buf.data());
      zs.avail_in = uInt(n);
      while (zs.avail_in > 0) {
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = uInt(out.size());
        ret = inflate(&zs, Z_NO_FLUSH);
        a.feed(out.data(), out.size() - zs.avail_out);
        if (ret == Z_STREAM_END) {
          // Concatenated gzip members continue.
          if (zs.avail_in > 0) inflateReset(&zs);
          else break;
        } else if (ret != Z_OK) {
          break;
        }
      }
      if (ret != Z_OK && ret != Z_STREAM_END) break;
    }
    inflateEnd(&zs);
    if (ret != Z_OK && ret != Z_STREAM_END)
      a.fileError(std::string("gzip data is corrupt or truncated (") + (zs.msg ? zs.msg : "inflate error") +
                  "); the records before the damage were read");
#else
    a.fileError("gzip files need a build with zlib");
#endif
  } else {
    for (;;) {
      size_t n = std::fread(buf.data(), 1, kChunk, f);
      if (n == 0) break;
      a.feed(buf.data(), n);
    }
  }
  std::fclose(f);
  a.endFile();
}

std::string readWhole(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --- KQL export (vpshunt/kql.hpp) ---
struct KqlExport {
  bool query = false;
  vpshunt::KqlTarget target = vpshunt::KqlTarget::Sentinel;
  std::string detection = "beacon";
  std::string watchlistPath;
  vpshunt::KqlOptions options;
};

// --export-kql and --export-watchlist: no analysis, no input files. The watchlist needs the ASN
// database (--asn-db, or asn.bin beside the program) and the hosting list in force.
int runKqlExport(const KqlExport& x, const vpshunt::Rule& rule, const char* argv0, std::string asnPath,
                 const std::vector<std::string>& hostingPaths, const std::string& outputPath) {
  if (!x.watchlistPath.empty()) {
    if (asnPath.empty()) {
      std::string self = argv0;
      char buf[4096];
      ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
      if (n > 0) self.assign(buf, size_t(n));
      asnPath = self.substr(0, self.find_last_of('/') + 1) + "asn.bin";
    }
    std::string err;
    std::string bytes = readWhole(asnPath, err);
    if (!err.empty()) return usageError("--export-watchlist needs the ASN database: " + err + " (give --asn-db FILE)");
    vpshunt::AsnDatabase db;
    bool ok = endsWith(asnPath, ".csv") ? db.loadCsv(bytes, err)
                                        : db.load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), err);
    if (!ok) return usageError(asnPath + ": " + err);
    vpshunt::HostingList list = vpshunt::HostingList::builtin();
    for (const auto& path : hostingPaths) {
      std::string text = readWhole(path, err);
      if (!err.empty()) return usageError(err);
      std::vector<vpshunt::Problem> problems;
      list.load(text, &problems);
      for (const auto& p : problems) std::cerr << path << ":" << p.line << ":" << p.column << ": " << p.message << "\n";
    }
    std::FILE* f = std::fopen(x.watchlistPath.c_str(), "wb");
    if (!f) {
      std::cerr << "vpshunt: cannot write " << x.watchlistPath << "\n";
      return 1;
    }
    bool failed = false;
    size_t rows = vpshunt::writeWatchlist(db, list, [&](std::string_view piece) {
      if (std::fwrite(piece.data(), 1, piece.size(), f) != piece.size()) failed = true;
    });
    if (std::fclose(f) != 0 || failed) {
      std::cerr << "vpshunt: cannot write " << x.watchlistPath << "\n";
      return 1;
    }
    std::cerr << "vpshunt: " << x.watchlistPath << ": " << rows << " hosting ranges\n";
  }
  if (!x.query) return 0;
  std::string text;
  try {
    text = vpshunt::exportKql(rule, x.target, x.detection, x.options);
  } catch (const vpshunt::KqlError& e) {
    return usageError(std::string("--detect: ") + e.what());
  }
  std::FILE* out = outputPath.empty() ? stdout : std::fopen(outputPath.c_str(), "wb");
  if (!out) {
    std::cerr << "vpshunt: cannot write " << outputPath << "\n";
    return 1;
  }
  bool failed = std::fwrite(text.data(), 1, text.size(), out) != text.size();
  failed |= std::fflush(out) != 0;
  if (out != stdout) failed |= std::fclose(out) != 0;
  if (failed) {
    std::cerr << "vpshunt: cannot write " << (outputPath.empty() ? std::string("standard output") : outputPath) << "\n";
    return 1;
  }
  return 0;
}
// --- end KQL export ---

}  // namespace

int main(int argc, char** argv) {
  std::vector<Input> inputs;
  std::vector<std::pair<std::string, std::string>> formatOverrides;
  std::string nowText, configPath, formatName, outputPath, modeName, asnPath;
  std::vector<std::string> hostingPaths;
  bool printConfig = false, quiet = false, listFormats = false;
  KqlExport kqlExport;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& dst) {
      size_t eq = arg.find('=');
      if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        dst = arg.substr(eq + 1);
        return true;
      }
      if (i + 1 >= argc) return false;
      dst = argv[++i];
      return true;
    };
    std::string name = arg.substr(0, arg.find('='));
    std::string v;
    if (name == "--events" || name == "--intel") {
      if (!value(v)) return usageError(name + " needs a file");
      inputs.push_back({v, name == "--events" ? vpshunt::FileKind::Events : vpshunt::FileKind::Intel, ""});
    } else if (name == "--now") {
      if (!value(nowText)) return usageError("--now needs an ISO 8601 time");
    } else if (name == "--config") {
      if (!value(configPath)) return usageError("--config needs a file");
    } else if (name == "--format") {
      if (!value(formatName)) return usageError("--format needs table, csv, json or jsonl");
    } else if (name == "--mode") {
      if (!value(modeName) || (modeName != "seed" && modeName != "beyond")) return usageError("--mode needs seed or beyond");
    } else if (name == "--asn-db") {
      if (!value(asnPath)) return usageError("--asn-db needs a file");
    } else if (name == "--hosting-list") {
      if (!value(v)) return usageError("--hosting-list needs a file");
      hostingPaths.push_back(v);
    } else if (name == "--output" || name == "-o") {
      if (!value(outputPath)) return usageError("--output needs a file");
    } else if (name == "--format-of") {
      if (!value(v) || v.find('=') == std::string::npos) return usageError("--format-of needs FILE=FORMAT");
      formatOverrides.emplace_back(v.substr(0, v.rfind('=')), v.substr(v.rfind('=') + 1));
    // --- KQL export flags ---
    } else if (arg == "--export-kql") {
      kqlExport.query = true;
    } else if (name == "--target") {
      if (!value(v) || !vpshunt::parseKqlTarget(v, kqlExport.target))
        return usageError("--target needs sentinel, defender or adx");
    } else if (name == "--detect") {
      if (!value(kqlExport.detection)) return usageError("--detect needs a detection name");
    } else if (name == "--export-watchlist") {
      if (!value(kqlExport.watchlistPath)) return usageError("--export-watchlist needs a file");
    } else if (name == "--watchlist-url") {
      if (!value(kqlExport.options.hostingCsvUrl)) return usageError("--watchlist-url needs a URL");
    // --- end KQL export flags ---
    } else if (arg == "--print-config") {
      printConfig = true;
    } else if (arg == "--quiet" || arg == "-q") {
      quiet = true;
    } else if (arg == "--list-formats") {
      listFormats = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg.rfind("-", 0) == 0 && arg != "-") {
      return usageError("unknown option " + arg);
    } else {
      inputs.push_back({arg, vpshunt::FileKind::Auto, ""});
    }
  }
  for (auto& [file, fmt] : formatOverrides)
    for (auto& in : inputs)
      if (in.path == file) in.format = fmt;

  if (listFormats) {
    for (const auto& [n, d] : vpshunt::knownFormats()) std::cout << n << "\t" << d << "\n";
    return 0;
  }

  vpshunt::Rule rule;
  if (!configPath.empty()) {
    std::string err;
    std::string text = readWhole(configPath, err);
    if (!err.empty()) return usageError(err);
    try {
      rule = vpshunt::ruleFromJson(nlohmann::json::parse(text));
    } catch (const nlohmann::json::parse_error& e) {
      return usageError(configPath + ": not valid JSON: " + e.what());
    } catch (const vpshunt::RuleError& e) {
      return usageError(configPath + ": " + e.what());
    }
  }
  if (!modeName.empty()) rule.mode = modeName;
  if (printConfig) {
    std::cout << vpshunt::ruleToJson(rule).dump(2) << "\n";
    return 0;
  }
  if (kqlExport.query || !kqlExport.watchlistPath.empty())
    return runKqlExport(kqlExport, rule, argv[0], asnPath, hostingPaths, outputPath);
  std::optional<vpshunt::Ticks> now;
  if (!nowText.empty()) {
    vpshunt::Ticks t;
    if (!vpshunt::parseIsoTime(nowText, t)) return usageError("--now: expected an ISO 8601 time, found \"" + nowText + "\"");
    now = t;
  }
  vpshunt::OutputFormat format = isatty(STDOUT_FILENO) && outputPath.empty() ? vpshunt::OutputFormat::Table
                                                                               : vpshunt::OutputFormat::Jsonl;
  if (!formatName.empty() && !vpshunt::parseOutputFormat(formatName, format))
    return usageError("--format: expected table, csv, json or jsonl, found \"" + formatName + "\"");
  if (inputs.empty()) return usageError("no input files (give --events FILE and/or --intel FILE)");

  vpshunt::Analysis analysis(rule);
  analysis.setNow(now);
  {
    // Hosting attribution data: an explicit --asn-db must load; the default beside the program may be absent.
    bool explicitDb = !asnPath.empty();
    if (!explicitDb) {
      std::string self = argv[0];
      char buf[4096];
      ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
      if (n > 0) self.assign(buf, size_t(n));
      asnPath = self.substr(0, self.find_last_of('/') + 1) + "asn.bin";
    }
    std::string err;
    std::string bytes = readWhole(asnPath, err);
    if (!err.empty()) {
      if (explicitDb) return usageError(err);
    } else {
      auto db = std::make_shared<vpshunt::AsnDatabase>();
      bool ok = endsWith(asnPath, ".csv") ? db->loadCsv(bytes, err)
                                          : db->load(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), err);
      if (!ok) return usageError(asnPath + ": " + err);
      analysis.setAsnDatabase(db);
    }
    if (!hostingPaths.empty()) {
      auto list = std::make_shared<vpshunt::HostingList>(vpshunt::HostingList::builtin());
      for (const auto& path : hostingPaths) {
        std::string text = readWhole(path, err);
        if (!err.empty()) return usageError(err);
        std::vector<vpshunt::Problem> problems;
        list->load(text, &problems);
        for (const auto& p : problems)
          std::cerr << path << ":" << p.line << ":" << p.column << ": " << p.message << "\n";
      }
      analysis.setHostingList(list);
    }
  }
  for (const auto& in : inputs) feedFile(analysis, in);
  vpshunt::Results results = analysis.finishEach(now, nullptr);  // rows counted, not made
  if (!results.collectGroups.empty()) {
    // Read the event files once more for the groups whose rows are needed one by one: those that
    // straddle the lookback cutoff (without --now it is known only at the end), and in beyond mode
    // the candidate flows whose periodicity is measured.
    analysis.beginCollect(results.collectGroups);
    for (const auto& in : inputs)
      if (in.kind != vpshunt::FileKind::Intel) feedFile(analysis, in);
    analysis.endCollect();
  }

  std::FILE* out = stdout;
  if (!outputPath.empty()) {
    out = std::fopen(outputPath.c_str(), "wb");
    if (!out) {
      std::cerr << "vpshunt: cannot write " << outputPath << "\n";  // as the Node runner says it
      return 1;
    }
  }
  bool writeFailed = false;
  auto write = [&](std::string_view piece) {
    if (std::fwrite(piece.data(), 1, piece.size(), out) != piece.size()) writeFailed = true;
  };
  results = vpshunt::writeResults(analysis, now, format, write);
  if (std::fflush(out) != 0) writeFailed = true;
  if (out != stdout && std::fclose(out) != 0) writeFailed = true;
  if (writeFailed && !outputPath.empty()) {
    std::cerr << "vpshunt: cannot write " << outputPath << "\n";
    return 1;
  }
  if (!quiet) std::cerr << vpshunt::renderFileSummaries(results);
  bool usable = false;
  for (const auto& f : results.files) usable |= !f.fatal && (f.kept > 0 || f.records > 0);
  return usable ? 0 : 2;
}
