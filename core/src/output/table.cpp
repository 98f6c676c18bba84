#include "vpshunt/table.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "detections/beacon/beacon.hpp"
#include "detections/inbound/inbound.hpp"
#include "detections/infrastructure/infrastructure.hpp"
#include "detections/signin/signin.hpp"

namespace vpshunt {

std::string_view cellTypeName(CellType t) {
  switch (t) {
    case CellType::Text: return "text";
    case CellType::Int: return "int";
    case CellType::Number: return "number";
    case CellType::Bool: return "bool";
    case CellType::Time: return "time";
    case CellType::IntList: return "ints";
    case CellType::TextList: return "texts";
  }
  return "text";
}

size_t TableSchema::index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return i;
  throw std::invalid_argument("no column \"" + std::string(name) + "\" in the " + std::string(detection) + " table");
}

void TableSchema::finalize() {
  keyOrder.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) keyOrder[i] = i;
  std::sort(keyOrder.begin(), keyOrder.end(), [&](size_t a, size_t b) { return columns[a].name < columns[b].name; });
  for (const auto* view : {&terminalSeed, &terminalBeyond, &pageSeed, &pageBeyond})
    for (const ViewColumn& v : *view) index(v.column);  // every view names a column of the table
  if (!overviewTime.empty()) index(overviewTime);
}

const std::vector<const TableSchema*>& tableSchemas() {
  static const std::vector<const TableSchema*> all = {&beaconSchema(), &inboundSchema(), &signinSchema(),
                                                             &infrastructureSchema()};
  return all;
}

const TableSchema* findTableSchema(std::string_view detection) {
  for (const TableSchema* s : tableSchemas())
    if (s->detection == detection) return s;
  return nullptr;
}

}  // namespace vpshunt
