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

DocumentFormat SniffFormat(absl::string_view bytes) {
  // %PDF may follow a little junk (the spec allows 1024 bytes).
  if (bytes.substr(0, 1024).find("%PDF-") != absl::string_view::npos) return DocumentFormat::kPdf;
  if (absl::StartsWith(bytes, "PK\x03\x04")) return DocumentFormat::kDocx;
  absl::string_view head = bytes.substr(0, 4096);
  if (head.find('<') == absl::string_view::npos) return DocumentFormat::kText;
  std::string lower = absl::AsciiStrToLower(head);
  for (const char* tag : {"<!doctype html", "<html", "<table", "<body", "<head", "<meta", "<div", "<p>", "<p "}) {
    if (lower.find(tag) != std::string::npos) return DocumentFormat::kHtml;
  }
  return DocumentFormat::kText;
}

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
