// The number checks of the confidentiality pre-screen: GB 11643 check
// character of resident ID numbers, Luhn, mobile numbers, masking.
#include "core/rules/identity_numbers.h"

#include <ostream>
#include <string>

#include "gtest/gtest.h"

namespace disclosure {
namespace {

// Examples with their check characters; the first two are the examples of
// GB 11643-1999 itself.
struct IdCase {
  const char* first17;
  char check;
};

void PrintTo(const IdCase& c, std::ostream* os) { *os << c.first17 << c.check; }

class ResidentIdCheckTest : public ::testing::TestWithParam<IdCase> {};

TEST_P(ResidentIdCheckTest, ComputesTheCheckCharacter) {
  EXPECT_EQ(ResidentIdCheckCharacter(GetParam().first17), GetParam().check);
}

TEST_P(ResidentIdCheckTest, AcceptsTheRightAndRejectsEveryWrongCharacter) {
  const std::string first17 = GetParam().first17;
  for (char c : std::string("0123456789X")) {
    EXPECT_EQ(HasValidResidentIdCheck(first17 + c), c == GetParam().check) << first17 << c;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ResidentIdCheckTest,
                         ::testing::Values(IdCase{"11010519491231002", 'X'},
                                           IdCase{"44052418800101001", '4'},
                                           IdCase{"41010519900307123", 'X'},
                                           IdCase{"41010520000101123", '9'},
                                           IdCase{"41010519851231001", '1'},
                                           IdCase{"11010119900307763", '5'}));

TEST(ResidentId, LowerCaseXIsTheCheckCharacterX) {
  EXPECT_TRUE(HasValidResidentIdCheck("11010519491231002x"));
  EXPECT_TRUE(IsResidentIdNumber("11010519491231002x"));
}

TEST(ResidentId, RejectsWrongLengthsAndNonDigits) {
  EXPECT_FALSE(ResidentIdCheckCharacter("1101051949123100").has_value());    // 16
  EXPECT_FALSE(ResidentIdCheckCharacter("110105194912310021").has_value());  // 18
  EXPECT_FALSE(ResidentIdCheckCharacter("1101051949123100A").has_value());
  EXPECT_FALSE(ResidentIdCheckCharacter("").has_value());
  EXPECT_FALSE(HasValidResidentIdCheck("11010519491231002"));    // no check character
  EXPECT_FALSE(HasValidResidentIdCheck("11010519491231002XX"));  // 19
  EXPECT_FALSE(HasValidResidentIdCheck("1101051949123100X2"));   // X inside
  EXPECT_FALSE(HasValidResidentIdCheck("１１０１０５１９４９１２３１００２X"));  // full-width
  EXPECT_FALSE(IsResidentIdNumber("4101051990030712"));
}

TEST(ResidentId, NeedsARealDateOfBirth) {
  // Right check characters, impossible dates.
  EXPECT_TRUE(HasValidResidentIdCheck("410105199002301232"));  // 30 February
  EXPECT_FALSE(IsResidentIdNumber("410105199002301232"));
  EXPECT_TRUE(HasValidResidentIdCheck("440524188001010014"));  // 1880: the standard's example
  EXPECT_TRUE(IsResidentIdNumber("440524188001010014"));
  EXPECT_TRUE(IsResidentIdNumber("410105200001011239"));       // 1 January 2000
}

TEST(Luhn, AcceptsValidNumbers) {
  for (const char* n : {"4111111111111111", "79927398713", "6222020200112345679",
                        "6228480012345678903", "62170000100123458", "0"}) {
    EXPECT_TRUE(PassesLuhn(n)) << n;
  }
}

TEST(Luhn, RejectsEveryChangedLastDigit) {
  const std::string valid = "6222020200112345679";
  for (char c = '0'; c <= '9'; ++c) {
    std::string n = valid;
    n.back() = c;
    EXPECT_EQ(PassesLuhn(n), c == '9') << n;
  }
}

TEST(Luhn, RejectsSwappedDigitsEmptyAndNonDigits) {
  EXPECT_FALSE(PassesLuhn("4111111111111121"));
  EXPECT_FALSE(PassesLuhn("79927398731"));  // adjacent digits swapped
  EXPECT_FALSE(PassesLuhn(""));
  EXPECT_FALSE(PassesLuhn("4111 1111 1111 1111"));
  EXPECT_FALSE(PassesLuhn("411111111111111X"));
}

TEST(Mobile, MainlandNumbers) {
  EXPECT_TRUE(IsMainlandMobileNumber("13812345678"));
  EXPECT_TRUE(IsMainlandMobileNumber("19912345678"));
  EXPECT_FALSE(IsMainlandMobileNumber("12812345678"));   // 12x is not a mobile prefix
  EXPECT_FALSE(IsMainlandMobileNumber("23812345678"));
  EXPECT_FALSE(IsMainlandMobileNumber("1381234567"));    // 10 digits
  EXPECT_FALSE(IsMainlandMobileNumber("138123456789"));  // 12 digits
  EXPECT_FALSE(IsMainlandMobileNumber("1381234567a"));
}

TEST(Mask, KeepsOnlyTheEnds) {
  EXPECT_EQ(MaskMiddle("41010519900307123X", 4, 4), "4101**********123X");
  EXPECT_EQ(MaskMiddle("13812345678", 3, 4), "138****5678");
  EXPECT_EQ(MaskMiddle("6222020200112345679", 4, 4), "6222***********5679");
  EXPECT_EQ(MaskMiddle("1234567", 4, 4), "*******");  // too short to show anything
  EXPECT_EQ(MaskMiddle("", 3, 4), "");
}

}  // namespace
}  // namespace disclosure
