// The geometry step shared by the PDF and OCR readers: words with their
// boxes on a page into lines of text in reading order.
//
// Lines are rows: words that are numbers (a table's value cells) whose
// vertical extents overlap by half the smaller height are one row, and every
// other word joins the row whose band holds its vertical centre — so a row
// label stays with its values even beside a group cell centred over several
// rows, or when its glyph boxes are taller than the digits'. Words in no
// row's band are lines of their own, grouped by the same overlap. A line's
// words are ordered left to right and joined with spaces in
// proportion to the gaps between them, as `pdftotext -layout` lays them out,
// so that table rows keep their columns apart (a gap of two or more spaces)
// while a label's words stay together. Lines that are only a page number
// (`-1-`, `第 1 页`, `1/5`) in the page's top or bottom tenth are dropped.
// Prose lines are joined into paragraphs as they were before the line
// breaks: a line that runs to the right margin continues on the next one
// when that is not indented (a new paragraph is; Chinese indents by 2 em)
// and is set in the same size (a title is not continued by the heading
// below it), on the next page too. Lines with a column gap (table rows) stay lines.
// Each paragraph or line becomes a block whose source is its page and the
// top left of its first word, and which keeps where each of its words
// stands across the page (DocBlock::words).
#ifndef DISCLOSURE_CORE_IMPORT_LAYOUT_H_
#define DISCLOSURE_CORE_IMPORT_LAYOUT_H_

#include <string>
#include <vector>

#include "core/import/document.h"

namespace disclosure {

struct Word {
  std::string text;  // UTF-8
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // box in points, origin top left
  float confidence = 1;                   // OCR: 0..1
  bool space_after = false;               // the source puts a space after it
};

// Appends the lines of one page (1-based `page`, `height` in points) to
// `doc`. `ocr` marks the blocks as read by OCR.
void AppendPageLines(std::vector<Word> words, int page, double height, bool ocr, Document* doc);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_LAYOUT_H_
