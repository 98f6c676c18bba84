#include "vpshunt/session.hpp"

#include <nlohmann/json.hpp>

#include "analysis_state.hpp"  // workers (issue 12): Session holds piece sessions

#include "vpshunt/asn.hpp"
#include "vpshunt/kql.hpp"
#include "vpshunt/options.hpp"
#include "vpshunt/output.hpp"
#include "vpshunt/rule.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

using nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Rule parseRule(const std::string& text) {
  if (text.empty()) return Rule{};
  return ruleFromJson(json::parse(text));
}

OutputFormat outputFormat(const std::string& name) {
  OutputFormat f;
  if (!parseOutputFormat(name, f))
    throw SessionError("bad-format", "unknown output format \"" + name + "\": expected table, csv, json or jsonl");
  return f;
}

KqlTarget kqlTarget(const std::string& name) {
  KqlTarget t;
  if (!parseKqlTarget(name, t)) throw SessionError("bad-target", "unknown KQL target: expected sentinel, defender or adx");
  return t;
}

json problemsJson(const std::vector<Problem>& problems) {
  json out = json::array();
  for (const auto& q : problems) out.push_back({{"line", q.line}, {"column", q.column}, {"message", q.message}});
  return out;
}

std::string_view kindName(FileKind k) { return fileKindName(k); }

}  // namespace

Session::Session(const std::string& ruleJson) : analysis_(parseRule(ruleJson)) {}

std::optional<Ticks> Session::now(const std::string& nowIso) const {
  if (nowIso.empty()) return std::nullopt;
  Ticks t = 0;
  size_t at = 0;
  if (!parseIsoTime(nowIso, t, &at))
    throw SessionError("bad-now", "now: expected an ISO 8601 time such as 2024-05-01T12:00:00Z, found \"" + nowIso +
                                      "\" (column " + std::to_string(at + 1) + ")");
  return t;
}

void Session::beginFile(std::string name, const std::string& kind, std::string format) {
  FileKind k;
  if (kind.empty() || kind == "auto") k = FileKind::Auto;
  else if (kind == "events") k = FileKind::Events;
  else if (kind == "intel") k = FileKind::Intel;
  else throw SessionError("bad-kind", "unknown file kind \"" + kind + "\": expected auto, events or intel");
  analysis_.beginFile(std::move(name), k, std::move(format));
}

void Session::feed(const uint8_t* data, size_t size) {
  if (piece_) feedPiece(data, size);  // workers (issue 12): session_pieces.cpp
  else analysis_.feed(data, size);
}
void Session::endFile() {
  if (piece_) endPiece();  // workers
  else analysis_.endFile();
}
void Session::fileError(std::string message) {
  if (piece_) pieceError(std::move(message));  // workers
  else analysis_.fileError(std::move(message));
}
void Session::setNow(const std::string& nowIso) { analysis_.setNow(now(nowIso)); }
void Session::beginCollect(const std::vector<uint64_t>& ids) { analysis_.beginCollect(ids); }
void Session::endCollect() { analysis_.endCollect(); }

void Session::reset() {
  dropPieces();  // workers
  analysis_.reset();
  store_.clear();
}

std::string Session::status(const std::string& nowIso) { return statusJsonText(analysis_.finishEach(now(nowIso), nullptr)); }

std::string Session::refresh(const std::string& nowIso) {
  store_.clear();
  const Results r = analysis_.finishEach(now(nowIso), &store_);
  return statusJsonText(r, {{"storeBytes", store_.memoryBytes()}});
}

std::string Session::view(const std::string& requestJson) const { return store_.view(viewRequestFromJson(requestJson)); }

void Session::exportView(const std::string& requestJson, const std::string& format,
                         const std::function<void(std::string_view)>& write) const {
  store_.exportView(viewRequestFromJson(requestJson), outputFormat(format), write);
}

std::string Session::render(const std::string& format, const std::string& nowIso,
                            const std::function<void(std::string_view)>& write) const {
  const Results r = writeResults(analysis_, now(nowIso), outputFormat(format), write);
  return statusJsonText(r, {{"summaries", renderFileSummaries(r)}});
}

std::string Session::collectGroups(const std::string& nowIso) const { return dump(json(analysis_.collectGroups(now(nowIso)))); }

std::string Session::summaries(const std::string& nowIso) { return renderFileSummaries(analysis_.finishEach(now(nowIso), nullptr)); }

