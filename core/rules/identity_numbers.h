// The personal numbers the confidentiality pre-screen (保密性审查) looks for in
// a report's text, and how findings show them without repeating them: a
// finding ends up in logs and dashboards, so it carries a masked form only.
//
// All functions take ASCII digits; the text scanner folds full-width digits
// (０–９) before calling them.
#ifndef DISCLOSURE_CORE_RULES_IDENTITY_NUMBERS_H_
#define DISCLOSURE_CORE_RULES_IDENTITY_NUMBERS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace disclosure {

// 居民身份证号码 (GB 11643-1999): 6-digit region code, 8-digit date of birth
// (YYYYMMDD), 3-digit sequence number, and a check character computed from
// the first 17 digits by ISO 7064 MOD 11-2: '0'–'9' or 'X'.
inline constexpr int kResidentIdLength = 18;

// The check character for `first17` (17 ASCII digits); nullopt otherwise.
std::optional<char> ResidentIdCheckCharacter(absl::string_view first17);

// 17 ASCII digits followed by their check character ('x' is taken as 'X',
// as people type it).
bool HasValidResidentIdCheck(absl::string_view id);

// A resident ID number: the check character is right and positions 7–14 are
// a real date (years 1800–2099). The date test halves the 1-in-11 chance that
// an arbitrary 18-digit number passes the check alone.
bool IsResidentIdNumber(absl::string_view id);

// Mainland mobile number: 11 digits, 1[3-9] then 9 digits.
bool IsMainlandMobileNumber(absl::string_view digits);

// Luhn (ISO/IEC 7812-1) check over ASCII digits, as bank card numbers
// (16–19 digits) carry it. False when empty or not all digits.
bool PassesLuhn(absl::string_view digits);

// `s` with all but its first `keep_front` and last `keep_back` characters
// replaced by '*', e.g. MaskMiddle("13812345678", 3, 4) == "138****5678".
// Characters are bytes: use on ASCII only. Too short a string is all '*'.
std::string MaskMiddle(absl::string_view s, int keep_front, int keep_back);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RULES_IDENTITY_NUMBERS_H_
