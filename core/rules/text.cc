// Rules on the report's text: the narrative against the tables (N-T3,
// N-T3-COVER, N-T4, N-PCT, N-DONE), the year (S-YEAR) and the
// confidentiality pre-screen (C-ID, C-MOBILE, C-CARD, C-MARK).
//
// The narrative rules are warnings and read prose, so they are conservative:
// a count is taken only when a keyword and "N 件" stand in one clause with
// nothing between them that could make the number mean something else;
// anything ambiguous is skipped rather than reported.
//
// Each pattern family is one RE2 compiled once and run once over each text;
// personal numbers are found by one hand-written pass over the digits.
// Offsets in findings are Unicode code points of the field's text.
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

absl::string_view View(const re2::StringPiece& p) { return absl::string_view(p.data(), p.size()); }

// Byte offsets of a part of `text` (a view into it, or an RE2 match in it).
size_t Begin(absl::string_view text, absl::string_view p) {
  return static_cast<size_t>(p.data() - text.data());
}
size_t End(absl::string_view text, absl::string_view p) { return Begin(text, p) + p.size(); }
size_t Begin(absl::string_view text, const re2::StringPiece& p) { return Begin(text, View(p)); }
size_t End(absl::string_view text, const re2::StringPiece& p) { return End(text, View(p)); }

// What ends a sentence: "。", "！", "？" (and ASCII "!", "?") or a paragraph
// break. "；" does not: outcome lists run on over it.
constexpr absl::string_view kSentenceEnds[] = {"\n", "。", "！", "？", "!", "?"};

bool HasSentenceEnd(absl::string_view s) {
  for (absl::string_view end : kSentenceEnds) {
    if (Contains(s, end)) return true;
  }
  return false;
}

bool ContainsAny(absl::string_view s, std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    if (Contains(s, w)) return true;
  }
  return false;
}

