#include "formats/sysmon_xml_scanner.hpp"

#include "formats/encoding.hpp"

namespace vpshunt::xml {

namespace {
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool isNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
std::string shown(char c) {
  if (c == '\n') return "a line break";
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20) return "a control character";
  if (u >= 0x80) {  // a byte of a multi-byte character: quoting it alone would not be UTF-8
    static const char* hex = "0123456789ABCDEF";
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
  }
  return std::string("'") + c + "'";
}
}  // namespace

std::string_view localName(std::string_view name) {
  size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

void Scanner::fail(std::string message) {
  state_ = State::Dead;
  h_.onError(line_, col_, std::move(message));
}

void Scanner::flushText() {
  if (textHasContent_) h_.onText(text_, textLine_, textCol_);
  text_.clear();
  textHasContent_ = false;
}

bool Scanner::decodeEntity(std::string& out) {
  const std::string& e = entity_;
  if (e == "amp") out.push_back('&');
  else if (e == "lt") out.push_back('<');
  else if (e == "gt") out.push_back('>');
  else if (e == "quot") out.push_back('"');
  else if (e == "apos") out.push_back('\'');
  else if (e.size() >= 2 && e[0] == '#') {
    uint32_t cp = 0;
    bool hex = e[1] == 'x' || e[1] == 'X';
    size_t i = hex ? 2 : 1;
    if (i >= e.size()) return false;
    for (; i < e.size(); ++i) {
      char c = e[i];
      int v;
      if (c >= '0' && c <= '9') v = c - '0';
      else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
      else return false;
      cp = cp * (hex ? 16 : 10) + uint32_t(v);
      if (cp > 0x10FFFF) cp = 0x110000;  // stays invalid, no overflow
    }
    appendUtf8(out, cp == 0 ? 0xFFFD : cp);
  } else {
    return false;
  }
  return true;
}

void Scanner::emitStart(bool selfClosing) {
  attrs_.clear();
  for (const auto& s : attrSpans_)
    attrs_.push_back({std::string_view(attrBuf_).substr(s.nameOff, s.nameLen), std::string_view(attrBuf_).substr(s.valueOff, s.valueLen)});
  h_.onStart(name_, attrs_.data(), attrs_.size(), tagLine_, tagCol_);
  if (selfClosing && state_ != State::Dead) h_.onEnd(name_, tagLine_, tagCol_);
}

void Scanner::feed(const char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (state_ == State::Dead) return;
    char c = data[i];
    ++col_;
  again:
    switch (state_) {
      case State::Text:
        if (c == '<') {
          flushText();
          tagLine_ = line_;
          tagCol_ = col_;
          state_ = State::Lt;
        } else if (c == '&') {
          if (text_.empty()) {
            textLine_ = line_;
            textCol_ = col_;
          }
          entity_.clear();
          state_ = State::TextEntity;
        } else {
          if (text_.empty()) {
            textLine_ = line_;
            textCol_ = col_;
          }
          text_.push_back(c);
          if (!isSpace(c)) textHasContent_ = true;
        }
        break;
      case State::TextEntity:
      case State::AttrEntity: {
        std::string& out = state_ == State::TextEntity ? text_ : attrBuf_;
        State back = state_ == State::TextEntity ? State::Text : State::AttrValue;
        if (c == ';') {
          if (!decodeEntity(out)) {
            out.push_back('&');
            out.append(entity_);
            out.push_back(';');
          }
          if (back == State::Text) textHasContent_ = true;
          state_ = back;
        } else if (entity_.size() > 10 || isSpace(c) || c == '<' || c == '&' || c == '"' || c == '\'') {
          out.push_back('&');  // a bare '&': keep it as written
          out.append(entity_);
          if (back == State::Text) textHasContent_ = true;
          state_ = back;
          goto again;
        } else {
          entity_.push_back(c);
        }
        break;
      }
      case State::Lt:
        if (c == '/') {
          name_.clear();
          state_ = State::EndName;
        } else if (c == '!') {
          bang_.clear();
          state_ = State::Bang;
        } else if (c == '?') {
          match_ = 0;
          state_ = State::Pi;
        } else if (isNameStart(c)) {
          name_.assign(1, c);
          attrBuf_.clear();
          attrSpans_.clear();
          state_ = State::StartName;
        } else {
          fail("expected a tag name after '<', found " + shown(c));
        }
        break;
      case State::Bang: {
        bang_.push_back(c);
        static const std::string_view comment = "--", cdata = "[CDATA[";
        if (bang_ == comment) {
          state_ = State::Comment;
          match_ = 0;
        } else if (bang_ == cdata) {
          state_ = State::CData;
          match_ = 0;
          if (text_.empty()) {
            textLine_ = line_;
            textCol_ = col_ + 1;
          }
        } else if (comment.substr(0, bang_.size()) == bang_ || cdata.substr(0, bang_.size()) == bang_) {
          // keep reading
        } else {
          state_ = c == '>' ? State::Text : State::Decl;
        }
        break;
      }
      case State::Comment:
        if (c == '-') {
          if (match_ < 2) ++match_;
        } else if (c == '>' && match_ == 2) {
          state_ = State::Text;
        } else {
          match_ = 0;
        }
        break;
      case State::CData:
        if (c == ']') {
          if (match_ == 2) text_.push_back(']');  // "]]]": the first bracket is content
          else ++match_;
        } else if (c == '>' && match_ == 2) {
          state_ = State::Text;
          match_ = 0;
        } else {
          text_.append(match_, ']');
          match_ = 0;
          text_.push_back(c);
          if (!isSpace(c)) textHasContent_ = true;
        }
        break;
      case State::Decl:
        if (c == '>') state_ = State::Text;
        break;
      case State::Pi:
        if (c == '?') match_ = 1;
        else if (c == '>' && match_ == 1) state_ = State::Text;
        else match_ = 0;
        break;
      case State::StartName:
        if (isNameChar(c)) {
          name_.push_back(c);
        } else if (isSpace(c)) {
          state_ = State::InTag;
        } else if (c == '>') {
          state_ = State::Text;
          emitStart(false);
        } else if (c == '/') {
          state_ = State::SelfClose;
        } else {
          fail("expected an attribute, '>' or '/>' in the <" + name_ + "> tag, found " + shown(c));
        }
        break;
      case State::EndName:
        if (isNameChar(c)) {
          name_.push_back(c);
        } else if (isSpace(c) && !name_.empty()) {
          state_ = State::EndTail;
        } else if (c == '>' && !name_.empty()) {
          state_ = State::Text;
          h_.onEnd(name_, tagLine_, tagCol_);
        } else {
          fail("expected '>' to close the </" + name_ + "> tag, found " + shown(c));
        }
        break;
      case State::EndTail:
        if (c == '>') {
          state_ = State::Text;
          h_.onEnd(name_, tagLine_, tagCol_);
        } else if (!isSpace(c)) {
          fail("expected '>' to close the </" + name_ + "> tag, found " + shown(c));
        }
        break;
      case State::InTag:
        if (isSpace(c)) {
        } else if (c == '>') {
          state_ = State::Text;
          emitStart(false);
        } else if (c == '/') {
          state_ = State::SelfClose;
        } else if (isNameStart(c)) {
          curNameOff_ = attrBuf_.size();
          attrBuf_.push_back(c);
          state_ = State::AttrName;
        } else {
          fail("expected an attribute, '>' or '/>' in the <" + name_ + "> tag, found " + shown(c));
        }
        break;
      case State::AttrName:
        if (isNameChar(c)) {
          attrBuf_.push_back(c);
        } else if (isSpace(c)) {
          state_ = State::AfterAttrName;
        } else if (c == '=') {
          state_ = State::BeforeValue;
        } else {
          fail("expected '=' after an attribute name in the <" + name_ + "> tag, found " + shown(c));
        }
        if (state_ != State::AttrName) attrSpans_.push_back({curNameOff_, attrBuf_.size() - curNameOff_, 0, 0});
        break;
      case State::AfterAttrName:
        if (c == '=') state_ = State::BeforeValue;
        else if (!isSpace(c)) fail("expected '=' after an attribute name in the <" + name_ + "> tag, found " + shown(c));
        break;
      case State::BeforeValue:
        if (c == '"' || c == '\'') {
          quote_ = c;
          curValueOff_ = attrBuf_.size();
          state_ = State::AttrValue;
        } else if (!isSpace(c)) {
          fail("expected a quoted attribute value in the <" + name_ + "> tag, found " + shown(c));
        }
        break;
      case State::AttrValue:
        if (c == quote_) {
          attrSpans_.back().valueOff = curValueOff_;
          attrSpans_.back().valueLen = attrBuf_.size() - curValueOff_;
          state_ = State::InTag;
        } else if (c == '&') {
          entity_.clear();
          state_ = State::AttrEntity;
        } else if (c == '<') {
          fail("expected the closing quote of an attribute value in the <" + name_ + "> tag, found '<'");
        } else {
          attrBuf_.push_back(c);
        }
        break;
      case State::SelfClose:
        if (c == '>') {
          state_ = State::Text;
          emitStart(true);
        } else {
          fail("expected '>' after '/' in the <" + name_ + "> tag, found " + shown(c));
        }
        break;
      case State::Dead:
        return;
    }
    if (c == '\n') {
      ++line_;
      col_ = 0;
    }
  }
}

void Scanner::finish() {
  switch (state_) {
    case State::Text:
    case State::TextEntity:
    case State::Dead:
      return;
    case State::Comment:
      fail("unexpected end of input inside a comment (expected -->)");
      return;
    case State::CData:
      fail("unexpected end of input inside a CDATA section (expected ]]>)");
      return;
    default:
      fail("unexpected end of input inside a tag");
      return;
  }
}

}  // namespace vpshunt::xml
