// Keeps docs/openapi.json true: every route the server registers is documented, and every
// documented operation is served.

#include <gtest/gtest.h>

#include <set>

#include "api/api.h"
#include "base/json.h"

namespace banyan::api {
namespace {

TEST(OpenApi, DocumentIsValidJsonWithPaths) {
  auto doc = ParseJson(OpenApiDocument(), {.bytes_max = 4 << 20, .depth_max = 64});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ((*doc)["openapi"], "3.1.0");
  EXPECT_TRUE((*doc)["paths"].is_object());
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryOperationIsServed) {
  auto doc = ParseJson(OpenApiDocument(), {.bytes_max = 4 << 20, .depth_max = 64});
  ASSERT_TRUE(doc.ok());
  std::set<std::pair<std::string, std::string>> documented, served;
  for (const auto& [path, item] : (*doc)["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      documented.insert({method, path});
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  for (const auto& route : ListRoutes()) served.insert({route.method, route.pattern});
  for (const auto& r : served) {
    EXPECT_TRUE(documented.count(r)) << "undocumented route: " << r.first << " " << r.second;
  }
  for (const auto& d : documented) {
    EXPECT_TRUE(served.count(d)) << "documented but not served: " << d.first << " " << d.second;
  }
}

}  // namespace
}  // namespace banyan::api
