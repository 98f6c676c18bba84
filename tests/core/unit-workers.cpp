// Issue 12, the page's two workers: a helper session (another wasm instance in the page) reads a
// piece of a file, or whole files, and hands its aggregates over as bytes; the main session imports
// them and merges them through the same mergeChunk / mergeFiles as the native threads. The results
// (every output format, file reports with their problems' lines) are those of one read, byte for
// byte; damaged or foreign bytes are refused with a clear error and nothing is merged.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis_state.hpp"
#include "ingest/split.hpp"
#include "support.hpp"
#include "vpshunt/session.hpp"
#include "wire.hpp"

using namespace vpshunt;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = VPSHUNT_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct File {
  std::string name, bytes, kind = "auto";
};

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// As the page feeds: in slices.
void feedAll(Session& s, std::string_view b, size_t slice = 4093) {
  for (size_t at = 0; at < b.size(); at += slice) s.feed(u8(std::string(b.substr(at, std::min(slice, b.size() - at)))), std::min(slice, b.size() - at));
}

void readWhole(Session& s, const File& f) {
  s.beginFile(f.name, f.kind, "");
  feedAll(s, f.bytes);
  s.endFile();
}

std::string ruleJson(const std::string& mode) { return nlohmann::json{{"mode", mode}}.dump(); }

struct Output {
  std::string text[3], summaries;
};

// Reads, then the collect pass the page makes (every file not given as intel, in the main session).
Output finish(Session& s, const std::vector<File>& files, const std::string& now) {
  auto status = nlohmann::json::parse(s.status(now));
  if (!status["collectGroups"].empty()) {
    s.beginCollect(status["collectGroups"].get<std::vector<uint64_t>>());
    for (const File& f : files)
      if (f.kind != "intel") readWhole(s, f);
    s.endCollect();
  }
  Output o;
  const char* formats[3] = {"jsonl", "csv", "json"};
  for (int i = 0; i < 3; ++i) s.render(formats[i], now, [&](std::string_view t) { o.text[i] += t; });
  o.summaries = s.summaries(now);
  return o;
}

Output oneSession(const std::vector<File>& files, const std::string& mode, const std::string& now) {
  Session s(ruleJson(mode));
  s.setNow(now);
  for (const File& f : files) readWhole(s, f);
  return finish(s, files, now);
}

struct WorkerStats {
  size_t piecesMerged = 0, filesHandedOver = 0, readAgain = 0;
};

// The page's two workers, as engine.js drives them: a file worth cutting (planCut on its head and a
// window at its middle) is read half here, half by the helper; other files go whole to the helper
// in turn (intel stays here), and each blob is merged in input order.
Output twoSessions(const std::vector<File>& files, const std::string& mode, const std::string& now, WorkerStats& st,
                   size_t windowBytes = 1 << 20) {
  Session main(ruleJson(mode)), helper(ruleJson(mode));
  main.setNow(now);
  helper.setNow(now);
  for (size_t i = 0; i < files.size(); ++i) {
    const File& f = files[i];
    if (f.kind == "intel") {
      readWhole(main, f);
      continue;
    }
    const std::string head = f.bytes.substr(0, 64 * 1024 + 3);
    const size_t mid = f.bytes.size() / 2;
    const std::string window = f.bytes.substr(mid, windowBytes);
    const auto plan = nlohmann::json::parse(Session::planCut(u8(head), head.size(), u8(window), window.size(), mid,
                                                              f.bytes.size(), f.name, f.kind, ""));
    if (!plan["cut"].is_null()) {
      const size_t cut = plan["cut"].get<size_t>(), hb = plan["headerBegin"].get<size_t>(), he = plan["headerEnd"].get<size_t>();
      REQUIRE(cut > he);
      REQUIRE(f.bytes[cut - 1] == '\n');
      main.beginPiece(f.name, f.kind, "", 0);
      feedAll(main, std::string_view(f.bytes).substr(0, cut));
      main.endFile();
      helper.beginPiece(f.name, f.kind, "", he - hb);
      feedAll(helper, std::string_view(f.bytes).substr(hb, he - hb));
      feedAll(helper, std::string_view(f.bytes).substr(cut), 65536);
      helper.endFile();
      const std::string blob = helper.exportPiece();
      main.importPiece(u8(blob), blob.size());
      if (main.mergePieces(plan["headerLines"].get<uint64_t>())) {
        ++st.piecesMerged;
      } else {
        ++st.readAgain;
        readWhole(main, f);
      }
      continue;
    }
    if (i % 2) {  // every other whole file to the helper
      readWhole(helper, f);
      const std::string blob = helper.exportFiles();
      if (main.importFiles(u8(blob), blob.size())) ++st.filesHandedOver;
      else readWhole(main, f);  // threat intel found in it: read here, in order
    } else {
      readWhole(main, f);
    }
  }
  return finish(main, files, now);
}

