#include "core/import/pdf_reader.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <chrono>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/import/layout.h"
#include "core/import/ocr_reader.h"

namespace disclosure {
namespace {

// Pages rendered for OCR at this resolution: 300 dpi is what Tesseract is
// trained for; CJK glyphs of 10.5 pt are then ~44 px high.
constexpr double kOcrDpi = 300;

// A page has a text layer when poppler finds this many characters on it.
constexpr size_t kMinTextBytes = 30;

void Quiet(const std::string&, void*) {}

std::string Utf8(const poppler::ustring& s) {
  poppler::byte_array b = s.to_utf8();
  return std::string(b.begin(), b.end());
}

}  // namespace

absl::StatusOr<Document> ReadPdf(absl::string_view bytes, const ImportOptions& options,
                                 bool force_ocr) {
  if (bytes.size() > kMaxDocumentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("PDF is ", bytes.size(), " bytes; the limit is ", kMaxDocumentBytes));
  }
  // poppler prints its complaints about damaged files to stderr otherwise.
  poppler::set_debug_error_function(Quiet, nullptr);
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (pdf == nullptr) {
    return absl::InvalidArgumentError("PDF: damaged or not a PDF (poppler cannot open it)");
  }
  if (pdf->is_locked()) {
    return absl::InvalidArgumentError(
        "PDF: encrypted with a password; export it again without one");
  }
  const int pages = pdf->pages();
  if (pages <= 0) return absl::InvalidArgumentError("PDF: no pages");
  if (pages > kMaxPages) {
    return absl::InvalidArgumentError(
        absl::StrCat("PDF has ", pages, " pages; the limit is ", kMaxPages));
  }
  Document doc;
  doc.format = force_ocr ? "scan" : "pdf";
  doc.pages = pages;
  std::vector<std::vector<Word>> words(pages);
  std::vector<double> heights(pages);
  size_t text_bytes = 0;
  for (int p = 0; p < pages; ++p) {
    std::unique_ptr<poppler::page> page(pdf->create_page(p));
    if (page == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("PDF: page ", p + 1, " is damaged"));
    }
    heights[p] = page->page_rect().height();
    if (force_ocr) continue;
    for (const poppler::text_box& box : page->text_list()) {
      Word w;
      w.text = Utf8(box.text());
      poppler::rectf r = box.bbox();
      w.x0 = r.left();
      w.y0 = r.top();
      w.x1 = r.right();
      w.y1 = r.bottom();
      w.space_after = box.has_space_after();
      text_bytes += w.text.size();
      words[p].push_back(std::move(w));
    }
  }
  // Without a text layer: a scan.
  if (!force_ocr && text_bytes < kMinTextBytes * static_cast<size_t>(pages)) {
    force_ocr = true;
    doc.format = "scan";
  }
  if (force_ocr && options.max_ocr_seconds <= 0) {
    return absl::FailedPreconditionError(
        "PDF: no text layer (a scan), and OCR is off: the document cannot be read");
  }
  if (force_ocr) {
    poppler::page_renderer renderer;
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    renderer.set_image_format(poppler::image::format_gray8);
    auto start = std::chrono::steady_clock::now();
    const auto budget = std::chrono::seconds(options.max_ocr_seconds);
    for (int p = 0; p < pages; ++p) {
      std::unique_ptr<poppler::page> page(pdf->create_page(p));
      poppler::image img = renderer.render_page(page.get(), kOcrDpi, kOcrDpi);
      if (!img.is_valid()) {
        return absl::InvalidArgumentError(absl::StrCat("PDF: page ", p + 1, " cannot be rendered"));
      }
      auto left = budget - (std::chrono::steady_clock::now() - start);
      int left_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
      if (left_ms <= 0) {
        return absl::DeadlineExceededError(absl::StrCat(
            "OCR: the time limit of ", options.max_ocr_seconds, " s was reached at page ", p + 1));
      }
      GreyImage grey;
      grey.data = reinterpret_cast<const uint8_t*>(img.const_data());
      grey.width = img.width();
      grey.height = img.height();
      grey.stride = img.bytes_per_row();
      grey.dpi = kOcrDpi;
      absl::StatusOr<std::vector<Word>> read = OcrPage(grey, left_ms);
      if (!read.ok()) {
        if (absl::IsDeadlineExceeded(read.status())) {
          return absl::DeadlineExceededError(absl::StrCat(
              "OCR: the time limit of ", options.max_ocr_seconds, " s was reached at page ", p + 1));
        }
        return read.status();
      }
      words[p] = std::move(*read);
    }
  }
  for (int p = 0; p < pages; ++p) {
    AppendPageLines(std::move(words[p]), p + 1, heights[p], force_ocr, &doc);
  }
  if (doc.blocks.empty()) {
    return absl::InvalidArgumentError("PDF: no text found, neither a text layer nor by OCR");
  }
  return doc;
}

}  // namespace disclosure
