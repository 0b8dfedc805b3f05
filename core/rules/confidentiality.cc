// The confidentiality pre-screen (C-ID, C-MOBILE, C-CARD, C-MARK): markings
// of classified documents, and personal numbers found by one hand-written
// pass over the digits. Offsets in findings are Unicode code points of the
// field's text.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/report/decimal.h"
#include "core/rules/identity_numbers.h"
#include "core/base/text_util.h"
#include "core/rules/internal.h"
#include "core/report/template.h"
#include "re2/re2.h"

namespace disclosure::rules_internal {
namespace {

// ================================================================ C-*
// Classification markings as official documents print them (GB/T 9704: 密级
// and 保密期限, "秘密★1年"), "内部资料", or a
// line holding nothing but a marking. Plain legal terms — 国家秘密, 商业秘密,
// 工作秘密, 保密审查, 内部事务信息, 内网 — have no ★ and stand in prose,
// so they do not match.
const RE2& MarkPattern() {
  static const RE2* re = new RE2(
      "(?m)(?:绝密|机密|秘密|内部)[ \\t　]*★(?:[ \\t　]*(?:[0-9０-９]+[ \\t　]*年|长期|启用前))?"
      "|内部资料"
      "|^[ \\t　]*(?:绝密|机密|秘密|内部)[ \\t　]*$");
  return *re;
}

// Whether `text` may hold a marking at all: a ★, 内部资料, or a line as
// short as a bare marking. Checked first because RE2 costs ~1 ns a byte.
bool MayHoldMarking(absl::string_view text) {
  if (Contains(text, "★") || Contains(text, "内部资料")) return true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    for (absl::string_view mark : {"绝密", "机密", "秘密", "内部"}) {
      if (TrimSpaces(line) == mark) return true;
    }
  }
  return false;
}

void CheckMarks(const TextField& field, Findings* out) {
  const std::string& text = *field.text;
  if (!MayHoldMarking(text)) return;
  CodePointCursor cursor(text);
  re2::StringPiece g[1];
  size_t pos = 0;
  while (pos < text.size() && MarkPattern().Match(re2::StringPiece(text.data(), text.size()), pos,
                                                  text.size(), RE2::UNANCHORED, g, 1)) {
    pos = End(text, g[0]);
    const absl::string_view mark = TrimSpaces(View(g[0]));
    const size_t begin = static_cast<size_t>(mark.data() - text.data());
    const int start = cursor.Advance(begin);
    const int end = cursor.Advance(begin + mark.size());
    v1::Finding& f = NewFinding(Rule::kCMark, out);  // C-MARK
    LocateText(field, start, end, f.mutable_location());
    f.set_expected("无密级标志");
    f.set_actual(std::string(mark));
    f.set_message(absl::StrCat("文中有密级标志“", mark,
                               "”：标有密级的内容不得公开，应退回保密性审查"));
  }
}

// Personal numbers, by one pass over the digits of a text. A number is a
// maximal run of digits (ASCII or full-width), or groups of them joined by
// single spaces or hyphens in the usual printed forms: 3-4-4 (mobile),
// 6-8-4 (resident ID), 4-4-4-4[-1…4] (bank card).
class NumberScan {
 public:
  NumberScan(const TextField& field, Findings* out)
      : field_(field), text_(*field.text), cursor_(text_), out_(out) {}

  void Run() {
    int length;
    for (size_t i = NextDigitStart(0); i < text_.size(); i = NextDigitStart(i)) {
      i = DigitAt(i, &length) >= 0 ? Token(i) : i + 1;
    }
  }

 private:
  // A run of digits, folded to ASCII; a 17th or 4th-after-3 digit may be
  // followed by the ID check character X.
  struct Digits {
    size_t end = 0;  // byte after the run
    int length = 0;  // digits (and the X); only the first kKeep are kept
    static constexpr int kKeep = 23;
    char digits[kKeep + 1] = {};

    absl::string_view view() const { return absl::string_view(digits, std::min(length, kKeep)); }
  };

  // The next byte from `i` on that may start a digit: 0–9, or 0xEF, the lead
  // byte of ０–９. strcspn is vectorised; a std::string is NUL-terminated,
  // and an embedded NUL only ends one strcspn.
  size_t NextDigitStart(size_t i) const {
    while (i < text_.size()) {
      i += std::strcspn(text_.c_str() + i, "0123456789\xEF");
      if (i == text_.size() || text_[i] != '\0') return i;
      ++i;
    }
    return text_.size();
  }

  // The digit at byte i (0–9) and its byte length, or -1.
  int DigitAt(size_t i, int* length) const {
    const unsigned char c = static_cast<unsigned char>(text_[i]);
    if (c >= '0' && c <= '9') {
      *length = 1;
      return c - '0';
    }
    if (c == 0xEF && i + 2 < text_.size() && static_cast<unsigned char>(text_[i + 1]) == 0xBC) {
      const unsigned char last = static_cast<unsigned char>(text_[i + 2]);
      if (last >= 0x90 && last <= 0x99) {
        *length = 3;
        return last - 0x90;
      }
    }
    return -1;
  }

  bool IsCheckX(size_t i, size_t* length) const {
    if (i < text_.size() && (text_[i] == 'X' || text_[i] == 'x')) {
      *length = 1;
      return true;
    }
    const absl::string_view rest = absl::string_view(text_).substr(i);
    if (absl::StartsWith(rest, "Ｘ") || absl::StartsWith(rest, "ｘ")) {
      *length = 3;
      return true;
    }
    return false;
  }

