// Exact decimal amounts for the one money cell of the template, 表二
// 行政事业性收费 (本年收费金额，单位：万元). Published values carry up to four
// decimals (22943.1665 万元 is 229,431,665 元), which a binary float cannot hold
// exactly: a Decimal is a whole number of 1/10000 units in an int64.
#ifndef DISCLOSURE_CORE_REPORT_DECIMAL_H_
#define DISCLOSURE_CORE_REPORT_DECIMAL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace disclosure {

class Decimal {
 public:
  static constexpr int kMaxDecimals = 4;
  static constexpr int64_t kScale = 10000;  // units in 1
  // 14 whole digits times kScale stays below 2^63.
  static constexpr int kMaxWholeDigits = 14;

  constexpr Decimal() = default;
  static constexpr Decimal FromUnits(int64_t units) { return Decimal(units); }
  // `whole` must be within ±10^14.
  static constexpr Decimal Whole(int64_t whole) { return Decimal(whole * kScale); }

  constexpr int64_t units() const { return units_; }

  // Shortest exact form: "22943.1665", "3", "0.5", "-1.25".
  std::string ToString() const;

  friend constexpr bool operator==(Decimal a, Decimal b) { return a.units_ == b.units_; }
  friend constexpr bool operator!=(Decimal a, Decimal b) { return a.units_ != b.units_; }
  friend constexpr bool operator<(Decimal a, Decimal b) { return a.units_ < b.units_; }
  friend constexpr bool operator<=(Decimal a, Decimal b) { return a.units_ <= b.units_; }
  friend constexpr bool operator>(Decimal a, Decimal b) { return a.units_ > b.units_; }
  friend constexpr bool operator>=(Decimal a, Decimal b) { return a.units_ >= b.units_; }

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  int64_t units_ = 0;
};

// Why a text is not a decimal of the canonical form ^[0-9]+(\.[0-9]{1,4})?$.
// The problems are the ones seen in published tables, so that a finding can
// say what to fix; the first that applies, in this order, is reported.
enum class DecimalProblem {
  kNone,
  kEmpty,               // ""
  kNegative,            // "-3"
  kUnitSuffix,          // "22943.1665万元", "3元"
  kThousandsSeparator,  // "22,943.1665"
  kTooManyDecimals,     // "1.23456"
  kTooLarge,            // more than kMaxWholeDigits significant whole digits
  kMalformed,           // anything else: "abc", "1.2.3", ".5", " 3", "３"
};
DecimalProblem DiagnoseDecimal(absl::string_view text);

// Parses the canonical form (leading zeros allowed: "007" is 7). Errors are
// InvalidArgument and name the DecimalProblem in English.
absl::StatusOr<Decimal> ParseDecimal(absl::string_view text);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_REPORT_DECIMAL_H_
