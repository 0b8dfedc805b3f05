// The 2021 national template (国办公开办函〔2021〕30号) as data: every part,
// table row and column with its Chinese label and its field path in
// disclosure.v1.Report. Importer, exporter, rules and diffs all walk these
// lists, so a label or an order is written down exactly once.
#ifndef DISCLOSURE_CORE_REPORT_TEMPLATE_H_
#define DISCLOSURE_CORE_REPORT_TEMPLATE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "disclosure/v1/report.pb.h"

namespace disclosure {


// The six parts, in the template's order.
struct Part {
  const char* numeral;   // "一" … "六"
  const char* heading;   // "一、总体情况"
  const char* field;     // "overview", "proactive_disclosure", …
};
inline constexpr int kPartCount = 6;
extern const std::array<Part, kPartCount> kParts;

// ---------------------------------------------------------------- table 二
// Row kinds of table 二: three document counts, one decision count, or the fee.
enum class ProactiveKind { kDocuments, kDecisions, kFee };
struct ProactiveRow {
  const char* field;      // "regulations"
  const char* label;      // "规章"
  const char* article;    // "第二十条第（一）项"
  ProactiveKind kind;
};
inline constexpr int kProactiveRowCount = 6;
extern const std::array<ProactiveRow, kProactiveRowCount> kProactiveRows;

// Columns of the document rows.
struct Column {
  const char* field;  // "issued"
  const char* label;  // "本年制发件数"
};
extern const std::array<Column, 3> kDocumentColumns;
extern const Column kDecisionColumn;  // decisions / 本年处理决定数量
extern const Column kFeeColumn;       // amount_10k_yuan / 本年收费金额（单位：万元）

// Cells of table 二 by (row index, column index). Column is 0..2 for document
// rows and 0 for decision rows. Not for the fee row.
std::optional<int64_t> GetProactiveCount(const v1::Report& r, int row, int col);
void SetProactiveCount(v1::Report* r, int row, int col, std::optional<int64_t> v);
// The fee cell, as published text; nullopt when empty.
std::optional<std::string> GetFee(const v1::Report& r);
void SetFee(v1::Report* r, std::optional<std::string> v);

// ---------------------------------------------------------------- table 三
// The seven applicant columns: six parts and 总计 (index 6).
inline constexpr int kApplicantColumnCount = 7;
inline constexpr int kApplicantTotalColumn = 6;
extern const std::array<Column, kApplicantColumnCount> kApplicantColumns;

// Rows of table 三 in the template's order. Data rows hold seven numbers;
// group rows (三、本年度办理结果 and （三）–（六）) hold none.
struct RequestRow {
  const char* field;   // path below Report, e.g. "requests.outcomes.withheld.state_secret"
  const char* label;   // template label, e.g. "1.属于国家秘密"
  int group;           // index in kRequestRows of its group row, or -1
  bool is_group;       // a group row carries no numbers
};
inline constexpr int kRequestRowCount = 30;
extern const std::array<RequestRow, kRequestRowCount> kRequestRows;

// Indices of some rows in kRequestRows that rules name.
enum RequestRowIndex : int {
  kReceived = 0,
  kCarriedOver = 1,
  kOutcomesGroup = 2,
  kDisclosed = 3,
  kPartiallyDisclosed = 4,
  kWithheldGroup = 5,          // sub-items 6..13
  kUnableGroup = 14,           // sub-items 15..17
  kNotProcessedGroup = 18,     // sub-items 19..23
  kOtherHandlingGroup = 24,    // sub-items 25..27
  kOutcomesTotal = 28,
  kCarriedToNextYear = 29,
};

// The row message of a data row; nullptr for group rows.
const v1::ApplicantCounts* GetRequestRow(const v1::Report& r, int row);
v1::ApplicantCounts* MutableRequestRow(v1::Report* r, int row);
std::optional<int64_t> GetApplicantCell(const v1::ApplicantCounts& c, int col);
void SetApplicantCell(v1::ApplicantCounts* c, int col, std::optional<int64_t> v);

// ---------------------------------------------------------------- table 四
struct AppealBlock {
  const char* field;   // "appeals.administrative_reconsideration"
  const char* label;   // "行政复议"
};
inline constexpr int kAppealBlockCount = 3;
inline constexpr int kAppealColumnCount = 5;
inline constexpr int kAppealTotalColumn = 4;
extern const std::array<AppealBlock, kAppealBlockCount> kAppealBlocks;
extern const std::array<Column, kAppealColumnCount> kAppealColumns;  // 结果维持 … 总计

const v1::AppealOutcomes& GetAppealBlock(const v1::Report& r, int block);
v1::AppealOutcomes* MutableAppealBlock(v1::Report* r, int block);
std::optional<int64_t> GetAppealCell(const v1::AppealOutcomes& b, int col);
void SetAppealCell(v1::AppealOutcomes* b, int col, std::optional<int64_t> v);

// ---------------------------------------------------------------- all cells
// Every count cell of the three tables, in template order (二, 三, 四); the
// fee cell is not a count and is not in this list.
struct CountCell {
  char section;        // '2', '3' or '4' (tables 二, 三, 四)
  int row;             // index into kProactiveRows / kRequestRows / kAppealBlocks
  int col;             // column index in that table
  std::string field_path;  // "requests.outcomes.total.natural_person"
  std::string row_path;    // "requests.outcomes.total"
  const char* column;      // "natural_person"
  const char* row_label;   // "（七）总计"
  const char* column_label;  // "自然人"
};
const std::vector<CountCell>& AllCountCells();
// The largest count a report can hold: 10^12 − 1 (the largest real counts,
// a province's 行政许可 decisions, are below 10^9). Bounding every cell, and
// every count a narrative states, keeps every sum and product of the rules
// far inside int64 (issue 12: INT64_MAX in a cell printed negative sums).
// CreateVersion refuses a larger count; the rules report it (T-INT).
inline constexpr int64_t kMaxCount = 999'999'999'999;
std::optional<int64_t> GetCount(const v1::Report& r, const CountCell& c);
void SetCount(v1::Report* r, const CountCell& c, std::optional<int64_t> v);

// ---------------------------------------------------------------- unread
// Most Report.import_record.unread entries (the tables have 277 cells).
inline constexpr int kMaxUnreadEntries = 300;
// The field path of the fee cell of table 二.
extern const char kFeeFieldPath[];

// True when `path` is the field path of a cell of the three tables (the fee
// included), or of a row or block that holds such cells.
bool IsTablePath(const std::string& path);
// The entry of r.import_record().unread that covers the cell `field_path`
// (names it, or a row or block above it); null when none does.
const v1::UnreadCells* UnreadEntryOf(const v1::Report& r, const std::string& field_path);

// Creates every row message of the three tables (their cells stay as they
// are), so that a report read from text and the same report built by hand
// compare equal however their empty rows were made.
void MaterializeTables(v1::Report* r);

// The Chinese section numeral of a table cell ("二", "三", "四").
const char* SectionNumeral(const CountCell& c);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_REPORT_TEMPLATE_H_
