// STIX 2.0 and 2.1 threat intel: bundles, bare arrays of objects, single objects and JSON Lines.
//
//   {"type": "bundle", "spec_version": "2.0", "objects": [ {...}, ... ]}     2.0: version on the bundle
//   {"type": "bundle", "id": ..., "objects": [ {"spec_version": "2.1", ...} ]}  2.1: on each object
//   [ {"type": "indicator", ...}, ... ]                                      bare array (Sentinel's
//                                                                            JSON import template)
//   {"sourcesystem": ..., "indicators": [ ... ]}                             Sentinel upload API body
//
// Each `indicator` whose pattern compares an address path with a literal gives one indicator per
// literal (see scanStixPattern): ipv4-addr:value, ipv6-addr:value, network-traffic:dst_ref.value and
// src_ref.value all go to NetworkIP, CIDR blocks included (the engine matches a range written there
// against every address inside it). A STIX feed names bad addresses; which end of a connection they
// were seen on does not make them less bad, and the seed's join reads NetworkIP only. Other fields:
//   TimeGenerated      = modified, else created, else valid_from (the time the indicator was last
//                        asserted, as Sentinel's TimeGenerated is the time of the latest version)
//   ExpirationDateTime = valid_until
//   Active             = "false" when revoked is true, else "true"
//   ConfidenceScore    = confidence (a number, or a string such as "95" in Microsoft's template)
//   ThreatType         = indicator_types (2.1), else labels (2.0) without MISP's machine tags
//                        (`misp:type=...`); when only MISP tags are present, the misp:category value
//   Description        = name and description, joined with " - " when both are present
// Objects other than indicators, indicators with non-STIX patterns (pattern_type snort, yara, ...)
// and indicators without an address (domains, file hashes, certificates) are counted with other().
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

class StixReader final : public Reader, private json::Handler {
 public:
  explicit StixReader(RecordSink& sink) : sink_(sink), stream_(*this) {}

  void feed(const char* data, size_t size) override { stream_.feed(data, size); }
  void finish() override {
    stream_.finish();
    if (!failed_ && stream_.valuesCompleted() == 0 && !stream_.failed())
      sink_.fatal(0, 0, "expected a STIX bundle, object or array of objects, found no JSON value");
  }

 private:
  void onToken(const Token& t) override {
    path_.onToken(t);
    if (rec_.active()) {
      if (rec_.onToken(t, path_)) onObject(rec_);
      return;
    }
    if (t.kind == TokenKind::BeginObject) {
      uint32_t d = t.depth;
      if (d == 0) {
        top_.begin(0, t.line, t.column);
        return;
      }
      bool record = (d == 1 && !path_.isObject(0)) ||
                    (d == 2 && path_.isObject(0) && !path_.isObject(1) &&
                     (path_.lastKey(0) == "objects" || path_.lastKey(0) == "indicators" || path_.lastKey(0) == "value"));
      if (record) {
        rec_.begin(d, t.line, t.column);
        return;
      }
    }
    if (top_.active() && top_.onToken(t, path_)) {
      if (top_.get("type") == "bundle") {
        std::string_view v = top_.get("spec_version");
        if (!v.empty() && !versionNoted_) {
          versionNoted_ = true;
          sink_.note("STIX " + std::string(v) + " bundle");
        }
      } else {
        onObject(top_);
      }
    }
  }

  void onError(const json::Error& e) override {
    failed_ = true;
    sink_.fatal(e.line, e.column, e.message);
  }

