#include "segment/testing/expression_generator.h"

namespace banyan::segment::testing {

Vocabulary Vocabulary::Default() {
  Vocabulary v;
  v.leaves = {
      "age {op} {n}",
      "city in (\"杭州市\", \"绍兴市\") or name contains \"王\"",
      "email is not set and customer_since within {n} days",
      "has tag vip",
      "has tag \"金葵花\"",
      "has tag t = \"v\"",
      "in segment s",
      "(did {step}{times}{window})",
      "(did not {step}{times}{window})",
      "(did {step} then {step}{within}{window})",
      "first time did {step} within {n} days",
      "last time did {step} before {n} days ago",
      "sum(buy.amount where {where}){window} >= -1.25",
      "count(buy){window} > {n}",
      "within 1.5 km of branch Xixi",
      "within 1.5 km of branch Xixi from home",
      "within 1.5 km of branch Xixi from last event location",
      "consented to marketing",
      "consented to marketing via sms",
  };
  v.events = {"buy", "\"Order Completed\"", "app_open"};
  v.channels = {"app"};
  v.where_leaves = {"amount > 5",        "p = \"x\"",           "q is set",
                    "r between 1 and 2", "\"and\" in (1, 2.5)", "s contains \"王\""};
  v.windows = {"", " in last 30 days", " in the last 1 day", " between 2026-01-01 and 2026-01-31"};
  v.times = {"", " at least 3 times", " at most 0 times", " exactly 1 time"};
  v.withins = {"", " within 7 days"};
  return v;
}

ExpressionGenerator::ExpressionGenerator(Vocabulary vocabulary, uint64_t seed)
    : vocabulary_(std::move(vocabulary)), state_(seed) {}

size_t ExpressionGenerator::Next(size_t bound) {
  state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<size_t>(state_ >> 33) % bound;
}

const std::string& ExpressionGenerator::One(const std::vector<std::string>& options) {
  return options[Next(options.size())];
}

std::string ExpressionGenerator::Expression(int depth) {
  const size_t pick = Next(depth > 0 ? 9 : 5);
  if (pick == 5) return Expression(depth - 1) + " and " + Expression(depth - 1);
  if (pick == 6) return Expression(depth - 1) + " OR " + Expression(depth - 1);
  if (pick == 7) return "not " + Expression(depth - 1);
  if (pick == 8) return "(" + Expression(depth - 1) + ")";
  return Expand(One(vocabulary_.leaves));
}

std::string ExpressionGenerator::Where(int depth) {
  const size_t pick = Next(depth > 0 ? 5 : 3);
  if (pick == 3) return Where(depth - 1) + " and " + Where(depth - 1);
  if (pick == 4) return "(" + Where(depth - 1) + " or not " + Where(depth - 1) + ")";
  return Expand(One(vocabulary_.where_leaves));
}

std::string ExpressionGenerator::Step() {
  std::string step = One(vocabulary_.events);
  if (!vocabulary_.channels.empty() && Next(3) == 0) step += " via " + One(vocabulary_.channels);
  if (Next(2) == 0) step += " where " + Where(2);
  return step;
}

std::string ExpressionGenerator::Expand(std::string_view text) {
  static const std::vector<std::string> kOps = {"=", "!=", "<", "<=", ">", ">="};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += text[i];
      continue;
    }
    const std::string_view name = text.substr(i + 1, close - i - 1);
    i = close;
    if (name == "op")
      out += One(kOps);
    else if (name == "n")
      out += std::to_string(Next(vocabulary_.number_max) + 1);
    else if (name == "step")
      out += Step();
    else if (name == "where")
      out += Where(2);
    else if (name == "window")
      out += One(vocabulary_.windows);
    else if (name == "times")
      out += One(vocabulary_.times);
    else if (name == "within")
      out += One(vocabulary_.withins);
    else
      out += "{" + std::string(name) + "}";  // not a placeholder: kept as written
  }
  return out;
}

}  // namespace banyan::segment::testing
