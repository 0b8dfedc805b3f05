#include "core/report/decimal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace disclosure {

std::string Decimal::ToString() const {
  // Through uint64 so that the most negative value has a magnitude too.
  const uint64_t magnitude =
      units_ < 0 ? 0 - static_cast<uint64_t>(units_) : static_cast<uint64_t>(units_);
  std::string out = absl::StrCat(units_ < 0 ? "-" : "", magnitude / kScale);
  uint64_t fraction = magnitude % kScale;
  if (fraction == 0) return out;
  int digits = kMaxDecimals;
  while (fraction % 10 == 0) {
    fraction /= 10;
    --digits;
  }
  std::string decimals = absl::StrCat(fraction);
  return absl::StrCat(out, ".", std::string(digits - decimals.size(), '0'), decimals);
}

DecimalProblem DiagnoseDecimal(absl::string_view text) {
  if (text.empty()) return DecimalProblem::kEmpty;
  absl::string_view body = text;
  const bool negative = body.front() == '-';
  if (negative) body.remove_prefix(1);

  // The number is the leading run of digits, ',' and '.'; anything after it
  // is a suffix (a unit, mostly).
  size_t end = 0;
  while (end < body.size() &&
         (absl::ascii_isdigit(body[end]) || body[end] == ',' || body[end] == '.')) {
    ++end;
  }
  const absl::string_view number = body.substr(0, end);
  const absl::string_view suffix = body.substr(end);
  if (number.empty() || !absl::ascii_isdigit(number.front())) return DecimalProblem::kMalformed;
  if (negative) return DecimalProblem::kNegative;
  if (!suffix.empty()) {
    for (char c : suffix) {
      if (absl::ascii_isdigit(c)) return DecimalProblem::kMalformed;  // "1 234"
    }
    return DecimalProblem::kUnitSuffix;
  }
  if (number.find(',') != absl::string_view::npos) return DecimalProblem::kThousandsSeparator;

  const size_t dot = number.find('.');
  absl::string_view whole = number.substr(0, dot);
  if (dot != absl::string_view::npos) {
    const absl::string_view decimals = number.substr(dot + 1);
    if (decimals.empty() || decimals.find('.') != absl::string_view::npos) {
      return DecimalProblem::kMalformed;  // "3." or "1.2.3"
    }
    if (decimals.size() > Decimal::kMaxDecimals) return DecimalProblem::kTooManyDecimals;
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > Decimal::kMaxWholeDigits) return DecimalProblem::kTooLarge;
  return DecimalProblem::kNone;
}

namespace {

const char* Describe(DecimalProblem p) {
  switch (p) {
    case DecimalProblem::kNone: return "no problem";
    case DecimalProblem::kEmpty: return "is empty";
    case DecimalProblem::kNegative: return "is negative";
    case DecimalProblem::kUnitSuffix: return "has a unit or other text after the number";
    case DecimalProblem::kThousandsSeparator: return "has a thousands separator";
    case DecimalProblem::kTooManyDecimals: return "has more than 4 decimals";
    case DecimalProblem::kTooLarge: return "has more than 14 whole digits";
    case DecimalProblem::kMalformed: return "is not a decimal number";
  }
  return "is not a decimal number";
}

}  // namespace

absl::StatusOr<Decimal> ParseDecimal(absl::string_view text) {
  if (const DecimalProblem p = DiagnoseDecimal(text); p != DecimalProblem::kNone) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' ", Describe(p)));
  }
  // Canonical now: digits, optionally '.' and 1–4 digits, whole part in range.
  int64_t units = 0;
  int decimals = -1;  // -1 until the '.'
  for (char c : text) {
    if (c == '.') {
      decimals = 0;
      continue;
    }
    units = units * 10 + (c - '0');
    if (decimals >= 0) ++decimals;
  }
  for (int d = decimals < 0 ? 0 : decimals; d < Decimal::kMaxDecimals; ++d) units *= 10;
  return Decimal::FromUnits(units);
}

}  // namespace disclosure
