// Writing and reading one customer's value in an attribute column chunk, keeping the column's
// "is set" bitmaps and per-value bitmaps in step. (Range indexes are rebuilt per batch by
// Mutation::Finish.)
//
// Values are coded: numeric kinds as int64, booleans as 0/1, strings and list members as ids
// of the attribute's dictionary. Used by the engine writer, merges and the snapshot file.
// Thread safety: writes are the writer's, on chunks it owns; reads are safe on any snapshot.

#ifndef BANYAN_ENGINE_INTERNAL_COLUMNS_H_
#define BANYAN_ENGINE_INTERNAL_COLUMNS_H_

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "engine/dictionary.h"
#include "engine/internal/chunk.h"
#include "engine/types.h"

namespace banyan::engine::internal {

// A value in coded form: `scalar` for the scalar kinds, `members` (ascending ids) for lists.
struct CodedValue {
  bool set = false;
  int64_t scalar = 0;
  std::vector<uint32_t> members;
};

// Codes `value` for `spec` (interning strings into `dictionary`, which is null for non-string
// kinds); InvalidArgument naming the attribute when the value's type does not fit its kind.
Result<CodedValue> CodeValue(const AttributeSpec& spec, const AttributeValue& value,
                             Dictionary* dictionary);
// The reverse, for reading back.
AttributeValue DecodeValue(const AttributeSpec& spec, const CodedValue& value,
                           const Dictionary* dictionary);

void WriteValue(ColumnChunk& column, AttributeKind kind, CustomerIndex index,
                const CodedValue& value);
CodedValue ReadValue(const ColumnChunk& column, AttributeKind kind, CustomerIndex index);

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_COLUMNS_H_
