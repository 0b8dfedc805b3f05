#include "core/import/import.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/import/docx_reader.h"
#include "core/import/html_reader.h"
#include "core/import/pdf_reader.h"
#include "core/import/template_mapper.h"
#include "core/import/text_reader.h"

namespace disclosure {

absl::StatusOr<ImportResult> ImportDocument(absl::string_view bytes, const ImportOptions& options) {
  DocumentFormat format =
      options.format == DocumentFormat::kAuto ? SniffFormat(bytes) : options.format;
  absl::StatusOr<Document> doc;
  switch (format) {
    case DocumentFormat::kText:
    case DocumentFormat::kAuto:
      doc = ReadText(bytes);
      break;
    case DocumentFormat::kHtml:
      doc = ReadHtml(bytes);
      break;
    case DocumentFormat::kDocx:
      doc = ReadDocx(bytes);
      break;
    case DocumentFormat::kPdf:
    case DocumentFormat::kScan:
      doc = ReadPdf(bytes, options, format == DocumentFormat::kScan);
      break;
  }
  if (!doc.ok()) return doc.status();
  absl::StatusOr<ImportResult> result = MapTemplate(*doc, options);
  if (result.ok()) result->format = doc->format;
  return result;
}

absl::StatusOr<ImportResult> ImportText(absl::string_view text, const ImportOptions& options) {
  ImportOptions o = options;
  o.format = DocumentFormat::kText;
  return ImportDocument(text, o);
}

}  // namespace disclosure
