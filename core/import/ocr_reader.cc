#include "core/import/ocr_reader.h"

#include <dlfcn.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "core/import/ocr_engine.h"

namespace disclosure {
namespace {

// The engine's entry point, loaded once per process (the module stays
// loaded: Tesseract keeps global state). Empty `error` on success.
struct Engine {
  DisclosureOcrPage page = nullptr;
  std::string error;
};

const Engine& LoadEngine() {
  static const Engine* engine = [] {
    auto* e = new Engine;
    void* module = dlopen(DISCLOSURE_OCR_MODULE, RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      e->error = absl::StrCat("OCR: the engine module ", DISCLOSURE_OCR_MODULE,
                              " cannot be loaded: ", dlerror());
      return e;
    }
    e->page = reinterpret_cast<DisclosureOcrPage>(dlsym(module, DISCLOSURE_OCR_ENTRY));
    if (e->page == nullptr) {
      e->error = absl::StrCat("OCR: ", DISCLOSURE_OCR_MODULE, " has no ", DISCLOSURE_OCR_ENTRY);
    }
    return e;
  }();
  return *engine;
}

struct Collect {
  double scale;
  std::vector<Word>* words;
};

void Emit(void* context, const char* utf8, int x0, int y0, int x1, int y1, float confidence) {
  auto* c = static_cast<Collect*>(context);
  Word w;
  w.text = utf8;
  w.x0 = x0 * c->scale;
  w.y0 = y0 * c->scale;
  w.x1 = x1 * c->scale;
  w.y1 = y1 * c->scale;
  w.confidence = confidence / 100.0f;
  c->words->push_back(std::move(w));
}

}  // namespace

absl::StatusOr<std::vector<Word>> OcrPage(const GreyImage& image, int deadline_ms) {
  const Engine& engine = LoadEngine();
  if (engine.page == nullptr) return absl::FailedPreconditionError(engine.error);
  std::vector<Word> words;
  Collect collect{72.0 / image.dpi, &words};
  switch (engine.page(image.data, image.width, image.height, image.stride,
                      static_cast<int>(image.dpi), deadline_ms, &Emit, &collect)) {
    case kDisclosureOcrOk:
      return words;
    case kDisclosureOcrNoLanguageData:
      return absl::FailedPreconditionError(
          "OCR: the chi_sim language data is missing (Debian package tesseract-ocr-chi-sim)");
    case kDisclosureOcrDeadline:
      return absl::DeadlineExceededError("OCR: time limit reached");
  }
  return absl::InternalError("OCR: the engine module returned an unknown result");
}

}  // namespace disclosure
