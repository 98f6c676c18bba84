// The only Embind file: one-line forwards from JavaScript to vpshunt::Session (the core's session,
// text in and text out: core/include/vpshunt/session.hpp) and one catch ladder. No logic lives here.
//
// Error convention (every call): a call never throws into JavaScript. It returns its value (a JS
// string of JSON or text, a number, a boolean, undefined), or, when anything was thrown inside (a
// bad rule, an unknown format or detection, a bad `now`, out of memory, a bug), the plain object
// {error: {code, message}}; web/engine.js turns that into an EngineError once for all. The
// constructor cannot return a value, so a bad rule leaves the seed rule and initError() says why.
//
// Buffers: bytes from JS are copied into one Session-owned buffer (a single TypedArray.set) and
// handed to the core; output pieces go to JS as Uint8Array views into wasm memory, valid only during
// the call that hands them. No view outlives a call that may allocate.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vpshunt/rule.hpp"
#include "vpshunt/session.hpp"

using emscripten::val;

namespace {

val errorValue(const std::string& code, const std::string& message) {
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
  } catch (const vpshunt::SessionError& e) {
    return errorValue(e.code, e.what());
  } catch (const vpshunt::RuleError& e) {
    return errorValue("rule", e.what());
  } catch (const nlohmann::json::exception& e) {
    return errorValue("json", e.what());
  } catch (const std::invalid_argument& e) {
    return errorValue("bad-request", e.what());
  } catch (const std::bad_alloc&) {
    return errorValue("out-of-memory", "out of memory: the analysis needs more than the browser allows (4 GB); load fewer or smaller files");
  } catch (const std::exception& e) {
    return errorValue("internal", e.what());
  } catch (...) {
    return errorValue("internal", "unknown error");
  }
}

val none() { return val::undefined(); }

// Bytes made in the core, copied out into a Uint8Array of their own (posted to another worker).
val bytesOut(const std::string& s) {
  return val(emscripten::typed_memory_view(s.size(), reinterpret_cast<const uint8_t*>(s.data()))).call<val>("slice");
}

// A JS Uint8Array copied into `buffer`.
void copyIn(const val& bytes, std::vector<uint8_t>& buffer) {
  buffer.resize(bytes["length"].as<size_t>());
  val(emscripten::typed_memory_view(buffer.size(), buffer.data())).call<void>("set", bytes);
}

// Output pieces to a JS function as Uint8Array views (valid during the call only).
std::function<void(std::string_view)> writer(val write) {
  return [write](std::string_view piece) {
    write(val(emscripten::typed_memory_view(piece.size(), reinterpret_cast<const uint8_t*>(piece.data()))));
  };
}

std::vector<uint64_t> ids(const val& list) {
  std::vector<uint64_t> out;
  for (double id : emscripten::vecFromJSArray<double>(list)) out.push_back(static_cast<uint64_t>(id));
  return out;
}

class Session {
 public:
  explicit Session(std::string ruleJson) {
    initError_ = guarded([&] {
      session_ = std::make_unique<vpshunt::Session>(ruleJson);
      return val::null();
    });
    if (!session_) session_ = std::make_unique<vpshunt::Session>("");
  }
  val initError() const { return initError_; }
  val beginFile(std::string n, std::string k, std::string f) { return guarded([&] { return session_->beginFile(n, k, f), none(); }); }
  val feed(const val& b) { return guarded([&] { return copyIn(b, buffer_), session_->feed(buffer_.data(), buffer_.size()), none(); }); }
  val endFile() { return guarded([&] { return session_->endFile(), trimBuffer(), none(); }); }
  val fileError(std::string m) { return guarded([&] { return session_->fileError(m), none(); }); }
  val setNow(std::string now) { return guarded([&] { return session_->setNow(now), none(); }); }
  val beginCollect(const val& list) { return guarded([&] { return session_->beginCollect(ids(list)), none(); }); }
  val endCollect() { return guarded([&] { return session_->endCollect(), none(); }); }
  val status(std::string now) { return guarded([&] { return val(session_->status(now)); }); }
  val refresh(std::string now) { return guarded([&] { return val(session_->refresh(now)); }); }
  val view(std::string request) const { return guarded([&] { return val(session_->view(request)); }); }
  val overview(std::string d) const { return guarded([&] { return val(session_->overview(d)); }); }
  val exportView(std::string r, std::string f, val w) const { return guarded([&] { return session_->exportView(r, f, writer(w)), none(); }); }
  val render(std::string f, std::string now, val w) const { return guarded([&] { return val(session_->render(f, now, writer(w))); }); }
  val collectGroups(std::string now) const { return guarded([&] { return val(session_->collectGroups(now)); }); }
  val summaries(std::string now) { return guarded([&] { return val(session_->summaries(now)); }); }
  val detail(std::string d, double key) const { return guarded([&] { return val(session_->detail(d, static_cast<uint64_t>(key))); }); }
  // page2: known software of beacon rows by key (issue 13: the page marks the seed rows in view)
  val knownSoftware(std::string keys) const { return guarded([&] { return val(session_->knownSoftware(keys)); }); }
  val setRule(std::string json) { return guarded([&] { return val(session_->setRule(json)); }); }
  val ruleJson() const { return guarded([&] { return val(session_->ruleJson()); }); }
  val setDetections(std::string json) { return guarded([&] { return val(session_->setDetections(json)); }); }
  val setAsnDatabase(const val& b, bool isCsv) {
    return guarded([&] {
      std::vector<uint8_t> data;  // one copy in, as feed() does; the database keeps its own form
      copyIn(b, data);
      return session_->setAsnDatabase(data.data(), data.size(), isCsv), none();
    });
  }
  val setHostingLists(const val& texts) {
    return guarded([&] { return val(session_->setHostingLists(emscripten::vecFromJSArray<std::string>(texts))); });
  }
  val reset() { return guarded([&] { return session_->reset(), none(); }); }
  val recordsInCurrentFile() const { return guarded([&] { return val(static_cast<double>(session_->recordsInCurrentFile())); }); }
  // --- workers (issue 12): the page's second worker (Session's piece API) ---
  val beginPiece(std::string n, std::string k, std::string f, double header) {
    return guarded([&] { return session_->beginPiece(n, k, f, static_cast<uint64_t>(header)), none(); });
  }
  val exportPiece() { return guarded([&] { return bytesOut(session_->exportPiece()); }); }
  val exportFiles() { return guarded([&] { return bytesOut(session_->exportFiles()); }); }
  val importPiece(const val& b) { return guarded([&] { return copyIn(b, buffer_), session_->importPiece(buffer_.data(), buffer_.size()), trimBuffer(), none(); }); }
  val mergePieces(double headerLines) { return guarded([&] { return val(session_->mergePieces(static_cast<uint64_t>(headerLines))); }); }
  val importFiles(const val& b) {
    return guarded([&] {
      copyIn(b, buffer_);
      const bool merged = session_->importFiles(buffer_.data(), buffer_.size());
      return trimBuffer(), val(merged);
    });
  }
  // --- end workers ---

