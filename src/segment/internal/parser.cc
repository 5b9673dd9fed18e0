#include "segment/internal/parser.h"

#include <fmt/format.h>

#include "segment/internal/number.h"

namespace banyan::segment::internal {

// ---- tokens and errors ----

const Token& Parser::Peek(size_t ahead) const {
  const size_t index = pos_ + ahead;
  return index < tokens_.size() ? tokens_[index] : tokens_.back();
}

const Token& Parser::Take() {
  const Token& token = Peek();
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return token;
}

bool Parser::TakeKeyword(std::string_view keyword) {
  if (!Peek().IsKeyword(keyword)) return false;
  Take();
  return true;
}

bool Parser::TakeSymbol(std::string_view symbol) {
  if (!Peek().IsSymbol(symbol)) return false;
  Take();
  return true;
}

Status Parser::ExpectKeyword(std::string_view keyword, std::string_view after) {
  if (TakeKeyword(keyword)) return Status::Ok();
  return Expected(fmt::format("\"{}\"", keyword), after);
}

Status Parser::ExpectSymbol(std::string_view symbol, std::string_view after) {
  if (TakeSymbol(symbol)) return Status::Ok();
  return Expected(fmt::format("\"{}\"", symbol), after);
}

Status Parser::Expected(std::string_view what, std::string_view after) const {
  std::string previous(after);
  if (previous.empty() && pos_ > 0) previous = tokens_[pos_ - 1].text;
  const std::string context = previous.empty() ? "" : fmt::format(" after \"{}\"", previous);
  return ErrorAt(Peek(), fmt::format("expected {}{}, found {}", what, context, Peek().Describe()));
}

Status Parser::ErrorAt(const Token& token, std::string_view message) const {
  return InvalidArgumentError(fmt::format("{}:{}: {}", token.line, token.column, message));
}

Status Parser::Enter() {
  if (++depth_ > kDepthMax) {
    return ErrorAt(Peek(), fmt::format("nesting deeper than {} levels (the limit)", kDepthMax));
  }
  return Status::Ok();
}

Status Parser::CountCondition() {
  if (++conditions_ > kConditionsMax) {
    return ErrorAt(Peek(), fmt::format("more than {} conditions (the limit)", kConditionsMax));
  }
  return Status::Ok();
}

// ---- values ----

Result<std::string> Parser::ParseName(std::string_view what, std::string_view after) {
  const Token& token = Peek();
  if (token.type == TokenType::kString ||
      (token.type == TokenType::kWord && IsBareName(token.text))) {
    if (token.text.empty()) return ErrorAt(token, fmt::format("{} cannot be empty", what));
    if (token.text.size() > kNameBytesMax) {
      return ErrorAt(token, fmt::format("{} is longer than {} bytes", what, kNameBytesMax));
    }
    return Take().text;
  }
  if (token.type == TokenType::kWord) {
    return Expected(
        fmt::format("{} (write a name that is a keyword in quotes: \"{}\")", what, token.text),
        after);
  }
  return Expected(what, after);
}

Result<std::string> Parser::ParseString(std::string_view what, std::string_view after) {
  if (Peek().type != TokenType::kString) return Expected(what, after);
  return Take().text;
}

Result<Value> Parser::ParseValue(std::string_view after) {
  const Token& token = Peek();
  switch (token.type) {
    case TokenType::kString:
      return Value::String(Take().text);
    case TokenType::kNumber: {
      Result<std::string> canonical = CanonicalNumber(token.text);
      if (!canonical.ok()) return ErrorAt(token, canonical.status().message());
      Take();
      return Value::Number(*canonical);
    }
    case TokenType::kDate: {
      ASSIGN_OR_RETURN(const CivilDay day, ParseDateToken(after));
      return Value::Date(day);
    }
    case TokenType::kWord:
      if (TakeKeyword("true")) return Value::Boolean(true);
      if (TakeKeyword("false")) return Value::Boolean(false);
      break;
    default:
      break;
  }
  return Expected("a value (a \"string\", a number, a date YYYY-MM-DD, true or false)", after);
}

Result<CivilDay> Parser::ParseDateToken(std::string_view after) {
  const Token& token = Peek();
  if (token.type != TokenType::kDate) return Expected("a date (YYYY-MM-DD)", after);
  Result<CivilDay> day = ParseDate(token.text);
  if (!day.ok() || FormatDate(*day) != token.text) {
    return ErrorAt(token, fmt::format("\"{}\" is not a valid date", token.text));
  }
  Take();
  return *day;
}

Result<int64_t> Parser::ParseInteger(std::string_view what, std::string_view after, int64_t min,
                                     int64_t max) {
  const Token& token = Peek();
  if (token.type != TokenType::kNumber) return Expected(what, after);
  int64_t value = 0;
  bool digits_only = !token.text.empty() && token.text.size() <= 12;
  for (char c : token.text) {
    digits_only = digits_only && c >= '0' && c <= '9';
    if (digits_only) value = value * 10 + (c - '0');
  }
  if (!digits_only || value < min || value > max) {
    return ErrorAt(
        token, fmt::format("expected {} from {} to {}, found \"{}\"", what, min, max, token.text));
  }
  Take();
  return value;
}

Result<CompareOp> Parser::ParseOp(std::string_view after) {
  static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
      {"=", CompareOp::kEq},  {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
      {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
  for (const auto& [text, op] : kOps) {
    if (TakeSymbol(text)) return op;
  }
  return Expected("a comparison (=, !=, <, <=, >, >=)", after);
}

// ---- boolean structure ----

Result<Expr> Parser::ParseAll() {
  if (Peek().type == TokenType::kEnd) return Expected("a condition");
  ASSIGN_OR_RETURN(Expr expr, ParseOr(false));
  if (Peek().type != TokenType::kEnd) {
    if (Peek().IsSymbol(")")) return ErrorAt(Peek(), "a \")\" without its \"(\"");
    return Expected("\"and\", \"or\" or the end");
  }
  return expr;
}

Result<Expr> Parser::ParseOr(bool in_where) {
  const Origin origin = OriginOf(Peek());
  ASSIGN_OR_RETURN(Expr first, ParseAnd(in_where));
  if (!Peek().IsKeyword("or")) return first;
  Expr expr = Expr::Of(Kind::kOr, origin);
  expr.children.push_back(std::move(first));
  while (TakeKeyword("or")) {
    ASSIGN_OR_RETURN(Expr next, ParseAnd(in_where));
    expr.children.push_back(std::move(next));
  }
  return expr;
}

Result<Expr> Parser::ParseAnd(bool in_where) {
  const Origin origin = OriginOf(Peek());
  ASSIGN_OR_RETURN(Expr first, ParseUnary(in_where));
  if (!Peek().IsKeyword("and")) return first;
  Expr expr = Expr::Of(Kind::kAnd, origin);
  expr.children.push_back(std::move(first));
  while (TakeKeyword("and")) {
    ASSIGN_OR_RETURN(Expr next, ParseUnary(in_where));
    expr.children.push_back(std::move(next));
  }
  return expr;
}

Result<Expr> Parser::ParseUnary(bool in_where) {
  const Origin origin = OriginOf(Peek());
  if (TakeKeyword("not")) {
    RETURN_IF_ERROR(Enter());
    ASSIGN_OR_RETURN(Expr child, ParseUnary(in_where));
    Leave();
    Expr expr = Expr::Of(Kind::kNot, origin);
    expr.children.push_back(std::move(child));
    return expr;
  }
  if (Peek().IsSymbol("(")) {
    const Token& open = Take();
    RETURN_IF_ERROR(Enter());
    if (Peek().type == TokenType::kEnd) return Expected("a condition");
    ASSIGN_OR_RETURN(Expr inner, ParseOr(in_where));
    Leave();
    if (!TakeSymbol(")")) {
      return Expected(fmt::format("\")\" to close the \"(\" at {}:{}", open.line, open.column));
    }
    return inner;
  }
  RETURN_IF_ERROR(CountCondition());
  if (in_where) return ParseNameCondition(true);
  return ParseCondition();
}

Result<Expr> Parser::ParseCondition() {
  const Token& token = Peek();
  if (token.IsKeyword("has")) return ParseTag();
  if (token.IsKeyword("in")) return ParseSegment();
  if (token.IsKeyword("did")) return ParseDid();
  if (token.IsKeyword("first") || token.IsKeyword("last")) return ParseFirstLast();
  for (std::string_view function : {"count", "sum", "avg", "min", "max"}) {
    if (token.IsKeyword(function)) return ParseAggregate();
  }
  if (token.IsKeyword("within")) return ParseNearBranch();
  if (token.IsKeyword("consented")) return ParseConsent();
  if (token.type == TokenType::kWord && !IsBareName(token.text)) {
    return Expected(
        "a condition (an attribute, has tag, in segment, did, first time, last "
        "time, count/sum/avg/min/max, within ... of branch, consented)");
  }
  return ParseNameCondition(false);
}

// ---- conditions on one attribute (or, in a where clause, one event property) ----

Result<Expr> Parser::ParseNameCondition(bool in_where) {
  Expr expr = Expr::Of(Kind::kCompare, OriginOf(Peek()));
  ASSIGN_OR_RETURN(expr.name, ParseName(in_where ? "a property name" : "a condition"));
  RETURN_IF_ERROR(ParseNameConditionTail(expr, in_where));
  return expr;
}

Status Parser::ParseNameConditionTail(Expr& expr, bool in_where) {
  if (TakeKeyword("between")) {
    expr.kind = Kind::kBetween;
    ASSIGN_OR_RETURN(Value low, ParseValue("between"));
    RETURN_IF_ERROR(ExpectKeyword("and", ""));
    ASSIGN_OR_RETURN(Value high, ParseValue("and"));
    expr.values = {std::move(low), std::move(high)};
  } else if (TakeKeyword("in")) {
    expr.kind = Kind::kIn;
    RETURN_IF_ERROR(ExpectSymbol("(", "in"));
    do {
      if (expr.values.size() == kListItemsMax) {
        return ErrorAt(Peek(),
                       fmt::format("a list longer than {} values (the limit)", kListItemsMax));
      }
      ASSIGN_OR_RETURN(Value value, ParseValue(""));
      expr.values.push_back(std::move(value));
    } while (TakeSymbol(","));
    if (!TakeSymbol(")")) return Expected("\",\" or \")\"");
  } else if (TakeKeyword("contains")) {
    expr.kind = Kind::kContains;
    ASSIGN_OR_RETURN(std::string text, ParseString("a \"string\"", "contains"));
    expr.values = {Value::String(std::move(text))};
  } else if (TakeKeyword("is")) {
    expr.kind = Kind::kIsSet;
    expr.negated = TakeKeyword("not");
    RETURN_IF_ERROR(ExpectKeyword("set", ""));
  } else if (!in_where && TakeKeyword("within")) {
    expr.kind = Kind::kRelativeDate;
    expr.range.kind = TimeRange::Kind::kLastDays;
    ASSIGN_OR_RETURN(expr.range.days, ParseInteger("a number of days", "within", 1, kDaysMax));
    RETURN_IF_ERROR(ExpectDays());
  } else if (!in_where && TakeKeyword("before")) {
    expr.kind = Kind::kRelativeDate;
    expr.range.kind = TimeRange::Kind::kBeforeDaysAgo;
    ASSIGN_OR_RETURN(expr.range.days, ParseInteger("a number of days", "before", 0, kDaysMax));
    RETURN_IF_ERROR(ExpectDays());
    RETURN_IF_ERROR(ExpectKeyword("ago", ""));
  } else if (Peek().type == TokenType::kSymbol && !Peek().IsSymbol("(") && !Peek().IsSymbol(")") &&
             !Peek().IsSymbol(",") && !Peek().IsSymbol(".")) {
    expr.kind = Kind::kCompare;
    ASSIGN_OR_RETURN(expr.op, ParseOp(""));
    ASSIGN_OR_RETURN(Value value, ParseValue(CompareOpText(expr.op)));
    expr.values = {std::move(value)};
  } else {
    return Expected(in_where ? "a comparison, between, in, contains or is set"
                             : "a comparison, between, in, contains, is set, within or before");
  }
  return Status::Ok();
}

Status Parser::ExpectDays() {
  if (TakeKeyword("days") || TakeKeyword("day")) return Status::Ok();
  return Expected("\"days\"");
}

// ---- tags, segments, geography, consent ----

Result<Expr> Parser::ParseTag() {
  Expr expr = Expr::Of(Kind::kTag, OriginOf(Take()));
  RETURN_IF_ERROR(ExpectKeyword("tag", "has"));
  ASSIGN_OR_RETURN(expr.name, ParseName("a tag name", "tag"));
  if (TakeSymbol("=")) {
    ASSIGN_OR_RETURN(std::string value, ParseString("a tag value (a \"string\")", "="));
    expr.values = {Value::String(std::move(value))};
  }
  return expr;
}

Result<Expr> Parser::ParseSegment() {
  Expr expr = Expr::Of(Kind::kSegment, OriginOf(Take()));
  RETURN_IF_ERROR(ExpectKeyword("segment", "in"));
  ASSIGN_OR_RETURN(expr.name, ParseName("a segment name", "segment"));
  return expr;
}

// Kept out of line: inlined into ParseNearBranch, GCC 12 at -O2 takes the Value just moved out of
// a Result for possibly uninitialized (a false -Wmaybe-uninitialized, fatal under -Werror).
[[gnu::noinline]] static bool IsPositiveNumber(const Value& value) {
  return value.type == ValueType::kNumber && !value.text.starts_with("-") && value.text != "0";
}

Result<Expr> Parser::ParseNearBranch() {
  Expr expr = Expr::Of(Kind::kNearBranch, OriginOf(Take()));
  const Token& number = Peek();
  ASSIGN_OR_RETURN(Value distance, ParseValue("within"));
  if (!IsPositiveNumber(distance)) {
    return ErrorAt(number, "expected a positive distance after \"within\"");
  }
  if (TakeKeyword("km")) {
    expr.unit = DistanceUnit::kKilometers;
  } else if (TakeKeyword("m")) {
    expr.unit = DistanceUnit::kMeters;
  } else {
    return Expected("\"km\" or \"m\"");
  }
  const std::optional<Micros128> micros = ParseMicros(distance.text);
  const Micros128 meters_max = Micros128{kDistanceMetersMax} * kMicrosPerUnit;
  const Micros128 scale = expr.unit == DistanceUnit::kKilometers ? 1000 : 1;
  if (!micros || *micros * scale > meters_max) {
    return ErrorAt(number,
                   fmt::format("a distance beyond {} km (the limit)", kDistanceMetersMax / 1000));
  }
  expr.values = {std::move(distance)};
  RETURN_IF_ERROR(ExpectKeyword("of", ""));
  RETURN_IF_ERROR(ExpectKeyword("branch", "of"));
  ASSIGN_OR_RETURN(expr.name, ParseName("a branch code", "branch"));
  if (TakeKeyword("from")) {
    if (TakeKeyword("home")) {
      expr.source = LocationSource::kHome;
    } else if (TakeKeyword("last")) {
      RETURN_IF_ERROR(ExpectKeyword("event", "last"));
      RETURN_IF_ERROR(ExpectKeyword("location", "event"));
      expr.source = LocationSource::kLastEvent;
    } else {
      return Expected("\"home\" or \"last event location\"", "from");
    }
  }
  return expr;
}

Result<Expr> Parser::ParseConsent() {
  Expr expr = Expr::Of(Kind::kConsent, OriginOf(Take()));
  RETURN_IF_ERROR(ExpectKeyword("to", "consented"));
  ASSIGN_OR_RETURN(expr.name, ParseName("a consent purpose", "to"));
  expr.channel = "all";
  if (TakeKeyword("via")) {
    ASSIGN_OR_RETURN(expr.channel, ParseName("a channel", "via"));
  }
  return expr;
}

}  // namespace banyan::segment::internal

namespace banyan::segment {

Result<Expr> Parse(std::string_view text) {
  if (text.size() > kExpressionBytesMax) {
    return TooLargeError(fmt::format("an expression of {} bytes is longer than the limit of {}",
                                     text.size(), kExpressionBytesMax));
  }
  ASSIGN_OR_RETURN(std::vector<internal::Token> tokens, internal::Tokenize(text));
  ASSIGN_OR_RETURN(Expr expr, internal::Parser(std::move(tokens)).ParseAll());
  RETURN_IF_ERROR(CheckSize(expr));
  return expr;
}

}  // namespace banyan::segment
