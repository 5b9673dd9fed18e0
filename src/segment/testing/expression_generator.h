// ExpressionGenerator: random segment expressions built from the grammar, in text form, over a
// vocabulary of names and condition templates — the default one exercises the syntax (quoted
// names, Chinese, keywords as names; the parser's round-trip test), a test's own one names the
// attributes, events and properties its generated data holds (the engine's differential test).
//
// Templates are leaf conditions with placeholders, expanded at random: {op} a comparison
// operator, {n} an integer 1..number_max, {step} an event step (an event, maybe " via CHANNEL",
// maybe " where CONDITION"), {where} a property condition, {window} a window (or none), {times}
// a count (or none), {within} a `within N days` of `then` (or none). Behaviour leaves with a
// where clause must be parenthesised in the template: a where takes every `and` after it.
//
// Deterministic for a seed. Thread safety: one owner.

#ifndef BANYAN_SEGMENT_TESTING_EXPRESSION_GENERATOR_H_
#define BANYAN_SEGMENT_TESTING_EXPRESSION_GENERATOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace banyan::segment::testing {

struct Vocabulary {
  std::vector<std::string> leaves;        // condition templates
  std::vector<std::string> events;        // event names as written ("buy", "\"Order Completed\"")
  std::vector<std::string> channels;      // for " via CHANNEL" (one step in three)
  std::vector<std::string> where_leaves;  // property condition templates
  std::vector<std::string> windows;       // " in last 30 days", "" ...
  std::vector<std::string> times;         // " at least 3 times", "" ...
  std::vector<std::string> withins;       // " within 7 days", "" ...
  int number_max = 100;

  // Syntax-exercising names (the parser's round-trip test).
  static Vocabulary Default();
};

class ExpressionGenerator {
 public:
  explicit ExpressionGenerator(Vocabulary vocabulary, uint64_t seed = 7);

  // An expression of and/or/not/parentheses nested up to `depth` over the vocabulary's leaves.
  std::string Expression(int depth);
  // A uniform number in [0, bound).
  size_t Next(size_t bound);

 private:
  std::string Expand(std::string_view text);
  std::string Where(int depth);
  std::string Step();
  const std::string& One(const std::vector<std::string>& options);

  Vocabulary vocabulary_;
  uint64_t state_;
};

}  // namespace banyan::segment::testing

#endif  // BANYAN_SEGMENT_TESTING_EXPRESSION_GENERATOR_H_
