// The recursive-descent parser of the text form (grammar in docs/segments.md). parser.cc holds
// the boolean structure and the attribute, tag, segment, geography and consent conditions;
// parser_behaviour.cc the conditions on events (did, then, first/last time, aggregates).
//
// Every error is "LINE:COLUMN: expected WHAT after "PREVIOUS", found TOKEN", at the token found.
// Nesting depth and the number of conditions are counted as the parse goes, so no input can
// recurse deeper than kDepthMax.
//
// Used by: Parse (ast.h) only. Thread safety: one Parser per parse.

#ifndef BANYAN_SEGMENT_INTERNAL_PARSER_H_
#define BANYAN_SEGMENT_INTERNAL_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "segment/ast.h"
#include "segment/internal/lexer.h"

namespace banyan::segment::internal {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // The whole input as one expression.
  Result<Expr> ParseAll();

 private:
  // Boolean structure (parser.cc). `in_where`: property conditions of an event.
  Result<Expr> ParseOr(bool in_where);
  Result<Expr> ParseAnd(bool in_where);
  Result<Expr> ParseUnary(bool in_where);
  Result<Expr> ParseCondition();
  Result<Expr> ParseNameCondition(bool in_where);
  Status ParseNameConditionTail(Expr& expr, bool in_where);
  Result<Expr> ParseTag();
  Result<Expr> ParseSegment();
  Result<Expr> ParseNearBranch();
  Result<Expr> ParseConsent();

  // Events (parser_behaviour.cc).
  Result<Expr> ParseDid();
  Status ParseDidTail(Expr& expr);
  Result<EventStep> ParseStep(bool stop_at_paren);
  Result<Expr> ParseFirstLast();
  Result<Expr> ParseAggregate();
  // `in [the] last N days` or `between DATE and DATE`, when the next tokens start one.
  Result<bool> ParseWindow(TimeRange& range);
  // `days` or `day` after a count.
  Status ExpectDays();

  // Tokens and errors (parser.cc).
  const Token& Peek(size_t ahead = 0) const;
  const Token& Take();
  bool TakeKeyword(std::string_view keyword);
  bool TakeSymbol(std::string_view symbol);
  Status ExpectKeyword(std::string_view keyword, std::string_view after);
  Status ExpectSymbol(std::string_view symbol, std::string_view after);
  // The error at the next token: expected `what` after `after` (empty: the previous token).
  Status Expected(std::string_view what, std::string_view after = {}) const;
  Status ErrorAt(const Token& token, std::string_view message) const;
  Origin OriginOf(const Token& token) const { return Origin{token.line, token.column, {}}; }

  // Values (parser.cc).
  Result<std::string> ParseName(std::string_view what, std::string_view after = {});
  Result<Value> ParseValue(std::string_view after);
  Result<std::string> ParseString(std::string_view what, std::string_view after);
  Result<int64_t> ParseInteger(std::string_view what, std::string_view after, int64_t min,
                               int64_t max);
  Result<CivilDay> ParseDateToken(std::string_view after);
  Result<CompareOp> ParseOp(std::string_view after);
  Status CountCondition();
  Status Enter();
  void Leave() { --depth_; }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  size_t conditions_ = 0;
};

}  // namespace banyan::segment::internal

#endif  // BANYAN_SEGMENT_INTERNAL_PARSER_H_
