// libFuzzer harness: the scan reader's own code without Tesseract — word
// boxes as OCR gives them into the geometry step with ocr = true (Chinese
// words joined across OCR's gaps, confidences carried), then the mapper and
// its checks of OCR'd rows (a row whose total is not its sum is left
// unread). Tesseract itself (a Debian library, about a second a page) is
// fuzzed through fuzz_scan; this harness runs thousands of inputs a second.
//
// Input: records of 8 bytes and a text — x0 (2 bytes, big-endian, points ×
// 4), y0 (2 bytes, the same), width and height (1 byte each, points), the
// confidence (1 byte, /255), the text's length n (1 byte) — then n bytes of
// text; n = 255 starts a new page (no text follows). Asserts: no crash, no
// exception, no sanitizer report; a report or a documented error status
// (fuzz_check.h), and a report is of format "scan".
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/import/document.h"
#include "core/import/layout.h"
#include "core/import/template_mapper.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace disclosure;
  constexpr double kPageHeight = 842;  // A4, points
  Document doc;
  doc.format = "scan";
  std::vector<Word> words;
  int page = 1;
  size_t at = 0;
  auto flush = [&] {
    AppendPageLines(std::move(words), page, kPageHeight, /*ocr=*/true, &doc);
    words.clear();
  };
  while (at + 8 <= size && page <= 60) {
    const uint8_t* r = data + at;
    const size_t n = r[7];
    at += 8;
    if (n == 255) {
      flush();
      ++page;
      continue;
    }
    if (at + n > size) break;
    Word w;
    w.x0 = ((r[0] << 8) | r[1]) / 4.0;
    w.y0 = ((r[2] << 8) | r[3]) / 4.0;
    w.x1 = w.x0 + r[4];
    w.y1 = w.y0 + r[5];
    w.confidence = r[6] / 255.0f;
    w.text.assign(reinterpret_cast<const char*>(data + at), n);
    at += n;
    words.push_back(std::move(w));
  }
  flush();
  doc.pages = page;
  absl::StatusOr<ImportResult> result = MapTemplate(doc);
  if (result.ok()) result->format = doc.format;
  fuzz::CheckImportResult(result);
  if (result.ok()) FUZZ_CHECK(result->format == "scan", "read as %s", result->format.c_str());
  return 0;
}