WorkerStats same(const std::vector<File>& files, const std::string& what, const std::string& mode,
                 const std::string& now = "", size_t windowBytes = 1 << 20) {
  const Output one = oneSession(files, mode, now);
  WorkerStats st;
  const Output two = twoSessions(files, mode, now, st, windowBytes);
  INFO(what << ", mode " << mode << ", now " << now);
  CHECK(two.summaries == one.summaries);
  for (int i = 0; i < 3; ++i) CHECK(two.text[i] == one.text[i]);
  return st;
}

// A Defender export with quoted commas and line breaks in command lines, CRLF, bad rows of every
// kind and inbound rows, in no time order (as unit-threads.cpp's, with its own numbers).
std::string hardCsv(int rows, uint64_t seed) {
  std::string s = "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,"
                  "InitiatingProcessCommandLine,InitiatingProcessAccountName,LocalIP,LocalPort\r\n";
  uint64_t x = seed;
  auto rnd = [&](uint64_t n) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return (x >> 33) % n;
  };
  const char* actions[] = {"ConnectionSuccess", "ConnectionAttempt", "InboundConnectionAccepted", "ConnectionFound"};
  for (int i = 0; i < rows; ++i) {
    const int dev = int(rnd(5)), agent = int(rnd(4));
    const int minute = int(rnd(60 * 30));
    char ts[64];
    std::snprintf(ts, sizeof ts, "2026-11-%02dT%02d:%02d:%02dZ", 23 + minute / 1440, minute / 60 % 24, minute % 60, int(rnd(60)));
    // Every row of agent 1 has a quoted command line with a line break: a cut must not land inside it.
    std::string cmd = agent == 1 ? "\"agent.exe --x \"\"a,b\"\"\nline two\nline three\"" : "agent" + std::to_string(agent) + ".exe";
    std::string line = std::string(ts) + ",ws-" + std::to_string(dev) + "," + actions[rnd(4)] + ",198.51.100." +
                       std::to_string(1 + agent * 3 + int(rnd(2))) + ",443,Public,agent" + std::to_string(agent) +
                       ".exe," + cmd + ",user" + std::to_string(dev) + ",10.0.0." + std::to_string(dev) + ",3389";
    const uint64_t bad = rnd(40);
    if (bad == 0) line = "yesterday" + line.substr(line.find(','));
    else if (bad == 1) line += ",extra";
    s += line + (i % 2 ? "\n" : "\r\n");
  }
  return s;
}


}  // namespace

