#include "formats/json_stream.hpp"

#include <cstring>

#include "formats/scan.hpp"

namespace vpshunt::json {

std::string_view tokenKindName(TokenKind k) {
  switch (k) {
    case TokenKind::BeginObject: return "begin-object";
    case TokenKind::EndObject: return "end-object";
    case TokenKind::BeginArray: return "begin-array";
    case TokenKind::EndArray: return "end-array";
    case TokenKind::Key: return "key";
    case TokenKind::String: return "string";
    case TokenKind::Number: return "number";
    case TokenKind::True: return "true";
    case TokenKind::False: return "false";
    case TokenKind::Null: return "null";
  }
  return "?";
}

std::string Error::what() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

namespace {

inline bool isNumberChar(unsigned char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool validNumber(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == d) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == d) return false;
  }
  return i == n;
}

std::string quoteForMessage(std::string_view s) {
  std::string out = "'";
  size_t limit = 40;
  for (size_t i = 0; i < s.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (s.size() > limit) out += "...";
  return out + "'";
}

int hexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Stream::Stream(Handler& handler, Options options) : handler_(handler), options_(options) {
  stack_.reserve(64);
  scratch_.reserve(256);
}

void Stream::reset() {
  state_ = State::TopValue;
  stack_.clear();
  scratch_.clear();
  base_ = lineStart_ = 0;
  line_ = 1;
  values_ = errors_ = 0;
  lastError_ = Error{};
  stopped_ = false;
  bomMatched_ = 0;
  escape_ = 0;
  highSurrogate_ = 0;
}

std::string Stream::describe(const char* p, size_t i, size_t n) {
  if (i >= n) return "end of input";
  unsigned char c = static_cast<unsigned char>(p[i]);
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  static const char* hex = "0123456789ABCDEF";
  return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
}

void Stream::emit(TokenKind k, std::string_view text, uint64_t line, uint64_t column) {
  Token t{k, static_cast<uint32_t>(stack_.size()), line, column, text};
  handler_.onToken(t);
}

void Stream::fail(uint64_t line, uint64_t column, std::string message) {
  ++errors_;
  lastError_.line = line;
  lastError_.column = column;
  lastError_.message = std::move(message);
  handler_.onError(lastError_);
  escape_ = 0;
  highSurrogate_ = 0;
  if (options_.resyncAtNewline) {
    state_ = State::Resync;
  } else {
    state_ = State::Dead;
  }
}

void Stream::afterValue() {
  if (stack_.empty()) {
    ++values_;
    state_ = State::TopValue;
  } else {
    state_ = State::AfterValue;
  }
}

// Located at the string's opening quote: where the chunks happened to end must not move it.
void Stream::failLongString() {
  fail(tokLine_, tokCol_, "string longer than " + std::to_string(options_.maxStringBytes) + " bytes");
}

bool Stream::appendScratch(const char* p, size_t n) {
  if (scratch_.size() + n > options_.maxStringBytes) {
    failLongString();
    return false;
  }
  scratch_.append(p, n);
  return true;
}

void Stream::appendCodePoint(uint32_t cp) {
  char buf[4];
  size_t len;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    len = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | (cp >> 6));
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | (cp >> 12));
    buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | (cp >> 18));
    buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    len = 4;
  }
  scratch_.append(buf, len);
}

void Stream::flushPendingSurrogate() {
  if (highSurrogate_) {
    appendCodePoint(0xFFFD);
    highSurrogate_ = 0;
  }
}

