// The PDF reader: a PDF with a text layer (as exported from Word or WPS)
// into a Document, through poppler; a PDF without one (a scan) through
// poppler's renderer and Tesseract OCR (ocr_reader.h).
//
// Words come with their boxes from poppler; the geometry step (layout.h)
// rebuilds lines and keeps table columns apart; page numbers are dropped;
// a table continued on the next page simply continues, since the mapper reads
// rows by their labels. Limits: kMaxDocumentBytes, kMaxPages (import.h).
#ifndef DISCLOSURE_CORE_IMPORT_PDF_READER_H_
#define DISCLOSURE_CORE_IMPORT_PDF_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/import/document.h"
#include "core/import/import.h"

namespace disclosure {

// `force_ocr`: read the pages by OCR even where they have a text layer.
// Errors: InvalidArgument for a damaged or encrypted PDF, one over the
// limits, or one with neither text nor images worth reading;
// FailedPrecondition for a scan when options.max_ocr_seconds is 0 (OCR off);
// DeadlineExceeded when OCR runs past options.max_ocr_seconds.
absl::StatusOr<Document> ReadPdf(absl::string_view bytes, const ImportOptions& options,
                                 bool force_ocr);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_PDF_READER_H_
