// The document model every reader produces and the template mapper reads.
//
// A reader (text, PDF, HTML, DOCX, OCR) turns the bytes an agency published
// into a Document: blocks in reading order — paragraphs and tables — each
// carrying where it came from. Tables are grids: one vector of cells per row,
// row and column spans already resolved (a spanned cell's text stands in its
// top-left position; the positions it covers are empty and marked covered).
// Readers do not interpret the template; the mapper (template_mapper.h)
// finds the template in the blocks by their content.
//
// Plain structs, no invariants beyond the comments; not thread-safe to
// mutate, safe to read from many threads.
#ifndef DISCLOSURE_CORE_IMPORT_DOCUMENT_H_
#define DISCLOSURE_CORE_IMPORT_DOCUMENT_H_

#include <string>
#include <vector>

namespace disclosure {

// Where something stands in the source. `line` is 1-based (text, HTML, the
// paragraph number of a DOCX); `page` is 1-based for paged sources (PDF,
// scans), with `x`, `y` the top-left of the box in points from the page's
// top-left corner. Zero means unknown.
struct Source {
  int line = 0;
  int page = 0;
  int x = 0;
  int y = 0;
};

// "page 3 (x 81, y 182)", "line 12" or "": for diagnostics' English messages.
std::string DescribeSource(const Source& source);
// "第 3 页（x 81，y 182）", "第 12 行" or "": for findings shown to clerks.
std::string DescribeSourceZh(const Source& source);

struct DocCell {
  std::string text;      // as published, inner line breaks as '\n'
  Source source;
  bool covered = false;  // a position inside another cell's row/column span
  bool ocr = false;      // read by OCR
  float confidence = 1;  // OCR confidence 0..1 (1 for text layers)
};

// Paged sources: where a word of a paragraph's text stands across the page,
// so that the mapper can tell which column of a table a value is in when a
// row leaves cells blank ("规章  0  0" under three column headings).
struct WordSpan {
  size_t begin = 0, end = 0;  // bytes of DocBlock::text
  float x0 = 0, x1 = 0;       // points from the page's left edge
};

struct DocBlock {
  enum Kind { kParagraph, kTable };
  Kind kind = kParagraph;
  std::string text;                        // kParagraph: as published
  std::vector<std::vector<DocCell>> rows;  // kTable: the grid
  Source source;
  bool ocr = false;
  // Paged sources: the paragraph ran to the right margin, so its next line
  // (on this page or the next) may continue it.
  bool open_end = false;
  // Paged sources: the height of its last line (points), about its font size.
  float line_height = 0;
  // Paged sources: the words of `text`, in order (empty for other sources).
  std::vector<WordSpan> words;
};

struct Document {
  std::string format;  // "text", "pdf", "html", "docx", "scan"
  int pages = 0;       // paged sources
  std::vector<DocBlock> blocks;
};

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_DOCUMENT_H_
