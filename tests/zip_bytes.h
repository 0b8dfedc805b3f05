// Zip archives written in memory with libzip, for the tests and fuzz
// harnesses that make Word files (DOCX) or change one.
#ifndef DISCLOSURE_TESTS_ZIP_BYTES_H_
#define DISCLOSURE_TESTS_ZIP_BYTES_H_

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace disclosure::testing {

// The bytes of `base` (a zip; empty: a new archive) with `entries` (name,
// content) added or replaced. Empty when libzip cannot open `base`, add an
// entry or write the archive.
inline std::string ZipWithEntries(absl::string_view base,
                                  const std::vector<std::pair<std::string, std::string>>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(base.empty() ? nullptr : base.data(),
                                                  base.size(), 0, &error);
  if (source == nullptr) return "";
  zip_t* zip = zip_open_from_source(source, base.empty() ? ZIP_TRUNCATE : 0, &error);
  if (zip == nullptr) {
    zip_source_free(source);
    return "";
  }
  zip_source_keep(source);  // zip_close writes the archive into it
  bool ok = true;
  for (const auto& [name, content] : entries) {
    zip_source_t* entry = zip_source_buffer(zip, content.data(), content.size(), 0);
    ok = ok && entry != nullptr && zip_file_add(zip, name.c_str(), entry, ZIP_FL_OVERWRITE) >= 0;
  }
  ok = zip_close(zip) == 0 && ok;
  std::string bytes;
  if (ok && zip_source_open(source) == 0) {
    char buf[65536];
    zip_int64_t n;
    while ((n = zip_source_read(source, buf, sizeof buf)) > 0) bytes.append(buf, n);
    zip_source_close(source);
  }
  zip_source_free(source);
  return bytes;
}

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_ZIP_BYTES_H_
