// Checks the examples in docs/privacy.md against the code, so the page cannot drift from it.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/testing/manual_clock.h"
#include "base/testing/temp_dir.h"
#include "privacy/keyed_hash.h"
#include "privacy/keyring.h"
#include "privacy/masking.h"

namespace banyan::privacy {
namespace {

std::string ReadDoc() {
  std::ifstream in(std::string(BANYAN_SOURCE_DIR) + "/docs/privacy.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text between <!-- name:begin --> and <!-- name:end -->.
std::string Section(const std::string& doc, const std::string& name) {
  const std::string begin = "<!-- " + name + ":begin -->\n";
  const size_t from = doc.find(begin);
  const size_t to = doc.find("<!-- " + name + ":end -->");
  if (from == std::string::npos || to == std::string::npos) return "";
  return doc.substr(from + begin.size(), to - from - begin.size());
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The cells of a markdown table row "| `a` | `b` |", backticks removed.
std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> cells;
  std::stringstream in(row);
  std::string cell;
  std::getline(in, cell, '|');  // before the first bar
  while (std::getline(in, cell, '|')) {
    const size_t first = cell.find('`'), last = cell.rfind('`');
    if (first != std::string::npos && last > first) {
      cells.push_back(cell.substr(first + 1, last - first - 1));
    }
  }
  return cells;
}

TEST(MaskingDoc, ExamplesMatchTheCode) {
  const std::vector<std::string> lines = Lines(Section(ReadDoc(), "mask-examples"));
  ASSERT_GT(lines.size(), 10u) << "docs/privacy.md lost its masking examples";
  int checked = 0;
  for (const std::string& line : lines) {
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() != 3) continue;  // header and separator rows
    const std::optional<MaskRule> rule = ParseMaskRule(cells[0]);
    ASSERT_TRUE(rule.has_value()) << line;
    EXPECT_EQ(Mask(*rule, cells[1]), cells[2]) << line;
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(KeyRingDoc, ExampleLoadsAndHashesAsDocumented) {
  const std::string doc = ReadDoc();
  std::string example = Section(doc, "keyring-example");
  ASSERT_TRUE(example.starts_with("```\n")) << "docs/privacy.md lost its key ring example";
  example = example.substr(4, example.rfind("```") - 4);

  banyan::testing::TempDir dir("banyan_privacy_doc");
  const std::string path = dir.Sub("data.keyring");
  std::ofstream(path) << example;
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  banyan::testing::ManualClock clock(FromUnixMicros(0));
  SeededRandom random(1);
  Result<std::unique_ptr<KeyRing>> ring = KeyRing::LoadOrCreate(path, random, clock);
  ASSERT_TRUE(ring.ok()) << ring.status().ToString();
  EXPECT_EQ((*ring)->versions(), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ((*ring)->current_version(), 2u);

  const std::string hash_hex =
      HexEncode(::banyan::AsBytes(AsBytes(KeyedHash(**ring, "phone", "13812341234"))));
  EXPECT_NE(doc.find("is\n`" + hash_hex + "` (hex)"), std::string::npos)
      << "the documented hash should be " << hash_hex;
}

}  // namespace
}  // namespace banyan::privacy
