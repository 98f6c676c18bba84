// Issue 12, both cores: reading on several threads (files cut into pieces, pieces and whole files
// merged) gives what one thread gives, byte for byte, for every detection and output format, file
// reports (with their problems' line numbers) included.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "ingest/split.hpp"
#include "support.hpp"
#include "vpshunt/analysis.hpp"
#include "vpshunt/output.hpp"

using namespace vpshunt;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files by path, in memory: what the CLI maps, and what feed() streams in small chunks.
struct Files {
  std::map<std::string, std::string> bytes;
  std::vector<InputFile> inputs;
  void add(const std::string& path, std::string content, FileKind kind = FileKind::Auto) {
    bytes[path] = std::move(content);
    inputs.push_back({path, kind, ""});
  }
};

struct Output {
  std::string rows[3];  // jsonl, csv, json
  std::string summaries;
};

Output analyse(const Files& f, unsigned threads, size_t minPiece, const std::string& mode, const std::string& now,
               ThreadedStats* stats = nullptr, const ReleaseBytes& release = {}) {
  Rule rule;
  rule.mode = mode;
  Analysis a(rule);
  a.setAsnDatabase(test::builtAsnDatabase());
  std::optional<Ticks> when;
  if (!now.empty()) {
    Ticks t;
    REQUIRE(parseIsoTime(now, t));
    when = t;
  }
  auto feed = [&](Analysis& an, const InputFile& in) {
    an.beginFile(in.path, in.kind, in.format);
    const std::string& b = f.bytes.at(in.path);
    for (size_t at = 0; at < b.size(); at += 4093) an.feed(b.data() + at, std::min<size_t>(4093, b.size() - at));
    an.endFile();
  };
  auto map = [&](const InputFile& in, std::string_view& out) {
    out = f.bytes.at(in.path);
    return true;
  };
  if (threads <= 1) readFiles(a, f.inputs, feed, when);
  else readFilesThreaded(a, f.inputs, feed, map, when, threads, minPiece, stats, release);
  Output o;
  o.summaries = renderFileSummaries(a.finishEach(when, nullptr));
  const OutputFormat formats[3] = {OutputFormat::Jsonl, OutputFormat::Csv, OutputFormat::Json};
  for (int i = 0; i < 3; ++i) o.rows[i] = renderResults(a, when, formats[i]);
  return o;
}

// Returns how many pieces were merged (not read again whole).
size_t same(const Files& f, const std::string& what, unsigned threads, size_t minPiece, const std::string& mode,
            const std::string& now = "") {
  const Output one = analyse(f, 1, minPiece, mode, now);
  ThreadedStats stats;
  const Output many = analyse(f, threads, minPiece, mode, now, &stats);
  INFO(what << " threads " << threads << " pieces of " << minPiece << " B, mode " << mode << ", now " << now);
  CHECK(many.summaries == one.summaries);
  CHECK(many.rows[0] == one.rows[0]);
  CHECK(many.rows[1] == one.rows[1]);
  CHECK(many.rows[2] == one.rows[2]);
  return stats.piecesMerged;
}

size_t piecesOf(const Files& f, size_t i, unsigned threads, size_t minPiece) {
  const SplitPlan plan = planSplit(f.bytes.at(f.inputs[i].path), f.inputs[i], threads, minPiece);
  return plan.starts.size();
}

const fs::path kSource = VPSHUNT_SOURCE_DIR;

