#include "events/internal/wire_csv.h"

#include <fmt/format.h>

namespace banyan::events::internal {

Status SplitCsvRecord(std::string_view record, size_t fields_max, std::vector<std::string>* fields,
                      CsvSplit* split) {
  fields->clear();
  *split = CsvSplit::kComplete;
  size_t pos = 0;
  while (true) {
    if (fields->size() >= fields_max) {
      return InvalidArgumentError(fmt::format("more than {} fields", fields_max));
    }
    std::string& field = fields->emplace_back();
    if (pos < record.size() && record[pos] == '"') {
      ++pos;
      while (true) {
        if (pos >= record.size()) {
          *split = CsvSplit::kOpenQuote;
          return Status::Ok();
        }
        const char c = record[pos++];
        if (c != '"') {
          field.push_back(c);
        } else if (pos < record.size() && record[pos] == '"') {
          field.push_back('"');
          ++pos;
        } else {
          break;
        }
      }
      if (pos < record.size() && record[pos] != ',') {
        return InvalidArgumentError(fmt::format("unexpected '{}' after a closing quote in field {}",
                                                record[pos], fields->size()));
      }
    } else {
      const size_t comma = record.find(',', pos);
      const size_t end = comma == std::string_view::npos ? record.size() : comma;
      field.assign(record.substr(pos, end - pos));
      pos = end;
    }
    if (pos >= record.size()) return Status::Ok();
    ++pos;  // the comma
  }
}

}  // namespace banyan::events::internal
