// The training scenario (examples/scenario/, written by examples/make-scenario.py): the committed
// files read through the real readers give, for every detection, the rows expected.json says the
// story planted — counts exact, places in the order and score bounds where it gives them.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tenant.hpp"
#include "vpshunt/output.hpp"

namespace {

std::string scenarioFile(const std::string& name) {
  const std::string path = std::string(VPSHUNT_SOURCE_DIR) + "/examples/scenario/" + name;
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path << " (committed with the repository: python3 examples/make-scenario.py writes it)");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The identity of an expected row within its detection.
bool sameRow(const std::string& detection, const nlohmann::json& want, const nlohmann::json& row) {
  if (detection == "infrastructure") return row["Network"] == want["Network"];
  if (detection == "beacon")
    return row["DeviceName"] == want["DeviceName"] && row["Timestamp"] == want["Timestamp"] && row["RemoteIP"] == want["RemoteIP"];
  return row["RemoteIP"] == want["RemoteIP"];
}

}  // namespace

TEST_CASE("scenario: the committed files give the rows the story planted, for every detection", "[scenario]") {
  const nlohmann::json expected = nlohmann::json::parse(scenarioFile("expected.json"));
  std::vector<test::File> files;
  for (const auto& name : expected["files"]) {
    const std::string n = name.get<std::string>();
    files.push_back({n, scenarioFile(n), vpshunt::FileKind::Auto});
  }
  REQUIRE(files.size() == 4);
  vpshunt::Analysis analysis;
  analysis.setAsnDatabase(test::builtAsnDatabase());
  const auto r = test::runFiles(analysis, files);
  CHECK(vpshunt::formatIsoTime(r.now) == expected["now"].get<std::string>());
  for (const auto& f : r.files) {
    INFO(f.path << ": " << f.format);
    CHECK(f.skipped == 0);
    CHECK(f.problemsTotal == 0);
    CHECK_FALSE(f.fatal);
  }
  CHECK(r.files[0].format == "entra-signin-csv");
  CHECK(r.files[1].format == "defender-csv");
  CHECK(r.files[2].format == "zeek-tsv");
  CHECK(r.files[3].format == "sentinel-ti-csv");

  const nlohmann::json doc = vpshunt::resultsToJson(r);
  for (auto d = expected["detections"].begin(); d != expected["detections"].end(); ++d) {
    const std::string detection = d.key();
    INFO("detection " << detection);
    const nlohmann::json& rows = doc["detections"][detection]["rows"];
    if (d.value().contains("rowCount")) CHECK(rows.size() == d.value()["rowCount"].get<size_t>());
    for (const auto& want : d.value()["rows"]) {
      INFO("expected " << want.dump());
      size_t at = SIZE_MAX;
      for (size_t i = 0; i < rows.size() && at == SIZE_MAX; ++i)
        if (sameRow(detection, want, rows[i])) at = i;
      REQUIRE(at != SIZE_MAX);
      const nlohmann::json& got = rows[at];
      INFO("got " << got.dump());
      for (auto f = want.begin(); f != want.end(); ++f) {
        if (f.key() == "rank") CHECK(at == f.value().get<size_t>());
        else if (f.key() == "minScore") CHECK(got["Score"].get<int>() >= f.value().get<int>());
        else if (f.key() == "maxScore") CHECK(got["Score"].get<int>() <= f.value().get<int>());
        else if (f.key() == "reason") CHECK(test::hasReason(got["Reasons"].get<std::vector<std::string>>(), f.value().get<std::string>()));
        else CHECK(got[f.key()] == f.value());
      }
    }
  }
  // The logs' ASNs are the ASN database's: no row says they disagree.
  for (const auto& row : r.signin) CHECK_FALSE(test::hasReasonStarting(row.reasons, "the log names"));
}