bool Stream::feed(const char* p, size_t n) {
  if (state_ == State::Dead || stopped_) {
    base_ += n;
    return false;
  }
  size_t i = 0;

  // A UTF-8 byte order mark at the very start of the input (possibly split across chunks).
  while (bomMatched_ < 3 && i < n) {
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    if (static_cast<unsigned char>(p[i]) == bom[bomMatched_]) {
      ++bomMatched_;
      ++i;
      if (bomMatched_ == 3) lineStart_ = base_ + i;
    } else {
      if (bomMatched_ > 0) {
        bomMatched_ = 3;
        fail(1, 1, "expected a value, found byte 0xEF");
        break;
      }
      bomMatched_ = 3;
    }
  }

  while (i < n) {
    if (stopped_) {
      state_ = State::Dead;
      break;
    }
    switch (state_) {
      case State::TopValue:
      case State::Value:
      case State::ArrayFirst:
      case State::ObjectFirst:
      case State::ObjectKey:
      case State::Colon:
      case State::AfterValue: {
        unsigned char c = static_cast<unsigned char>(p[i]);
        if (c <= ' ') {
          if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
            continue;
          }
          if (c == '\n') {
            ++i;
            ++line_;
            lineStart_ = base_ + i;
            continue;
          }
        }
        switch (state_) {
          case State::Colon:
            if (c == ':') {
              state_ = State::Value;
              ++i;
            } else {
              fail(line_, col(i), "expected ':' after an object key, found " + describe(p, i, n));
            }
            continue;
          case State::AfterValue: {
            bool inObject = stack_.back() != 0;
            if (c == ',') {
              state_ = inObject ? State::ObjectKey : State::Value;
              ++i;
            } else if (c == (inObject ? '}' : ']')) {
              uint64_t l = line_, cc = col(i);
              stack_.pop_back();
              emit(inObject ? TokenKind::EndObject : TokenKind::EndArray, inObject ? "}" : "]", l, cc);
              ++i;
              afterValue();
            } else {
              fail(line_, col(i),
                   std::string(inObject ? "expected ',' or '}' after an object member, found "
                                        : "expected ',' or ']' after an array element, found ") +
                       describe(p, i, n));
            }
            continue;
          }
          case State::ObjectFirst:
          case State::ObjectKey:
            if (c == '"') {
              strIsKey_ = true;
              break;  // to the string start below
            }
            if (c == '}' && state_ == State::ObjectFirst) {
              uint64_t l = line_, cc = col(i);
              stack_.pop_back();
              emit(TokenKind::EndObject, "}", l, cc);
              ++i;
              afterValue();
              continue;
            }
            fail(line_, col(i),
                 std::string(state_ == State::ObjectFirst ? "expected a string key or '}', found "
                                                          : "expected a string key after ',', found ") +
                     describe(p, i, n));
            continue;
          case State::ArrayFirst:
            if (c == ']') {
              uint64_t l = line_, cc = col(i);
              stack_.pop_back();
              emit(TokenKind::EndArray, "]", l, cc);
              ++i;
              afterValue();
              continue;
            }
            [[fallthrough]];
          default:  // TopValue, Value
            strIsKey_ = false;
            if (c == '"') break;
            if (c == '{' || c == '[') {
              if (stack_.size() >= options_.maxDepth) {
                fail(line_, col(i), "nesting deeper than " + std::to_string(options_.maxDepth) + " levels");
                continue;
              }
              bool obj = c == '{';
              emit(obj ? TokenKind::BeginObject : TokenKind::BeginArray, obj ? "{" : "[", line_, col(i));
              stack_.push_back(obj ? 1 : 0);
              state_ = obj ? State::ObjectFirst : State::ArrayFirst;
              ++i;
              continue;
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
              tokLine_ = line_;
              tokCol_ = col(i);
              size_t j = i;
              while (j < n && isNumberChar(static_cast<unsigned char>(p[j]))) ++j;
              if (j < n) {
                std::string_view text(p + i, j - i);
                if (!validNumber(text)) {
                  fail(tokLine_, tokCol_, "invalid number " + quoteForMessage(text));
                  continue;
                }
                emit(TokenKind::Number, text, tokLine_, tokCol_);
                i = j;
                afterValue();
              } else {
                scratch_.assign(p + i, j - i);
                i = j;
                state_ = State::Number;
              }
              continue;
            }
            if (c == 't' || c == 'f' || c == 'n') {
              tokLine_ = line_;
              tokCol_ = col(i);
              literal_ = c == 't' ? "true" : c == 'f' ? "false" : "null";
              literalKind_ = c == 't' ? TokenKind::True : c == 'f' ? TokenKind::False : TokenKind::Null;
              literalLen_ = static_cast<uint8_t>(std::strlen(literal_));
              literalPos_ = 0;
              state_ = State::Literal;
              continue;
            }
            fail(line_, col(i), "expected a value, found " + describe(p, i, n));
            continue;
        }
        // String start at p[i] == '"'. The common case (no escape, closing quote in this chunk)
        // hands out a view into the chunk itself.
        tokLine_ = line_;
        tokCol_ = col(i);
        escape_ = 0;
        highSurrogate_ = 0;
        size_t start = i + 1;
        size_t j = findJsonStringSpecial(p, start, n);
        if (j < n && p[j] == '"') {
          // The length limit holds here too, so that a string reads the same whichever chunks carry it.
          if (j - start > options_.maxStringBytes) {
            failLongString();
            i = start;
            continue;
          }
          emit(strIsKey_ ? TokenKind::Key : TokenKind::String, std::string_view(p + start, j - start), tokLine_,
               tokCol_);
          i = j + 1;
          if (strIsKey_)
            state_ = State::Colon;
          else
            afterValue();
          continue;
        }
        scratch_.clear();
        i = start;
        state_ = State::String;
        continue;
      }

      case State::String: {
        while (i < n) {
          if (escape_ == 1) {
            unsigned char c = static_cast<unsigned char>(p[i]);
            char out;
            switch (c) {
              case '"': out = '"'; break;
              case '\\': out = '\\'; break;
              case '/': out = '/'; break;
              case 'b': out = '\b'; break;
              case 'f': out = '\f'; break;
              case 'n': out = '\n'; break;
              case 'r': out = '\r'; break;
              case 't': out = '\t'; break;
              case 'u':
                escape_ = 2;
                hex_ = 0;
                ++i;
                continue;
              default:
                if (c >= 0x20 && c < 0x7f)
                  fail(line_, col(i), std::string("invalid escape '\\") + static_cast<char>(c) + "' in a string");
                else
                  fail(line_, col(i), "invalid escape in a string: '\\' followed by " + describe(p, i, n));
                goto next;
            }
            flushPendingSurrogate();
            scratch_.push_back(out);
            escape_ = 0;
            ++i;
            continue;
          }
          if (escape_ >= 2) {
            int v = hexValue(static_cast<unsigned char>(p[i]));
            if (v < 0) {
              fail(line_, col(i), "invalid \\u escape: expected a hex digit, found " + describe(p, i, n));
              goto next;
            }
            hex_ = hex_ * 16 + static_cast<uint32_t>(v);
            ++i;
            if (++escape_ == 6) {
              escape_ = 0;
              if (hex_ >= 0xD800 && hex_ <= 0xDBFF) {
                flushPendingSurrogate();
                highSurrogate_ = hex_;
              } else if (hex_ >= 0xDC00 && hex_ <= 0xDFFF) {
                if (highSurrogate_) {
                  appendCodePoint(0x10000 + ((highSurrogate_ - 0xD800) << 10) + (hex_ - 0xDC00));
                  highSurrogate_ = 0;
                } else {
                  appendCodePoint(0xFFFD);
                }
              } else {
                flushPendingSurrogate();
                appendCodePoint(hex_);
              }
            }
            continue;
          }
          size_t j = findJsonStringSpecial(p, i, n);
          if (j > i) {
            flushPendingSurrogate();
            if (!appendScratch(p + i, j - i)) goto next;
            i = j;
          }
          if (i == n) break;
          unsigned char c = static_cast<unsigned char>(p[i]);
          if (c == '"') {
            flushPendingSurrogate();
            if (scratch_.size() > options_.maxStringBytes) {
              failLongString();
              goto next;
            }
            emit(strIsKey_ ? TokenKind::Key : TokenKind::String, scratch_, tokLine_, tokCol_);
            ++i;
            if (strIsKey_)
              state_ = State::Colon;
            else
              afterValue();
            goto next;
          }
          if (c == '\\') {
            escape_ = 1;
            ++i;
            continue;
          }
          if (c == '\n' || c == '\r')
            fail(line_, col(i), "unexpected line break inside a string");
          else
            fail(line_, col(i), "unescaped control character " + describe(p, i, n) + " inside a string");
          goto next;
        }
        break;
      }

      case State::Number: {
        size_t j = i;
        while (j < n && isNumberChar(static_cast<unsigned char>(p[j]))) ++j;
        if (scratch_.size() + (j - i) > 4096) {
          fail(tokLine_, tokCol_, "invalid number " + quoteForMessage(scratch_));
          continue;
        }
        scratch_.append(p + i, j - i);
        i = j;
        if (j < n) {
          if (!validNumber(scratch_)) {
            fail(tokLine_, tokCol_, "invalid number " + quoteForMessage(scratch_));
            continue;
          }
          emit(TokenKind::Number, scratch_, tokLine_, tokCol_);
          afterValue();
        }
        continue;
      }

      case State::Literal: {
        while (i < n && literalPos_ < literalLen_) {
          if (p[i] != literal_[literalPos_]) break;
          ++i;
          ++literalPos_;
        }
        if (literalPos_ == literalLen_) {
          emit(literalKind_, std::string_view(literal_, literalLen_), tokLine_, tokCol_);
          afterValue();
        } else if (i < n) {
          fail(line_, col(i), "expected '" + std::string(literal_) + "', found " + describe(p, i, n));
        }
        continue;
      }

      case State::Resync: {
        const void* nl = std::memchr(p + i, '\n', n - i);
        if (!nl) {
          i = n;
          continue;
        }
        i = static_cast<size_t>(static_cast<const char*>(nl) - p) + 1;
        ++line_;
        lineStart_ = base_ + i;
        stack_.clear();
        state_ = State::TopValue;
        continue;
      }

      case State::Dead:
        i = n;
        continue;
    }
  next:;
  }
  if (stopped_) state_ = State::Dead;
  base_ += n;
  return state_ != State::Dead;
}

