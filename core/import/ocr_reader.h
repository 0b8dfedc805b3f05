// OCR of one rendered page through Tesseract (chi_sim), into words with
// boxes for the geometry step (layout.h).
//
// Each call makes its own engine (Tesseract engines are not shareable
// across threads); the language data comes from Debian's
// tesseract-ocr-chi-sim. Words keep Tesseract's confidence (0..1); the
// mapper reports every cell read so.
#ifndef DISCLOSURE_CORE_IMPORT_OCR_READER_H_
#define DISCLOSURE_CORE_IMPORT_OCR_READER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/import/layout.h"

namespace disclosure {

// An 8-bit grey image, `stride` bytes per row.
struct GreyImage {
  const uint8_t* data = nullptr;
  int width = 0, height = 0, stride = 0;
  double dpi = 0;
};

// The words of the page, boxes in points (image pixels × 72 / dpi).
// Errors: FailedPrecondition when the chi_sim language data is missing;
// DeadlineExceeded when recognition takes longer than `deadline_ms`.
absl::StatusOr<std::vector<Word>> OcrPage(const GreyImage& image, int deadline_ms);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_OCR_READER_H_
