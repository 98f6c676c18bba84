#include "formats/json_events_common.hpp"

#include "formats/zeek_conn.hpp"
#include "vpshunt/ip.hpp"

namespace vpshunt::jsonev {

namespace {
json::Options streamOptions() {
  json::Options o;
  o.resyncAtNewline = true;
  return o;
}
constexpr size_t kMaxCachedPaths = 4096;
}  // namespace

RecordReader::RecordReader(RecordSink& sink, size_t slotCount)
    : sink_(sink), stream_(*this, streamOptions()), slots_(slotCount) {
  buf_.reserve(4096);
  frames_.reserve(16);
}

void RecordReader::feed(const char* data, size_t size) {
  if (!stopped_) stream_.feed(data, size);
}

void RecordReader::finish() {
  if (!stopped_) stream_.finish();
  onFinish();
}

bool RecordReader::isTrue(int slot) const {
  if (!has(slot)) return false;
  auto k = kind(slot);
  if (k == json::TokenKind::True) return true;
  if (k != json::TokenKind::String && k != json::TokenKind::Number) return false;
  auto t = text(slot);
  return iequals(t, "true") || t == "T" || t == "1";
}

bool RecordReader::isFalse(int slot) const {
  if (!has(slot)) return false;
  auto k = kind(slot);
  if (k == json::TokenKind::False) return true;
  if (k != json::TokenKind::String && k != json::TokenKind::Number) return false;
  auto t = text(slot);
  return iequals(t, "false") || t == "F" || t == "0";
}

void RecordReader::put(RawEvent& e, EventField f, int slot, bool nullIsPresent) const {
  if (!has(slot)) return;
  if (isNull(slot) && !nullIsPresent) return;
  e.set(f, text(slot), column(slot));
}

void RecordReader::ensureKeyPath() {
  if (keyPathValid_) return;
  keyPath_.assign(path_, recordRoot_, std::string::npos);
  keyPath_.append(predicted_[curKey_].key);
  keyPathValid_ = true;
}

uint32_t RecordReader::contextId() {
  std::string rel(path_, recordRoot_, std::string::npos);
  auto it = ctxIds_.find(rel);
  if (it != ctxIds_.end()) return it->second;
  uint32_t id = nextCtx_++;
  if (ctxIds_.size() < kMaxCachedPaths) ctxIds_.emplace(std::move(rel), id);
  return id;
}

bool RecordReader::elementPath(Frame& f) {
  static_assert(kMaxArrayElements <= 10, "one digit per index");
  uint32_t i = f.index++;
  if (i >= kMaxArrayElements) return false;
  keyPath_.assign(path_, recordRoot_, std::string::npos);
  keyPath_.push_back(char('0' + i));
  keyPathValid_ = true;
  return true;
}

void RecordReader::startRecord(const json::Token& t) {
  keyCount_ = 0;
  ctx_ = 0;
  ++gen_;
  buf_.clear();
  recordActive_ = true;
  recordLine_ = t.line;
  recordCol_ = t.column;
}

void RecordReader::store(int slot, const json::Token& t) {
  Value& v = slots_[slot];
  bool incomingEmpty = t.kind == json::TokenKind::Null || t.text.empty();
  // Union exports carry both `X_long` and `X_string`, one of them null: keep the one with a value.
  if (v.gen == gen_ && incomingEmpty && v.len > 0 && v.kind != json::TokenKind::Null) return;
  v.gen = gen_;
  v.kind = t.kind;
  v.line = t.line;
  v.col = t.column;
  v.off = static_cast<uint32_t>(buf_.size());
  if (t.kind == json::TokenKind::Null) {
    v.len = 0;
  } else {
    v.len = static_cast<uint32_t>(t.text.size());
    buf_.append(t.text.data(), t.text.size());
  }
}

int RecordReader::lookup() {
  auto it = cache_.find(keyPath_);
  if (it != cache_.end()) return it->second;
  int s = slotFor(keyPath_);
  if (cache_.size() < kMaxCachedPaths) cache_.emplace(keyPath_, s);
  return s;
}

void RecordReader::onToken(const json::Token& t) {
  using K = json::TokenKind;
  if (skipping_) {
    if (t.isEnd() && t.depth == skipDepth_) skipping_ = false;
    return;
  }
  if (t.kind == K::Key) {
    if (recordActive_) {
      size_t idx = keyCount_++;
      if (idx < predicted_.size()) {
        Predicted& p = predicted_[idx];
        if (p.ctx == ctx_ && p.key == t.text) {
          curSlot_ = p.slot;
          curKey_ = idx;
          keyPathValid_ = false;
          return;
        }
      }
      keyPath_.assign(path_, recordRoot_, std::string::npos);
      keyPath_.append(t.text.data(), t.text.size());
      keyPathValid_ = true;
      curSlot_ = lookup();
      if (idx < 1024) {
        if (idx >= predicted_.size()) predicted_.resize(idx + 1);
        predicted_[idx].ctx = ctx_;
        predicted_[idx].slot = curSlot_;
        predicted_[idx].key.assign(t.text.data(), t.text.size());
      }
      return;
    }
    keyPath_.assign(path_, recordRoot_, std::string::npos);
    keyPath_.append(t.text.data(), t.text.size());
    keyPathValid_ = true;
    curSlot_ = -1;
    return;
  }
  if (frames_.empty()) {  // top level
    topLine_ = t.line;
    if (t.kind == K::BeginObject) {
      startRecord(t);
      frames_.push_back({FrameKind::Record, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
      recordRoot_ = static_cast<uint32_t>(path_.size());
    } else if (t.kind == K::BeginArray) {
      frames_.push_back({FrameKind::RecordArray, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
    } else {
      sink_.skip("top-level value is not an object", t.line, t.column,
                 "expected a JSON object (a record), found a " + std::string(json::tokenKindName(t.kind)));
    }
    return;
  }
  Frame& top = frames_.back();
  switch (t.kind) {
    case K::BeginObject:
      if (top.kind == FrameKind::InnerArray) {
        if (!elementPath(top)) {
          beginSkip(t.depth);
          return;
        }
        frames_.push_back({FrameKind::Inner, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
        path_.resize(recordRoot_);
        path_.append(keyPath_).push_back('.');
        ctx_ = contextId();
        return;
      }
      if (top.kind == FrameKind::RecordArray) {
        startRecord(t);
        frames_.push_back({FrameKind::Record, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
        recordRoot_ = static_cast<uint32_t>(path_.size());
      } else if (top.kind == FrameKind::Envelope || (top.kind == FrameKind::Record && top.demoted) ||
                 !recordActive_) {
        // Members of an envelope: only record arrays matter, and they are arrays.
        ensureKeyPath();
        frames_.push_back({FrameKind::Envelope, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
        path_.resize(recordRoot_);
        path_.append(keyPath_).push_back('.');
      } else {
        ensureKeyPath();
        frames_.push_back({FrameKind::Inner, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
        path_.resize(recordRoot_);
        path_.append(keyPath_).push_back('.');
        ctx_ = contextId();
      }
      return;
    case K::BeginArray: {
      bool inRecord = recordActive_ && (top.kind == FrameKind::Inner || top.kind == FrameKind::InnerArray ||
                                        (top.kind == FrameKind::Record && !top.demoted));
      if (top.kind == FrameKind::InnerArray) {
        if (!elementPath(top)) {
          beginSkip(t.depth);
          return;
        }
      } else if (top.kind != FrameKind::RecordArray) {
        ensureKeyPath();
      }
      if (top.kind != FrameKind::RecordArray && top.kind != FrameKind::InnerArray && isRecordArray(keyPath_)) {
        // The enclosing record is an envelope (`{"records": [...]}`): its elements are the records.
        for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
          if (it->kind == FrameKind::Record) {
            it->demoted = true;
            break;
          }
        recordActive_ = false;
        frames_.push_back({FrameKind::RecordArray, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
        // Records inside start their relative paths here; keep the envelope's path for later keys.
        path_.resize(recordRoot_);
        path_.append(keyPath_).push_back('.');
        return;
      }
      if (inRecord && readsArray(keyPath_)) {
        frames_.push_back({FrameKind::InnerArray, false, static_cast<uint32_t>(path_.size()), recordRoot_, ctx_});
        path_.resize(recordRoot_);
        path_.append(keyPath_).push_back('.');
        return;
      }
      beginSkip(t.depth);
      return;
    }
    case K::EndObject: {
      Frame f = top;
      frames_.pop_back();
      path_.resize(f.savedPathLen);
      ctx_ = f.savedCtx;
      if (f.kind == FrameKind::Record) {
        recordRoot_ = f.savedRoot;
        if (!f.demoted && recordActive_) {
          recordActive_ = false;
          ++recordsSeen_;
          onRecord();
        }
      }
      return;
    }
    case K::EndArray: {
      Frame f = top;
      frames_.pop_back();
      path_.resize(f.savedPathLen);
      recordRoot_ = f.savedRoot;
      ctx_ = f.savedCtx;
      return;
    }
    default:  // scalars
      if (top.kind == FrameKind::RecordArray) {
        sink_.skip("array element is not an object", t.line, t.column,
                   "expected a JSON object (a record), found a " + std::string(json::tokenKindName(t.kind)));
        return;
      }
      if (!recordActive_ || top.kind == FrameKind::Envelope || (top.kind == FrameKind::Record && top.demoted))
        return;
      if (top.kind == FrameKind::InnerArray) {
        if (!elementPath(top)) return;
        curSlot_ = lookup();
      }
      if (curSlot_ >= 0) store(curSlot_, t);
      return;
  }
}

void RecordReader::onError(const json::Error& e) {
  bool multiLine = !frames_.empty() && e.line != topLine_;
  frames_.clear();
  path_.clear();
  recordRoot_ = 0;
  recordActive_ = false;
  skipping_ = false;
  ctx_ = 0;
  keyCount_ = 0;
  if (!multiLine) {
    sink_.skip("malformed JSON", e.line, e.column, e.message);
    return;
  }
  // A value spanning lines (pretty-printed): resuming on the next line would only find fragments.
  if (recordsSeen_ == 0)
    sink_.fatal(e.line, e.column, e.message);
  else
    sink_.skip("malformed JSON", e.line, e.column, e.message + " (the rest of the file was not read)");
  stopped_ = true;
  stream_.stop();
}

bool iequals(std::string_view a, std::string_view b) { return equalsIgnoreCaseAscii(a, b); }

bool parseEpochTicks(std::string_view s, Ticks& out) { return zeek::parseEpochSeconds(s, out, zeek::Exponent::Allow); }

std::string_view baseName(std::string_view path) {
  size_t cut = path.find_last_of("\\/");
  return cut == std::string_view::npos ? path : path.substr(cut + 1);
}

bool isPublicIp(std::string_view text) {
  IpAddress ip;
  return parseIp(text, ip) && classifyIp(ip) == IpType::Public;
}

char firstByte(std::string_view head) {
  if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  for (char c : head)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  return '\0';
}

}  // namespace vpshunt::jsonev

namespace vpshunt::jsonev {

void DefenderRowEmitter::emit(RecordSink& sink, RawEvent& e) {
  std::string_view ip = e.has(EventField::RemoteIP) ? e.get(EventField::RemoteIP) : std::string_view();
  if (ip.empty()) {
    std::string_view action = e.get(EventField::ActionType);
    sink.other(action.empty() ? std::string("no RemoteIP") : "no RemoteIP (ActionType " + std::string(action) + ")");
    return;
  }
  if (ip == "-") {
    sink.skip("RemoteIP \"-\"", e.line, e.col(EventField::RemoteIP),
              "RemoteIP is \"-\": the record names no remote address (ActionType " +
                  std::string(e.get(EventField::ActionType)) + ")");
    return;
  }
  seen_ |= e.present;
  any_ = true;
  sink.onEvent(e);
}

void DefenderRowEmitter::finish(RecordSink& sink) {
  if (!any_) return;
  auto seen = [&](EventField f) { return (seen_ & (1u << static_cast<unsigned>(f))) != 0; };
  static constexpr EventField needed[] = {EventField::Timestamp,
                                          EventField::DeviceName,
                                          EventField::InitiatingProcessFileName,
                                          EventField::InitiatingProcessCommandLine,
                                          EventField::RemotePort,
                                          EventField::ActionType,
                                          EventField::SentBytes,
                                          EventField::ReceivedBytes};
  for (EventField f : needed)
    if (!seen(f)) sink.missingColumn(std::string(eventFieldName(f)));
  if (!seen(EventField::AccountName) && !seen(EventField::InitiatingProcessAccountName))
    sink.missingColumn("InitiatingProcessAccountName");
}

}  // namespace vpshunt::jsonev