TEST_CASE("workers: planCut finds in a window the cut planSplit would make, outside quotes", "[workers]") {
  const std::string b = hardCsv(4000, 7);
  const std::string head = b.substr(0, 65539);
  for (size_t at : {size_t(70000), b.size() / 2, b.size() - 5000}) {
    const std::string window = b.substr(at, 300000);
    const auto plan = nlohmann::json::parse(
        Session::planCut(u8(head), head.size(), u8(window), window.size(), at, b.size(), "x.csv", "auto", ""));
    REQUIRE(!plan["cut"].is_null());
    const size_t cut = plan["cut"].get<size_t>();
    CHECK(cut >= at);
    CHECK(b[cut - 1] == '\n');
    CHECK(std::count(b.begin(), b.begin() + long(cut), '"') % 2 == 0);
    CHECK(plan["headerLines"] == 1);
  }
  // A window inside the header, a head too short, gzip, one JSON document: no cut, and why.
  auto why = [&](const std::string& bytes, size_t headSize, size_t at) {
    const std::string h = bytes.substr(0, headSize), w = bytes.substr(at, 100000);
    const auto p = nlohmann::json::parse(Session::planCut(u8(h), h.size(), u8(w), w.size(), at, bytes.size(), "f", "auto", ""));
    CHECK(p["cut"].is_null());
    return p["why"].get<std::string>();
  };
  CHECK(why(b, 65539, 10) == "the window starts inside the header");
  CHECK(why(b, 1000, 70000) == "the head is shorter than what the readers sniff");
  CHECK(why(std::string("\x1f\x8b\x08\x00", 4) + std::string(200000, 'x'), 65539, 70000) == "gzip");
  CHECK(why(slurp(kSource / "tests/fixtures/json/defender_graph_api.json"), 65539, 0).size() > 0);
}

TEST_CASE("workers: a CSV with quoted line breaks cut in two gives one read's results", "[workers]") {
  std::vector<File> files{{"hard.csv", hardCsv(6000, 99)}};
  REQUIRE(files[0].bytes.size() > 200000);
  for (const char* mode : {"seed", "beyond"}) {
    CHECK(same(files, "hard.csv", mode).piecesMerged == 1);
    CHECK(same(files, "hard.csv", mode, "2026-11-24T03:00:00Z").piecesMerged == 1);
  }
}

TEST_CASE("workers: the examples and the scenario, pieces and whole files handed over", "[workers]") {
  std::vector<File> ex{{"DeviceNetworkEvents.csv", slurp(kSource / "examples/DeviceNetworkEvents.csv"), "events"},
                       {"ThreatIntelligenceIndicator.csv", slurp(kSource / "examples/ThreatIntelligenceIndicator.csv"), "intel"}};
  REQUIRE(ex[0].bytes.size() > 100000);
  for (const char* mode : {"seed", "beyond"}) CHECK(same(ex, "examples", mode).piecesMerged == 1);
  std::vector<File> sc;
  for (const char* name : {"SigninLogs.csv", "DeviceNetworkEvents.csv", "ThreatIntelligenceIndicator.csv", "conn.log"})
    sc.push_back({name, slurp(kSource / "examples/scenario" / name)});
  for (const char* mode : {"seed", "beyond"}) {
    const WorkerStats st = same(sc, "scenario", mode);
    CHECK(st.piecesMerged + st.filesHandedOver + st.readAgain >= 2);
  }
}

TEST_CASE("workers: every fixture, alone and together, read by two sessions", "[workers]") {
  std::vector<File> all;
  size_t handed = 0, cut = 0;
  for (const auto& dir : {"tests/fixtures/json", "tests/fixtures/signin", "tests/fixtures/signin-json",
                          "tests/fixtures/firewall", "tests/fixtures/weblog", "tests/fixtures/cloud",
                          "tests/fixtures/sysmon", "tests/fixtures/intel", "tests/fixtures/zeek",
                          "tests/fixtures/malformed"}) {
    // A fixture folder that is gone (renamed, moved) fails here, not by reading fewer files.
    INFO("fixture folder " << dir);
    REQUIRE(fs::is_directory(kSource / dir));
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(kSource / dir))
      if (e.is_regular_file()) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      File f{p.filename().string() + "#" + std::to_string(all.size()), slurp(p)};
      // Alone, and second of two (the helper reads the second file whole).
      std::vector<File> two{{"first.csv", test::eventsCsv({{"2026-11-24T00:00:00Z"}})}, f};
      const WorkerStats st = same(two, p.string(), "seed");
      handed += st.filesHandedOver;
      cut += same({f}, p.string(), "beyond", "", 64).piecesMerged;
      all.push_back(f);
    }
  }
  REQUIRE(all.size() > 20);
  CHECK(handed > 10);
  // Cut with a small window: fixtures big enough for the head rule are few, so the count is not checked.
  (void)cut;
  same(all, "every fixture", "seed");
  same(all, "every fixture", "beyond");
}

