// A small streaming XML scanner: enough XML for Windows event exports, not a validating parser.
//
// Fed bytes in chunks of any size, it reports start tags (with their attributes), end tags and the
// text between them, with 1-based line and byte column. It understands the predefined entities
// (&amp; &lt; &gt; &quot; &apos;), numeric character references (&#NN; &#xNN;), CDATA sections,
// comments, processing instructions (<?xml ...?>), <!DOCTYPE ...> (without an internal subset) and
// attributes in either quote style. Namespace prefixes are kept in names (`e:Event`); use
// localName() to drop them. An unknown entity is kept as written.
//
// Lifetimes: every view handed to the handler is valid only during the call. Text is accumulated in
// one reused buffer and reported once, just before the next tag (onText is not called for text
// that is only whitespace).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vpshunt::xml {

struct Attribute {
  std::string_view name, value;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // `selfClosing`: <x/>; onEnd follows immediately.
  virtual void onStart(std::string_view name, const Attribute* attrs, size_t count, uint64_t line, uint64_t column) = 0;
  virtual void onEnd(std::string_view name, uint64_t line, uint64_t column) = 0;
  // Character data (entities decoded, CDATA included) between two tags; line/column of its first byte.
  virtual void onText(std::string_view text, uint64_t line, uint64_t column) = 0;
  // Malformed markup: reported once, then the scanner stops.
  virtual void onError(uint64_t line, uint64_t column, std::string message) = 0;
};

std::string_view localName(std::string_view name);  // "e:Event" -> "Event"

class Scanner {
 public:
  explicit Scanner(Handler& h) : h_(h) {}
  void feed(const char* data, size_t size);
  void finish();  // reports markup left open at the end of input
  bool failed() const { return state_ == State::Dead; }

 private:
  enum class State : uint8_t {
    Text,
    TextEntity,   // after '&' in text
    Lt,           // after '<'
    Bang,         // after "<!"
    Comment,      // inside <!-- -->
    CData,        // inside <![CDATA[ ]]>
    Decl,         // inside <!DOCTYPE ...> or another declaration
    Pi,           // inside <? ?>
    StartName,    // reading a start tag's name
    EndName,      // reading an end tag's name
    EndTail,      // after an end tag's name, before '>'
    InTag,        // between attributes
    AttrName,
    AfterAttrName,  // expecting '='
    BeforeValue,  // expecting a quote
    AttrValue,
    AttrEntity,   // after '&' in an attribute value
    SelfClose,    // after '/' in a start tag
    Dead
  };

  void fail(std::string message);
  void flushText();
  bool decodeEntity(std::string& out);  // entity_ -> out; false when unknown
  void emitStart(bool selfClosing);

  Handler& h_;
  State state_ = State::Text;
  uint64_t line_ = 1, col_ = 0;  // position of the byte being read
  std::string text_;
  bool textHasContent_ = false;
  uint64_t textLine_ = 0, textCol_ = 0;
  uint64_t tagLine_ = 0, tagCol_ = 0;
  std::string name_;
  std::string entity_;
  std::string bang_;  // the characters after "<!" while deciding comment / CDATA / declaration
  uint8_t match_ = 0;  // progress through a terminator ("-->", "]]>", "?>")
  char quote_ = '"';
  // Attributes of the tag being read: names and values live in one buffer, as offsets.
  std::string attrBuf_;
  struct AttrSpan {
    size_t nameOff, nameLen, valueOff, valueLen;
  };
  std::vector<AttrSpan> attrSpans_;
  std::vector<Attribute> attrs_;
  size_t curNameOff_ = 0, curValueOff_ = 0;
};

}  // namespace vpshunt::xml
