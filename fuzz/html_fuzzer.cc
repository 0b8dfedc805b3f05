// libFuzzer harness: the HTML reader (gumbo, charset conversion, article
// detection, rowspan/colspan) and the mapper behind it: ImportDocument with
// the format forced to HTML. Asserts: no crash, no exception, no sanitizer
// report; a report or a documented error status with a message.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "core/import/import.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  ImportOptions options;
  options.format = DocumentFormat::kHtml;
  absl::StatusOr<ImportResult> r =
      ImportDocument(absl::string_view(reinterpret_cast<const char*>(data), size), options);
  disclosure::fuzz::CheckImportResult(r);
  if (r.ok()) FUZZ_CHECK(r->format == "html", "read as %s", r->format.c_str());
  return 0;
}