// A Defender export with what a cut must not break: quoted commas and line breaks inside command
// lines, CRLF, bad rows of every kind (for the line numbers of their problems), many ActionTypes,
// several devices and agents, inbound rows, in no time order.
std::string hardCsv(int rows) {
  std::string s = "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,"
                  "InitiatingProcessCommandLine,InitiatingProcessAccountName,LocalIP,LocalPort,"
                  "InitiatingProcessFolderPath\r\n";
  uint64_t x = 12345;
  auto rnd = [&](uint64_t n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return (x >> 33) % n;
  };
  const char* actions[] = {"ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "InboundConnectionAccepted",
                           "ListeningConnectionCreated", "ConnectionFound"};
  for (int i = 0; i < rows; ++i) {
    const int dev = int(rnd(7)), agent = int(rnd(5));
    const int minute = int(rnd(60 * 30));
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-11-%02dT%02d:%02d:%02d.%03dZ", 23 + minute / 1440, minute / 60 % 24, minute % 60,
                  int(rnd(60)), int(rnd(1000)));
    std::string action = rnd(40) == 0 ? "Custom" + std::to_string(rnd(40)) : actions[rnd(6)];
    std::string ip = "203.0.113." + std::to_string(1 + agent * 7 + int(rnd(2)));
    std::string cmd = agent == 3 ? "\"agent.exe --name \"\"a,b\"\"\r\nsecond line\"" : "agent" + std::to_string(agent) + ".exe -c";
    std::string folder = agent == 2 && rnd(3) == 0 ? "C:\\Other\\agent2.exe" : "C:\\Agents\\agent" + std::to_string(agent) + ".exe";
    const uint64_t bad = rnd(50);
    std::string line = std::string(ts) + ",ws-" + std::to_string(dev) + "," + action + "," + ip + ",443,Public,agent" +
                       std::to_string(agent) + ".exe," + cmd + ",user" + std::to_string(dev) + ",10.0.0." +
                       std::to_string(dev) + "," + std::to_string(3389 + int(rnd(2))) + ",\"" + folder + "\"";
    if (bad == 0) line = "not-a-time" + line.substr(line.find(','));
    else if (bad == 1) line += ",extra";
    else if (bad == 2) line.replace(line.find("203.0.113."), 10, "203.0.999.");
    s += line + (i % 3 ? "\n" : "\r\n");
  }
  return s;
}

}  // namespace

TEST_CASE("threads: countNewlines counts as std::count does, at every length and alignment", "[threads]") {
  // Line breaks beside every byte value (0x0A's neighbours 0x0B and 0x8A differ from it in one
  // bit; high bytes must not carry into the next lane), every value once in order, runs longer than
  // one 255-word block, and all-newline buffers.
  std::string buf;
  for (int b = 0; b < 256; ++b) buf.push_back(char(b));
  uint32_t x = 12345;
  for (size_t i = 0; i < 5000; ++i) {
    x = x * 1103515245u + 12345u;
    buf.push_back((x >> 30) == 0 ? '\n' : char((x >> 16) & 0xFF));  // a quarter line breaks, the rest any byte
  }
  buf += std::string(4096, '\n');
  buf += std::string(300, '\xFF');
  for (size_t start = 0; start < 17; ++start)
    for (size_t len : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(9), size_t(2039), size_t(2040),
                       size_t(2041), buf.size() - start}) {
      if (start + len > buf.size()) continue;
      const char* p = buf.data() + start;
      CHECK(countNewlines(p, len) == uint64_t(std::count(p, p + len, '\n')));
    }
}

TEST_CASE("threads: plans cut CSV outside quotes, JSON Lines and Zeek on lines, the rest whole", "[threads]") {
  Files f;
  f.add("hard.csv", hardCsv(400));
  REQUIRE(piecesOf(f, 0, 4, 512) == 4);
  const SplitPlan plan = planSplit(f.bytes["hard.csv"], f.inputs[0], 4, 512);
  // Each later piece starts a record: right after a line break outside quotes.
  const std::string& b = f.bytes["hard.csv"];
  for (size_t k = 1; k < plan.starts.size(); ++k) {
    REQUIRE(b[plan.starts[k] - 1] == '\n');
    CHECK(std::count(b.begin(), b.begin() + long(plan.starts[k]), '"') % 2 == 0);
  }
  Files g;
  g.add("a.json", slurp(kSource / "tests/fixtures/json/defender_graph_api.json"));
  g.add("b.gz", std::string("\x1f\x8b\x08\x00", 4) + std::string(4096, 'x'));
  std::string xml = "<?xml version=\"1.0\"?>\n<Events>\n";
  while (xml.size() < 8192) xml += "<Event><System><EventID>3</EventID></System></Event>\n";
  g.add("c.xml", xml + "</Events>\n");
  g.add("ti.csv", slurp(kSource / "examples/ThreatIntelligenceIndicator.csv"), FileKind::Intel);
  for (size_t i = 0; i < g.inputs.size(); ++i) CHECK(piecesOf(g, i, 4, 64) < 2);
  Files z;
  z.add("conn.log", slurp(kSource / "examples/scenario/conn.log"));
  CHECK(piecesOf(z, 0, 3, 1024) == 3);
  Files j;
  j.add("stream.jsonl", slurp(kSource / "tests/fixtures/json/defender_stream_crlf.jsonl"));
  CHECK(piecesOf(j, 0, 2, 64) == 2);
}

