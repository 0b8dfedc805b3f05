// What every harness of fuzz/ asserts about an import, and FUZZ_CHECK, an
// assertion that holds in release builds too (assert() is compiled out under
// RelWithDebInfo's NDEBUG): a failed check prints what failed and aborts, which
// libFuzzer reports as a crash and the seed driver (seed_driver.cc) as a
// failed ctest.
#ifndef DISCLOSURE_FUZZ_FUZZ_CHECK_H_
#define DISCLOSURE_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/statusor.h"
#include "core/import/import.h"
#include "core/report/template.h"

#define FUZZ_CHECK(condition, ...)                                                 \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, __LINE__,    \
                   #condition);                                                     \
      std::fprintf(stderr, __VA_ARGS__);                                            \
      std::fprintf(stderr, "\n");                                                   \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

namespace disclosure {
namespace fuzz {

// import.h's promise for any bytes: a report, or an error status of the
// documented kinds (InvalidArgument; FailedPrecondition for the 2019 format;
// DeadlineExceeded when OCR runs past its budget) that says what is wrong.
// An imported report names the format it was read as, and a cell that its
// import record lists as unread is empty (import.h: what cannot be placed
// "is reported as an UNPLACED diagnostic ... and its cells stay empty"; the
// rules report such a cell as IMPORT-UNREAD, and only when it is empty).
inline void CheckImportResult(const absl::StatusOr<ImportResult>& r) {
  if (!r.ok()) {
    const absl::StatusCode code = r.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kInvalidArgument ||
                   code == absl::StatusCode::kFailedPrecondition ||
                   code == absl::StatusCode::kDeadlineExceeded,
               "undocumented status %s", r.status().ToString().c_str());
    FUZZ_CHECK(!r.status().message().empty(), "error without a message");
    return;
  }
  FUZZ_CHECK(!r->format.empty(), "report without its format");
  const v1::Report& report = r->report;
  for (const CountCell& c : AllCountCells()) {
    if (const v1::UnreadCells* u = UnreadEntryOf(report, c.field_path)) {
      FUZZ_CHECK(!GetCount(report, c).has_value(), "%s is unread (%s, %s) and holds %lld",
                 c.field_path.c_str(), u->field_path().c_str(), u->source().c_str(),
                 static_cast<long long>(*GetCount(report, c)));
    }
  }
  if (UnreadEntryOf(report, kFeeFieldPath) != nullptr) {
    FUZZ_CHECK(!report.proactive_disclosure().administrative_fees().has_amount_10k_yuan(),
               "the fee is unread and holds %s",
               report.proactive_disclosure().administrative_fees().amount_10k_yuan().c_str());
  }
  // An UNPLACED diagnostic leaves cells unread; a clean import has none.
  (void)r->HasUnplaced();
  (void)StructureFindings(*r);
}

}  // namespace fuzz
}  // namespace disclosure

#endif  // DISCLOSURE_FUZZ_FUZZ_CHECK_H_
