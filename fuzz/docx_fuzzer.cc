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

namespace {

// A zip holding `xml` as word/document.xml (stored, not compressed).
std::string WordFile(absl::string_view xml) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  FUZZ_CHECK(out != nullptr, "zip_source_buffer_create");
  zip_t* zip = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  FUZZ_CHECK(zip != nullptr, "zip_open_from_source");
  zip_source_keep(out);
  zip_source_t* entry = zip_source_buffer(zip, xml.data(), xml.size(), 0);
  FUZZ_CHECK(zip_file_add(zip, "word/document.xml", entry, ZIP_FL_OVERWRITE) >= 0, "zip_file_add");
  FUZZ_CHECK(zip_close(zip) == 0, "zip_close");
  std::string bytes;
  if (zip_source_open(out) == 0) {
    char buf[65536];
    zip_int64_t n;
    while ((n = zip_source_read(out, buf, sizeof buf)) > 0) bytes.append(buf, n);
    zip_source_close(out);
  }
  zip_source_free(out);
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