  Digits Read(size_t i, int check_after) const {
    Digits d;
    int length;
    for (int v; i < text_.size() && (v = DigitAt(i, &length)) >= 0; i += length) {
      if (d.length < Digits::kKeep) d.digits[d.length] = static_cast<char>('0' + v);
      ++d.length;
    }
    // An X that another digit or letter follows is not a check character.
    size_t x_length;
    if (d.length == check_after && IsCheckX(i, &x_length) &&
        (i + x_length == text_.size() ||
         (DigitAt(i + x_length, &length) < 0 && !absl::ascii_isalpha(text_[i + x_length])))) {
      d.digits[d.length++] = 'X';
      i += x_length;
    }
    d.end = i;
    return d;
  }

  // Reads the number at byte `begin`, reports it if it is one, and returns
  // the byte after what was read.
  size_t Token(size_t begin) {
    const Digits first = Read(begin, 17);
    if (first.length == 3 || first.length == 4 || first.length == 6) {
      if (const size_t end = Grouped(begin, first); end != 0) return end;
    }
    if (first.length > Digits::kKeep) return first.end;  // no number this long
    const absl::string_view n = first.view();
    if (IsResidentIdNumber(n)) {
      Report(Rule::kCId, begin, first.end, MaskMiddle(n, 4, 4));  // C-ID
    } else if (IsMainlandMobileNumber(n)) {
      Report(Rule::kCMobile, begin, first.end, MaskMiddle(n, 3, 4));  // C-MOBILE
    } else if (n.size() >= 16 && n.size() <= 19 && PassesLuhn(n)) {
      Report(Rule::kCCard, begin, first.end, MaskMiddle(n, 4, 4));  // C-CARD
    }
    return first.end;
  }

  // Whether a group of digits follows the separator at byte `at`.
  bool GroupFollows(size_t at, char separator) const {
    int length;
    return at + 1 < text_.size() && text_[at] == separator && DigitAt(at + 1, &length) >= 0;
  }

  // The grouped forms; returns the end of a reported number, or 0.
  size_t Grouped(size_t begin, const Digits& first) {
    const char separator = first.end < text_.size() ? text_[first.end] : '\0';
    if ((separator != ' ' && separator != '-') || !GroupFollows(first.end, separator)) return 0;
    constexpr int kMaxGroups = 5;  // 4-4-4-4-3, the longest form
    Digits groups[kMaxGroups];
    int n = 0;
    groups[n++] = first;
    size_t at = first.end;
    for (; GroupFollows(at, separator); at = groups[n++].end) {
      if (n == kMaxGroups) return 0;  // longer than any form
      // The third group of 6-8-4 may end with the check character X.
      groups[n] = Read(at + 1, n == 2 && groups[0].length == 6 ? 3 : -1);
    }
    std::string joined;
    for (int k = 0; k < n; ++k) {
      const absl::string_view v = groups[k].view();
      joined.append(v.data(), v.size());
    }
    auto sizes = [&](std::initializer_list<int> want) {
      if (static_cast<int>(want.size()) != n) return false;
      int k = 0;
      for (int w : want) {
        if (groups[k++].length != w) return false;
      }
      return true;
    };
    if (sizes({3, 4, 4}) && IsMainlandMobileNumber(joined)) {
      Report(Rule::kCMobile, begin, at, MaskMiddle(joined, 3, 4));  // C-MOBILE
      return at;
    }
    if (sizes({6, 8, 4}) && IsResidentIdNumber(joined)) {
      Report(Rule::kCId, begin, at, MaskMiddle(joined, 4, 4));  // C-ID
      return at;
    }
    bool card_groups = n >= 4 && groups[n - 1].length <= 4;
    for (int k = 0; k + 1 < n; ++k) card_groups = card_groups && groups[k].length == 4;
    if (card_groups && joined.size() >= 16 && joined.size() <= 19 && PassesLuhn(joined)) {
      Report(Rule::kCCard, begin, at, MaskMiddle(joined, 4, 4));  // C-CARD
      return at;
    }
    return 0;
  }

  void Report(Rule rule, size_t begin, size_t end, const std::string& masked) {
    static constexpr struct {
      const char* expected;
      const char* what;
      const char* advice;
    } kText[] = {
        {"不含居民身份证号码", "居民身份证号码", "公开前应删除或隐去"},
        {"不含手机号码", "手机号码", "公开前请确认是否应删除或隐去"},
        {"不含银行卡号", "疑似银行卡号（通过 Luhn 校验）", "公开前请确认是否应删除或隐去"},
    };
    const auto& t = kText[rule == Rule::kCId ? 0 : rule == Rule::kCMobile ? 1 : 2];
    v1::Finding& f = NewFinding(rule, out_);
    const int start = cursor_.Advance(begin);
    LocateText(field_, start, cursor_.Advance(end), f.mutable_location());
    f.set_expected(t.expected);
    f.set_actual(masked);  // never the number itself: findings go to logs and dashboards
    f.set_message(absl::StrCat("文中有", t.what, " ", masked, "，", t.advice));
  }

  const TextField& field_;
  const std::string& text_;
  CodePointCursor cursor_;
  Findings* out_;
};


}  // namespace

void CheckConfidentiality(const v1::Report& r, Findings* out) {
  for (const TextField& field : TextFields(r)) {
    if (field.text->empty()) continue;
    CheckMarks(field, out);
    NumberScan(field, out).Run();
  }
}

}  // namespace disclosure::rules_internal
