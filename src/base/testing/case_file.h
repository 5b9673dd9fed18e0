// Case files: the data-driven test format of tests/cases/<module>/*.test, shared by every
// module's parameterised runner (identity, segment, ...).
//
// A file is records separated by blank lines. A record is: `#` comment lines, then its lines
// (actions, data or a question, as the module reads them), then optionally a `----` line
// followed by the expected answer, one item per line. With BANYAN_REWRITE_CASES=1 set a runner
// writes the answers it got back into the file (RenderCaseFile) for review instead of checking.
//
// Thread safety: plain functions over values.

#ifndef BANYAN_BASE_TESTING_CASE_FILE_H_
#define BANYAN_BASE_TESTING_CASE_FILE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace banyan::testing {

struct CaseRecord {
  std::vector<std::string> comments;  // `#` lines before the record's own lines
  std::vector<std::string> lines;
  bool has_answer = false;  // a `----` line was present
  std::vector<std::string> answer;
  int line = 0;  // the record's first line in the file, 1-based
};

inline std::vector<CaseRecord> ParseCaseFile(const std::string& text) {
  std::vector<CaseRecord> records;
  std::istringstream in(text);
  std::string line;
  CaseRecord current;
  bool in_answer = false;
  int number = 0;
  auto finish = [&] {
    if (!current.lines.empty() || !current.comments.empty() || current.has_answer) {
      records.push_back(std::move(current));
    }
    current = CaseRecord{};
    in_answer = false;
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      finish();
      continue;
    }
    if (current.line == 0) current.line = number;
    if (line == "----") {
      current.has_answer = true;
      in_answer = true;
    } else if (in_answer) {
      current.answer.push_back(line);
    } else if (line[0] == '#' && current.lines.empty()) {
      current.comments.push_back(line);
    } else {
      current.lines.push_back(line);
    }
  }
  finish();
  return records;
}

// The file again, with `answers[i]` as record i's answer.
inline std::string RenderCaseFile(const std::vector<CaseRecord>& records,
                                  const std::vector<std::vector<std::string>>& answers) {
  std::string out;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out += "\n";
    for (const std::string& line : records[i].comments) out += line + "\n";
    for (const std::string& line : records[i].lines) out += line + "\n";
    if (records[i].has_answer) {
      out += "----\n";
      for (const std::string& line : answers[i]) out += line + "\n";
    }
  }
  return out;
}

inline std::string ReadCaseFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The names of the `*.test` files in `dir`, sorted.
inline std::vector<std::string> ListCaseFiles(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A gtest parameter name for a case file: its stem with every other character as '_'.
inline std::string CaseTestName(const std::string& file) {
  std::string name = std::filesystem::path(file).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

inline bool RewritingCases() { return std::getenv("BANYAN_REWRITE_CASES") != nullptr; }

// Runs the case file at `path` through `run`: records without an answer are data
// (`Status run.AddData(record)`), the others questions (`std::vector<std::string>
// run.Answer(record)`) whose answers must equal the file's — or, with BANYAN_REWRITE_CASES=1,
// are written back into the file.
template <typename Run>
void CheckCaseFile(const std::filesystem::path& path, Run& run) {
  const std::vector<CaseRecord> records = ParseCaseFile(ReadCaseFile(path));
  ASSERT_FALSE(records.empty()) << path;
  const bool rewrite = RewritingCases();
  std::vector<std::vector<std::string>> answers;
  for (const CaseRecord& record : records) {
    const std::string where = path.filename().string() + ":" + std::to_string(record.line);
    if (!record.has_answer) {
      const auto status = run.AddData(record);
      ASSERT_TRUE(status.ok()) << where << ": " << status.ToString();
      answers.emplace_back();
      continue;
    }
    ASSERT_FALSE(record.lines.empty()) << where << ": a question without a line";
    std::vector<std::string> got = run.Answer(record);
    if (!rewrite) {
      std::string question;
      for (const std::string& line : record.lines)
        question += (question.empty() ? "" : "\n") + line;
      EXPECT_EQ(record.answer, got) << where << ": " << question;
    }
    answers.push_back(std::move(got));
  }
  if (rewrite) std::ofstream(path) << RenderCaseFile(records, answers);
}

}  // namespace banyan::testing

#endif  // BANYAN_BASE_TESTING_CASE_FILE_H_
