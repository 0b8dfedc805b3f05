// Small text helpers shared by the importer and the rules: UTF-8 decoding,
// width folding (full-width digits, letters and brackets to ASCII) and the
// "key" form used to compare labels.
#ifndef DISCLOSURE_CORE_BASE_TEXT_UTIL_H_
#define DISCLOSURE_CORE_BASE_TEXT_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace disclosure {

// Decodes UTF-8 into code points. Returns false on malformed input.
bool DecodeUtf8(absl::string_view s, std::u32string* out);
void AppendUtf8(char32_t c, std::string* out);
std::string EncodeUtf8(const std::u32string& s);

// Offset of the first byte that is not well-formed UTF-8 or is NUL;
// npos when `s` is clean text.
size_t Utf8ErrorOffset(absl::string_view s);

// Levenshtein distance between two code-point strings.
int EditDistance(const std::u32string& a, const std::u32string& b);

// Number of code points in valid UTF-8 `s`.
int CodePointCount(absl::string_view s);

// Appends `s` to `out` with full-width ASCII (U+FF01–U+FF5E) folded to
// ASCII, U+3000 and other spaces to ' ', zero-width characters and the BOM
// dropped; everything else kept. Never longer than `s`.
void AppendFolded(absl::string_view s, std::string* out);

// The comparison form of a label: width-folded, without whitespace and
// punctuation (brackets, quotes, dots, commas, colons, 、). Keeps CJK,
// letters and digits.
std::string LabelKey(absl::string_view s);
// The same, as code points.
std::u32string LabelKey32(absl::string_view s);

// Truncates `s` to at most `max_code_points`, appending "…" when cut.
std::string Shorten(absl::string_view s, int max_code_points);

// `s` without the blanks around it: ASCII whitespace, U+3000 IDEOGRAPHIC
// SPACE, U+00A0 NO-BREAK SPACE and a U+FEFF byte-order mark.
absl::string_view TrimSpaces(absl::string_view s);

// absl::StripAsciiWhitespace without its call through a function pointer per
// byte: the importer trims every cell of every table twice.
inline absl::string_view TrimAsciiSpaces(absl::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// A value from a request or a configuration file, made safe to echo into an
// error message, a google.rpc.BadRequest description or a log line: at most
// `max_bytes` of it (cut at a character boundary), with "...[N bytes]"
// appended when cut. Well-formed UTF-8 stays as it is (operators read
// Chinese names in the logs); escaped, so that no newline or quote can forge
// a log line or a key="value" pair and nothing can hide or reorder text on a
// terminal: \\, \", \', \n, \r, \t, other ASCII controls and every byte of
// ill-formed UTF-8 as \xHH, and the C1 controls, U+2028/U+2029 and the
// bidirectional embeddings, overrides and isolates as \uHHHH. Capping
// matters because gRPC sends the status message in trailing metadata (8 KiB
// by default): an echoed 20 KB name would turn an INVALID_ARGUMENT into a
// RESOURCE_EXHAUSTED.
inline constexpr size_t kMaxEchoBytes = 200;
std::string Echo(absl::string_view value, size_t max_bytes = kMaxEchoBytes);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_BASE_TEXT_UTIL_H_
