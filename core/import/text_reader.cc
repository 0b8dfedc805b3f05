#include "core/import/text_reader.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/import/import.h"
#include "core/base/text_util.h"

namespace disclosure {
namespace {

bool IsSeparatorRow(absl::string_view t) {
  bool dash = false;
  for (char c : t) {
    if (c == '-') dash = true;
    else if (c != '|' && c != ':' && c != ' ') return false;
  }
  return dash;
}

bool HasTwoPipes(absl::string_view t) {
  size_t first = t.find('|');
  return first != absl::string_view::npos && t.find('|', first + 1) != absl::string_view::npos;
}

}  // namespace

// std::count, through memchr: it runs over every byte of the text.
size_t CountByte(absl::string_view s, char c) {
  size_t n = 0;
  for (const char* p = s.data(); const void* hit = std::memchr(p, c, s.data() + s.size() - p);
       p = static_cast<const char*>(hit) + 1) {
    ++n;
  }
  return n;
}

absl::StatusOr<Document> ReadText(absl::string_view text) {
  if (text.size() > kMaxImportBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is ", text.size(), " bytes; the limit is ", kMaxImportBytes));
  }
  if (size_t bad = Utf8ErrorOffset(text); bad != absl::string_view::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", line, ": not UTF-8 text (byte offset ", bad, "); a report is UTF-8 text"));
  }
  Document doc;
  doc.format = "text";
  int number = 0;
  bool in_table = false;
  std::string folded;
  doc.blocks.reserve(CountByte(text, '\n') + 1);
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    raw = TrimSpaces(absl::StripSuffix(raw, "\r"));
    if (raw.empty() || IsSeparatorRow(raw)) continue;
    // A pipe row; full-width ｜ is a pipe too, so such a row is read from
    // its folded text (the mapper folds every cell anyway).
    const bool wide = raw.find("\xEF\xBD\x9C") != absl::string_view::npos;
    if (wide || raw.find('|') != absl::string_view::npos) {
      absl::string_view t = raw;
      if (wide) {
        folded.clear();
        AppendFolded(raw, &folded);
        t = TrimAsciiSpaces(folded);
      }
      if (IsSeparatorRow(t)) continue;
      if (t.front() == '|' || HasTwoPipes(t)) {
        if (!in_table) {
          doc.blocks.emplace_back();
          doc.blocks.back().kind = DocBlock::kTable;
          doc.blocks.back().source.line = number;
          in_table = true;
        }
        absl::string_view inner = t.front() == '|' ? t.substr(1) : t;
        if (!inner.empty() && inner.back() == '|') inner.remove_suffix(1);
        std::vector<DocCell>& row = doc.blocks.back().rows.emplace_back();
        row.reserve(CountByte(inner, '|') + 1);
        for (absl::string_view cell : absl::StrSplit(inner, '|')) {
          DocCell& c = row.emplace_back();
          c.text = std::string(TrimAsciiSpaces(cell));
          c.source.line = number;
        }
        continue;
      }
    }
    in_table = false;
    DocBlock& b = doc.blocks.emplace_back();
    b.text = std::string(raw);
    b.source.line = number;
  }
  return doc;
}

}  // namespace disclosure
