// The template mapper: finds the 2021 national template in a Document.
//
// Parts are found by their headings (numbered or not, Markdown '#' or not,
// close matches for OCR slips), in order. Tables are found by content: a
// table block goes to the template table whose row labels and header words
// it holds, wherever it stands and whatever its heading says; a table block
// that names none stays with the part it stands in. Rows are matched by
// their labels (exact, a label wrapped over lines, fuzzy for OCR slips),
// leaning on the template's row order; values by position in the row.
// Whatever cannot be placed is an UNPLACED diagnostic naming its source and
// what was expected, and its cells stay empty — never a silent zero.
//
// Thread-safe: no shared mutable state.
#ifndef DISCLOSURE_CORE_IMPORT_TEMPLATE_MAPPER_H_
#define DISCLOSURE_CORE_IMPORT_TEMPLATE_MAPPER_H_

#include "absl/status/statusor.h"
#include "core/import/document.h"
#include "core/import/import.h"

namespace disclosure {

// Errors: InvalidArgument when the document holds no part of the template
// (or, with options.strict, a cell could not be placed); FailedPrecondition
// for a report in the 2019 format.
absl::StatusOr<ImportResult> MapTemplate(const Document& doc, const ImportOptions& options = {});

// True for a line that reads as a report's title ("…2021 年政府信息公开工作
// 年度报告"): short, no sentence punctuation, names the report.
bool LooksLikeTitle(absl::string_view text);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_TEMPLATE_MAPPER_H_
