// vpshunt command-line front end: argument parsing and output only; the core does the work.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "vpshunt/analysis.hpp"
#include "vpshunt/kql.hpp"
#include "vpshunt/options.hpp"
#include "vpshunt/output.hpp"

#ifdef VPSHUNT_HAVE_ZLIB
#include <zlib.h>
#endif

namespace {

int usageError(const std::string& msg) {
  std::cerr << "vpshunt: " << msg << "\n(try --help)\n";
  return 1;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* const kGzipTruncated =
    "gzip data is truncated (the stream ends before its end marker); the records before the damage were read";

// Streams one file into the analysis in 4 MiB chunks (gunzipping .gz files); never holds it whole.
void feedFile(vpshunt::Analysis& a, const vpshunt::InputFile& in) {
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
    else if (ret != Z_STREAM_END)  // issue 14: a cut-off stream is reported (wasm/runner.mjs says the same)
      a.fileError(kGzipTruncated);
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

// --- threads (issue 12) ---
// Plain files mapped whole, so that readFilesThreaded can cut them into pieces; a gzip file, or one
// that cannot be opened or mapped, is not (feedFile reads it and reports why).
class MappedFiles {
 public:
  ~MappedFiles() {
    for (auto& [path, view] : maps_)
      if (!view.empty()) munmap(const_cast<char*>(view.data()), view.size());
  }
  // Bytes read drop out of the process's memory (they stay in the page cache, and a later read
  // faults them in again): only the whole pages inside the stretch, since the pages at its ends
  // may still be read by the next piece.
  static void release(std::string_view bytes) {
    static const uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(bytes.data()) + page - 1) & ~(page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size()) & ~(page - 1);
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  }
  bool map(const vpshunt::InputFile& in, std::string_view& bytes) {
    for (const auto& [path, view] : maps_)
      if (path == in.path) {
        bytes = view;
        return !view.empty();
      }
    std::string_view view;
    int fd = open(in.path.c_str(), O_RDONLY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 2) {
      void* p = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        view = std::string_view(static_cast<const char*>(p), size_t(st.st_size));
        if (static_cast<unsigned char>(view[0]) == 0x1f && static_cast<unsigned char>(view[1]) == 0x8b) {
          munmap(p, view.size());
          view = {};
        } else {
          madvise(p, view.size(), MADV_SEQUENTIAL);
        }
      }
    }
    if (fd >= 0) close(fd);
    maps_.emplace_back(in.path, view);
    bytes = view;
    return !view.empty();
  }

 private:
  std::vector<std::pair<std::string, std::string_view>> maps_;
};
// The smallest piece of a file a thread reads (default 8 MiB). VPSHUNT_PIECE_BYTES sets it, for
// the tests that compare --threads 1 and 2 on small files.
size_t pieceBytes() {
  const char* v = std::getenv("VPSHUNT_PIECE_BYTES");
  if (!v || !*v) return size_t(8) << 20;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v, &end, 10);
  return end && !*end && n > 0 ? size_t(n) : size_t(8) << 20;
}
// --- end threads ---

// One read into a string of the file's size (the ASN database is 5.5 MB: a stream copied into a
// growing stringbuf and then out of it took a tenth of a second of every run's start).
std::string readWhole(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return {};
  }
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) out.reserve(size_t(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) out.append(buf, size_t(n));  // no reallocation within the size reserved
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      error = "cannot read " + path + ": " + std::strerror(errno);
      ::close(fd);
      return {};
    }
  }
  ::close(fd);
  return out;
}

