// MISP events as MISP exports them (`/events/view`, "Download as MISP JSON").
//
//   {"Event": {"info": ..., "timestamp": "1539269931", "Attribute": [...], "Object": [...], "Tag": [...]}}
//   {"response": [{"Event": {...}}, ...]}
//   [{"Event": {...}}, ...]           (several events; also JSON Lines of {"Event": ...})
//
// Attributes are read from Event.Attribute[] and from Event.Object[].Attribute[] (ESET's Candiru
// event holds all its addresses in `domain-ip` objects). Each attribute is one record, its address
// in NetworkIP (the column the seed's join reads; a CIDR block there matches every address inside):
//   ip-dst, ip-dst|port, ip-src, ip-src|port  the IP part of "ip|port"
//   domain|ip                                 the IP part
// other types (domains, hashes, text, ...) are counted with other("non-IP indicator"). `to_ids` is
// not a reason to drop an attribute (ESET marks C2 addresses to_ids:false). A deleted attribute
// gives Active "false".
//   TimeGenerated = the attribute's `timestamp` (epoch seconds as a string), else the event's
//   Description   = Event.info, plus the attribute's comment after " - " when it has one
//   ThreatType    = the attribute's tags, else the event's tags, without tlp:/pap:/osint:/workflow:
//                   tags and with `namespace:predicate="value"` reduced to value; else the category
// Event tags come after the attributes in MISP's key order, so each event's address attributes are
// held (as copies) until the event closes.
#include <string>
#include <vector>

#include "formats/intel_json_common.hpp"
#include "formats/registry.hpp"
#include "vpshunt/problem.hpp"

namespace vpshunt {
namespace {

using intel::AddressKind;
using intel::FlatObject;
using json::Token;
using json::TokenKind;

struct PendingAttribute {
  std::string value, timestamp, comment, category, tags;
  IntelField field = IntelField::NetworkIP;
  uint64_t line = 0, column = 0, timestampColumn = 0;
  bool deleted = false;
};

// Appends a tag name to a ", "-joined list, unless it is a marking rather than a threat.
void appendTag(std::string& out, std::string_view tag) {
  static constexpr std::string_view skipped[] = {"tlp:", "pap:", "osint:", "workflow:", "admiralty-scale:",
                                                 "estimative-language:", "misp:", "source-reliability:"};
  for (auto p : skipped)
    if (intel::startsWithIgnoreCase(tag, p)) return;
  size_t eq = tag.find("=\"");
  if (eq != std::string_view::npos && tag.size() > eq + 3 && tag.back() == '"') tag = tag.substr(eq + 2, tag.size() - eq - 3);
  if (tag.empty()) return;
  if (!out.empty()) out.append(", ");
  out.append(tag);
}

class MispReader final : public Reader, private json::Handler {
 public:
  explicit MispReader(RecordSink& sink) : sink_(sink), stream_(*this) {}

  void feed(const char* data, size_t size) override { stream_.feed(data, size); }
  void finish() override {
    stream_.finish();
    if (!failed_ && events_ == 0) sink_.fatal(0, 0, "expected a MISP event ({\"Event\": {...}}), found none");
  }

 private:
  void onToken(const Token& t) override {
    path_.onToken(t);
    uint32_t d = t.depth;
    if (!ev_.active()) {
      if (t.kind == TokenKind::BeginObject && path_.memberName(d) == "Event") {
        ev_.begin(d, t.line, t.column);
        eventTags_.clear();
        pendingCount_ = 0;
        ++events_;
      }
      return;
    }
    const uint32_t e = ev_.depth();
    if (attr_.active()) {
      // A tag object of the attribute: Attribute{ Tag: [ {name} ] }
      if (t.kind == TokenKind::String && d == attr_.depth() + 3 && path_.memberName(d) == "name" &&
          path_.memberName(d - 1).empty() && path_.lastKey(attr_.depth()) == "Tag")
        appendTag(attrTags_, t.text);
      if (attr_.onToken(t, path_)) onAttribute();
      return;
    }
    if (t.kind == TokenKind::BeginObject && d >= 2 && !path_.isObject(d - 1) && path_.lastKey(d - 2) == "Attribute" &&
        (d == e + 2 || (d == e + 4 && path_.lastKey(e) == "Object"))) {
      attr_.begin(d, t.line, t.column);
      attrTags_.clear();
      return;
    }
    // An event tag: Event{ Tag: [ {name} ] }
    if (t.kind == TokenKind::String && d == e + 3 && path_.lastKey(e) == "Tag" && path_.memberName(d) == "name")
      appendTag(eventTags_, t.text);
    if (ev_.onToken(t, path_)) onEventEnd();
  }

  void onError(const json::Error& err) override {
    failed_ = true;
    sink_.fatal(err.line, err.column, err.message);
  }

