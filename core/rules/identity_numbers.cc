#include "core/rules/identity_numbers.h"

#include "absl/strings/ascii.h"

namespace disclosure {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

int Digits(absl::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

bool IsDate(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1800 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

}  // namespace

std::optional<char> ResidentIdCheckCharacter(absl::string_view first17) {
  if (first17.size() != kResidentIdLength - 1 || !AllDigits(first17)) return std::nullopt;
  // Weight of position i is 2^(17-i) mod 11.
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

bool HasValidResidentIdCheck(absl::string_view id) {
  if (id.size() != kResidentIdLength) return false;
  const std::optional<char> check = ResidentIdCheckCharacter(id.substr(0, 17));
  return check.has_value() && absl::ascii_toupper(id[17]) == *check;
}

bool IsResidentIdNumber(absl::string_view id) {
  return HasValidResidentIdCheck(id) &&
         IsDate(Digits(id.substr(6, 4)), Digits(id.substr(10, 2)), Digits(id.substr(12, 2)));
}

bool IsMainlandMobileNumber(absl::string_view digits) {
  return digits.size() == 11 && AllDigits(digits) && digits[0] == '1' && digits[1] >= '3';
}

bool PassesLuhn(absl::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  int sum = 0;
  bool twice = false;  // every second digit from the right is doubled
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::string MaskMiddle(absl::string_view s, int keep_front, int keep_back) {
  const int n = static_cast<int>(s.size());
  if (keep_front < 0 || keep_back < 0 || keep_front + keep_back >= n) return std::string(n, '*');
  std::string out(s);
  for (int i = keep_front; i < n - keep_back; ++i) out[i] = '*';
  return out;
}

}  // namespace disclosure
