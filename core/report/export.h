// Export of a report to its publication layout and to/from JSON.
#ifndef DISCLOSURE_CORE_REPORT_EXPORT_H_
#define DISCLOSURE_CORE_REPORT_EXPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure {


// The publication text: title, the six parts with the template's headings,
// the three tables as Markdown in the template's exact row and column order
// and labels; a label that spans label columns of table 三 is repeated in
// each (a merged cell expanded). Empty cells are printed empty.
// ImportText(ExportText(r)) gives back r (agency id, region code and kind
// are not printed): tests/round_trip_test.cc checks it over random reports
// with counts below 10^6 (a larger count alone in a row with blank cells is
// read as glued digits, docs/import.md). The import record is not printed:
// a cell it lists as unread comes back empty and unrecorded. For a report
// read from a document, a narrative line that reads as the template's
// structure (table rows before the first heading, a header word alone on
// its line) is printed as narrative but read back as that structure; from
// there on ImportText(ExportText(r)) gives r's title, year and cells back
// (fuzz/rules_fuzzer.cc asserts it, docs/fuzzing.md).
std::string ExportText(const v1::Report& report);

// Protobuf's JSON mapping, field names as in the .proto (snake_case).
std::string ToJson(const google::protobuf::Message& message);
// Parses JSON into `message`; the error names the offending field.
absl::Status FromJson(absl::string_view json, google::protobuf::Message* message);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_REPORT_EXPORT_H_