int CodePoints(absl::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Full-width digits and decimal point (０–９, ．) to ASCII; other bytes kept.
std::string FoldDigits(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    int d;
    if (const size_t bytes = DigitAt(s, i, &d)) {
      out.push_back(static_cast<char>('0' + d));
      i += bytes;
    } else if (absl::StartsWith(s.substr(i), "\uFF0E")) {  // ．
      out.push_back('.');
      i += 3;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

// ================================================================ N-*
// What a keyword before "N 件" counts.
enum class Topic {
  kReceived,          // 新收: 一
  kAccepted,          // 受理, 收到: 一, or 一 + 二
  kCarriedOver,       // 上年结转: 二
  kOutcome,           // 予以公开 … 其他处理: a row or group of 三
  kCarriedToNext,     // 结转下年度: 四
  kConcluded,         // 办结: （七）总计
  kReconsideration,   // 行政复议: 表四 block 0
  kLitigation,        // 行政诉讼: blocks 1 and 2 (either or both)
  kLitigationDirect,  // 直接起诉: block 1
  kLitigationAfter,   // 复议后起诉: block 2
};

struct Keyword {
  Topic topic;
  int row = -1;  // for kOutcome: the row or group row of table 三
};

// What a keyword matched by CountPattern() counts.
Keyword Classify(absl::string_view kw) {
  if (absl::EndsWith(kw, "复议后起诉")) return {Topic::kLitigationAfter};
  if (kw == "直接起诉") return {Topic::kLitigationDirect};
  if (kw == "行政复议") return {Topic::kReconsideration};
  if (kw == "行政诉讼") return {Topic::kLitigation};
  if (kw == "新收") return {Topic::kReceived};
  if (kw == "受理" || kw == "收到") return {Topic::kAccepted};
  if (kw == "上年结转") return {Topic::kCarriedOver};
  if (absl::StartsWith(kw, "结转")) return {Topic::kCarriedToNext};
  if (kw == "办结") return {Topic::kConcluded};
  if (kw == "予以公开") return {Topic::kOutcome, kDisclosed};
  if (kw == "部分公开") return {Topic::kOutcome, kPartiallyDisclosed};
  if (kw == "不予公开") return {Topic::kOutcome, kWithheldGroup};
  if (kw == "无法提供") return {Topic::kOutcome, kUnableGroup};
  if (kw == "不予处理") return {Topic::kOutcome, kNotProcessedGroup};
  return {Topic::kOutcome, kOtherHandlingGroup};  // 其他处理
}

}  // namespace

// Groups: 1 keyword, 2 what stands between it and the number, 3 the number
// (before 件), 4 a percentage right after it ("31 件，占 34.4%"); 5 a phrase
// saying all requests were concluded (均按时办结); 6 one saying all appeals
// were upheld (均获维持). Where one keyword starts another the longer comes
// first: RE2 takes the first alternative that matches. The scan asks RE2 for
// the whole match only (its DFA; groups need a second, slower pass) and
// SplitCountMatch() finds the groups in it.
const RE2& CountPattern() {
  static const RE2* re = new RE2(
      "((?:行政)?复议后起诉|直接起诉|行政复议|行政诉讼|新收|受理|收到|上年结转|"
      "结转(?:至|到)?下一?年度?|予以公开|部分公开|不予公开|无法提供|不予处理|其他处理|办结)"
      "([^，。；：、,;:!?！？\\n0-9０-９]*?)"
      "([0-9０-９]+)[ \\t　]*件"
      "(?:[（(，,、]?[ \\t　]*(?:占[^，。；：、,;:!?！？\\n0-9０-９%％]*?)?"
      "([0-9０-９]+(?:[.．][0-9０-９]+)?)[ \\t　]*[%％])?"
      "|((?:均|全部)[^，。；：,;:\\n0-9０-９]*?办结)"
      "|(均(?:获|被|予以|予|为)?维持)");
  return *re;
}

namespace {

// End of the run of digits that starts at s[i] (i itself when none).
size_t DigitsEnd(absl::string_view s, size_t i) {
  while (size_t n = DigitAt(s, i)) i += n;
  return i;
}

// The keyword alternatives of CountPattern() in its order, 结转… apart.
constexpr absl::string_view kCountKeywords[] = {
    "行政复议后起诉", "复议后起诉", "直接起诉", "行政复议", "行政诉讼", "新收", "受理", "收到",
    "上年结转", "", "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理", "办结"};

// Length of 结转(?:至|到)?下一?年度? at the start of s, 0 when it is not
// there. Each optional part is taken when present (greedy, as RE2 does);
// leaving one out could not match either, as the next part differs.
size_t CarriedToNextKeyword(absl::string_view s) {
  absl::string_view rest = s;
  if (!absl::ConsumePrefix(&rest, "结转")) return 0;
  if (!absl::ConsumePrefix(&rest, "至")) absl::ConsumePrefix(&rest, "到");
  if (!absl::ConsumePrefix(&rest, "下")) return 0;
  absl::ConsumePrefix(&rest, "一");
  if (!absl::ConsumePrefix(&rest, "年")) return 0;
  absl::ConsumePrefix(&rest, "度");
  return s.size() - rest.size();
}

}  // namespace

CountMatch SplitCountMatch(absl::string_view m) {
  CountMatch out;
  if (absl::StartsWith(m, "均") || absl::StartsWith(m, "全部")) {
    (absl::EndsWith(m, "办结") ? out.all_concluded : out.all_upheld) = m;
    return out;
  }
  // Neither keyword nor gap holds a digit: the number starts at the first.
  size_t digits = 0;
  while (digits < m.size() && DigitAt(m, digits) == 0) ++digits;
  // RE2 takes the first keyword alternative that leads to a match, and any
  // keyword the match starts with does (the gap takes what follows it).
  size_t keyword = 0;
  for (absl::string_view k : kCountKeywords) {
    keyword = k.empty() ? CarriedToNextKeyword(m) : (absl::StartsWith(m, k) ? k.size() : 0);
    if (keyword > 0) break;
  }
  out.keyword = m.substr(0, keyword);
  out.gap = m.substr(keyword, digits - keyword);
  const size_t number_end = DigitsEnd(m, digits);
  out.number = m.substr(digits, number_end - digits);
  // After "件": a percentage when the match goes on; its number is the first
  // digits there (nothing before it may hold a digit), with decimals.
  const size_t unit_end = m.find("件", number_end) + std::strlen("件");
  if (unit_end < m.size()) {
    size_t p = unit_end;
    while (p < m.size() && DigitAt(m, p) == 0) ++p;
    size_t end = DigitsEnd(m, p);
    for (absl::string_view dot : {".", "．"}) {
      if (absl::StartsWith(m.substr(end), dot) && DigitAt(m, end + dot.size()) > 0) {
        end = DigitsEnd(m, end + dot.size());
        break;
      }
    }
    out.percent = m.substr(p, end - p);
  }
  return out;
}

namespace {

// Whether what stands between keyword and number leaves the number unclear.
bool AmbiguousGap(Topic topic, absl::string_view gap) {
  // The pattern allows any gap within a clause (bounded repeats of a UTF-8
  // class make RE2's program three times larger); long ones are too loose.
  if (CodePoints(gap) > 16) return true;
  switch (topic) {
    case Topic::kReceived:
    case Topic::kAccepted:
      // Only requests: not 行政复议, 信访 or 人大建议 received.
      return !Contains(gap, "申请") ||
             ContainsAny(gap, {"复议", "诉讼", "起诉", "信访", "举报", "投诉", "结转"});
    case Topic::kCarriedOver:
    case Topic::kCarriedToNext:
      return ContainsAny(gap, {"复议", "诉讼", "起诉"});
    case Topic::kOutcome:
      // "予以公开和部分公开共 45 件" names two rows; "主动公开" is another table.
      return CodePoints(gap) > 10 ||
             ContainsAny(gap, {"公开", "提供", "处理", "结转", "办结", "复议", "诉讼", "起诉"});
    case Topic::kConcluded:
      return ContainsAny(gap, {"率", "复议", "诉讼", "起诉"});
    case Topic::kReconsideration:
    case Topic::kLitigation:
    case Topic::kLitigationDirect:
    case Topic::kLitigationAfter:
      // A count of one result ("行政复议维持 3 件") is not the total.
      return ContainsAny(gap, {"维持", "纠正", "撤销", "审结", "结果", "确认", "驳回", "终止",
                               "败诉", "胜诉", "其中"}) ||
             (topic == Topic::kReconsideration && ContainsAny(gap, {"诉讼", "起诉"})) ||
             (topic != Topic::kReconsideration && Contains(gap, "复议"));
  }
  return true;
}

std::optional<int64_t> AppealTotal(const v1::Report& r, int block) {
  return Usable(GetAppealCell(GetAppealBlock(r, block), kAppealTotalColumn));
}

// "表三“（一）予以公开”总计 31", "表三“（三）不予公开”各项总计之和 4".
std::string RowTotalText(int row, int64_t v) {
  return absl::StrCat("表三“", kRequestRows[row].label, "”",
                      kRequestRows[row].is_group ? "各项总计之和 " : "总计 ", v);
}

std::string BlockTotalText(int block, int64_t v) {
  return absl::StrCat("表四“", kAppealBlocks[block].label, "”总计 ", v);
}

// The values a stated count may rightly have, and how a message names them.
// Empty when a cell involved is not usable (not assessable).
struct Accepted {
  std::vector<int64_t> values;
  std::string source;
};

Accepted AcceptedValues(const v1::Report& r, const RequestTable& t, const Keyword& k) {
  auto one = [](std::optional<int64_t> v, std::string source) {
    return v.has_value() ? Accepted{{*v}, std::move(source)} : Accepted{};
  };
  switch (k.topic) {
    case Topic::kReceived: {
      const auto v = t.Total(kReceived);
      return one(v, v ? RowTotalText(kReceived, *v) : "");
    }
    case Topic::kAccepted: {
      const auto a = t.Total(kReceived);
      const auto b = t.Total(kCarriedOver);
      if (!a || !b) return {};
      return {{*a, *a + *b},
              absl::StrCat(RowTotalText(kReceived, *a), "（加“", kRequestRows[kCarriedOver].label,
                           "”为 ", *a + *b, "）")};
    }
    case Topic::kCarriedOver:
    case Topic::kCarriedToNext:
    case Topic::kConcluded:
    case Topic::kOutcome: {
      const int row = k.topic == Topic::kCarriedOver     ? kCarriedOver
                      : k.topic == Topic::kCarriedToNext ? kCarriedToNextYear
                      : k.topic == Topic::kConcluded     ? kOutcomesTotal
                                                         : k.row;
      const auto v = t.Total(row);
      return one(v, v ? RowTotalText(row, *v) : "");
    }
    case Topic::kReconsideration:
    case Topic::kLitigationDirect:
    case Topic::kLitigationAfter: {
      const int block = k.topic == Topic::kReconsideration    ? 0
                        : k.topic == Topic::kLitigationDirect ? 1
                                                              : 2;
      const auto v = AppealTotal(r, block);
      return one(v, v ? BlockTotalText(block, *v) : "");
    }
    case Topic::kLitigation: {
      // "行政诉讼 N 件" is either block or both together.
      const auto a = AppealTotal(r, 1);
      const auto b = AppealTotal(r, 2);
      if (!a || !b) return {};
      return {{*a, *b, *a + *b},
              absl::StrCat(BlockTotalText(1, *a), "、", BlockTotalText(2, *b), "（合计 ",
                           *a + *b, "）")};
    }
  }
  return {};
}

// N-PCT: whether `percent` (as printed, ≤ 4 decimals) is count ÷ denominator
// rounded or truncated to the printed decimals.
bool PercentFits(Decimal percent, int decimals, int64_t count, int64_t denominator) {
  if (denominator <= 0) return false;
  // In 1/10000 percent units: p·d ∈ [(P − u/2)·d, (P + u)·d), u = 10^(4−k).
  int64_t unit = 1;
  for (int i = decimals; i < Decimal::kMaxDecimals; ++i) unit *= 10;
  const absl::int128 exact2 = absl::int128(count) * 100 * Decimal::kScale * 2;  // doubled
  const absl::int128 p2 = absl::int128(percent.units()) * 2;
  return (p2 - unit) * denominator <= exact2 && exact2 < (p2 + 2 * unit) * denominator;
}

// count ÷ denominator as a percentage with `decimals` decimals, rounded.
std::string PercentText(int64_t count, int64_t denominator, int decimals) {
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const absl::int128 scaled =
      (absl::int128(count) * 100 * scale * 2 + denominator) / (2 * denominator);
  const int64_t units = static_cast<int64_t>(scaled) * (Decimal::kScale / scale);
  std::string text = Decimal::FromUnits(units).ToString();
  // Keep the printed number of decimals: 34.0%, not 34%.
  if (decimals > 0 && text.find('.') == std::string::npos) text += ".";
  while (decimals > 0 && static_cast<int>(text.size() - text.find('.') - 1) < decimals) {
    text += "0";
  }
  return text + "%";
}

// One outcome class stated in a sentence, for N-T3-COVER.
struct Stated {
  int row;  // row or group row of table 三 (四 for 结转下年度)
  int64_t count;
  int start, end;  // code points of the mention
};

class NarrativeScan {
 public:
  NarrativeScan(const v1::Report& r, const RequestTable& table, const TextField& field,
                Findings* out)
      : r_(r), table_(table), field_(field), text_(*field.text), cursor_(text_), out_(out) {}

  void Run() {
    // Every match holds 件, 办结 or 维持; parts 五 and 六 mostly have none.
    if (!ContainsAny(text_, {"件", "办结", "维持"})) return;
    const RE2& re = CountPattern();
    const re2::StringPiece text(text_.data(), text_.size());
    re2::StringPiece whole;
    size_t pos = 0;
    while (pos < text_.size() && re.Match(text, pos, text_.size(), RE2::UNANCHORED, &whole, 1)) {
      pos = End(text_, whole);
      const CountMatch m = SplitCountMatch(View(whole));
      if (m.keyword.data() != nullptr) {
        Count(m, pos);
      } else if (m.all_concluded.data() != nullptr) {
        AllConcluded(m.all_concluded);
      } else {
        AllUpheld(m.all_upheld);
      }
    }
    FlushSentence();
  }

 private:
  int Offset(size_t byte) { return cursor_.Advance(byte); }

  // A count; match_end: the byte after the whole match.
  void Count(const CountMatch& m, size_t match_end) {
    const Keyword k = Classify(m.keyword);
    if (AmbiguousGap(k.topic, m.gap)) return;
    const std::optional<int64_t> n = ParseCount(m.number);
    if (!n.has_value()) return;
    // The mention runs from the keyword to its 件.
    const size_t begin = Begin(text_, m.keyword);
    const size_t end = text_.find("件", End(text_, m.number)) + std::strlen("件");
    const absl::string_view mention = absl::string_view(text_).substr(begin, end - begin);
    const int start = Offset(begin);
    const int number_start = Offset(Begin(text_, m.number));
    const int number_end = Offset(End(text_, m.number));

    const Accepted accepted = AcceptedValues(r_, table_, k);
    if (!accepted.values.empty() &&
        std::find(accepted.values.begin(), accepted.values.end(), *n) == accepted.values.end()) {
      const bool appeals = k.topic >= Topic::kReconsideration;
      v1::Finding& f = NewFinding(appeals ? Rule::kNT4 : Rule::kNT3, out_);  // N-T4, N-T3
      LocateText(field_, number_start, number_end, f.mutable_location());
      f.set_expected(absl::StrJoin(accepted.values, " 或 "));
      f.set_actual(absl::StrCat(*n));
      f.set_message(absl::StrCat("正文“", mention, "”与", accepted.source, " 不符"));
    }

    if (k.topic == Topic::kAccepted || k.topic == Topic::kReceived) stated_requests_.push_back(*n);
    if (k.topic == Topic::kOutcome || k.topic == Topic::kCarriedToNext) {
      const int row = k.topic == Topic::kOutcome ? k.row : kCarriedToNextYear;
      if (HasSentenceEnd(absl::string_view(text_).substr(sentence_end_, begin - sentence_end_))) {
        FlushSentence();
      }
      sentence_end_ = end;
      sentence_.push_back({row, *n, start, Offset(end)});
      if (m.percent.data() != nullptr) Percentage(*n, m.percent, match_end);
    }
  }

  // N-PCT for an outcome count with a percentage after it.
  void Percentage(int64_t count, absl::string_view printed, size_t match_end) {
    const std::string folded = FoldDigits(printed);
    const absl::StatusOr<Decimal> percent = ParseDecimal(folded);
    if (!percent.ok()) return;
    const size_t dot = folded.find('.');
    const int decimals = dot == std::string::npos ? 0 : static_cast<int>(folded.size() - dot - 1);
    // Which denominator the writer divided by is not printed next to the
    // percentage: any the report gives will do — （七）总计, 一, 一 + 二, or
    // a 受理 count stated before.
    const std::optional<int64_t> outcomes = table_.Total(kOutcomesTotal);
    const std::optional<int64_t> received = table_.Total(kReceived);
    const std::optional<int64_t> carried = table_.Total(kCarriedOver);
    std::vector<int64_t> denominators = stated_requests_;
    if (outcomes) denominators.push_back(*outcomes);
    if (received) denominators.push_back(*received);
    if (received && carried) denominators.push_back(*received + *carried);
    if (denominators.empty()) return;
    for (int64_t d : denominators) {
      if (PercentFits(*percent, decimals, count, d)) return;
    }
    const int64_t shown = outcomes.value_or(denominators.front());
    const int start = Offset(Begin(text_, printed));
    const int end = Offset(match_end);  // the match ends with the "%"
    v1::Finding& f = NewFinding(Rule::kNPct, out_);  // N-PCT
    LocateText(field_, start, end, f.mutable_location());
    f.set_expected(PercentText(count, shown, decimals));
    f.set_actual(absl::StrCat(folded, "%"));
    f.set_message(absl::StrCat("正文中 ", count, " 件所附百分比 ", folded, "% 与报告中的总数都不符（以",
                               outcomes ? "（七）总计 " : "", shown, " 为分母应为 ",
                               PercentText(count, shown, decimals), "）"));
  }

  // N-T3-COVER: outcome classes listed in one sentence add up to （七）总计,
  // or （七）总计 + 四 when the list also gives 结转下年度.
  void FlushSentence() {
    CheckCover(sentence_);
    sentence_.clear();
  }

  void CheckCover(const std::vector<Stated>& s) {
    int outcomes = 0;
    bool carried = false;
    absl::int128 sum = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (s[j].row == s[i].row) return;  // a class twice: not a plain list
      }
      if (s[i].row == kCarriedToNextYear) {
        carried = true;
      } else {
        ++outcomes;
      }
      sum += s[i].count;
    }
    if (outcomes < 2) return;
    const std::optional<int64_t> total = table_.Total(kOutcomesTotal);
    const std::optional<int64_t> next = table_.Total(kCarriedToNextYear);
    if (!total || (carried && !next)) return;
    const int64_t expected = *total + (carried ? *next : 0);
    if (sum == expected) return;

    // The classes the sentence leaves out that the table has cases of.
    std::vector<std::string> missing;
    static constexpr int kClasses[] = {kDisclosed,  kPartiallyDisclosed, kWithheldGroup,
                                       kUnableGroup, kNotProcessedGroup, kOtherHandlingGroup};
    for (int row : kClasses) {
      bool stated = false;
      for (const Stated& x : s) stated = stated || x.row == row;
      const std::optional<int64_t> v = table_.Total(row);
      if (!stated && v.value_or(0) > 0) {
        missing.push_back(absl::StrCat(kRequestRows[row].label, " ", *v, " 件"));
      }
    }
    v1::Finding& f = NewFinding(Rule::kNT3Cover, out_);  // N-T3-COVER
    LocateText(field_, s.front().start, s.back().end, f.mutable_location());
    f.set_expected(absl::StrCat(expected));
    f.set_actual(absl::StrCat(static_cast<int64_t>(sum)));
    for (const Stated& x : s) {
      const RequestRow& row = kRequestRows[x.row];
      v1::Addend* a = f.add_addends();
      a->set_field_path(row.is_group ? row.field : absl::StrCat(row.field, ".total"));
      a->set_label(row.label);
      a->set_value(x.count);
    }
    std::string message = absl::StrCat(
        "正文列举的办理结果之和为 ", static_cast<int64_t>(sum), "，表三“（七）总计”为 ", *total,
        carried ? absl::StrCat("，加“", kRequestRows[kCarriedToNextYear].label, "” ", *next, " 为 ",
                               expected)
                : "");
    if (!missing.empty()) absl::StrAppend(&message, "；正文未提及：", absl::StrJoin(missing, "、"));
    f.set_message(std::move(message));
  }

  // N-DONE: "均按时办结" while requests are carried over to next year.
  void AllConcluded(absl::string_view phrase) {
    if (CodePoints(phrase) > 12 || ContainsAny(phrase, {"未", "尚", "没"})) return;
    const std::optional<int64_t> next = table_.Total(kCarriedToNextYear);
    if (!next.has_value() || *next == 0) return;
    const int start = Offset(Begin(text_, phrase));
    const int end = Offset(End(text_, phrase));
    v1::Finding& f = NewFinding(Rule::kNDone, out_);  // N-DONE
    LocateText(field_, start, end, f.mutable_location());
    f.set_expected("0");
    f.set_actual(absl::StrCat(*next));
    f.set_message(absl::StrCat("正文称“", phrase, "”，但表三“",
                               kRequestRows[kCarriedToNextYear].label, "”总计为 ", *next));
  }

  // N-T4: "均获维持" needs 结果纠正 = 0 and 尚未审结 = 0 in the blocks its
  // sentence is about (行政复议, 行政诉讼, or all when it names neither).
  void AllUpheld(absl::string_view phrase) {
    const size_t begin = Begin(text_, phrase);
    const absl::string_view sentence = SentenceAround(begin, End(text_, phrase));
    const bool reconsideration = Contains(sentence, "行政复议");
    const bool litigation = ContainsAny(sentence, {"诉讼", "起诉"});
    std::vector<std::string> wrong;
    for (int block = 0; block < kAppealBlockCount; ++block) {
      const bool in_scope = reconsideration == litigation  // both or neither: all blocks
                                ? true
                                : (block == 0 ? reconsideration : litigation);
      if (!in_scope) continue;
      const v1::AppealOutcomes& b = GetAppealBlock(r_, block);
      for (int col : {1, 3}) {  // 结果纠正, 尚未审结
        const std::optional<int64_t> v = Usable(GetAppealCell(b, col));
        if (!v.has_value()) return;  // not assessable
        if (*v > 0) {
          wrong.push_back(absl::StrCat(kAppealBlocks[block].label, " ", kAppealColumns[col].label,
                                       " ", *v));
        }
      }
    }
    if (wrong.empty()) return;
    const int start = Offset(begin);
    const int end = Offset(End(text_, phrase));
    v1::Finding& f = NewFinding(Rule::kNT4, out_);  // N-T4
    LocateText(field_, start, end, f.mutable_location());
    f.set_expected("结果纠正 0、尚未审结 0");
    f.set_actual(absl::StrJoin(wrong, "；"));
    f.set_message(absl::StrCat("正文称“", phrase, "”，但表四中", absl::StrJoin(wrong, "、")));
  }

  absl::string_view SentenceAround(size_t begin, size_t end) const {
    const absl::string_view t(text_);
    size_t from = 0;
    for (absl::string_view e : kSentenceEnds) {
      const size_t at = t.rfind(e, begin);
      if (at != absl::string_view::npos && at + e.size() <= begin) {
        from = std::max(from, at + e.size());
      }
    }
    size_t to = t.size();
    for (absl::string_view e : kSentenceEnds) {
      to = std::min(to, t.find(e, end));
    }
    return t.substr(from, to - from);
  }

  const v1::Report& r_;
  const RequestTable& table_;
  const TextField& field_;
  const std::string& text_;
  CodePointCursor cursor_;
  Findings* out_;
  std::vector<int64_t> stated_requests_;  // 受理/新收 counts so far, for N-PCT
  std::vector<Stated> sentence_;          // outcome classes of the current sentence
  size_t sentence_end_ = 0;               // byte after the last one
};

// ================================================================ S-YEAR
const RE2& TitleYearPattern() {
  static const RE2* re = new RE2("([0-9０-９]{4})[ \\t　]*年");
  return *re;
}

// A year opening a paragraph: "2021 年，", "2021年度，". Matched anchored at
// the paragraph's start.
const RE2& ParagraphYearPattern() {
  static const RE2* re = new RE2("[ \\t　]*([0-9０-９]{4})[ \\t　]*年度?[ \\t　]*[，,]");
  return *re;
}

// The statistics period "Y年1月1日（起）至Y年12月31日": groups 1 and 2.
const RE2& PeriodPattern() {
  static const RE2* re = new RE2(
      "([0-9０-９]{4})[ \\t　]*年[ \\t　]*0?1[ \\t　]*月[ \\t　]*0?1[ \\t　]*日[ \\t　]*起?[ \\t　]*"
      "(?:至|到|—|－|-|~|～)[ \\t　]*"
      "([0-9０-９]{4})[ \\t　]*年[ \\t　]*12[ \\t　]*月[ \\t　]*31[ \\t　]*日");
  return *re;
}

class YearScan {
 public:
  YearScan(int year, const TextField& field, Findings* out)
      : year_(year), field_(field), text_(*field.text), out_(out) {}

  void Title() {
    re2::StringPiece g[2];
    CodePointCursor cursor(text_);
    if (TitleYearPattern().Match(Piece(), 0, text_.size(), RE2::UNANCHORED, g, 2)) {
      Check(g[1], &cursor, "标题中");
    }
  }

  // Only parts 一 and 六: part 五 rightly opens paragraphs with next year's
  // plans ("2022 年，我局将…").
  void ParagraphStarts() {
    CodePointCursor cursor(text_);
    re2::StringPiece g[2];
    for (size_t begin = 0; begin < text_.size();) {
      size_t end = text_.find('\n', begin);
      if (end == std::string::npos) end = text_.size();
      // Only lines that open with a digit or a space can match (CJK text
      // opens with 0xE4–0xE9, "（" with 0xEF, "　" with 0xE3).
      const unsigned char first = static_cast<unsigned char>(text_[begin]);
      if ((absl::ascii_isdigit(first) || first == ' ' || first == '\t' || first == 0xEF ||
           first == 0xE3) &&
          ParagraphYearPattern().Match(Piece(), begin, end, RE2::ANCHOR_START, g, 2)) {
        Check(g[1], &cursor, "段首");
      }
      begin = end + 1;
    }
  }

  void Periods() {
    // Every period has a 12 and a 31; most texts have not both.
    if (!(Contains(text_, "31") && Contains(text_, "12")) &&
        !(Contains(text_, "３１") && Contains(text_, "１２"))) {
      return;
    }
    CodePointCursor cursor(text_);
    re2::StringPiece g[3];
    for (size_t pos = 0; pos < text_.size() &&
                         PeriodPattern().Match(Piece(), pos, text_.size(), RE2::UNANCHORED, g, 3);
         pos = End(text_, g[0])) {
      Check(g[1], &cursor, "统计期限中");
      Check(g[2], &cursor, "统计期限中");
    }
  }

 private:
  re2::StringPiece Piece() const { return re2::StringPiece(text_.data(), text_.size()); }

  void Check(const re2::StringPiece& digits, CodePointCursor* cursor, const char* where) {
    const std::optional<int64_t> found = ParseCount(View(digits));
    if (!found.has_value() || *found == year_) return;
    const int start = cursor->Advance(Begin(text_, digits));
    const int end = cursor->Advance(End(text_, digits));
    v1::Finding& f = NewFinding(Rule::kSYear, out_);  // S-YEAR
    LocateText(field_, start, end, f.mutable_location());
    f.set_expected(absl::StrCat(year_));
    f.set_actual(absl::StrCat(*found));
    // "标题中的年度 2020 …", "第一部分段首的年度 2020 …",
    // "第六部分统计期限中的年度 2020 …".
    const std::string part =
        field_.field == std::string("title") ? "" : absl::StrCat("第", field_.section, "部分");
    f.set_message(absl::StrCat(part, where, "的年度 ", *found, " 与报告年度 ", year_, " 不一致"));
  }

  const int year_;
  const TextField& field_;
  const std::string& text_;
  Findings* out_;
};

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

void CheckNarrative(const v1::Report& r, const RequestTable& requests, Findings* out) {
  const auto fields = TextFields(r);
  for (size_t i = 1; i < fields.size(); ++i) NarrativeScan(r, requests, fields[i], out).Run();
}

void CheckYears(const v1::Report& r, Findings* out) {
  if (r.year() <= 0) return;
  const auto fields = TextFields(r);
  YearScan(r.year(), fields[0], out).Title();
  for (int i : {1, 3}) YearScan(r.year(), fields[i], out).ParagraphStarts();  // 一, 六
  for (int i : {1, 2, 3}) YearScan(r.year(), fields[i], out).Periods();
}

void CheckConfidentiality(const v1::Report& r, Findings* out) {
  for (const TextField& field : TextFields(r)) {
    if (field.text->empty()) continue;
    CheckMarks(field, out);
    NumberScan(field, out).Run();
  }
}

}  // namespace disclosure::rules_internal
