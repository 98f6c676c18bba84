// The only Embind file: a thin Session over vpshunt::Analysis for JavaScript (worker, Node runner,
// tests). No logic lives here; every decision is the core's.
//
// Error convention (one for every method): a method never throws into JavaScript. It returns its
// value, or — when anything at all was thrown inside (bad rule JSON, unknown format name, bad
// `now`, out of memory, a bug) — the plain object {error: {code, message}}. Callers test
// `typeof r === "object" && r !== null && "error" in r`; web/engine.js does that once for all.
// Success values are JS strings (JSON text or rendered text), numbers, undefined, or, for
// setRule(), the object {needsReread}. The constructor cannot return a value, so a bad rule passed
// to it leaves the seed rule in place and initError() returns the error (null when none).
//
// Buffers: feed() copies the JS Uint8Array into one Session-owned buffer (a single TypedArray.set,
// i.e. memcpy speed) and hands it to the core; no view into wasm memory outlives a call.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <new>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "vpshunt/analysis.hpp"
#include "vpshunt/asn.hpp"
#include "vpshunt/output.hpp"
#include "vpshunt/results.hpp"
#include "vpshunt/rule.hpp"
#include "vpshunt/time.hpp"

using emscripten::val;

namespace {

struct BindingError {
  const char* code;
  std::string message;
};

val errorValue(const char* code, const std::string& message) {
  val inner = val::object();
  inner.set("code", val(code));
  inner.set("message", val(message));
  val outer = val::object();
  outer.set("error", inner);
  return outer;
}

// The one catch ladder at the boundary.
template <class F>
val guarded(F&& body) {
  try {
    return body();
  } catch (const BindingError& e) {
    return errorValue(e.code, e.message);
  } catch (const vpshunt::RuleError& e) {
    return errorValue("rule", e.what());
  } catch (const nlohmann::json::exception& e) {
    return errorValue("json", e.what());
  } catch (const std::bad_alloc&) {
    return errorValue("out-of-memory",
                      "out of memory: the analysis needs more than the browser allows (4 GB); "
                      "load fewer or smaller files");
  } catch (const std::exception& e) {
    return errorValue("internal", e.what());
  } catch (...) {
    return errorValue("internal", "unknown error");
  }
}

vpshunt::FileKind parseKind(const std::string& kind) {
  if (kind.empty() || kind == "auto") return vpshunt::FileKind::Auto;
  if (kind == "events") return vpshunt::FileKind::Events;
  if (kind == "intel") return vpshunt::FileKind::Intel;
  throw BindingError{"bad-kind", "unknown file kind \"" + kind + "\": expected auto, events or intel"};
}

std::optional<vpshunt::Ticks> parseNow(const std::string& nowIso) {
  if (nowIso.empty()) return std::nullopt;
  vpshunt::Ticks t = 0;
  size_t at = 0;
  if (!vpshunt::parseIsoTime(nowIso, t, &at))
    throw BindingError{"bad-now", "now: expected an ISO 8601 time such as 2024-05-01T12:00:00Z, found \"" +
                                      nowIso + "\" (column " + std::to_string(at + 1) + ")"};
  return t;
}

vpshunt::Rule parseRule(const std::string& json) {
  if (json.empty()) return vpshunt::Rule{};
  return vpshunt::ruleFromJson(nlohmann::json::parse(json));
}

class Session {
 public:
  // finish() can take a while on big inputs; render() and summaries() right after it reuse its
  // Results (same now, nothing changed since). Every call that changes the analysis drops them.
  explicit Session(std::string ruleJson) {
    val err = guarded([&] {
      analysis_ = vpshunt::Analysis(parseRule(ruleJson));
      return val::null();
    });
    initError_ = err;
  }

  val initError() const { return initError_; }

  val beginFile(std::string name, std::string kind, std::string format) {
    return guarded([&] {
      cache_.reset();
      analysis_.beginFile(std::move(name), parseKind(kind), std::move(format));
      return val::undefined();
    });
  }

  val feed(const val& bytes) {
    return guarded([&] {
      cache_.reset();
      const size_t n = bytes["length"].as<size_t>();
      buffer_.resize(n);
      val(emscripten::typed_memory_view(n, buffer_.data())).call<void>("set", bytes);
      analysis_.feed(buffer_.data(), n);
      return val::undefined();
    });
  }

