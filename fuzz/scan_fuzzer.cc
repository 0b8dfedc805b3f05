// libFuzzer harness: the scan path of the PDF reader (poppler renders each
// page, Tesseract reads it, the layout step and the mapper follow):
// ImportDocument with the format forced to scan and an OCR budget of one
// second, so that an input costs a bounded time. Slow (about one input a
// second); fuzz_pdf covers the text layer. Asserts: no crash, no exception,
// no sanitizer report; a report or a documented error status with a message.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "core/import/import.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  ImportOptions options;
  options.format = DocumentFormat::kScan;
  options.max_ocr_seconds = 1;
  absl::StatusOr<ImportResult> r =
      ImportDocument(absl::string_view(reinterpret_cast<const char*>(data), size), options);
  disclosure::fuzz::CheckImportResult(r);
  if (r.ok()) FUZZ_CHECK(r->format == "scan", "read as %s", r->format.c_str());
  return 0;
}
