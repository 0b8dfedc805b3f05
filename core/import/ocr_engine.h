// The C interface of the OCR engine module, libdisclosure_ocr.so.
//
// Tesseract and its 50-odd libraries are linked only into this module,
// which ocr_reader.cc loads with dlopen the first time a scan is read: a
// process that never reads a scan (every service, reportctl on a text PDF)
// does not pay their loading time. A C interface, so that nothing of the
// C++ standard library crosses the boundary.
#ifndef DISCLOSURE_CORE_IMPORT_OCR_ENGINE_H_
#define DISCLOSURE_CORE_IMPORT_OCR_ENGINE_H_

#include <stdint.h>

extern "C" {

// The name ocr_reader.cc loads (found through the executable's run path).
#define DISCLOSURE_OCR_MODULE "libdisclosure_ocr.so"
#define DISCLOSURE_OCR_ENTRY "disclosure_ocr_page"

enum DisclosureOcrResult {
  kDisclosureOcrOk = 0,
  kDisclosureOcrNoLanguageData = 1,  // tesseract-ocr-chi-sim is not installed
  kDisclosureOcrDeadline = 2,        // recognition took longer than deadline_ms
};

// Called once per word recognised, box in image pixels, confidence 0..100.
typedef void (*DisclosureOcrEmit)(void* context, const char* utf8, int x0, int y0, int x1,
                                  int y1, float confidence);

// Recognises an 8-bit grey image (`stride` bytes per row) at `dpi` in
// Simplified Chinese and calls `emit` for every word, in reading order.
// Thread-safe: each call makes its own engine.
typedef int (*DisclosureOcrPage)(const uint8_t* data, int width, int height, int stride,
                                 int dpi, int deadline_ms, DisclosureOcrEmit emit,
                                 void* context);

int disclosure_ocr_page(const uint8_t* data, int width, int height, int stride, int dpi,
                        int deadline_ms, DisclosureOcrEmit emit, void* context);
}

#endif  // DISCLOSURE_CORE_IMPORT_OCR_ENGINE_H_