  void onAttribute() {
    std::string_view type = attr_.get("type");
    std::string_view value = attr_.get("value");
    IntelField field;
    bool composite = false;
    if (type == "ip-dst" || type == "ip-dst|port") {
      field = IntelField::NetworkDestinationIP;
      composite = type.size() > 6;
    } else if (type == "ip-src" || type == "ip-src|port") {
      field = IntelField::NetworkSourceIP;
      composite = type.size() > 6;
    } else if (type == "domain|ip") {
      field = IntelField::NetworkIP;
    } else {
      sink_.other("non-IP indicator");
      return;
    }
    const FlatObject::Member* vm = attr_.find("value");
    uint64_t line = vm ? vm->line : attr_.line(), column = vm ? vm->column + 1 : attr_.column();
    // "ip|port" keeps the IP first; "domain|ip" keeps it last.
    if (type == "domain|ip") {
      size_t bar = value.find('|');
      if (bar != std::string_view::npos) {
        column += bar + 1;
        value = value.substr(bar + 1);
      }
    } else if (composite) {
      value = value.substr(0, value.find('|'));
    }
    AddressKind k = intel::addressKind(value);
    if (k == AddressKind::None) {
      sink_.skip("unparseable MISP address", line, column,
                 "expected an IP address or CIDR block in the " + std::string(type) + " attribute, found \"" +
                     std::string(cutUtf8(value, 80)) + "\"");
      return;
    }
    if (pendingCount_ == pending_.size()) pending_.emplace_back();
    PendingAttribute& p = pending_[pendingCount_++];
    p.value.assign(value);
    // Every address goes to NetworkIP, the column the seed's join reads: a MISP event lists bad
    // addresses, and ip-src vs ip-dst says where they were seen, not whether to match them.
    (void)field;
    p.field = IntelField::NetworkIP;
    p.line = line;
    p.column = column;
    const FlatObject::Member* ts = attr_.find("timestamp");
    p.timestamp.assign(ts ? std::string_view(ts->value) : std::string_view());
    p.timestampColumn = ts ? ts->column : 0;
    p.comment.assign(attr_.get("comment"));
    p.category.assign(attr_.get("category"));
    p.tags = attrTags_;
    p.deleted = attr_.get("deleted") == "true";
  }

  void onEventEnd() {
    std::string_view info = ev_.get("info");
    const FlatObject::Member* evTs = ev_.find("timestamp");
    for (size_t i = 0; i < pendingCount_; ++i) {
      const PendingAttribute& p = pending_[i];
      RawIndicator ind;
      ind.line = p.line;
      ind.set(p.field, p.value, uint32_t(p.column));
      std::string_view ts = p.timestamp;
      uint64_t tsCol = p.timestampColumn;
      if (ts.empty() && evTs) {
        ts = evTs->value;
        tsCol = evTs->column;
      }
      if (!ts.empty()) {
        ind.set(IntelField::TimeGenerated, ts, uint32_t(tsCol));
        Ticks t;
        if (intel::parseEpochText(ts, t)) {
          ind.hasTime = true;
          ind.time = t;
        }
      }
      description_.assign(info);
      if (!p.comment.empty()) {
        if (!description_.empty()) description_.append(" - ");
        description_.append(p.comment);
      }
      if (!description_.empty()) ind.set(IntelField::Description, description_);
      std::string_view threat = !p.tags.empty() ? std::string_view(p.tags)
                                : !eventTags_.empty() ? std::string_view(eventTags_)
                                                      : std::string_view(p.category);
      if (!threat.empty()) ind.set(IntelField::ThreatType, threat);
      ind.set(IntelField::Active, p.deleted ? "false" : "true");
      sink_.onIndicator(ind);
    }
    pendingCount_ = 0;
  }

  RecordSink& sink_;
  json::Stream stream_;
  intel::JsonPath path_;
  FlatObject ev_, attr_;
  std::string eventTags_, attrTags_, description_;
  std::vector<PendingAttribute> pending_;
  size_t pendingCount_ = 0;
  uint64_t events_ = 0;
  bool failed_ = false;
};

int sniffMisp(std::string_view head, std::string_view /*path*/) {
  using intel::headHasMember;
  if (!headHasMember(head, "Event")) return 0;
  if (headHasMember(head, "Attribute") || headHasMember(head, "info") || headHasMember(head, "orgc_id")) return 95;
  return 50;
}

std::unique_ptr<Reader> createMisp(RecordSink& sink) { return std::make_unique<MispReader>(sink); }

}  // namespace

const ReaderFactory& intelMispFactory() {
  static const ReaderFactory f{"intel-misp", "MISP event JSON ({\"Event\"} or {\"response\": [...]}), attributes and objects",
                               FileKind::Intel, sniffMisp, createMisp};
  return f;
}

}  // namespace vpshunt
