// libFuzzer harness: the text reader and the template mapper (ImportText).
// Asserts: no crash, no exception, no sanitizer report; a report or an error
// status of the documented kinds with a message (fuzz_check.h). The format
// sniffer (SniffFormat) runs on the same bytes.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "core/import/import.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ImportResult> text = ImportText(bytes);
  fuzz::CheckImportResult(text);
  if (text.ok()) FUZZ_CHECK(text->format == "text", "ImportText read %s", text->format.c_str());
  (void)SniffFormat(bytes);
  return 0;
}