  void onObject(const FlatObject& o) {
    std::string_view type = o.get("type");
    if (type != "indicator") {
      if (type.empty() && o.find("pattern") == nullptr)
        sink_.skip("not a STIX object", o.line(), o.column(), "expected a STIX object with a \"type\" member");
      else
        sink_.other("STIX object other than an indicator");
      return;
    }
    std::string_view patternType = o.get("pattern_type");
    if (!patternType.empty() && patternType != "stix") {
      sink_.other("indicator with a non-STIX pattern");
      return;
    }
    const FlatObject::Member* pattern = o.find("pattern");
    if (!pattern || pattern->value.empty()) {
      sink_.skip("indicator without a pattern", o.line(), o.column(), "expected a \"pattern\" member in the STIX indicator");
      return;
    }
    bool sawAddressPath = false;
    intel::scanStixPattern(pattern->value, addrs_, sawAddressPath);
    if (addrs_.empty()) {
      sink_.other(sawAddressPath ? "IP indicator without an asserted address (!=, NOT, LIKE, MATCHES)" : "non-IP indicator");
      return;
    }

    RawIndicator base;
    base.line = o.line();
    auto setFrom = [&](IntelField f, const FlatObject::Member* m) {
      if (m && !m->isNull) base.set(f, m->value, uint32_t(m->column));
    };
    const FlatObject::Member* when = o.find("modified");
    if (!when) when = o.find("created");
    if (!when) when = o.find("valid_from");
    setFrom(IntelField::TimeGenerated, when);
    setFrom(IntelField::ExpirationDateTime, o.find("valid_until"));
    setFrom(IntelField::ConfidenceScore, o.find("confidence"));
    const FlatObject::Member* revoked = o.find("revoked");
    base.set(IntelField::Active, revoked && revoked->value == "true" ? "false" : "true",
             revoked ? uint32_t(revoked->column) : 0);

    threatType_.clear();
    if (const auto* it = o.find("indicator_types"); it && !it->value.empty()) {
      threatType_ = it->value;
    } else if (const auto* labels = o.find("labels")) {
      joinLabels(labels->value);
    }
    if (!threatType_.empty()) base.set(IntelField::ThreatType, threatType_);

    description_.clear();
    std::string_view name = o.get("name"), desc = o.get("description");
    description_.append(name);
    if (!name.empty() && !desc.empty()) description_.append(" - ");
    description_.append(desc);
    if (!description_.empty()) base.set(IntelField::Description, description_);

    for (const auto& a : addrs_) {
      uint32_t col = uint32_t(pattern->column + 1 + a.offset);
      AddressKind k = intel::addressKind(a.value);
      if (k == AddressKind::None) {
        sink_.skip("unparseable address in a STIX pattern", pattern->line, col,
                   "expected an IP address or CIDR block in the pattern, found '" + std::string(cutUtf8(a.value, 80)) + "'");
        continue;
      }
      RawIndicator ind = base;
      ind.set(IntelField::NetworkIP, a.value, col);
      sink_.onIndicator(ind);
    }
  }

  // labels "a, b, misp:category=\"Network activity\"" -> ThreatType without MISP machine tags.
  void joinLabels(std::string_view labels) {
    std::string_view category;
    size_t pos = 0;
    while (pos <= labels.size()) {
      size_t cut = labels.find(", ", pos);
      std::string_view l = labels.substr(pos, cut == std::string_view::npos ? std::string_view::npos : cut - pos);
      if (l.substr(0, 5) == "misp:") {
        if (l.substr(0, 15) == "misp:category=\"" && l.size() > 16 && l.back() == '"') category = l.substr(15, l.size() - 16);
      } else if (!l.empty()) {
        if (!threatType_.empty()) threatType_.append(", ");
        threatType_.append(l);
      }
      if (cut == std::string_view::npos) break;
      pos = cut + 2;
    }
    if (threatType_.empty()) threatType_.assign(category);
  }

  RecordSink& sink_;
  json::Stream stream_;
  intel::JsonPath path_;
  FlatObject top_, rec_;
  std::vector<intel::PatternAddress> addrs_;
  std::string threatType_, description_;
  bool failed_ = false, versionNoted_ = false;
};

int sniffStix(std::string_view head, std::string_view /*path*/) {
  using intel::headHasMember;
  bool indicator = headHasMember(head, "type", "indicator") && headHasMember(head, "pattern");
  if (headHasMember(head, "type", "bundle") && headHasMember(head, "objects")) return 95;
  if (indicator) return 90;
  if (headHasMember(head, "spec_version") && headHasMember(head, "type")) return 60;
  return 0;
}

std::unique_ptr<Reader> createStix(RecordSink& sink) { return std::make_unique<StixReader>(sink); }

}  // namespace

const ReaderFactory& intelStixFactory() {
  static const ReaderFactory f{"intel-stix", "STIX 2.0/2.1 indicators: bundles, bare arrays, JSON Lines",
                               FileKind::Intel, sniffStix, createStix};
  return f;
}

}  // namespace vpshunt
