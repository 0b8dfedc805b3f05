// The DOCX reader: a Word document (Office Open XML) into a Document,
// through libzip and pugixml.
//
// word/document.xml's body is read in order: each w:p is a paragraph (w:t
// runs joined, w:tab a space, w:br a line break), each w:tbl a grid with
// w:gridSpan and w:vMerge resolved (a merged-over position is covered and
// empty). Content controls (w:sdt) are read through. A paragraph in a Word
// list starts with its number as Word shows it ("一、", "（二）", "3."), from
// word/numbering.xml (and word/styles.xml for numbering set in a style).
// Of mc:AlternateContent (a text box as a shape and again as VML) only the
// mc:Choice is read, else the mc:Fallback. Sources are block
// numbers ("line" N = the N-th paragraph or table row of the body).
// Limits: kMaxDocumentBytes for the file and for document.xml unpacked
// (a zip bomb is refused, not unpacked).
#ifndef DISCLOSURE_CORE_IMPORT_DOCX_READER_H_
#define DISCLOSURE_CORE_IMPORT_DOCX_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/import/document.h"

namespace disclosure {

// Errors: InvalidArgument for a file that is not a zip, has no
// word/document.xml (not a Word document: an .xlsx, an .odt), is encrypted,
// damaged, or over the limits.
absl::StatusOr<Document> ReadDocx(absl::string_view bytes);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_DOCX_READER_H_
