// The HTML reader: a saved government web page into a Document, through
// gumbo (an HTML5 parser).
//
// The page's charset is honoured (a BOM, <meta charset>, or http-equiv;
// GBK, GB2312 and GB18030 read as GB18030; undeclared bytes that are not
// UTF-8 are read as GB18030). The article is found as the deepest element
// holding most of the page's text outside links, so menus, breadcrumbs,
// scripts and footers fall away; a title standing outside it (its own <h1>
// or the page's <title>) is kept. Every leaf <table> becomes a grid with
// rowspan/colspan resolved; tables that hold tables are layout and are read
// as containers. Sources are HTML line numbers.
#ifndef DISCLOSURE_CORE_IMPORT_HTML_READER_H_
#define DISCLOSURE_CORE_IMPORT_HTML_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/import/document.h"

namespace disclosure {

// Errors: InvalidArgument for a page larger than kMaxDocumentBytes, of an
// unknown charset, or with no text.
absl::StatusOr<Document> ReadHtml(absl::string_view bytes);

// Converts `bytes` in `charset` (as iconv names it) to UTF-8.
absl::StatusOr<std::string> ToUtf8(absl::string_view bytes, const char* charset);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_HTML_READER_H_