bool Stream::finish() {
  if (state_ == State::Dead || stopped_) return false;
  uint64_t endCol = base_ - lineStart_ + 1;
  bool clean = true;
  auto unexpectedEnd = [&](std::string what) {
    clean = false;
    fail(line_, endCol, "unexpected end of input " + what);
  };
  switch (state_) {
    case State::Number:
      if (!validNumber(scratch_)) {
        clean = false;
        fail(tokLine_, tokCol_, "invalid number " + quoteForMessage(scratch_));
        break;
      }
      emit(TokenKind::Number, scratch_, tokLine_, tokCol_);
      afterValue();
      if (!stack_.empty())
        unexpectedEnd(stack_.back() ? "inside an object" : "inside an array");
      break;
    case State::String:
      unexpectedEnd(strIsKey_ ? "inside an object key" : "inside a string");
      break;
    case State::Literal:
      unexpectedEnd("inside '" + std::string(literal_) + "'");
      break;
    case State::TopValue:
    case State::Resync:
      break;
    default:
      if (!stack_.empty()) unexpectedEnd(stack_.back() ? "inside an object" : "inside an array");
      break;
  }
  if (state_ == State::Resync) {
    stack_.clear();
    state_ = State::TopValue;
  }
  return clean && state_ != State::Dead;
}

}  // namespace vpshunt::json
