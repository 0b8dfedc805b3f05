// libFuzzer harness: the PDF reader (poppler's text layer, the layout step)
// and the mapper behind it: ImportDocument with the format forced to PDF and
// OCR off, so that every input exercises the text path (a mutation that
// breaks the text layer is refused at once, FailedPrecondition, instead of
// costing seconds of Tesseract; fuzz_scan covers that path). Asserts: no
// crash, no exception, no sanitizer report; a report or a documented error
// status with a message.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "core/import/import.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  ImportOptions options;
  options.format = DocumentFormat::kPdf;
  options.max_ocr_seconds = 0;
  absl::StatusOr<ImportResult> r =
      ImportDocument(absl::string_view(reinterpret_cast<const char*>(data), size), options);
  disclosure::fuzz::CheckImportResult(r);
  if (r.ok()) FUZZ_CHECK(r->format == "pdf", "read as %s", r->format.c_str());
  return 0;
}
