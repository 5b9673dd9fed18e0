// The lexer of the segment language's text form: words (keywords and bare names), double-quoted
// strings, numbers, dates (YYYY-MM-DD) and symbols, each with its line and column (1-based; the
// column counts characters, not bytes, so Chinese text points at the right place). `#` starts a
// comment to the end of the line.
//
// Used by: the parser only. Thread safety: a value; one lexer per parse.

#ifndef BANYAN_SEGMENT_INTERNAL_LEXER_H_
#define BANYAN_SEGMENT_INTERNAL_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace banyan::segment::internal {

enum class TokenType { kWord, kString, kNumber, kDate, kSymbol, kEnd };

struct Token {
  TokenType type = TokenType::kEnd;
  std::string text;  // a word as written; a string's content (unescaped); a number or date as
                     // written; a symbol ("(", ")", ",", ".", "=", "!=", "<", "<=", ">", ">=")
  int line = 1;
  int column = 1;

  // The token as an error message quotes it: `"three"`, `the end`, `a string "王"`.
  std::string Describe() const;
  // A word equal to `keyword` ignoring ASCII case (keywords are lower case).
  bool IsKeyword(std::string_view keyword) const;
  bool IsSymbol(std::string_view symbol) const {
    return type == TokenType::kSymbol && text == symbol;
  }
};

// Splits `text` into tokens ending with one kEnd token. Errors: "LINE:COLUMN: ..." for an
// unterminated string, an unknown escape, invalid UTF-8, a character that starts no token.
Result<std::vector<Token>> Tokenize(std::string_view text);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace banyan::segment::internal

#endif  // BANYAN_SEGMENT_INTERNAL_LEXER_H_
