// Echo: what request values look like in errors and log lines.
#include "core/base/text_util.h"

#include <string>

#include "gtest/gtest.h"

namespace disclosure {
namespace {

TEST(Echo, KeepsUtf8AndEscapesControlsQuotesAndBackslashes) {
  EXPECT_EQ(Echo("郑州市公安局 – 2021"), "郑州市公安局 – 2021");
  EXPECT_EQ(Echo("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(Echo(std::string("nul\0x\x01\x7f", 7)), "nul\\x00x\\x01\\x7f");
  EXPECT_EQ(Echo("say \"hi\" it's a\\b"), "say \\\"hi\\\" it\\'s a\\\\b");
}

TEST(Echo, EscapesEveryByteOfIllFormedUtf8) {
  EXPECT_EQ(Echo("\xe2\x80"), "\\xe2\\x80");               // cut short
  EXPECT_EQ(Echo("\xc0\xaf"), "\\xc0\\xaf");               // overlong '/'
  EXPECT_EQ(Echo("\xed\xa0\x80"), "\\xed\\xa0\\x80");      // a surrogate
  EXPECT_EQ(Echo("局\xff局"), "局\\xff局");
}

TEST(Echo, EscapesCharactersThatHideOrReorderText) {
  EXPECT_EQ(Echo("a\u2028b\u2029c"), "a\\u2028b\\u2029c");   // line/paragraph separators
  EXPECT_EQ(Echo("x\u202ey\u2066z"), "x\\u202ey\\u2066z");   // bidi override, isolate
  EXPECT_EQ(Echo("\u0085"), "\\u0085");                      // C1 next line
}

TEST(Echo, CutsAtACharacterBoundary) {
  // 局 is three bytes: four of them do not fit in 10.
  EXPECT_EQ(Echo("局局局局", 10), "局局局...[12 bytes]");
  EXPECT_EQ(Echo("abc", 3), "abc");
  EXPECT_EQ(Echo("abcd", 3), "abc...[4 bytes]");
}

}  // namespace
}  // namespace disclosure