 private:
  void trimBuffer() {
    if (buffer_.capacity() > (16u << 20)) std::vector<uint8_t>().swap(buffer_);
  }
  std::unique_ptr<vpshunt::Session> session_;
  std::vector<uint8_t> buffer_;
  val initError_ = val::null();
};

val defaultRuleJson() { return guarded([] { return val(vpshunt::Session::defaultRuleJson()); }); }
val formats() { return guarded([] { return val(vpshunt::Session::formatsJson()); }); }
val schemas() { return guarded([] { return val(vpshunt::Session::schemasJson()); }); }
val parseOptions(std::string argv) { return guarded([&] { return val(vpshunt::Session::parseOptionsJson(argv)); }); }
val usageText() { return guarded([] { return val(vpshunt::Session::usage()); }); }
val exportKql(std::string rule, std::string target, std::string detection, std::string url) {
  return guarded([&] { return val(vpshunt::Session::exportKql(rule, target, detection, url)); });
}
val pivotQueries(std::string d, std::string row, std::string t) { return guarded([&] { return val(vpshunt::Session::pivotQueries(d, row, t)); }); }
val watchlistCsv(const val& bytes, bool isCsv, const val& texts) {
  return guarded([&] {
    std::vector<uint8_t> data;
    copyIn(bytes, data);
    return val(vpshunt::Session::watchlistCsv(data.data(), data.size(), isCsv, emscripten::vecFromJSArray<std::string>(texts)));
  });
}
// workers (issue 12): where a file can be cut in two, from its head and a window at windowOffset.
val planCut(const val& head, const val& window, double windowOffset, double fileSize, std::string n, std::string k, std::string f) {
  return guarded([&] {
    std::vector<uint8_t> h, w;
    copyIn(head, h);
    copyIn(window, w);
    return val(vpshunt::Session::planCut(h.data(), h.size(), w.data(), w.size(), static_cast<uint64_t>(windowOffset),
                                         static_cast<uint64_t>(fileSize), n, k, f));
  });
}
// Bytes the allocator has handed out and not had back (mallinfo().uordblks): the leak test's
// measure (HEAPU8.length only grows, so a leak below the free heap never shows in it).
double heapUsedBytes() { return double(mallinfo().uordblks); }

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
      .function("status", &Session::status)
      .function("refresh", &Session::refresh)
      .function("view", &Session::view)
      .function("overview", &Session::overview)
      .function("exportView", &Session::exportView)
      .function("render", &Session::render)
      .function("collectGroups", &Session::collectGroups)
      .function("summaries", &Session::summaries)
      .function("detail", &Session::detail)
      .function("knownSoftware", &Session::knownSoftware)  // page2
      .function("setRule", &Session::setRule)
      .function("ruleJson", &Session::ruleJson)
      .function("setDetections", &Session::setDetections)
      .function("setAsnDatabase", &Session::setAsnDatabase)
      .function("setHostingLists", &Session::setHostingLists)
      .function("reset", &Session::reset)
      .function("recordsInCurrentFile", &Session::recordsInCurrentFile)
      // workers (issue 12)
      .function("beginPiece", &Session::beginPiece)
      .function("exportPiece", &Session::exportPiece)
      .function("exportFiles", &Session::exportFiles)
      .function("importPiece", &Session::importPiece)
      .function("mergePieces", &Session::mergePieces)
      .function("importFiles", &Session::importFiles);
  emscripten::function("defaultRuleJson", &defaultRuleJson);
  emscripten::function("formats", &formats);
  emscripten::function("schemas", &schemas);
  emscripten::function("parseOptions", &parseOptions);
  emscripten::function("usageText", &usageText);
  emscripten::function("exportKql", &exportKql);
  emscripten::function("pivotQueries", &pivotQueries);
  emscripten::function("watchlistCsv", &watchlistCsv);
  emscripten::function("heapUsedBytes", &heapUsedBytes);
  emscripten::function("planCut", &planCut);  // workers (issue 12)
}