// The same log with two columns' places swapped in its header and in every record: read with the
// first log's layout its records would mean something else.
std::string swappedColumns(const std::string& log, size_t a, size_t b) {
  std::string out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const bool header = line.rfind("#fields\t", 0) == 0 || line.rfind("#types\t", 0) == 0;
    if (line.empty() || (line[0] == '#' && !header)) {
      out += line + "\n";
      continue;
    }
    std::vector<std::string> f;
    for (size_t from = 0;;) {
      size_t tab = line.find('\t', from);
      f.push_back(line.substr(from, tab == std::string::npos ? std::string::npos : tab - from));
      if (tab == std::string::npos) break;
      from = tab + 1;
    }
    const size_t shift = header ? 1 : 0;  // "#fields" is the header line's first field
    REQUIRE(f.size() > b + shift);
    std::swap(f[a + shift], f[b + shift]);
    for (size_t i = 0; i < f.size(); ++i) out += (i ? "\t" : "") + f[i];
    out += "\n";
  }
  return out;
}

// Zeek logs concatenated (each with its header, the second's layout another) are no longer
// looked through before a cut: the reader of a piece that meets a second header says so, and the
// file is read again whole, with one thread's results.
TEST_CASE("threads: concatenated Zeek logs with another layout are read again whole, with the same results", "[threads]") {
  const std::string first = slurp(kSource / "examples/scenario/conn.log");
  REQUIRE(first.size() > 40000);
  const std::string second = swappedColumns(first, 2, 4);  // id.orig_h and id.resp_h
  REQUIRE(second != first);
  // The second header after a blank line and no record: not part of the leading header lines.
  const size_t body = first.find("\n1") + 1;
  const std::string blankThenHeader = first.substr(0, body) + "\n" + second;
  for (const std::string& log : {first + second, first + second + first, blankThenHeader + first.substr(body)}) {
    Files z;
    z.add("conn.log", log);
    for (size_t piece : {2000, 9000, 30000}) {
      REQUIRE(piecesOf(z, 0, 3, piece) >= 2);  // cut: nothing looked for a second header
      for (const char* mode : {"seed", "beyond"}) {
        INFO("piece " << piece << " mode " << mode << " log of " << log.size() << " B");
        ThreadedStats stats;
        analyse(z, 3, piece, mode, "", &stats);
        CHECK(stats.filesCut == 1);
        CHECK(stats.filesReadAgain == 1);
        CHECK(stats.piecesMerged == 0);
        same(z, "concatenated conn.log", 3, piece, mode);
      }
    }
  }
  // A piece never starts at a header line, and a log with one header is still cut and merged.
  Files one;
  one.add("conn.log", first);
  const SplitPlan plan = planSplit(first, one.inputs[0], 4, 2000);
  REQUIRE(plan.starts.size() == 4);
  for (size_t k = 1; k < plan.starts.size(); ++k) CHECK(first[plan.starts[k]] != '#');
  CHECK(same(one, "conn.log", 4, 2000, "seed") == 4);
}

TEST_CASE("threads: the examples give the same results on 1 and several threads", "[threads]") {
  Files f;
  f.add("DeviceNetworkEvents.csv", slurp(kSource / "examples/DeviceNetworkEvents.csv"), FileKind::Events);
  f.add("ThreatIntelligenceIndicator.csv", slurp(kSource / "examples/ThreatIntelligenceIndicator.csv"), FileKind::Intel);
  REQUIRE(f.bytes.begin()->second.size() > 100000);
  REQUIRE(piecesOf(f, 0, 3, 4096) == 3);
  for (const char* mode : {"seed", "beyond"}) {
    CHECK(same(f, "examples", 2, 4096, mode) == 2);
    CHECK(same(f, "examples", 3, 100000, mode, "2026-11-24T12:00:00Z") == 3);
  }
  Files s;
  for (const char* name : {"DeviceNetworkEvents.csv", "SigninLogs.csv", "ThreatIntelligenceIndicator.csv", "conn.log"})
    s.add(name, slurp(kSource / "examples/scenario" / name));
  REQUIRE(piecesOf(s, 0, 2, 4096) == 2);
  REQUIRE(piecesOf(s, 3, 2, 4096) == 2);
  for (const char* mode : {"seed", "beyond"}) {
    CHECK(same(s, "scenario", 2, 4096, mode) >= 4);  // the events CSV and conn.log, in two pieces each
    CHECK(same(s, "scenario", 4, 999, mode) >= 8);
  }
}