  val endFile() {
    return guarded([&] {
      cache_.reset();
      analysis_.endFile();
      if (buffer_.capacity() > kKeepBuffer) std::vector<uint8_t>().swap(buffer_);
      return val::undefined();
    });
  }

  // The front end could not read the current file (cannot open, corrupt gzip, ...).
  val fileError(std::string message) {
    return guarded([&] {
      cache_.reset();
      analysis_.fileError(std::move(message));
      return val::undefined();
    });
  }

  // now before reading (rows before the cutoff are dropped as they arrive); "" = not known yet.
  val setNow(std::string nowIso) {
    return guarded([&] {
      cache_.reset();
      analysis_.setNow(parseNow(nowIso));
      return val::undefined();
    });
  }

  // A collect pass: beginCollect([groupId, ...]); the files again (begin/feed/end); endCollect().
  val beginCollect(const val& groupIds) {
    return guarded([&] {
      cache_.reset();
      std::vector<uint64_t> ids;
      for (double id : emscripten::vecFromJSArray<double>(groupIds)) ids.push_back(static_cast<uint64_t>(id));
      analysis_.beginCollect(ids);
      return val::undefined();
    });
  }

  val endCollect() {
    return guarded([&] {
      cache_.reset();
      analysis_.endCollect();
      return val::undefined();
    });
  }

  // resultsToJson, "collectGroups" included (the groups a collect pass must count exactly).
  val finish(std::string nowIso) {
    return guarded([&] { return val(vpshunt::resultsToJson(results(nowIso)).dump()); });
  }

  // finish() without the rows: {now, files, notices, ..., "rows": [], rowCount, collectGroups}.
  val status(std::string nowIso) {
    return guarded([&] {
      const vpshunt::Results& r = counted(nowIso);
      nlohmann::json j = vpshunt::resultsToJson(r);
      j["rowCount"] = r.rowCount;
      return val(j.dump());
    });
  }

  val render(std::string format, std::string nowIso) {
    return guarded([&] { return val(vpshunt::renderResults(analysis_, parseNow(nowIso), outputFormat(format))); });
  }

  // The output handed to `write(bytes)` in pieces of about 1 MiB of UTF-8, each a Uint8Array view
  // into wasm memory that is valid only during the call; csv and jsonl rows are made one at a time,
  // so neither the rows nor the whole text sit in wasm memory.
  val renderEach(std::string format, std::string nowIso, val write) {
    return guarded([&] {
      vpshunt::writeResults(analysis_, parseNow(nowIso), outputFormat(format), [&](std::string_view piece) {
        write(val(emscripten::typed_memory_view(piece.size(), reinterpret_cast<const uint8_t*>(piece.data()))));
      });
      return val::undefined();
    });
  }

  val summaries(std::string nowIso) {
    return guarded([&] { return val(vpshunt::renderFileSummaries(counted(nowIso))); });
  }

  val setRule(std::string json) {
    return guarded([&] {
      cache_.reset();
      const bool reread = analysis_.setRule(parseRule(json));
      val out = val::object();
      out.set("needsReread", val(reread));
      return out;
    });
  }

  val ruleJson() const {
    return guarded([&] { return val(vpshunt::ruleToJson(analysis_.rule()).dump(2)); });
  }

  val detail(double groupId) const {
    return guarded([&] {
      if (!(groupId >= 0)) throw BindingError{"bad-group", "group id must be a non-negative number"};
      const auto d = analysis_.detail(static_cast<uint64_t>(groupId));
      nlohmann::json times = nlohmann::json::array(), ms = nlohmann::json::array();
      for (vpshunt::Ticks t : d.times) {
        times.push_back(vpshunt::formatIsoTime(t));
        ms.push_back(static_cast<double>(t) / 1e4);  // ticks of 100 ns -> milliseconds
      }
      nlohmann::json ports = nlohmann::json::array();
      for (int32_t p : d.ports) ports.push_back(p < 0 ? nlohmann::json(nullptr) : nlohmann::json(p));
      nlohmann::json j = {{"groupId", static_cast<uint64_t>(groupId)}, {"times", times}, {"ms", ms},
                          {"ports", ports}, {"total", d.total}, {"complete", d.complete}};
      return val(j.dump());
    });
  }

