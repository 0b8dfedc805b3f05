// The text reader: a report's published text (as extracted from its PDF,
// Markdown pipe tables, plain text, one cell per line) into a Document.
//
// Each non-empty line becomes a paragraph block (source: its line number);
// consecutive Markdown pipe rows (with or without the leading pipe; full-width
// ｜ too) become one table block, one grid row per line, cells width-folded
// and trimmed. Separator rows (|---|) are dropped. The reader interprets
// nothing else: the template mapper does.
#ifndef DISCLOSURE_CORE_IMPORT_TEXT_READER_H_
#define DISCLOSURE_CORE_IMPORT_TEXT_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/import/document.h"

namespace disclosure {

// Errors: InvalidArgument for text that is larger than kMaxImportBytes
// (import.h) or not UTF-8 (naming the line and byte offset).
absl::StatusOr<Document> ReadText(absl::string_view text);


}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_TEXT_READER_H_
