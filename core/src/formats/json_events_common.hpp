// Shared machinery of the JSON event readers (Defender, Zeek, Sysmon, Suricata).
//
// RecordReader runs the streaming tokenizer and cuts the document into records:
//   * every top-level object is a record (JSON Lines, concatenated or pretty-printed objects);
//   * every object element of a top-level array is a record;
//   * inside a record, an array under a key for which isRecordArray(path) is true (Defender's
//     `records`, the advanced-hunting API's `Results`) turns the enclosing object into an envelope:
//     the array's object elements are the records, and the envelope's own members are ignored.
// Within a record, every scalar is offered by its dotted path relative to the record
// (`properties.RemoteIP`, `id.orig_h` whether written as a dotted key or as nested objects,
// `winlog.event_data.SourceIp`); slotFor(path) says which slot keeps it (cached per distinct path).
// Arrays inside a record are not read, except those readsArray(path) accepts: their first
// kMaxArrayElements elements are offered with the element's index as a path component
// (`request.ipChain.0.ip`, `signInEventTypes.0`). When the record closes, onRecord() reads the slots.
//
// Values are copied into one reused buffer per record (no allocation in the steady state), so the
// views handed out by text() stay valid until onRecord() returns.
//
// Malformed input: JSON Lines files get the tokenizer's resync: the bad line is skipped (reason
// "malformed JSON") and reading continues on the next line. An error inside a value that spans lines
// (pretty-printed) stops the file: fatal when nothing was read before, else one skip.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/json_stream.hpp"
#include "formats/record.hpp"

namespace vpshunt::jsonev {

class RecordReader : public Reader, protected json::Handler {
 public:
  RecordReader(RecordSink& sink, size_t slotCount);
  void feed(const char* data, size_t size) override;
  void finish() override;

 protected:
  // Slot in [0, slotCount) for a scalar at `path` (relative to the record), or -1 to ignore it.
  virtual int slotFor(std::string_view path) = 0;
  virtual bool isRecordArray(std::string_view path) {
    (void)path;
    return false;
  }
  virtual bool readsArray(std::string_view path) {
    (void)path;
    return false;
  }
  static constexpr uint32_t kMaxArrayElements = 8;
  virtual void onRecord() = 0;
  virtual void onFinish() {}  // after the last record

  // During onRecord():
  bool has(int slot) const { return slots_[slot].gen == gen_; }
  std::string_view text(int slot) const {
    const Value& v = slots_[slot];
    return v.gen == gen_ ? std::string_view(buf_.data() + v.off, v.len) : std::string_view();
  }
  json::TokenKind kind(int slot) const { return slots_[slot].kind; }
  bool isNull(int slot) const { return has(slot) && slots_[slot].kind == json::TokenKind::Null; }
  bool isTrue(int slot) const;   // JSON true, or the strings "true"/"T"/"1"
  bool isFalse(int slot) const;  // JSON false, or the strings "false"/"F"/"0"
  // Set and not null, not "" and not Zeek's unset "-".
  bool hasValue(int slot) const {
    if (!has(slot) || isNull(slot)) return false;
    auto t = text(slot);
    return !t.empty() && !(t.size() == 1 && t[0] == '-' && slots_[slot].kind == json::TokenKind::String);
  }
  // 1-based byte column of the value when it sits on the record's first line, else 0.
  uint32_t column(int slot) const {
    const Value& v = slots_[slot];
    return v.gen == gen_ && v.line == recordLine_ ? static_cast<uint32_t>(v.col) : 0;
  }
  // Where to point a problem about `slot`: the value itself, or the record's start when it is absent.
  uint64_t valueLine(int slot) const { return has(slot) ? slots_[slot].line : recordLine_; }
  uint64_t valueColumn(int slot) const { return has(slot) ? slots_[slot].col : recordCol_; }
  uint64_t recordLine() const { return recordLine_; }
  uint64_t recordColumn() const { return recordCol_; }
  // Copies a slot into the event (null and absent stay absent unless `nullIsPresent`).
  void put(RawEvent& e, EventField f, int slot, bool nullIsPresent = false) const;

  RecordSink& sink_;

