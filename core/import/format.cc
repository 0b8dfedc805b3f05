// SniffFormat (import.h), apart from the readers: the submit service finds
// a published document's media type with it and links none of them.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "core/import/import.h"

namespace disclosure {

DocumentFormat SniffFormat(absl::string_view bytes) {
  // %PDF may follow a little junk (the spec allows 1024 bytes).
  if (bytes.substr(0, 1024).find("%PDF-") != absl::string_view::npos) return DocumentFormat::kPdf;
  if (absl::StartsWith(bytes, "PK\x03\x04")) return DocumentFormat::kDocx;
  absl::string_view head = bytes.substr(0, 4096);
  if (head.find('<') == absl::string_view::npos) return DocumentFormat::kText;
  std::string lower = absl::AsciiStrToLower(head);
  for (const char* tag : {"<!doctype html", "<html", "<table", "<body", "<head", "<meta", "<div", "<p>", "<p "}) {
    if (lower.find(tag) != std::string::npos) return DocumentFormat::kHtml;
  }
  return DocumentFormat::kText;
}

}  // namespace disclosure
