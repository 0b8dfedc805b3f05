#include "core/import/layout.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "core/base/text_util.h"

namespace disclosure {
namespace {

struct LayoutLine {
  double top = 0, bottom = 0;
  std::vector<Word> words;
};

double right_of(const LayoutLine& l) {
  double r = 0;
  for (const Word& w : l.words) r = std::max(r, w.x1);
  return r;
}

double Overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

// "-1-", "- 1 -", "第1页", "第 1 页 共 5 页", "1/5", "1".
bool IsPageNumberLine(const std::string& text) {
  std::string k;
  for (char c : text) {
    if (c != ' ' && c != '-') k.push_back(c);
  }
  if (k.empty() || k.size() > 30) return false;
  std::u32string u;
  if (!DecodeUtf8(k, &u)) return false;
  bool digit = false;
  for (char32_t c : u) {
    if ((c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９')) digit = true;
    else if (c != U'第' && c != U'页' && c != U'共' && c != U'/' && c != U'—' && c != U'－') return false;
  }
  return digit;
}

// A word that is a number ("86", "0", "22943.1665", "１２"), as a table's
// value cells hold; a row label's "2." too.
bool IsNumberWord(const std::string& text) {
  std::u32string u;
  if (!DecodeUtf8(std::string(absl::StripAsciiWhitespace(text)), &u) || u.empty()) return false;
  bool digit = false;
  for (char32_t c : u) {
    if ((c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９')) {
      digit = true;
    } else if (c != U'.' && c != U',' && c != U'．' && c != U'，') {
      return false;
    }
  }
  return digit;
}

// A word of punctuation only (OCR boxes CJK punctuation as words of their
// own: "，", "）", "、").
bool IsPunctuationWord(const std::string& text) {
  std::u32string u;
  if (!DecodeUtf8(std::string(absl::StripAsciiWhitespace(text)), &u) || u.empty()) return false;
  for (char32_t c : u) {
    bool alnum = c < 0x80 ? absl::ascii_isalnum(static_cast<char>(c)) : false;
    bool ideograph = (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF);
    bool fullwidth_alnum = (c >= U'０' && c <= U'９') || (c >= U'Ａ' && c <= U'Ｚ') ||
                           (c >= U'ａ' && c <= U'ｚ');
    if (alnum || ideograph || fullwidth_alnum || c == U'〇') return false;
  }
  return true;
}

// Chinese characters and punctuation (CJK, fullwidth forms, “”), which
// Chinese text writes without spaces between them.
bool IsCjk(char32_t c) {
  return (c >= 0x3000 && c <= 0x303F) || (c >= 0x3400 && c <= 0x9FFF) ||
         (c >= 0xFF00 && c <= 0xFFEF) || c == 0x201C || c == 0x201D;
}

char32_t FirstChar(absl::string_view s) {
  std::u32string u;
  for (size_t n = 1; n <= std::min<size_t>(4, s.size()); ++n) {
    if (DecodeUtf8(s.substr(0, n), &u) && !u.empty()) return u.front();
  }
  return 0;
}

char32_t LastChar(absl::string_view s) {
  std::u32string u;
  for (size_t n = 1; n <= std::min<size_t>(4, s.size()); ++n) {
    if (DecodeUtf8(s.substr(s.size() - n), &u) && !u.empty()) return u.back();
  }
  return 0;
}

}  // namespace

void AppendPageLines(std::vector<Word> words, int page, double height, bool ocr, Document* doc) {
  words.erase(std::remove_if(words.begin(), words.end(),
                             [](const Word& w) {
                               return absl::StripAsciiWhitespace(w.text).empty() || w.y1 <= w.y0;
                             }),
              words.end());
  std::sort(words.begin(), words.end(), [](const Word& a, const Word& b) {
    return a.y0 != b.y0 ? a.y0 < b.y0 : a.x0 < b.x0;
  });
  // Rows first from the words that are numbers (a table's value cells, of
  // one height), then every other word joins the row whose band holds its
  // vertical centre: a label's fragments, whose boxes may be taller (CJK
  // glyph boxes) or set off by a group cell centred beside them, stay with
  // their values. Words in no row's band form lines among themselves, by
  // overlap as below.
  std::vector<LayoutLine> rows, loose;
  // Words whose vertical extents overlap by half the smaller height join a
  // line; only recent lines can overlap: words come sorted by their top.
  auto add = [](std::vector<LayoutLine>* lines, Word&& w, bool grow) {
    double h = w.y1 - w.y0;
    LayoutLine* best = nullptr;
    double best_overlap = 0;
    for (size_t i = lines->size(); i-- > 0 && i + 4 >= lines->size();) {
      LayoutLine& l = (*lines)[i];
      double o = Overlap(w.y0, w.y1, l.top, l.bottom);
      double smaller = std::min(h, l.bottom - l.top);
      if (o >= 0.5 * smaller && o > best_overlap) {
        best = &l;
        best_overlap = o;
      }
    }
    if (best == nullptr) {
      lines->push_back({w.y0, w.y1, {}});
      best = &lines->back();
    } else if (grow) {
      best->top = std::min(best->top, w.y0);
      best->bottom = std::max(best->bottom, w.y1);
    }
    best->words.push_back(std::move(w));
  };
  std::vector<Word> others, marks;
  for (Word& w : words) {
    if (IsNumberWord(w.text)) {
      add(&rows, std::move(w), true);
    } else if (IsPunctuationWord(w.text)) {
      marks.push_back(std::move(w));
    } else {
      others.push_back(std::move(w));
    }
  }
  for (Word& w : others) {
    double centre = (w.y0 + w.y1) / 2;
    LayoutLine* row = nullptr;
    for (LayoutLine& l : rows) {
      if (centre >= l.top && centre <= l.bottom &&
          (row == nullptr || std::abs(centre - (l.top + l.bottom) / 2) <
                                 std::abs(centre - (row->top + row->bottom) / 2))) {
        row = &l;
      }
    }
    if (row != nullptr) {
      row->words.push_back(std::move(w));
    } else {
      add(&loose, std::move(w), false);
    }
  }
  std::vector<LayoutLine> lines = std::move(rows);
  for (LayoutLine& l : loose) lines.push_back(std::move(l));
  // A punctuation mark OCR boxes alone (a comma low on the line, a bracket
  // taller than the glyphs) says little about its row: it joins the line it
  // overlaps most, once the words have made the lines.
  for (Word& w : marks) {
    double h = w.y1 - w.y0;
    LayoutLine* best = nullptr;
    double best_overlap = 0;
    for (LayoutLine& l : lines) {
      double o = Overlap(w.y0, w.y1, l.top, l.bottom);
      if (o >= 0.5 * std::min(h, l.bottom - l.top) && o > best_overlap) {
        best = &l;
        best_overlap = o;
      }
    }
    if (best == nullptr) {
      lines.push_back({w.y0, w.y1, {}});
      best = &lines.back();
    }
    best->words.push_back(std::move(w));
  }
  // In reading order by their vertical centres; a line's top is then its
  // highest word's.
  std::sort(lines.begin(), lines.end(), [](const LayoutLine& a, const LayoutLine& b) {
    return a.top + a.bottom < b.top + b.bottom;
  });
  for (LayoutLine& l : lines) {
    for (const Word& w : l.words) {
      l.top = std::min(l.top, w.y0);
      l.bottom = std::max(l.bottom, w.y1);
    }
  }
  // The page's prose margins, from the lines themselves.
  double left = 1e9, right = 0;
  for (const LayoutLine& l : lines) {
    for (const Word& w : l.words) {
      left = std::min(left, w.x0);
      right = std::max(right, w.x1);
    }
  }
  for (LayoutLine& l : lines) {
    std::sort(l.words.begin(), l.words.end(),
              [](const Word& a, const Word& b) { return a.x0 < b.x0; });
    // A character's width: the line's height (CJK glyphs are square).
    double em = 0;
    for (const Word& w : l.words) em = std::max(em, w.y1 - w.y0);
    std::string text;
    std::vector<WordSpan> spans;
    spans.reserve(l.words.size());
    double line_right = 0;  // the right end of the words so far (not the page's `right`)
    float confidence = 1;
    for (size_t i = 0; i < l.words.size(); ++i) {
      const Word& w = l.words[i];
      if (i > 0) {
        double gap = w.x0 - line_right;
        // Within a label, glyphs touch or nearly; a column gap is wide.
        int spaces = gap < 0.15 * em ? (l.words[i - 1].space_after ? 1 : 0)
                                     : std::max(1, static_cast<int>(std::lround(gap / (0.5 * em))));
        if (spaces > 1 && gap < 1.2 * em) spaces = 1;
        // OCR boxes are tight on the ink: Chinese words of one sentence or
        // label stand apart by less than a character, and join without one.
        if (ocr && spaces == 1 && gap < 0.8 * em && IsCjk(LastChar(text)) && IsCjk(FirstChar(w.text))) {
          spaces = 0;
        }
        text.append(std::min(spaces, 40), ' ');
      }
      spans.push_back({text.size(), text.size() + w.text.size(), static_cast<float>(w.x0),
                       static_cast<float>(w.x1)});
      text += w.text;
      line_right = std::max(line_right, w.x1);
      confidence = std::min(confidence, w.confidence);
    }
    bool margin = l.top < 0.1 * height || l.bottom > 0.9 * height;
    if (margin && IsPageNumberLine(text)) continue;
    bool table_row = text.find("  ") != std::string::npos;
    double x0 = l.words.front().x0, x1 = right_of(l);
    bool indented = x0 > left + 0.6 * em;
    if (!table_row && !indented && !doc->blocks.empty()) {
      DocBlock& prev = doc->blocks.back();
      // A line in another font size (a title over the first heading) starts
      // a block of its own.
      bool same_size = std::abs(prev.line_height - em) <= 0.2 * std::max<double>(prev.line_height, em);
      if (prev.open_end && prev.kind == DocBlock::kParagraph && same_size) {
        // Chinese lines join without a space; English words with one.
        if (!prev.text.empty() && absl::ascii_isalnum(prev.text.back()) &&
            absl::ascii_isalnum(text.front())) {
          prev.text += ' ';
        }
        for (WordSpan& s : spans) {
          s.begin += prev.text.size();
          s.end += prev.text.size();
          prev.words.push_back(s);
        }
        prev.text += text;
        prev.open_end = x1 >= right - 1.5 * em;
        prev.line_height = static_cast<float>(em);
        continue;
      }
    }
    DocBlock& b = doc->blocks.emplace_back();
    b.open_end = !table_row && x1 >= right - 1.5 * em;
    b.text = std::move(text);
    b.words = std::move(spans);
    b.line_height = static_cast<float>(em);
    b.source.page = page;
    b.source.x = static_cast<int>(l.words.front().x0);
    b.source.y = static_cast<int>(l.top);
    b.ocr = ocr;
  }
}

}  // namespace disclosure
