// Internal to the import reader: splitting one CSV record (RFC 4180) into fields.
// Thread safety: stateless functions.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_CSV_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace banyan::events::internal {

enum class CsvSplit { kComplete, kOpenQuote };

// Splits `record` on commas, unquoting quoted fields ("a ""b""" → a "b"). kOpenQuote: the
// record ends inside a quoted field (append the next line, with its "\n", and split again).
// Fails with InvalidArgument on a character after a closing quote or more than `fields_max`
// fields.
Status SplitCsvRecord(std::string_view record, size_t fields_max, std::vector<std::string>* fields,
                      CsvSplit* split);

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_CSV_H_
