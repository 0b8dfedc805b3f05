#include "core/base/text_util.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace disclosure {

bool DecodeUtf8(absl::string_view s, std::u32string* out) {
  out->clear();
  out->reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and out-of-range values.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    out->push_back(cp);
    i += len;
  }
  return true;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string EncodeUtf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) AppendUtf8(c, &out);
  return out;
}

size_t Utf8ErrorOffset(absl::string_view s) {
  // The byte ranges of well-formed UTF-8 (Unicode 15, table 3-7); written
  // out so that the common CJK case (three bytes, lead E1–EC) is a few
  // compares: this scan runs over every imported text.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < n && p[k] >= lo && p[k] <= hi;
  };
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c == 0) return i;  // NUL: binary, not text
      ++i;
      // Eight ASCII bytes without a NUL at a time.
      while (i + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        if ((w & 0x8080808080808080ULL) != 0 ||
            ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0) {
          break;
        }
        i += 8;
      }
    } else if (c >= 0xE1 && c <= 0xEF && c != 0xED) {
      if (!cont(i + 1) || !cont(i + 2)) return i;
      i += 3;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (c == 0xE0) {
      if (!cont(i + 1, 0xA0) || !cont(i + 2)) return i;
      i += 3;
    } else if (c == 0xED) {
      if (!cont(i + 1, 0x80, 0x9F) || !cont(i + 2)) return i;
      i += 3;
    } else if (c == 0xF0) {
      if (!cont(i + 1, 0x90) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else if (c >= 0xF1 && c <= 0xF3) {
      if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else if (c == 0xF4) {
      if (!cont(i + 1, 0x80, 0x8F) || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else {
      return i;
    }
  }
  return absl::string_view::npos;
}

int CodePointCount(absl::string_view s) {
  int n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

namespace {

// Folds one code point; returns 0 for characters to drop.
char32_t Fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFF01 + 0x21;  // full-width ASCII
  switch (c) {
    case 0x3000:  // ideographic space
    case 0x00A0:  // no-break space
    case 0x2002: case 0x2003: case 0x2009: case 0x202F:
    case '\t':
      return ' ';
    case 0x200B: case 0x200C: case 0x200D: case 0xFEFF:  // zero-width, BOM
      return 0;
    default:
      return c;
  }
}

bool IsPunctuation(char32_t c) {
  if (c < 0x80) {
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  }
  switch (c) {
    case 0x3001:  // 、
    case 0x3002:  // 。
    case 0xFF0C:  // ，
    case 0x201C: case 0x201D: case 0x2018: case 0x2019:  // quotes
    case 0x300C: case 0x300D: case 0x300E: case 0x300F:  // 「」『』
    case 0x3010: case 0x3011:  // 【】
    case 0x3014: case 0x3015:  // 〔〕
    case 0x300A: case 0x300B:  // 《》
    case 0x2014: case 0x2013: case 0x2026:  // dashes, ellipsis
    case 0x00B7: case 0x30FB:  // middle dots
      return true;
    default:
      return false;
  }
}

}  // namespace

// AppendFolded and LabelKey32 decode code points inline rather than through
// a shared helper: they run over every imported line, and the shared form
// measured ~10 % slower on the import benchmark.
void AppendFolded(absl::string_view s, std::string* out) {
  // Most text folds to itself: runs that do are appended whole.
  size_t run = 0, i = 0;
  auto flush = [&](size_t end) { out->append(s.data() + run, end - run); };
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\t') {
        flush(i);
        out->push_back(' ');
        run = i + 1;
      }
      ++i;
      continue;
    }
    // Lead bytes E4–E9 are U+4000–U+9FFF, the common ideographs, which
    // fold to themselves: most of a report's text.
    if (c >= 0xE4 && c <= 0xE9 && i + 3 <= s.size()) {
      i += 3;
      continue;
    }
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (i + len > s.size()) len = static_cast<int>(s.size() - i);
    char32_t cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    char32_t f = Fold(cp);
    if (f != cp) {
      flush(i);
      if (f != 0) AppendUtf8(f, out);
      run = i + len;
    }
    i += len;
  }
  flush(s.size());
}

std::u32string LabelKey32(absl::string_view s) {
  std::u32string out;
  out.reserve(s.size() / 2);
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c >= 0xE4 && c <= 0xE9 && i + 3 <= n) {
      // U+4000–U+9FFF: ideographs, never folded, dropped or punctuation.
      out.push_back((static_cast<char32_t>(c & 0x0F) << 12) |
                    (static_cast<char32_t>(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                    (static_cast<unsigned char>(s[i + 2]) & 0x3F));
      i += 3;
      continue;
    } else {
      len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
      if (i + len > n) len = static_cast<int>(n - i);
      cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    cp = Fold(cp);
    if (cp == 0 || cp == ' ' || IsPunctuation(cp)) continue;
    out.push_back(cp);
  }
  return out;
}

std::string LabelKey(absl::string_view s) { return EncodeUtf8(LabelKey32(s)); }

int EditDistance(const std::u32string& a, const std::u32string& b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string Shorten(absl::string_view s, int max_code_points) {
  int n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == max_code_points) return std::string(s.substr(0, i)) + "…";
      ++n;
    }
  }
  return std::string(s);
}

namespace {

// Length of the UTF-8 sequence a lead byte starts (1 for ASCII and for
// bytes that cannot lead one).
size_t Utf8LeadLength(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

bool EscapedCodePoint(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string Echo(absl::string_view value, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    const size_t len = Utf8LeadLength(c);
    if (c >= 0x80 && i + len <= value.size() &&
        Utf8ErrorOffset(value.substr(i, len)) == absl::string_view::npos) {
      if (i + len > max_bytes) break;  // never half a character
      std::u32string cp;
      DecodeUtf8(value.substr(i, len), &cp);
      if (EscapedCodePoint(cp[0])) {
        absl::StrAppend(&out, "\\u", absl::Hex(static_cast<uint32_t>(cp[0]), absl::kZeroPad4));
      } else {
        out.append(value.data() + i, len);
      }
      i += len;
      continue;
    }
    if (i + 1 > max_bytes) break;
    if (c >= 0x80 || c < 0x20 || c == 0x7F || c == '\\' || c == '"' || c == '\'') {
      out += absl::CHexEscape(value.substr(i, 1));  // \n, \t, \", \xHH …
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  if (i < value.size()) absl::StrAppend(&out, "...[", value.size(), " bytes]");
  return out;
}

absl::string_view TrimSpaces(absl::string_view s) {
  // Most text has nothing to trim: neither end can start a blank.
  auto may_blank = [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0xE3 || u == 0xC2 || u == 0xEF || u == 0x80 || u == 0xA0 || u == 0xBF;
  };
  if (s.empty() || (!may_blank(s.front()) && !may_blank(s.back()))) return s;
  static constexpr absl::string_view kSpaces[] = {"\xE3\x80\x80", "\xC2\xA0", "\xEF\xBB\xBF"};
  bool trimmed = true;
  while (trimmed) {
    trimmed = false;
    s = TrimAsciiSpaces(s);
    for (absl::string_view sp : kSpaces) {
      trimmed |= absl::ConsumePrefix(&s, sp);
      trimmed |= absl::ConsumeSuffix(&s, sp);
    }
  }
  return s;
}

}  // namespace disclosure
