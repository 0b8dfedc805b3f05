#include "core/import/ocr_engine.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <memory>

extern "C" __attribute__((visibility("default"))) int disclosure_ocr_page(
    const uint8_t* data, int width, int height, int stride, int dpi, int deadline_ms,
    DisclosureOcrEmit emit, void* context) {
  tesseract::TessBaseAPI api;
  // Debian's tesseract-ocr-chi-sim; nullptr lets Tesseract use its default
  // path (TESSDATA_PREFIX overrides).
  if (api.Init(nullptr, "chi_sim", tesseract::OEM_LSTM_ONLY) != 0) {
    return kDisclosureOcrNoLanguageData;
  }
  api.SetPageSegMode(tesseract::PSM_AUTO);
  // Tables: keep the spaces between columns' words.
  api.SetVariable("preserve_interword_spaces", "1");
  api.SetVariable("debug_file", "/dev/null");
  api.SetImage(data, width, height, 1, stride);
  api.SetSourceResolution(dpi);
  tesseract::ETEXT_DESC monitor;
  monitor.set_deadline_msecs(deadline_ms);
  if (api.Recognize(&monitor) != 0 || monitor.deadline_exceeded()) {
    return kDisclosureOcrDeadline;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (it == nullptr) return kDisclosureOcrOk;
  do {
    std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
    if (text == nullptr) continue;
    int x0, y0, x1, y1;
    if (!it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1)) continue;
    emit(context, text.get(), x0, y0, x1, y1, it->Confidence(tesseract::RIL_WORD));
  } while (it->Next(tesseract::RIL_WORD));
  api.End();
  return kDisclosureOcrOk;
}