TEST_CASE("threads: a generated export with bad rows, quoted line breaks and CRLF, cut anywhere", "[threads]") {
  Files f;
  f.add("hard.csv", hardCsv(3000));
  f.add("ti.csv", test::intelCsv({{"2026-11-24T01:00:00Z", "203.0.113.8"}}), FileKind::Intel);
  for (size_t piece : {97, 1000, 20000}) {
    REQUIRE(piecesOf(f, 0, 3, piece) >= 2);
    CHECK(same(f, "hard.csv", 3, piece, "seed") >= 2);
    CHECK(same(f, "hard.csv", 2, piece, "beyond") == 2);
    CHECK(same(f, "hard.csv", 3, piece, "seed", "2026-11-24T06:00:00Z") >= 2);
  }
}

TEST_CASE("threads: every fixture, alone and together, gives the same results on several threads", "[threads]") {
  Files all;
  size_t cut = 0;
  for (const auto& dir : {"tests/fixtures/json", "tests/fixtures/signin", "tests/fixtures/signin-json",
                          "tests/fixtures/firewall", "tests/fixtures/weblog", "tests/fixtures/cloud",
                          "tests/fixtures/sysmon", "tests/fixtures/intel"}) {
    // A fixture folder that is gone (renamed, moved) fails here, not by reading fewer files.
    INFO("fixture folder " << dir);
    REQUIRE(fs::is_directory(kSource / dir));
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(kSource / dir))
      if (e.is_regular_file()) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      Files one;
      one.add(p.filename().string(), slurp(p));
      if (same(one, p.string(), 2, 64, "seed") >= 2) ++cut;
      same(one, p.string(), 3, 200, "beyond");
      all.add(p.filename().string() + "#" + std::to_string(all.inputs.size()), one.bytes.begin()->second);
    }
  }
  REQUIRE(all.inputs.size() > 20);
  CHECK(cut >= 3);  // JSON Lines and CSV fixtures are cut and merged, not only read whole
  same(all, "every fixture", 2, 64, "seed");
  same(all, "every fixture", 3, 300, "beyond");
}

// The CLI drops the pages of a mapped file once they are read (madvise): the core says which bytes
// it is done with, a stretch at a time, and every byte of every mapped file is said in each pass
// that reads it; with a hook or without, the results are the same.
TEST_CASE("threads: the release hook is told every byte read from a mapped file, and changes nothing", "[threads]") {
  Files f;
  f.add("hard.csv", hardCsv(3000));
  f.add("ti.csv", test::intelCsv({{"2026-11-24T01:00:00Z", "203.0.113.8"}}), FileKind::Intel);
  const std::string& bytes = f.bytes.at("hard.csv");
  REQUIRE(bytes.size() > 200000);
  for (const char* mode : {"seed", "beyond"}) {
    INFO("mode " << mode);
    std::vector<uint32_t> times(bytes.size(), 0);
    std::mutex m;
    bool outside = false;  // checked on this thread: the hook runs on the reading threads, Catch2 is not thread-safe
    const ReleaseBytes release = [&](std::string_view piece) {
      std::lock_guard<std::mutex> lk(m);
      if (piece.data() < bytes.data() || piece.data() + piece.size() > bytes.data() + bytes.size()) {
        outside = true;
        return;
      }
      for (size_t i = size_t(piece.data() - bytes.data()), e = i + piece.size(); i < e; ++i) ++times[i];
    };
    const Output with = analyse(f, 2, 20000, mode, "", nullptr, release);
    const Output without = analyse(f, 2, 20000, mode, "");
    CHECK_FALSE(outside);
    CHECK(with.summaries == without.summaries);
    for (int i = 0; i < 3; ++i) CHECK(with.rows[i] == without.rows[i]);
    // Each byte once per pass: the read, and the collect pass that reads the file again for rows
    // straddling the lookback cutoff (both modes here) and beyond mode's intervals.
    CHECK(*std::min_element(times.begin(), times.end()) == 2);
    CHECK(*std::max_element(times.begin(), times.end()) == 2);
  }
}