std::string Session::detail(const std::string& detection, uint64_t key) const {
  const TableSchema* schema = findTableSchema(detection);
  if (!schema) throw SessionError("bad-request", "unknown detection \"" + detection + "\"");
  Row row(*schema);
  if (!store_.findRow(detection, key, row))
    throw SessionError("bad-request", "no " + detection + " row has the key " + std::to_string(key));
  const Analysis::GroupDetail d = analysis_.detail(key);
  json times = json::array(), ms = json::array(), ports = json::array();
  for (Ticks t : d.times) {
    times.push_back(formatIsoTime(t));
    ms.push_back(static_cast<double>(t) / 1e4);  // ticks of 100 ns -> milliseconds
  }
  for (int32_t p : d.ports) ports.push_back(p < 0 ? json(nullptr) : json(p));
  json j = {{"detection", detection}, {"key", key},       {"times", times},       {"ms", ms},
            {"ports", ports},         {"total", d.total}, {"complete", d.complete}};
  if (!d.targetNames.empty() || !d.targets.empty()) {
    j["targets"] = d.targets;
    j["targetNames"] = d.targetNames;
    j["refused"] = d.refused;
  }
  j["row"] = rowJson(row);
  // --- infrastructure members (page2) ---
  // The rows behind a network, each with its cells from the store, so that the page lists them and
  // opens any in its own tab. At most kMaxMembers (a /24 of a big provider may hold thousands);
  // memberCount is the whole number.
  if (detection == "infrastructure") {
    constexpr size_t kMaxMembers = 200;
    const auto refs = analysis_.infrastructureMembers(key);
    json members = json::array();
    for (const auto& ref : refs) {
      if (members.size() == kMaxMembers) break;
      const TableSchema* memberSchema = findTableSchema(ref.detection);
      if (!memberSchema) continue;
      Row member(*memberSchema);
      if (!store_.findRow(ref.detection, ref.key, member)) continue;
      members.push_back({{"detection", ref.detection}, {"key", ref.key}, {"row", rowJson(member)}});
    }
    j["members"] = std::move(members);
    j["memberCount"] = refs.size();
  }
  // --- end infrastructure members ---
  if (detection == "beacon")  // tuning (issue 13): known software, in seed mode too
    for (const auto& n : analysis_.knownSoftware({key})) {
      j["knownSoftware"] = n.product ? json(*n.product) : json(nullptr);
      j["knownSoftwareReason"] = n.reason;
      j["processFolder"] = n.folder;  // what a knownSoftware entry's "folder" takes
      j["processFolderDisagrees"] = n.folderDisagrees;
    }
  return dump(j);
}

// --- tuning (issue 13) ---
std::string Session::knownSoftware(const std::string& keysJson) const {
  const json keys = json::parse(keysJson);
  if (!keys.is_array()) throw SessionError("bad-request", "knownSoftware: expected an array of row keys");
  std::vector<uint64_t> ids;
  for (const auto& k : keys) {
    if (!k.is_number_unsigned() && !(k.is_number_integer() && k.get<int64_t>() >= 0))
      throw SessionError("bad-request", "knownSoftware: a row key is a whole number >= 0");
    ids.push_back(k.get<uint64_t>());
  }
  json out = json::array();
  for (const auto& n : analysis_.knownSoftware(ids))
    if (n.found)
      out.push_back({{"key", n.key},
                     {"knownSoftware", n.product ? json(*n.product) : json(nullptr)},
                     {"reason", n.reason},
                     {"processFolder", n.folder},
                     {"processFolderDisagrees", n.folderDisagrees}});
  return dump(out);
}
// --- end tuning ---

bool Session::setRule(const std::string& ruleJson) {
  const bool reread = analysis_.setRule(parseRule(ruleJson));
  if (reread) store_.clear();
  return reread;
}

std::string Session::ruleJson() const { return ruleToJson(analysis_.rule()).dump(2); }

bool Session::setDetections(const std::string& namesJson) {
  const json j = json::parse(namesJson);
  if (!j.is_array()) throw SessionError("bad-request", "detections: expected an array of names");
  std::vector<std::string> names;
  for (const auto& n : j) {
    if (!n.is_string()) throw SessionError("bad-request", "detections: expected an array of names");
    names.push_back(n.get<std::string>());
  }
  try {
    return analysis_.setDetections(names);
  } catch (const std::invalid_argument& e) {
    throw SessionError("bad-request", e.what());
  }
}

