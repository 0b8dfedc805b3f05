// SplitCountMatch() against RE2's own capture of CountPattern()'s groups:
// the narrative scan asks RE2 for whole matches only and splits them by
// hand, so the two must agree on every match of every text — the texts
// below, and many random ones made of the pattern's pieces.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/rules/internal.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace disclosure::rules_internal {
namespace {

// "[start,end)" of `part` in `text`, or "unset".
std::string Where(absl::string_view text, absl::string_view part) {
  if (part.data() == nullptr) return "unset";
  return "[" + std::to_string(part.data() - text.data()) + "," +
         std::to_string(part.data() - text.data() + part.size()) + ")";
}

// What the matches of a text exercised: how many, and which groups were set.
struct Exercised {
  int matches = 0;
  bool group_set[6] = {};
};

// Every match of the pattern in `text`: RE2's groups and the split's, as
// positions; the first difference is reported with the match. Adds what
// was matched to `*exercised`.
void ExpectSplitAgreesWithRe2(const std::string& text, Exercised* exercised) {
  const re2::StringPiece piece(text);
  re2::StringPiece g[7];
  size_t pos = 0;
  while (pos < text.size() &&
         CountPattern().Match(piece, pos, text.size(), RE2::UNANCHORED, g, 7)) {
    pos = static_cast<size_t>(g[0].data() - text.data()) + g[0].size();
    ASSERT_GT(g[0].size(), 0u);
    ++exercised->matches;
    const CountMatch m = SplitCountMatch(absl::string_view(g[0].data(), g[0].size()));
    const absl::string_view re2_groups[6] = {
        {g[1].data(), g[1].size()}, {g[2].data(), g[2].size()}, {g[3].data(), g[3].size()},
        {g[4].data(), g[4].size()}, {g[5].data(), g[5].size()}, {g[6].data(), g[6].size()}};
    const absl::string_view split_groups[6] = {m.keyword, m.gap,           m.number,
                                               m.percent, m.all_concluded, m.all_upheld};
    for (int i = 0; i < 6; ++i) {
      if (g[i + 1].data() != nullptr) exercised->group_set[i] = true;
      ASSERT_EQ(Where(text, split_groups[i]), Where(text, re2_groups[i]))
          << "group " << i + 1 << " of match “" << g[0] << "” in “" << text << "”";
    }
  }
}

TEST(CountPattern, SplitAgreesWithRe2OnWrittenTexts) {
  const std::vector<std::string> texts = {
      "本年度新收政府信息公开申请 86 件，上年结转 5 件。",
      "共受理申请９１件，其中予以公开31件，占34.4%；部分公开 14 件（15.4％），不予公开4件、"
      "无法提供25件，不予处理1件，其他处理15件，结转下年度继续办理1件。",
      "结转至下一年度 2 件；结转到下年 3 件；结转下一年度4件",
      "全部按时办结，均按时办结。行政复议 2 件，均获维持；行政诉讼3件均被维持，均维持。",
      "行政复议后起诉 1 件，复议后起诉 2 件，直接起诉 3 件，行政诉讼 4 件。",
      "予以公开 31 件，占. 5%；予以公开 31 件，占３４．４％；予以公开 31 件 、 占比为 3.5 %",
      "予以公开 31件（占全部 34.4%)，部分公开 0 件，占 0.%；办结 90 件 占 12.34.5%",
      "收到申请 12 件，12 件，办结率 100%；其他处理 ０ 件",
      "均办结；全部办结了；均予以维持；均为维持；均予维持",
  };
  Exercised all;
  for (const std::string& t : texts) {
    Exercised one;
    ExpectSplitAgreesWithRe2(t, &one);
    EXPECT_GE(one.matches, 1) << "no count matched in “" << t << "”";
    all.matches += one.matches;
    for (int i = 0; i < 6; ++i) all.group_set[i] |= one.group_set[i];
  }
  // Every group (keyword, gap, number, percent, all concluded, all upheld)
  // came up, so every branch of the split was compared.
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(all.group_set[i]) << "group " << i + 1 << " never set";
}

TEST(CountPattern, SplitAgreesWithRe2OnRandomTexts) {
  // Pieces of the pattern and what lies between them in real reports.
  const std::vector<std::string> pieces = {
      "行政", "复议", "后", "起诉", "直接", "诉讼", "新收", "受理", "收到", "上年", "结转",
      "至",   "到",   "下", "一",   "年",   "度",   "予以", "公开", "部分", "不予", "无法",
      "提供", "处理", "其他", "办结", "均",  "全部", "获",   "被",   "为",   "予",   "维持",
      "件",   "占",   "申请", "共",   "%",   "％",   ".",    "．",   "，",   "。",   "、",
      "；",   "（",   "(",    " ",    "　",   "\t",   "\n",   "0",    "1",    "23",   "４",
      "５６", "9",    "按时", "率",   "x",
      // Whole keywords and numbers, so that the long forms come up often.
      "行政复议后起诉", "结转至下一年度", "结转到下年", "３４．４", "12.5", "均获维持", "全部办结",
  };
  std::mt19937 random(20261128);  // fixed: a failure reproduces
  std::uniform_int_distribution<size_t> piece(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 40);
  Exercised all;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int n = length(random); n > 0; --n) text += pieces[piece(random)];
    ExpectSplitAgreesWithRe2(text, &all);
    if (HasFatalFailure()) return;
  }
  // The random texts are made of the pattern's pieces so that they match
  // often; a pattern or generator that stopped matching compares nothing.
  EXPECT_GT(all.matches, 5000);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(all.group_set[i]) << "group " << i + 1 << " never set";
}

}  // namespace
}  // namespace disclosure::rules_internal
