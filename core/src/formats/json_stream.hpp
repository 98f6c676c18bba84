// A resumable, streaming, SAX-style JSON tokenizer.
//
// Feed it bytes in chunks of any size (a chunk may end anywhere: inside a string, a number, a
// literal, a \u escape or a UTF-8 sequence); it calls Handler::onToken once per token, in document
// order, with the token's nesting depth and 1-based line and byte column. Several top-level values
// in a row (JSON Lines, concatenated JSON, pretty-printed records one after another) are accepted;
// whitespace between them may include CRLF. A UTF-8 byte order mark at the very start is skipped.
//
// Lifetimes: Token::text is valid only during the onToken call. It points either into the chunk
// being fed (strings without escapes that lie wholly inside one chunk: zero copy) or into one
// scratch buffer that the stream reuses, so the hot path does not allocate per value. Copy what you
// need to keep.
//
// Errors are values: the first error (or, with Options::resyncAtNewline, every error) goes to
// Handler::onError with its line, column and a message in the form
//   "expected ',' or '}' after an object member, found 'x'"
// and Error::what() gives "line L, column C: <message>". Without resync the stream stops at the
// first error and feed()/finish() return false from then on. With resync (JSON Lines), the rest of
// the offending line is discarded and tokenizing resumes at the next line with a fresh top level;
// the handler must drop any half-built record when onError is called.
//
// Nesting deeper than Options::maxDepth is an error, never a stack overflow (the tokenizer keeps
// its own container stack and does not recurse). A string that has to be copied (it has escapes or
// spans chunks) longer than Options::maxStringBytes is an error rather than unbounded memory. Invalid UTF-8 is passed through unchanged; a lone UTF-16
// surrogate in a \u escape becomes U+FFFD.
//
// Example:
//   struct Print : json::Handler {
//     void onToken(const json::Token& t) override { std::cout << json::tokenKindName(t.kind) << ' ' << t.text << '\n'; }
//   } h;
//   json::Stream s(h);
//   s.feed(chunk1.data(), chunk1.size());
//   s.feed(chunk2.data(), chunk2.size());
//   if (!s.finish()) std::cerr << s.error().what() << '\n';
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vpshunt::json {

enum class TokenKind : uint8_t {
  BeginObject,  // '{'
  EndObject,    // '}'
  BeginArray,   // '['
  EndArray,     // ']'
  Key,          // an object member's name (unescaped)
  String,       // a string value (unescaped)
  Number,       // a number, as written (validated against the JSON grammar)
  True,
  False,
  Null,
};
std::string_view tokenKindName(TokenKind k);  // "begin-object", "key", "number", ...

struct Token {
  TokenKind kind;
  // Containers enclosing the token: a top-level value is at depth 0, the members of a top-level
  // object (their keys and values) at depth 1. EndObject/EndArray have the depth of their Begin.
  uint32_t depth;
  uint64_t line;    // 1-based line of the token's first byte (the opening quote for strings)
  uint64_t column;  // 1-based byte column of that byte
  // Key/String: the unescaped UTF-8 text. Number: the text as written. True/False/Null: "true",
  // "false", "null". Begin/End: "{", "}", "[", "]". Valid only during the callback.
  std::string_view text;

  bool isScalar() const { return kind >= TokenKind::String; }
  bool isBegin() const { return kind == TokenKind::BeginObject || kind == TokenKind::BeginArray; }
  bool isEnd() const { return kind == TokenKind::EndObject || kind == TokenKind::EndArray; }
};

struct Error {
  uint64_t line = 0;    // 1-based
  uint64_t column = 0;  // 1-based byte column of the offending byte (or of the end of input)
  std::string message;  // without the location, e.g. "expected a value, found ']'"
  std::string what() const;  // "line L, column C: <message>"
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual void onToken(const Token& t) = 0;
  virtual void onError(const Error& e) { (void)e; }
};

struct Options {
  uint32_t maxDepth = 256;
  size_t maxStringBytes = size_t(64) << 20;  // 64 MiB per string, key or number
  // JSON Lines recovery: after an error, skip to the next line and continue (see above).
  bool resyncAtNewline = false;
};

class Stream {
 public:
  explicit Stream(Handler& handler, Options options = {});

  // Tokenizes `size` bytes. Returns false once the stream has stopped (an error without resync, or
  // stop()); the remaining bytes are then ignored.
  bool feed(const char* data, size_t size);
  bool feed(std::string_view bytes) { return feed(bytes.data(), bytes.size()); }
  // End of input. Reports a value left open ("unexpected end of input inside a string", ...);
  // a number at the very end of the input is completed here. Returns false if any error stopped
  // the stream (in resync mode: false if the input ended inside a value).
  bool finish();

  // From inside a callback: stop tokenizing; feed() returns false, no error is reported.
  void stop() { stopped_ = true; }
  // Back to the initial state (same handler and options); keeps the scratch buffer's capacity.
  void reset();

  bool failed() const { return errors_ > 0; }
  uint64_t errorCount() const { return errors_; }
  const Error& error() const { return lastError_; }  // the most recent error
  uint32_t depth() const { return static_cast<uint32_t>(stack_.size()); }
  uint64_t line() const { return line_; }                  // current line (1-based)
  uint64_t bytesFed() const { return base_; }              // total bytes consumed so far
  uint64_t valuesCompleted() const { return values_; }     // top-level values completed

 private:
  enum class State : uint8_t {
    TopValue,     // between top-level values
    Value,        // a value is required (after ':' or ',' in an array)
    ArrayFirst,   // after '[': a value or ']'
    ObjectFirst,  // after '{': a key or '}'
    ObjectKey,    // after ',' in an object: a key
    Colon,        // after a key
    AfterValue,   // after a member or element: ',' or the closing bracket
    String,       // inside a string or key (continues in the next chunk)
    Number,       // inside a number
    Literal,      // inside true/false/null
    Resync,       // discarding the rest of a line after an error
    Dead,         // stopped
  };

  void emit(TokenKind k, std::string_view text, uint64_t line, uint64_t column);
  void fail(uint64_t line, uint64_t column, std::string message);
  void afterValue();
  bool appendScratch(const char* p, size_t n);
  void failLongString();
  void appendCodePoint(uint32_t cp);
  void flushPendingSurrogate();
  uint64_t col(size_t i) const { return base_ + i - lineStart_ + 1; }
  static std::string describe(const char* p, size_t i, size_t n);

  Handler& handler_;
  Options options_;
  State state_ = State::TopValue;
  std::vector<uint8_t> stack_;  // 1 = object, 0 = array
  std::string scratch_;

  uint64_t base_ = 0;       // absolute offset of the current chunk's first byte
  uint64_t lineStart_ = 0;  // absolute offset of the current line's first byte
  uint64_t line_ = 1;
  uint64_t values_ = 0;
  uint64_t errors_ = 0;
  Error lastError_;
  bool stopped_ = false;
  uint8_t bomMatched_ = 0;  // bytes of a leading UTF-8 BOM seen so far; 3 = done/absent

  // The token in progress across chunks.
  uint64_t tokLine_ = 0, tokCol_ = 0;
  bool strIsKey_ = false;
  uint8_t escape_ = 0;      // 0 none, 1 after '\\', 2..5 reading hex digits of \u
  uint32_t hex_ = 0;        // \u code unit being read
  uint32_t highSurrogate_ = 0;
  const char* literal_ = nullptr;  // "true" / "false" / "null"
  uint8_t literalLen_ = 0, literalPos_ = 0;
  TokenKind literalKind_ = TokenKind::Null;
};

}  // namespace vpshunt::json
