// `banyan segment count "EXPR"`: how many customers match a segment expression, for analysts at
// the shell. An offline command like the imports: it takes the data directory's lock (stop the
// server, or run it on a copy), rebuilds the engine from the store and the event log, and
// evaluates the expression the way the server would, tags and saved segments included.

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "segment/ast.h"
#include "server/app.h"
#include "server/cli.h"

namespace banyan::server {
namespace {

// "1:17: expected ..." → a caret under column 17 of line 1.
void PrintWhere(const std::string& text, const std::string& message) {
  int line = 0, column = 0;
  if (std::sscanf(message.c_str(), "%d:%d:", &line, &column) != 2 || line < 1 || column < 1) {
    return;
  }
  size_t start = 0;
  for (int l = 1; l < line && start != std::string::npos; ++l) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return;
  const size_t end = text.find('\n', start);
  const std::string shown = text.substr(start, end == std::string::npos ? end : end - start);
  std::fprintf(stderr, "  %s\n  %*s^\n", shown.c_str(), column - 1, "");
}

}  // namespace

int RunSegmentCount(const Args& args) {
  if (args.words.size() != 3) {
    return Fail(InvalidArgumentError(
        "usage: banyan segment count \"EXPRESSION\" [--json] (e.g. \"aum > 500000 and did "
        "login in last 30 days\")"));
  }
  const std::string text = args.words[2];
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto app = App::Open(*config, /*exclusive=*/true);
  if (!app.ok()) return Fail(app.status());
  const auto started = std::chrono::steady_clock::now();
  if (Status s = (*app)->OpenEvents(); !s.ok()) return Fail(s);
  if (Status s = (*app)->OpenCustomers(/*engine=*/true); !s.ok()) return Fail(s);
  if (Status s = (*app)->OpenSegments(/*monitor=*/false); !s.ok()) return Fail(s);
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  segment::SegmentService& segments = (*app)->segments();
  auto expr = segments.ReadExpression(Json{{"expression", text}});
  if (!expr.ok()) {
    std::fprintf(stderr, "banyan: %s\n", expr.status().message().c_str());
    PrintWhere(text, expr.status().message());
    return 1;
  }
  auto preview = segments.PreviewExpression(auth::Principal::System(), *expr, 0);
  if (!preview.ok()) return Fail(preview.status());
  const auto snapshot = (*app)->engine().snapshot();
  const uint64_t customers = snapshot->live().Cardinality();
  if (args.Flag("json")) {
    std::printf("%s\n", Json{{"count", preview->count},
                             {"customers", customers},
                             {"expression", preview->expression},
                             {"took_ms", preview->took_ms},
                             {"as_of", FormatRfc3339(preview->as_of)}}
                            .dump()
                            .c_str());
    return 0;
  }
  std::printf("%llu of %llu customers match\n  %s\n",
              static_cast<unsigned long long>(preview->count),
              static_cast<unsigned long long>(customers), preview->expression.c_str());
  std::fprintf(stderr,
               "evaluated in %.2f ms on %llu events as of %s (engine rebuilt from the data "
               "directory in %.1f s)\n",
               preview->took_ms, static_cast<unsigned long long>(snapshot->Memory().events),
               FormatRfc3339(preview->as_of).c_str(), load_s);
  return 0;
}

}  // namespace banyan::server