 private:
  void onToken(const json::Token& t) override;
  void onError(const json::Error& e) override;
  void startRecord(const json::Token& t);
  void store(int slot, const json::Token& t);
  int lookup();
  void ensureKeyPath();
  uint32_t contextId();
  void beginSkip(uint32_t depth) {
    skipping_ = true;
    skipDepth_ = depth;
  }

  struct Value {
    uint32_t off = 0, len = 0;
    uint64_t line = 0, col = 0;
    uint64_t gen = 0;
    json::TokenKind kind = json::TokenKind::Null;
  };
  enum class FrameKind : uint8_t { Record, Inner, RecordArray, Envelope, InnerArray };
  struct Frame {
    FrameKind kind;
    bool demoted;           // Record turned into an envelope by a record array inside it
    uint32_t savedPathLen;  // path_ length to restore on close
    uint32_t savedRoot;     // recordRoot_ to restore on close (Record)
    uint32_t savedCtx;      // ctx_ to restore on close
    uint32_t index = 0;     // InnerArray: the next element's index
  };
  // InnerArray: the path of the element that starts now (keyPath_), false past kMaxArrayElements.
  bool elementPath(Frame& f);
  // The keys of the previous record, in order: records of one file nearly always repeat their
  // layout, so the n-th key is checked against the n-th key seen before (one short compare) before
  // its path is built and hashed.
  struct Predicted {
    uint32_t ctx = 0;
    int slot = -1;
    std::string key;
  };

  json::Stream stream_;
  std::vector<Value> slots_;
  uint64_t gen_ = 0;
  std::string buf_;
  std::vector<Frame> frames_;
  std::string path_;     // dotted prefix of the current object, from the document root
  std::string keyPath_;  // path of the current member, relative to the record
  uint32_t recordRoot_ = 0;
  bool recordActive_ = false;
  uint64_t recordLine_ = 0, recordCol_ = 0;
  uint64_t topLine_ = 0;  // line where the current top-level value began
  bool skipping_ = false;
  uint32_t skipDepth_ = 0;
  uint64_t recordsSeen_ = 0;
  bool stopped_ = false;
  std::unordered_map<std::string, int> cache_;
  std::vector<Predicted> predicted_;
  size_t keyCount_ = 0, curKey_ = 0;
  bool keyPathValid_ = false;
  int curSlot_ = -1;
  uint32_t ctx_ = 0, nextCtx_ = 1;  // id of the current object's path within the record (0 = the record)
  std::unordered_map<std::string, uint32_t> ctxIds_;
};

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);
// Epoch seconds with an optional fraction ("1588205199.82437", "1.5e9") to ticks. Exact for the
// plain decimal form (no floating point), so 100 ns precision survives. The one implementation is
// zeek::parseEpochSeconds (zeek_conn.hpp) with exponents allowed.
bool parseEpochTicks(std::string_view text, Ticks& out);
// The last component of a Windows or POSIX path ("C:\\Windows\\System32\\svchost.exe" -> "svchost.exe").
std::string_view baseName(std::string_view path);
// True when `text` parses as an IP address that Defender would call Public.
bool isPublicIp(std::string_view text);
// First non-whitespace byte of `head` ('\0' when none); skips a UTF-8 BOM.
char firstByte(std::string_view head);
inline bool contains(std::string_view head, std::string_view needle) {
  return head.find(needle) != std::string_view::npos;
}

}  // namespace vpshunt::jsonev

namespace vpshunt::jsonev {

// Defender-shaped rows (streaming API, advanced-hunting API, Log Analytics tables): the last checks
// before the engine, shared so that every Defender JSON shape counts and words things alike.
//   * no RemoteIP, or an empty one: a record of another kind (DeviceProcessEvents rows of a union,
//     LdapSearch, ...): other("no RemoteIP (ActionType X)");
//   * RemoteIP "-": skipped, reason `RemoteIP "-"`;
//   * finish() reports the rule's columns that no network event of the file had (missingColumn):
//     JSON records need not all carry the same keys, so the whole file is looked at.
class DefenderRowEmitter {
 public:
  void emit(RecordSink& sink, RawEvent& e);
  void finish(RecordSink& sink);

 private:
  uint32_t seen_ = 0;
  bool any_ = false;
};

}  // namespace vpshunt::jsonev