TEST_CASE("workers: a blob saved, loaded and saved again is the same bytes", "[workers]") {
  for (const char* mode : {"seed", "beyond"}) {
    Session helper(ruleJson(mode));
    File sc{"scenario.csv", slurp(kSource / "examples/scenario/DeviceNetworkEvents.csv")};
    File si{"SigninLogs.csv", slurp(kSource / "examples/scenario/SigninLogs.csv")};
    readWhole(helper, sc);
    readWhole(helper, si);
    const std::string blob = helper.exportFiles();
    Rule rule;
    rule.mode = mode;
    AnalysisState state(rule);
    REQUIRE(state.loadAggregates(blob) == 0);
    CHECK(state.saveAggregates(0) == blob);
    CHECK(state.reportCount() == 2);
  }
}

TEST_CASE("workers: a damaged, truncated or foreign blob is refused and nothing is merged", "[workers]") {
  Session helper(ruleJson("seed"));
  readWhole(helper, {"hard.csv", hardCsv(300, 5)});
  const std::string blob = helper.exportFiles();
  REQUIRE(blob.size() > 1000);
  auto refused = [&](const std::string& bytes, const std::string& rule = "") {
    Session main(rule.empty() ? ruleJson("seed") : rule);
    try {
      main.importFiles(u8(bytes), bytes.size());
    } catch (const SessionError& e) {
      CHECK(e.code == "bad-blob");
      CHECK(nlohmann::json::parse(main.status(""))["files"].empty());  // nothing was taken
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(refused("") == "aggregate blob damaged at byte 0: not an aggregate blob (0 bytes)");
  CHECK(refused(std::string(100, 'x')) == "aggregate blob damaged at byte 0: not an aggregate blob (no VPSAGG header)");
  std::string v1 = blob;
  REQUIRE(v1[8] == 2);
  v1[8] = 1;  // a blob of the build before the layout changes were carried
  CHECK(refused(v1) == "aggregate blob damaged at byte 8: wire version 1, this build reads version 2 (the two workers run different builds)");
  CHECK(refused(blob, ruleJson("beyond")) ==
        "aggregate blob damaged at byte 12: read under another rule, detection list or now than this session's");
  CHECK(refused(blob + "x") == "aggregate blob damaged at byte " + std::to_string(blob.size()) + ": 1 bytes after the aggregates");
  // Every truncation is refused with a message; none is taken.
  for (size_t n = 0; n < blob.size(); n += (n < 200 ? 1 : 37)) {
    const std::string m = refused(blob.substr(0, n));
    INFO("truncated to " << n << " bytes");
    CHECK(m.rfind("aggregate blob damaged at byte ", 0) == 0);
  }
  // Single bytes flipped anywhere: refused, or loaded (a time or a count changed) — never a crash
  // and never an exception other than the refusal.
  uint64_t x = 1;
  for (int k = 0; k < 3000; ++k) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    std::string d = blob;
    const size_t at = 20 + size_t(x >> 33) % (blob.size() - 20);
    d[at] = char(d[at] ^ char(1 + (x >> 20) % 255));
    Session main(ruleJson("seed"));
    try {
      main.importFiles(u8(d), d.size());
      main.status("");
    } catch (const SessionError& e) {
      CHECK(e.code == "bad-blob");
    }
  }
  // A whole-files blob is not a piece.
  Session main(ruleJson("seed"));
  Session h2(ruleJson("seed"));
  readWhole(h2, {"a.csv", hardCsv(30, 1)});
  readWhole(h2, {"b.csv", hardCsv(30, 2)});
  const std::string two = h2.exportFiles();
  try {
    main.importPiece(u8(two), two.size());
    FAIL("a blob of two files was taken as a piece");
  } catch (const SessionError& e) {
    CHECK(std::string(e.what()) == "importPiece: the blob holds no piece of a file");
  }
}
