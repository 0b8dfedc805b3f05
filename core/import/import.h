// Import of a report as agencies publish it — text, PDF (text layer or
// scanned), web page, Word document — into a disclosure.v1.Report.
//
// Two steps: a reader turns the bytes into a Document (document.h), the
// format found from the bytes themselves (or forced); the template mapper
// (template_mapper.h) finds the template in it by content. Every reader
// feeds the same mapper, so a report reads the same in every format.
//
// Whatever cannot be placed is reported as an UNPLACED diagnostic naming
// where in the source it is and what was expected, and its cells stay empty;
// the report's import_record lists those cells so that every audit of it can
// tell "the agency left it blank" (EMPTY) from "the importer could not read
// it" (IMPORT-UNREAD). Cells read by OCR, or split from digits glued together,
// are reported as such (NOTE), never silently.
//
// Thread-safe: no shared mutable state (Tesseract engines are per call).
#ifndef DISCLOSURE_CORE_IMPORT_IMPORT_H_
#define DISCLOSURE_CORE_IMPORT_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "disclosure/v1/findings.pb.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure {


// Largest text accepted (a real report is 10–60 KB).
inline constexpr size_t kMaxImportBytes = 4 << 20;
// Largest document accepted (PDF, DOCX, HTML; a real one is 0.1–5 MB).
inline constexpr size_t kMaxDocumentBytes = 32 << 20;
// Most pages read from a PDF (a real report has 3–15).
inline constexpr int kMaxPages = 60;
// Most OCR time for a scanned document, all pages together.
inline constexpr int kMaxOcrSeconds = 300;

enum class DocumentFormat { kAuto, kText, kPdf, kHtml, kDocx, kScan };

// "text", "pdf", "html", "docx", "scan" (an image-only PDF read by OCR);
// "auto" for kAuto. Inline, as ParseFormat: child_import.h's users have
// them without linking the readers.
inline const char* FormatName(DocumentFormat f) {
  switch (f) {
    case DocumentFormat::kAuto: return "auto";
    case DocumentFormat::kText: return "text";
    case DocumentFormat::kPdf: return "pdf";
    case DocumentFormat::kHtml: return "html";
    case DocumentFormat::kDocx: return "docx";
    case DocumentFormat::kScan: return "scan";
  }
  return "?";
}
// Parses a --format value ("auto", "text", …); false when unknown.
inline bool ParseFormat(absl::string_view name, DocumentFormat* out) {
  for (DocumentFormat f : {DocumentFormat::kAuto, DocumentFormat::kText, DocumentFormat::kPdf,
                           DocumentFormat::kHtml, DocumentFormat::kDocx, DocumentFormat::kScan}) {
    if (name == FormatName(f)) {
      *out = f;
      return true;
    }
  }
  return false;
}
// The format of `bytes`, found from their content: %PDF, a zip holding
// word/document.xml, HTML markup, else text. A PDF is kPdf here; the reader
// decides kScan when it has no text layer.
DocumentFormat SniffFormat(absl::string_view bytes);

struct ImportResult {
  v1::Report report;
  // In source order. NOTE: read with a correction; UNPLACED: cells left empty.
  std::vector<v1::ImportDiagnostic> diagnostics;
  // What was read: "text", "pdf", "html", "docx" or "scan".
  std::string format;

  bool HasUnplaced() const;
};

struct ImportOptions {
  // Any UNPLACED diagnostic makes the import fail: InvalidArgument for which
  // IsStrictRefusal() is true (the report was found, a cell was not placed).
  bool strict = false;
  // kAuto: found from the bytes.
  DocumentFormat format = DocumentFormat::kAuto;
  // Scans: the OCR time budget for the whole document, 0 to kMaxOcrSeconds.
  // 0 turns OCR off: a PDF without a text layer (or kScan) is then refused
  // with FailedPrecondition instead of being read by Tesseract.
  int max_ocr_seconds = kMaxOcrSeconds;
};

// Whether `status` is a strict import's refusal (ImportOptions::strict) of
// a document that was read, as opposed to one that could not be read.
bool IsStrictRefusal(const absl::Status& status);

// Imports a document of any supported format. Errors: InvalidArgument for
// input that is too large, damaged, encrypted, of no supported format, or
// holds no report (no title, no part of the template), saying which and
// where; FailedPrecondition for a report in the 2019 format, which is not
// modelled, or a scan when OCR is off; DeadlineExceeded when OCR runs past
// its budget. Agency id, region code and kind are not in the document: the
// caller fills them in.
absl::StatusOr<ImportResult> ImportDocument(absl::string_view bytes,
                                            const ImportOptions& options = {});

// The text reader and the mapper: ImportDocument with the format forced to
// text.
absl::StatusOr<ImportResult> ImportText(absl::string_view text,
                                        const ImportOptions& options = {});

// The structure findings (S-SECT, S-LABEL) the import saw in the document,
// as audit findings; the rules library cannot see them in a Report. (The
// cells it could not read are in the report itself, ImportRecord, and the
// rules report them as IMPORT-UNREAD.)
std::vector<v1::Finding> StructureFindings(const ImportResult& result);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_IMPORT_H_
