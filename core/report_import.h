// Import of a report's published text (as extracted from its PDF, Markdown
// tables or plain text) into a disclosure.v1.Report.
//
// Rows are found by their labels, not their position: shifted rows, empty
// filler cells, full-width characters, labels split over lines, value rows
// apart from their labels, repeated header rows, page numbers and OCR slips
// in labels are read, leaning on the template's fixed row order. Whatever
// cannot be placed is reported as an UNPLACED diagnostic naming the line and
// what was expected, and its cells stay empty: never a silent zero.
#ifndef DISCLOSURE_CORE_REPORT_IMPORT_H_
#define DISCLOSURE_CORE_REPORT_IMPORT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "disclosure/v1/findings.pb.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure {

namespace v1 = ::disclosure::v1;

// Largest text accepted (a real report is 10–60 KB).
inline constexpr size_t kMaxImportBytes = 4 << 20;

struct ImportResult {
  v1::Report report;
  // In line order. NOTE: read with a correction; UNPLACED: cells left empty.
  std::vector<v1::ImportDiagnostic> diagnostics;

  bool HasUnplaced() const;
};

struct ImportOptions {
  // Any UNPLACED diagnostic makes the import fail (InvalidArgument).
  bool strict = false;
};

// Errors: InvalidArgument for text that is not UTF-8, too large, or holds no
// report (no title, no part of the template); FailedPrecondition for a
// report in the 2019 format, which is not modelled. Agency id, region code
// and kind are not in the text: the caller fills them in.
absl::StatusOr<ImportResult> ImportText(absl::string_view text,
                                        const ImportOptions& options = {});

// The structure findings (S-SECT, S-LABEL) the import saw in the text, as
// audit findings; the rules library cannot see them in a Report.
std::vector<v1::Finding> StructureFindings(const ImportResult& result);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_REPORT_IMPORT_H_