void Session::setAsnDatabase(const uint8_t* data, size_t size, bool isCsv) {
  auto db = std::make_shared<AsnDatabase>();
  std::string error;
  const bool ok = isCsv ? db->loadCsv(std::string_view(reinterpret_cast<const char*>(data), size), error) : db->load(data, size, error);
  if (!ok) throw SessionError("asn-db", error);
  analysis_.setAsnDatabase(std::move(db));
}

std::string Session::setHostingLists(const std::vector<std::string>& texts) {
  auto list = std::make_shared<HostingList>(HostingList::builtin());
  json out = json::array();
  for (const std::string& text : texts) {
    std::vector<Problem> problems;
    list->load(text, &problems);
    out.push_back(problemsJson(problems));
  }
  analysis_.setHostingList(std::move(list));
  return dump(out);
}

std::string Session::defaultRuleJson() { return ruleToJson(Rule{}).dump(2); }

std::string Session::formatsJson() {
  json out = json::array();
  for (const auto& [name, description] : knownFormats()) out.push_back({{"name", name}, {"description", description}});
  return dump(out);
}

std::string Session::schemasJson() { return dump(schemasToJson()); }

std::string Session::parseOptionsJson(const std::string& argvJson) {
  const json argv = json::parse(argvJson);
  std::vector<std::string> args;
  for (const auto& a : argv) args.push_back(a.is_string() ? a.get<std::string>() : a.dump());
  Options o;
  try {
    o = parseOptions(args);
  } catch (const UsageError& e) {
    throw SessionError("usage", e.what());
  }
  json inputs = json::array();
  for (const auto& in : o.inputs) inputs.push_back({{"path", in.path}, {"kind", std::string(kindName(in.kind))}, {"format", in.format}});
  return dump(json{{"inputs", inputs},
                   {"now", o.now},
                   {"config", o.config},
                   {"format", o.format},
                   {"output", o.output},
                   {"mode", o.mode},
                   {"asnDb", o.asnDb},
                   {"hostingLists", o.hostingLists},
                   {"detect", o.detect},
                   {"printConfig", o.printConfig},
                   {"quiet", o.quiet},
                   {"threads", o.threads},
                   {"listFormats", o.listFormats},
                   {"help", o.help},
                   {"exportKql", o.exportKql},
                   {"target", o.target},
                   {"exportWatchlist", o.exportWatchlist},
                   {"watchlistUrl", o.watchlistUrl},
                   {"runError", [&]() -> json {
                      try {
                        checkRunOptions(o);
                        return nullptr;
                      } catch (const UsageError& e) {
                        return e.what();
                      }
                    }()}});
}

std::string Session::usage() { return usageText(); }

std::string Session::exportKql(const std::string& ruleJson, const std::string& target, const std::string& detection,
                               const std::string& hostingCsvUrl) {
  KqlOptions options;
  options.hostingCsvUrl = hostingCsvUrl;
  try {
    return vpshunt::exportKql(parseRule(ruleJson), kqlTarget(target), detection, options);
  } catch (const KqlError& e) {
    throw SessionError("kql", e.what());
  }
}

std::string Session::pivotQueries(const std::string& detection, const std::string& rowJson, const std::string& target) {
  const json row = json::parse(rowJson);
  if (!row.is_object()) throw SessionError("bad-row", "a row must be a JSON object");
  KqlRow fields;
  for (auto it = row.begin(); it != row.end(); ++it) {
    if (it.value().is_null()) continue;
    fields[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  try {
    json out = json::array();
    for (const auto& p : vpshunt::pivotQueries(detection, fields, kqlTarget(target)))
      out.push_back({{"id", p.id}, {"title", p.title}, {"query", p.query}});
    return dump(out);
  } catch (const KqlError& e) {
    throw SessionError("kql", e.what());
  }
}

std::string Session::watchlistCsv(const uint8_t* data, size_t size, bool isCsv, const std::vector<std::string>& hostingTexts) {
  AsnDatabase db;
  std::string error;
  const bool ok = isCsv ? db.loadCsv(std::string_view(reinterpret_cast<const char*>(data), size), error) : db.load(data, size, error);
  if (!ok) throw SessionError("asn-db", error);
  HostingList list = HostingList::builtin();
  json problems = json::array();
  for (const std::string& text : hostingTexts) {
    std::vector<Problem> found;
    list.load(text, &found);
    problems.push_back(problemsJson(found));
  }
  std::string csv;
  const size_t rows = writeWatchlist(db, list, [&](std::string_view piece) { csv += piece; });
  return dump(json{{"text", csv}, {"rows", rows}, {"problems", problems}});
}

}  // namespace vpshunt
