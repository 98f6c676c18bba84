// sectionJsonText (output.hpp): the json output's detection sections, written from texts cached per
// schema, must be exactly nlohmann's dump of the section object (the page's refresh builds the same
// object through statusToJson, and the Session and the CLI must agree byte for byte).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "vpshunt/output.hpp"
#include "vpshunt/results.hpp"

using namespace vpshunt;
using nlohmann::json;

namespace {
std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

TEST_CASE("sectionJsonText is nlohmann's dump of the section, for every schema and summary shape", "[output]") {
  const json schemas = schemasToJson();
  REQUIRE(tableSchemas().size() == 4);
  for (const TableSchema* s : tableSchemas()) {
    INFO(s->detection);
    // No summary: the schema's section as schemasToJson() has it.
    CHECK(sectionJsonText(*s, nullptr) == dumped(schemas.at(std::string(s->detection))));
    for (bool beyond : {false, true}) {
      const TableSchema& out = s->output(beyond);
      std::vector<DetectionSummary> shapes(4);
      shapes[1].rowCount = 7;
      shapes[1].considered = 12;
      shapes[1].sawEvents = true;
      shapes[1].notices = {"a notice with \"quotes\", a \\ and a control \x01 byte", "caf\xc3\xa9 and invalid \xff UTF-8"};
      shapes[2] = shapes[1];
      shapes[2].suppressedBy = {3, 0, 18446744073709551615ull};
      shapes[3] = shapes[2];
      shapes[3].knownSoftwareHidden = 5;
      shapes[3].suppressedBy.clear();
      for (size_t i = 0; i < shapes.size(); ++i) {
        INFO("beyond " << beyond << ", summary shape " << i);
        Results r;
        r.mode = beyond ? "beyond" : "seed";
        DetectionSummary d = shapes[i];
        d.detection = std::string(s->detection);
        r.detections.push_back(d);
        const json status = statusToJson(r);
        CHECK(sectionJsonText(out, &r.detections[0]) == dumped(status.at("detections").at(std::string(s->detection))));
      }
    }
  }
}

TEST_CASE("statusJsonText is nlohmann's dump of statusToJson with the extra members", "[output]") {
  Results r;
  FileReport f;
  f.path = "events \"one\".csv";
  f.format = "defender-csv";
  f.records = 3;
  f.notes = {"caf\xc3\xa9 and invalid \xff UTF-8", "a control \x01 byte"};
  f.skipReasons["unparseable Timestamp"] = 2;
  r.files.push_back(f);
  r.notices = {"a notice"};
  r.collectGroups = {9, 3};
  r.now = 1;
  r.nowSource = "given";
  const json extras[] = {json::object(), json{{"storeBytes", 123456}}, json{{"summaries", "a summary\n\xff"}}};
  for (bool beyond : {false, true})
    for (size_t detections = 0; detections <= 4; ++detections)
      for (const json& extra : extras) {
        INFO("beyond " << beyond << ", detections " << detections << ", extra " << dumped(extra));
        r.mode = beyond ? "beyond" : "seed";
        r.detections.clear();
        // In output order, not sorted: the document's "detections" object is sorted, detectionOrder is not.
        const char* names[] = {"beacon", "signin", "inbound", "infrastructure"};
        for (size_t i = 0; i < detections; ++i) {
          DetectionSummary d;
          d.detection = names[i];
          d.rowCount = i * 7;
          d.notices = {"n\xc3"};
          r.detections.push_back(d);
        }
        json reference = statusToJson(r);
        for (const auto& [key, value] : extra.items()) reference[key] = value;
        CHECK(statusJsonText(r, extra) == dumped(reference));
      }
}
