#include "core/import/ocr_reader.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace disclosure {

absl::StatusOr<std::vector<Word>> OcrPage(const GreyImage& image, int deadline_ms) {
  tesseract::TessBaseAPI api;
  // Debian's tesseract-ocr-chi-sim; nullptr lets Tesseract use its default
  // path (TESSDATA_PREFIX overrides).
  if (api.Init(nullptr, "chi_sim", tesseract::OEM_LSTM_ONLY) != 0) {
    return absl::FailedPreconditionError(
        "OCR: the chi_sim language data is missing (Debian package tesseract-ocr-chi-sim)");
  }
  api.SetPageSegMode(tesseract::PSM_AUTO);
  // Tables: keep the spaces between columns' words, do not invert.
  api.SetVariable("preserve_interword_spaces", "1");
  api.SetVariable("debug_file", "/dev/null");
  api.SetImage(image.data, image.width, image.height, 1, image.stride);
  api.SetSourceResolution(static_cast<int>(image.dpi));
  tesseract::ETEXT_DESC monitor;
  monitor.set_deadline_msecs(deadline_ms);
  if (api.Recognize(&monitor) != 0 || monitor.deadline_exceeded()) {
    return absl::DeadlineExceededError("OCR: time limit reached");
  }
  std::vector<Word> words;
  const double scale = 72.0 / image.dpi;
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (it == nullptr) return words;
  do {
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (text == nullptr) continue;
    int x0, y0, x1, y1;
    if (!it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1)) continue;
    Word w;
    w.text = text.get();
    w.x0 = x0 * scale;
    w.y0 = y0 * scale;
    w.x1 = x1 * scale;
    w.y1 = y1 * scale;
    w.confidence = it->Confidence(tesseract::RIL_WORD) / 100.0f;
    words.push_back(std::move(w));
  } while (it->Next(tesseract::RIL_WORD));
  api.End();
  return words;
}

}  // namespace disclosure