// --export-kql and --export-watchlist: no analysis, no input files. The watchlist needs the ASN
// database (--asn-db, or asn.bin beside the program) and the hosting list in force.
int runKqlExport(const vpshunt::Options& o, const vpshunt::Rule& rule, const char* argv0) {
  std::string asnPath = o.asnDb;
  const std::vector<std::string>& hostingPaths = o.hostingLists;
  const std::string& outputPath = o.output;
  vpshunt::KqlTarget target = vpshunt::KqlTarget::Sentinel;
  vpshunt::parseKqlTarget(o.target, target);  // checked by parseOptions
  vpshunt::KqlOptions options;
  options.hostingCsvUrl = o.watchlistUrl;
  const std::string detection = o.detect.empty() ? "beacon" : o.detect.front();
  if (!o.exportWatchlist.empty()) {
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
    std::FILE* f = std::fopen(o.exportWatchlist.c_str(), "wb");
    if (!f) {
      std::cerr << "vpshunt: cannot write " << o.exportWatchlist << "\n";
      return 1;
    }
    bool failed = false;
    size_t rows = vpshunt::writeWatchlist(db, list, [&](std::string_view piece) {
      if (std::fwrite(piece.data(), 1, piece.size(), f) != piece.size()) failed = true;
    });
    if (std::fclose(f) != 0 || failed) {
      std::cerr << "vpshunt: cannot write " << o.exportWatchlist << "\n";
      return 1;
    }
    std::cerr << "vpshunt: " << o.exportWatchlist << ": " << rows << " hosting ranges\n";
  }
  if (!o.exportKql) return 0;
  std::string text;
  try {
    text = vpshunt::exportKql(rule, target, detection, options);
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
  vpshunt::Options opts;
  try {
    opts = vpshunt::parseOptions(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const vpshunt::UsageError& e) {
    return usageError(e.what());
  }
  if (opts.help) {
    std::cout << vpshunt::usageText();
    return 0;
  }
  if (opts.listFormats) {
    for (const auto& [n, d] : vpshunt::knownFormats()) std::cout << n << "\t" << d << "\n";
    return 0;
  }
  const std::string& configPath = opts.config;
  const std::string& outputPath = opts.output;
  std::string asnPath = opts.asnDb;
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
  if (!opts.mode.empty()) rule.mode = opts.mode;
  if (opts.printConfig) {
    std::cout << vpshunt::ruleToJson(rule).dump(2) << "\n";
    return 0;
  }
  if (opts.exportKql || !opts.exportWatchlist.empty()) return runKqlExport(opts, rule, argv[0]);
  try {
    vpshunt::checkRunOptions(opts);
  } catch (const vpshunt::UsageError& e) {
    return usageError(e.what());
  }
  std::optional<vpshunt::Ticks> now;
  if (!opts.now.empty()) {
    vpshunt::Ticks t;
    vpshunt::parseIsoTime(opts.now, t);
    now = t;
  }
  vpshunt::OutputFormat format = isatty(STDOUT_FILENO) && outputPath.empty() ? vpshunt::OutputFormat::Table
                                                                               : vpshunt::OutputFormat::Jsonl;
  if (!opts.format.empty()) vpshunt::parseOutputFormat(opts.format, format);

  vpshunt::Analysis analysis(rule);
  analysis.setDetections(opts.detect);
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
    if (!opts.hostingLists.empty()) {
      auto list = std::make_shared<vpshunt::HostingList>(vpshunt::HostingList::builtin());
      for (const auto& path : opts.hostingLists) {
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
  MappedFiles mapped;
  const unsigned threads = opts.threads ? opts.threads : vpshunt::defaultThreads();
  if (threads <= 1)
    vpshunt::readFiles(analysis, opts.inputs, feedFile, now);
  else
    vpshunt::readFilesThreaded(
        analysis, opts.inputs, feedFile,
        [&](const vpshunt::InputFile& in, std::string_view& bytes) { return mapped.map(in, bytes); }, now, threads,
        pieceBytes(), nullptr, &MappedFiles::release);

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
  const vpshunt::Results results = vpshunt::writeResults(analysis, now, format, write);
  if (std::fflush(out) != 0) writeFailed = true;
  if (out != stdout && std::fclose(out) != 0) writeFailed = true;
  if (writeFailed && !outputPath.empty()) {
    std::cerr << "vpshunt: cannot write " << outputPath << "\n";
    return 1;
  }
  if (!opts.quiet) std::cerr << vpshunt::renderFileSummaries(results);
  bool usable = false;
  for (const auto& f : results.files) usable |= !f.fatal && (f.kept > 0 || f.records > 0);
  return usable ? 0 : 2;
}
