// libFuzzer harness: the DOCX reader (libzip, pugixml, grid spans and
// vertical merges) and the mapper behind it. An input that starts as a zip
// ("PK\3\4") is read as the Word file itself (the zip layer: central
// directory, sizes, the zip-bomb limit); any other input is taken as
// word/document.xml and zipped into a minimal Word file first, so that the
// XML reader is reached (a mutated zip mostly fails its CRC). Asserts: no
// crash, no exception, no sanitizer report; a report or a documented error
// status with a message.
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "core/import/import.h"
#include "fuzz/fuzz_check.h"
#include "tests/zip_bytes.h"

namespace {

// A zip holding `xml` as word/document.xml (stored, not compressed).
std::string WordFile(absl::string_view xml) {
  std::string bytes = disclosure::testing::ZipWithEntries("", {{"word/document.xml", std::string(xml)}});
  FUZZ_CHECK(!bytes.empty(), "zipping word/document.xml");
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string wrapped;
  if (!absl::StartsWith(bytes, absl::string_view("PK\3\4", 4))) {
    wrapped = WordFile(bytes);
    bytes = wrapped;
  }
  ImportOptions options;
  options.format = DocumentFormat::kDocx;
  absl::StatusOr<ImportResult> r = ImportDocument(bytes, options);
  disclosure::fuzz::CheckImportResult(r);
  if (r.ok()) FUZZ_CHECK(r->format == "docx", "read as %s", r->format.c_str());
  return 0;
}
