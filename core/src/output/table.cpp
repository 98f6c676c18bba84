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
  // Seed mode's output files: the same table without the columns the seed rule knows nothing of.
  // They come last, so that a detection fills a row of either schema by position.
  seedOutput_.reset();
  const auto firstOut = std::find_if(columns.begin(), columns.end(), [](const Column& c) { return !c.inSeedOutput; });
  if (firstOut == columns.end()) return;
  if (std::any_of(firstOut, columns.end(), [](const Column& c) { return c.inSeedOutput; }))
    throw std::logic_error(std::string(detection) + " table: the columns left out of seed output must come last");
  auto seed = std::make_shared<TableSchema>(*this);
  seed->columns.erase(seed->columns.begin() + (firstOut - columns.begin()), seed->columns.end());
  for (auto* view : {&seed->terminalSeed, &seed->terminalBeyond, &seed->pageSeed, &seed->pageBeyond})
    view->erase(std::remove_if(view->begin(), view->end(),
                               [&](const ViewColumn& v) {
                                 return std::none_of(seed->columns.begin(), seed->columns.end(),
                                                     [&](const Column& c) { return c.name == v.column; });
                               }),
                view->end());
  seed->finalize();  // its columns are all in seed output: it gets no view of its own
  seedOutput_ = std::move(seed);
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
