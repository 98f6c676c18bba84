// The malformed-input corpus (tests/fixtures/malformed/<reader>/...): every file is read by the
// reader its folder names, followed in the same analysis by a good export, and
//  - its first problem is where EXPECTED.txt says (line and column) and names what was expected;
//  - the good export's beacon still makes its row (nothing else in the run is lost);
//  - feeding the file in small chunks reports exactly the same.
// Every file of the corpus must have a line in EXPECTED.txt and every line a file, so the corpus
// cannot shrink or grow unchecked. The gzip/ folder (damaged compression) is the front ends' part:
// tests/js/malformed.test.mjs runs the whole corpus through the native CLI and the Node runner.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "formats/encoding.hpp"
#include "support.hpp"
#include "vpshunt/analysis.hpp"

namespace {

namespace fs = std::filesystem;
const std::string kRoot = std::string(VPSHUNT_SOURCE_DIR) + "/tests/fixtures/malformed";

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A whole valid .gz (the oversized-string fixture: 65 MiB of JSON in 66 KB).
std::string gunzip(const std::string& gz) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 15 + 32) == Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = uInt(gz.size());
  std::string out;
  char buf[1 << 16];
  int ret;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    ret = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (ret == Z_OK);
  inflateEnd(&zs);
  REQUIRE(ret == Z_STREAM_END);
  return out;
}

struct Expected {
  uint64_t line = 0, column = 0;
  std::string message;  // a prefix of the first problem's message; empty: the file reads without a problem
};

// EXPECTED.txt: `path<TAB>line:column<TAB>message prefix`, or `path<TAB>-<TAB>why it is not a problem`.
std::map<std::string, Expected> expectations() {
  std::map<std::string, Expected> out;
  std::istringstream in(readAll(kRoot + "/EXPECTED.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    INFO(line);
    REQUIRE(t1 != std::string::npos);
    REQUIRE(t2 != std::string::npos);
    Expected e;
    std::string where = line.substr(t1 + 1, t2 - t1 - 1);
    if (where != "-") {
      size_t colon = where.find(':');
      REQUIRE(colon != std::string::npos);
      e.line = std::stoull(where.substr(0, colon));
      e.column = std::stoull(where.substr(colon + 1));
      e.message = line.substr(t2 + 1);
    }
    out[line.substr(0, t1)] = e;
  }
  return out;
}

std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot))
    if (entry.is_regular_file() && entry.path().filename() != "EXPECTED.txt")
      files.push_back(fs::relative(entry.path(), kRoot).generic_string());
  std::sort(files.begin(), files.end());
  return files;
}

// The malformed file (read by the reader its folder names), then a good beacon export.
vpshunt::Results analyse(const std::string& name, const std::string& format, const std::string& text, size_t chunk) {
  vpshunt::Analysis a;
  a.beginFile(name, vpshunt::FileKind::Auto, format);
  if (chunk == 0) chunk = text.size() ? text.size() : 1;
  for (size_t i = 0; i < text.size(); i += chunk) a.feed(text.data() + i, std::min(chunk, text.size() - i));
  a.endFile();
  test::Ev beacon;
  beacon.ip = "45.32.100.7";
  std::string good = test::eventsCsv(test::series("2026-11-24T10:00:00Z", 12, 60, beacon));
  a.beginFile("good.csv");
  a.feed(good.data(), good.size());
  a.endFile();
  return a.finish();
}

}  // namespace

TEST_CASE("malformed corpus: every file is listed in EXPECTED.txt and every entry has its file", "[malformed]") {
  auto expected = expectations();
  auto files = corpusFiles();
  REQUIRE(files.size() >= 40);
  for (const auto& f : files) {
    INFO(f);
    CHECK(expected.count(f) == 1);
  }
  for (const auto& [path, e] : expected) {
    INFO(path);
    CHECK(std::find(files.begin(), files.end(), path) != files.end());
  }
}

TEST_CASE("malformed corpus: each file gets a located message and the rest of the run goes on", "[malformed]") {
  auto expected = expectations();
  size_t checked = 0;
  for (const auto& rel : corpusFiles()) {
    std::string folder = rel.substr(0, rel.find('/'));
    if (folder == "gzip") continue;  // the front ends' part: tests/js/malformed.test.mjs
    auto it = expected.find(rel);
    if (it == expected.end()) continue;  // the listing test above fails
    const Expected& e = it->second;
    SECTION(rel) {
      std::string raw = readAll(kRoot + "/" + rel);
      std::string text = rel.size() > 3 && rel.compare(rel.size() - 3, 3, ".gz") == 0 ? gunzip(raw) : raw;
      auto r = analyse(rel, folder, text, 0);
      REQUIRE(r.files.size() == 2);
      const auto& f = r.files[0];
      CHECK(f.format == folder);
      if (e.message.empty()) {
        CHECK(f.problems.empty());
        CHECK(f.records > 0);
      } else {
        REQUIRE_FALSE(f.problems.empty());
        const auto& p = f.problems[0];
        CHECK(p.line == e.line);
        CHECK(p.column == e.column);
        CHECK(p.message.compare(0, e.message.size(), e.message) == 0);
        CHECK(p.line > 0);
        CHECK(p.column > 0);
      }
      // What the file's report says is valid UTF-8: a value quoted in a message is cut on a
      // character boundary (the CLI prints the bytes, the page's JSON would replace bad ones).
      for (const auto& p : f.problems) {
        INFO(p.message);
        CHECK(vpshunt::validUtf8Prefix(p.message) == p.message.size());
      }
      for (const auto& n : f.notes) {
        INFO(n);
        CHECK(vpshunt::validUtf8Prefix(n) == n.size());
      }
      // The good export after it is read in full and still makes its row.
      CHECK_FALSE(r.files[1].fatal);
      CHECK(r.files[1].kept == 12);
      bool beacon = false;
      for (const auto& row : r.rows) beacon |= row.remoteIp == "45.32.100.7" && row.connectionCount == 12;
      CHECK(beacon);
      // Chunking changes nothing (small files only: 7-byte chunks of 65 MiB would take long).
      if (text.size() < 200000) {
        auto chunked = analyse(rel, folder, text, 7);
        CHECK(vpshunt::fileReportToJson(chunked.files[0]) == vpshunt::fileReportToJson(f));
        CHECK(chunked.rows.size() == r.rows.size());
      }
    }
    ++checked;
  }
  CHECK(checked >= 40);
}
