// The parser's conditions on events: did, did ... then ..., first/last time, aggregates.

#include <fmt/format.h>

#include "segment/internal/parser.h"

namespace banyan::segment::internal {

Result<EventStep> Parser::ParseStep(bool stop_at_paren) {
  EventStep step;
  step.origin = OriginOf(Peek());
  ASSIGN_OR_RETURN(step.event, ParseName("an event name"));
  if (stop_at_paren) return step;  // the aggregate reads ".property" before via/where
  if (TakeKeyword("via")) {
    ASSIGN_OR_RETURN(step.channel, ParseName("a channel", "via"));
  }
  if (TakeKeyword("where")) {
    RETURN_IF_ERROR(Enter());
    if (Peek().type == TokenType::kEnd) return Expected("a property condition", "where");
    ASSIGN_OR_RETURN(Expr where, ParseAnd(true));
    Leave();
    step.where.push_back(std::move(where));
  }
  return step;
}

Result<bool> Parser::ParseWindow(TimeRange& range) {
  if (Peek().IsKeyword("in") && (Peek(1).IsKeyword("last") || Peek(1).IsKeyword("the"))) {
    Take();
    TakeKeyword("the");
    RETURN_IF_ERROR(ExpectKeyword("last", ""));
    range.kind = TimeRange::Kind::kLastDays;
    ASSIGN_OR_RETURN(range.days, ParseInteger("a number of days", "last", 1, kDaysMax));
    RETURN_IF_ERROR(ExpectDays());
    return true;
  }
  if (!Peek().IsKeyword("between")) return false;
  Take();
  range.kind = TimeRange::Kind::kBetween;
  const Token& first = Peek();
  ASSIGN_OR_RETURN(range.from, ParseDateToken("between"));
  RETURN_IF_ERROR(ExpectKeyword("and", ""));
  ASSIGN_OR_RETURN(range.to, ParseDateToken("and"));
  if (range.to < range.from) {
    return ErrorAt(first, fmt::format("the window ends ({}) before it starts ({})",
                                      FormatDate(range.to), FormatDate(range.from)));
  }
  return true;
}

Result<Expr> Parser::ParseDid() {
  Expr expr = Expr::Of(Kind::kDid, OriginOf(Take()));
  expr.negated = TakeKeyword("not");
  ASSIGN_OR_RETURN(EventStep first, ParseStep(false));
  expr.steps.push_back(std::move(first));
  RETURN_IF_ERROR(ParseDidTail(expr));
  ASSIGN_OR_RETURN(const bool has_window, ParseWindow(expr.range));
  (void)has_window;
  return expr;
}

// `then STEP ... [within N days]` for a sequence, or `[at least|at most|exactly N times]`.
Status Parser::ParseDidTail(Expr& expr) {
  if (Peek().IsKeyword("then")) {
    expr.kind = Kind::kSequence;
    while (TakeKeyword("then")) {
      if (expr.steps.size() == kStepsMax) {
        return ErrorAt(Peek(), fmt::format("more than {} steps (the limit)", kStepsMax));
      }
      ASSIGN_OR_RETURN(EventStep step, ParseStep(false));
      expr.steps.push_back(std::move(step));
    }
    if (TakeKeyword("within")) {
      ASSIGN_OR_RETURN(expr.within_days, ParseInteger("a number of days", "within", 1, kDaysMax));
      RETURN_IF_ERROR(ExpectDays());
    }
    return Status::Ok();
  }
  std::string after;
  if (Peek().IsKeyword("at") && Peek(1).IsKeyword("least")) {
    expr.times.kind = Times::Kind::kAtLeast;
    after = "at least";
  } else if (Peek().IsKeyword("at") && Peek(1).IsKeyword("most")) {
    expr.times.kind = Times::Kind::kAtMost;
    after = "at most";
  } else if (Peek().IsKeyword("exactly")) {
    expr.times.kind = Times::Kind::kExactly;
    after = "exactly";
  } else if (Peek().IsKeyword("at")) {
    Take();
    return Expected("\"least\" or \"most\"", "at");
  } else {
    return Status::Ok();
  }
  Take();
  if (after != "exactly") Take();
  const int64_t min = expr.times.kind == Times::Kind::kAtLeast ? 1 : 0;
  ASSIGN_OR_RETURN(expr.times.n, ParseInteger("a number", after, min, kTimesMax));
  if (TakeKeyword("times") || TakeKeyword("time")) return Status::Ok();
  return Expected("\"times\"");
}

Result<Expr> Parser::ParseFirstLast() {
  const Token& word = Take();
  Expr expr =
      Expr::Of(word.IsKeyword("first") ? Kind::kFirstTime : Kind::kLastTime, OriginOf(word));
  RETURN_IF_ERROR(ExpectKeyword("time", word.text));
  RETURN_IF_ERROR(ExpectKeyword("did", "time"));
  ASSIGN_OR_RETURN(EventStep step, ParseStep(false));
  expr.steps.push_back(std::move(step));
  if (TakeKeyword("within")) {
    expr.range.kind = TimeRange::Kind::kLastDays;
    ASSIGN_OR_RETURN(expr.range.days, ParseInteger("a number of days", "within", 1, kDaysMax));
    RETURN_IF_ERROR(ExpectDays());
    return expr;
  }
  if (TakeKeyword("before")) {
    expr.range.kind = TimeRange::Kind::kBeforeDaysAgo;
    ASSIGN_OR_RETURN(expr.range.days, ParseInteger("a number of days", "before", 0, kDaysMax));
    RETURN_IF_ERROR(ExpectDays());
    RETURN_IF_ERROR(ExpectKeyword("ago", ""));
    return expr;
  }
  ASSIGN_OR_RETURN(const bool has_window, ParseWindow(expr.range));
  if (!has_window) {
    return Expected(
        "\"within N days\", \"before N days ago\", \"in last N days\" or "
        "\"between DATE and DATE\"");
  }
  return expr;
}

Result<Expr> Parser::ParseAggregate() {
  static constexpr std::pair<std::string_view, Aggregate> kFunctions[] = {
      {"count", Aggregate::kCount},
      {"sum", Aggregate::kSum},
      {"avg", Aggregate::kAvg},
      {"min", Aggregate::kMin},
      {"max", Aggregate::kMax}};
  const Token& word = Take();
  Expr expr = Expr::Of(Kind::kAggregate, OriginOf(word));
  for (const auto& [name, function] : kFunctions) {
    if (word.IsKeyword(name)) expr.aggregate = function;
  }
  RETURN_IF_ERROR(ExpectSymbol("(", word.text));
  ASSIGN_OR_RETURN(EventStep step, ParseStep(true));
  if (expr.aggregate != Aggregate::kCount) {
    if (!TakeSymbol(".")) return Expected("\".\" and the property to add up (event.property)");
    ASSIGN_OR_RETURN(expr.property, ParseName("a property name", "."));
  }
  if (TakeKeyword("via")) {
    ASSIGN_OR_RETURN(step.channel, ParseName("a channel", "via"));
  }
  if (TakeKeyword("where")) {
    RETURN_IF_ERROR(Enter());
    ASSIGN_OR_RETURN(Expr where, ParseOr(true));
    Leave();
    step.where.push_back(std::move(where));
  }
  if (!TakeSymbol(")")) return Expected("\")\"");
  expr.steps.push_back(std::move(step));
  ASSIGN_OR_RETURN(const bool has_window, ParseWindow(expr.range));
  (void)has_window;
  ASSIGN_OR_RETURN(expr.op, ParseOp(""));
  const Token& number = Peek();
  ASSIGN_OR_RETURN(Value value, ParseValue(CompareOpText(expr.op)));
  if (value.type != ValueType::kNumber) {
    return ErrorAt(number, fmt::format("expected a number after \"{}\", found {}",
                                       CompareOpText(expr.op), number.Describe()));
  }
  expr.values = {std::move(value)};
  return expr;
}

}  // namespace banyan::segment::internal
