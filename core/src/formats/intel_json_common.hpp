// Helpers shared by the JSON threat-intel readers (STIX, MISP, Sentinel TI JSON): where the
// streaming tokenizer is in the document, the scalar members of one record, IP/CIDR checks and a
// STIX pattern scanner. Intel records are small; a record's members are copied into reused strings
// (their capacity is kept from record to record, so steady state does not allocate).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/json_stream.hpp"
#include "formats/record.hpp"

namespace vpshunt::intel {

// The chain of open containers. Call onToken() first for every token.
class JsonPath {
 public:
  void onToken(const json::Token& t);
  size_t depth() const { return depth_; }  // number of open containers
  bool isObject(size_t i) const { return frames_[i].object; }
  // The member key most recently seen in the (object) container at index i.
  std::string_view lastKey(size_t i) const { return frames_[i].key; }
  // The member name of a token at depth d (empty when its container is an array or d == 0).
  std::string_view memberName(uint32_t d) const {
    return d == 0 || !frames_[d - 1].object ? std::string_view() : std::string_view(frames_[d - 1].key);
  }

 private:
  struct Frame {
    bool object = false;
    std::string key;
  };
  std::vector<Frame> frames_;
  size_t depth_ = 0;
};

// The scalar members of one JSON object ("record"), by dotted key: direct members ("pattern"),
// members of nested objects ("Data.name"), and arrays of scalars joined with ", " ("labels").
// Objects inside arrays are not collected (records nested that way are other records).
class FlatObject {
 public:
  struct Member {
    std::string key, value;
    uint64_t line = 0, column = 0;
    uint32_t count = 0;    // number of scalars joined into `value`
    bool isString = false;  // the (first) scalar was a JSON string
    bool isNull = false;    // the member is null
  };

  void begin(uint32_t depth, uint64_t line, uint64_t column);
  bool active() const { return active_; }
  uint32_t depth() const { return depth_; }
  uint64_t line() const { return line_; }
  uint64_t column() const { return column_; }
  // Feed every token after JsonPath::onToken. Returns true when the token closed the record.
  bool onToken(const json::Token& t, const JsonPath& path);
  void end() { active_ = false; }
  // Adds one scalar under `key` directly (positional rows, where the key is a column name).
  void addScalar(std::string_view key, const json::Token& t);

  const Member* find(std::string_view key) const;  // exact key
  const Member* findCi(std::string_view key) const;  // ASCII case-insensitive
  std::string_view get(std::string_view key) const {
    const Member* m = find(key);
    return m ? std::string_view(m->value) : std::string_view();
  }
  const std::vector<Member>& members() const { return members_; }
  size_t size() const { return used_; }
  const Member& at(size_t i) const { return members_[i]; }

 private:
  Member& add(std::string_view key);
  std::vector<Member> members_;
  size_t used_ = 0;
  std::string keyBuf_;
  bool active_ = false;
  uint32_t depth_ = 0;
  uint64_t line_ = 0, column_ = 0;
};

bool equalsIgnoreCase(std::string_view a, std::string_view b);
bool startsWithIgnoreCase(std::string_view s, std::string_view prefix);

// What an indicator value is.
enum class AddressKind { None, Ip, Cidr };
AddressKind addressKind(std::string_view text);

// One address an indicator row names, where it stands, and the column it belongs to.
struct AddressText {
  std::string_view value;
  uint32_t column;
  IntelField field;
};
// One indicator per address (`base` carries the other fields; a CIDR goes to NetworkCidrBlock);
// an address that is neither an IP nor a CIDR is skipped, located at `line` and its column.
void emitAddresses(RecordSink& sink, const RawIndicator& base, const std::vector<AddressText>& addresses, uint64_t line);

// One IP or CIDR literal found in a STIX pattern.
struct PatternAddress {
  std::string_view value;     // the literal, without quotes (a view into the pattern)
  size_t offset = 0;          // 0-based offset of the literal's first character in the pattern
  IntelField field = IntelField::NetworkIP;  // NetworkIP, NetworkSourceIP or NetworkDestinationIP
};

// Scans a STIX 2.x pattern for comparisons of an address path with a literal:
//   ipv4-addr:value / ipv6-addr:value                   -> NetworkIP
//   network-traffic:dst_ref.value                       -> NetworkDestinationIP
//   network-traffic:src_ref.value                       -> NetworkSourceIP
// with the operators `=`, `IN ('a', 'b')` and `ISSUBSET` (a CIDR). Comparisons joined by AND, OR,
// FOLLOWEDBY and in several observation brackets are all taken; `!=`, `NOT =`, LIKE and MATCHES are
// ignored, as are other object types (domain-name, file hashes, ...). `sawAddressPath` tells whether
// the pattern named an address path at all. Literals are not validated here.
void scanStixPattern(std::string_view pattern, std::vector<PatternAddress>& out, bool& sawAddressPath);

// Epoch seconds as text ("1539203174") -> ticks; false when not a plain non-negative integer.
bool parseEpochText(std::string_view s, Ticks& out);

}  // namespace vpshunt::intel

namespace vpshunt::intel {

// Whether the first bytes of a JSON file hold the member `"key": "value"` (whitespace allowed
// around the colon; `value` empty: the key alone, with any value).
bool headHasMember(std::string_view head, std::string_view key, std::string_view value = {});

}  // namespace vpshunt::intel
