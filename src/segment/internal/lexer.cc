#include "segment/internal/lexer.h"

#include <fmt/format.h>

#include "segment/ast.h"

namespace banyan::segment::internal {
namespace {

bool IsWordStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsWordChar(char c) { return IsWordStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      Token token;
      token.line = line_;
      token.column = Column();
      if (pos_ >= text_.size()) {
        tokens.push_back(std::move(token));
        return tokens;
      }
      RETURN_IF_ERROR(Next(token));
      tokens.push_back(std::move(token));
    }
  }

 private:
  // Characters (UTF-8 lead bytes) from the start of the line to pos_, plus one.
  int Column() const {
    int column = 1;
    for (size_t i = line_start_; i < pos_; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return column;
  }

  Status Error(const Token& at, std::string_view what) const {
    return InvalidArgumentError(fmt::format("{}:{}: {}", at.line, at.column, what));
  }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  Status Next(Token& token) {
    const char c = text_[pos_];
    if (IsWordStart(c)) {
      const size_t start = pos_;
      while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
      token.type = TokenType::kWord;
      token.text = std::string(text_.substr(start, pos_ - start));
      return Status::Ok();
    }
    if (c == '"') return String(token);
    if (IsDigit(c) || (c == '-' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
      return NumberOrDate(token);
    }
    return Symbol(token);
  }

  Status String(Token& token) {
    token.type = TokenType::kString;
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        return Error(token, "unterminated string: a string ends with \" on the same line");
      }
      const char c = text_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        token.text.push_back(c);
        continue;
      }
      const char e = pos_ < text_.size() ? text_[pos_++] : '\0';
      if (e == '"' || e == '\\') {
        token.text.push_back(e);
      } else if (e == 'n') {
        token.text.push_back('\n');
      } else if (e == 't') {
        token.text.push_back('\t');
      } else {
        return Error(token, "unknown escape in a string: only \\\", \\\\, \\n and \\t");
      }
    }
    if (!IsValidUtf8(token.text)) return Error(token, "a string is not valid UTF-8");
    if (token.text.size() > kStringBytesMax) {
      return Error(token, fmt::format("a string is longer than {} bytes", kStringBytesMax));
    }
    return Status::Ok();
  }

  // A date is exactly dddd-dd-dd; a number is -?digits(.digits)?.
  Status NumberOrDate(Token& token) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      return pos_ - from;
    };
    if (text_[pos_] == '-') ++pos_;
    const size_t first = digits();
    if (text_[start] != '-' && first == 4 && pos_ + 1 < text_.size() && text_[pos_] == '-' &&
        IsDigit(text_[pos_ + 1])) {
      ++pos_;
      const size_t month = digits();
      const bool dash = pos_ < text_.size() && text_[pos_] == '-';
      if (dash) ++pos_;
      const size_t day = dash ? digits() : 0;
      token.type = TokenType::kDate;
      token.text = std::string(text_.substr(start, pos_ - start));
      if (month != 2 || day != 2) return Error(token, "a date is written YYYY-MM-DD");
      return Status::Ok();
    }
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
      ++pos_;
      digits();
    }
    token.type = TokenType::kNumber;
    token.text = std::string(text_.substr(start, pos_ - start));
    if (pos_ < text_.size() && IsWordChar(text_[pos_])) {
      return Error(token, fmt::format("a number is followed by \"{}\": leave a space after it",
                                      text_[pos_]));
    }
    return Status::Ok();
  }

  Status Symbol(Token& token) {
    token.type = TokenType::kSymbol;
    const std::string_view rest = text_.substr(pos_);
    for (std::string_view symbol : {"!=", "<=", ">=", "<>"}) {
      if (rest.starts_with(symbol)) {
        if (symbol == "<>") return Error(token, "write != for \"not equal\"");
        token.text = std::string(symbol);
        pos_ += 2;
        return Status::Ok();
      }
    }
    const char c = text_[pos_];
    if (std::string_view("(),.=<>").find(c) != std::string_view::npos) {
      token.text = std::string(1, c);
      ++pos_;
      return Status::Ok();
    }
    if (c == '\'') return Error(token, "strings are written in double quotes: \"...\"");
    if (static_cast<unsigned char>(c) >= 0x80) {
      return Error(token,
                   "unexpected character: names other than [A-Za-z0-9_$] are written "
                   "in double quotes");
    }
    return Error(token, fmt::format("unexpected character \"{}\"", c));
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

std::string Token::Describe() const {
  switch (type) {
    case TokenType::kEnd:
      return "the end";
    case TokenType::kString:
      return fmt::format("the string \"{}\"", text);
    default:
      return fmt::format("\"{}\"", text);
  }
}

bool Token::IsKeyword(std::string_view keyword) const {
  if (type != TokenType::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != keyword[i]) return false;
  }
  return true;
}

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const uint32_t min = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

}  // namespace banyan::segment::internal
