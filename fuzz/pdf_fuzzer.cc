// libFuzzer harness: the PDF reader (poppler's text layer, the layout step)
// and the mapper behind it: ImportDocument with the format forced to PDF. A
// PDF without a text layer goes to OCR with a budget of one second, so that
// a scan costs a bounded time. Asserts: no crash, no exception, no sanitizer
// report; a report or a documented error status with a message.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "core/import/import.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  ImportOptions options;
  options.format = DocumentFormat::kPdf;
  options.max_ocr_seconds = 1;
  absl::StatusOr<ImportResult> r =
      ImportDocument(absl::string_view(reinterpret_cast<const char*>(data), size), options);
  disclosure::fuzz::CheckImportResult(r);
  if (r.ok()) FUZZ_CHECK(r->format == "pdf" || r->format == "scan", "read as %s", r->format.c_str());
  return 0;
}
