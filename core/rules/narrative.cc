// The narrative against the tables (N-T3, N-T3-COVER, N-T4, N-PCT,
// N-DONE). These rules are warnings and read prose, so they are
// conservative: a count is taken only when a keyword and "N 件" stand in one
// clause with nothing between them that could make the number mean
// something else; anything ambiguous is skipped rather than reported. The
// counts are one RE2 (CountPattern) run once over each text. Offsets in
// findings are Unicode code points of the field's text.
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


}  // namespace

void CheckNarrative(const v1::Report& r, const RequestTable& requests, Findings* out) {
  const auto fields = TextFields(r);
  for (size_t i = 1; i < fields.size(); ++i) NarrativeScan(r, requests, fields[i], out).Run();
}

}  // namespace disclosure::rules_internal
