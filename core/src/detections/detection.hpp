// The interface every detection implements, and what the session hands it.
//
// A detection aggregates the events it wants as they are read (memory per key: a group, a flow, a
// source address; never per row), and at finish joins its aggregates with the shared address facts
// (enrich/ip_facts.hpp), scores them, explains the score in Reasons and makes its rows, in its own
// order, as cells of its declared columns (vpshunt/table.hpp). Every row carries Detection, Score
// (0-100, the detection's ranking) and Reasons.
#pragma once
#include <optional>
#include <string_view>

#include "enrich/ip_facts.hpp"
#include "ingest/file_ingest.hpp"
#include "vpshunt/results.hpp"
#include "vpshunt/rule.hpp"
#include "vpshunt/table.hpp"

namespace vpshunt {

// What a network detection gets with each event besides the record itself.
struct NetIngest {
  FileIngest& file;
  const Rule& rule;
  std::optional<Ticks> ingestNow;  // set: rows at or before now - lookback are dropped as they arrive
  Ticks maxEventTime;              // the latest event time read so far (this row included)
};

class NetworkRollup;  // detections/infrastructure/infrastructure.hpp

struct FinishContext {
  const Rule& rule;
  Ticks now;
  IpFactsTable& facts;
  bool makeRows;  // false: count the rows only (no texts, no prevalence)
  bool keepRows;  // append the typed rows to Results (finish()); else only hand cells to the sink
  // The infrastructure detection's input: the other detections' rows of this finish, rolled up
  // per network (null for every other detection).
  const NetworkRollup* rollup = nullptr;
};

class Detection {
 public:
  virtual ~Detection() = default;
  virtual std::string_view name() const = 0;
  virtual const TableSchema& schema() const = 0;
  virtual void reset() = 0;
  virtual bool sawEvents() const = 0;  // it holds aggregates of some event
  // The rows, in order: as cells to `sink` when given, as typed rows into `results` when
  // ctx.keepRows; counted only when neither. Fills the summary (row count, collect ids, notices).
  virtual void finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& results) const = 0;
};

}  // namespace vpshunt