  // Hosting attribution data: asn.bin bytes (or the @ip-location-db/asn CSV when isCsv).
  val setAsnDatabase(const val& bytes, bool isCsv) {
    return guarded([&] {
      cache_.reset();
      std::vector<uint8_t> data(bytes["length"].as<size_t>());  // one copy in, as feed() does
      val(emscripten::typed_memory_view(data.size(), data.data())).call<void>("set", bytes);
      auto db = std::make_shared<vpshunt::AsnDatabase>();
      std::string error;
      const bool ok = isCsv ? db->loadCsv(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), error)
                            : db->load(data.data(), data.size(), error);
      if (!ok) throw BindingError{"asn-db", error};
      analysis_.setAsnDatabase(std::move(db));
      return val::undefined();
    });
  }

  // The built-in hosting list plus these texts, in order; returns each text's problems as JSON.
  val setHostingLists(const val& texts) {
    return guarded([&] {
      cache_.reset();
      auto list = std::make_shared<vpshunt::HostingList>(vpshunt::HostingList::builtin());
      nlohmann::json out = nlohmann::json::array();
      for (const std::string& text : emscripten::vecFromJSArray<std::string>(texts)) {
        std::vector<vpshunt::Problem> problems;
        list->load(text, &problems);
        nlohmann::json p = nlohmann::json::array();
        for (const auto& q : problems) p.push_back({{"line", q.line}, {"column", q.column}, {"message", q.message}});
        out.push_back(p);
      }
      analysis_.setHostingList(std::move(list));
      return val(out.dump());
    });
  }

  val reset() {
    return guarded([&] {
      cache_.reset();
      analysis_.reset();
      return val::undefined();
    });
  }

  val recordsInCurrentFile() const {
    return guarded([&] { return val(static_cast<double>(analysis_.recordsInCurrentFile())); });
  }

 private:
  static vpshunt::OutputFormat outputFormat(const std::string& name) {
    vpshunt::OutputFormat f;
    if (!vpshunt::parseOutputFormat(name, f))
      throw BindingError{"bad-format", "unknown output format \"" + name + "\": expected table, csv, json or jsonl"};
    return f;
  }

  const vpshunt::Results& results(const std::string& nowIso) {
    if (!cache_ || cache_->now != nowIso || !cache_->withRows)
      cache_.emplace(Cached{nowIso, analysis_.finish(parseNow(nowIso)), true});
    return cache_->results;
  }
  // What a caller needs besides the rows (files, notices, rowCount, collectGroups): the cached
  // results when there are any, else a finish that only counts the rows.
  const vpshunt::Results& counted(const std::string& nowIso) {
    if (!cache_ || cache_->now != nowIso)
      cache_.emplace(Cached{nowIso, analysis_.finishEach(parseNow(nowIso), nullptr), false});
    return cache_->results;
  }

  static constexpr size_t kKeepBuffer = 16u << 20;
  vpshunt::Analysis analysis_;
  std::vector<uint8_t> buffer_;
  val initError_ = val::null();
  struct Cached {
    std::string now;
    vpshunt::Results results;
    bool withRows;  // false: rows counted, not made (results.rows is empty)
  };
  std::optional<Cached> cache_;
};

val defaultRuleJson() {
  return guarded([] { return val(vpshunt::ruleToJson(vpshunt::Rule{}).dump(2)); });
}

val formats() {
  return guarded([] {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, description] : vpshunt::knownFormats())
      out.push_back({{"name", name}, {"description", description}});
    return val(out.dump());
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(vpshunt) {
  emscripten::class_<Session>("Session")
      .constructor<std::string>()
      .function("initError", &Session::initError)
      .function("beginFile", &Session::beginFile)
      .function("feed", &Session::feed)
      .function("endFile", &Session::endFile)
      .function("fileError", &Session::fileError)
      .function("setNow", &Session::setNow)
      .function("beginCollect", &Session::beginCollect)
      .function("endCollect", &Session::endCollect)
      .function("finish", &Session::finish)
      .function("status", &Session::status)
      .function("render", &Session::render)
      .function("renderEach", &Session::renderEach)
      .function("summaries", &Session::summaries)
      .function("setRule", &Session::setRule)
      .function("ruleJson", &Session::ruleJson)
      .function("detail", &Session::detail)
      .function("setAsnDatabase", &Session::setAsnDatabase)
      .function("setHostingLists", &Session::setHostingLists)
      .function("reset", &Session::reset)
      .function("recordsInCurrentFile", &Session::recordsInCurrentFile);
  emscripten::function("defaultRuleJson", &defaultRuleJson);
  emscripten::function("formats", &formats);
}
