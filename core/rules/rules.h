// The audit rules of the 2021 template, as a library: the audit service,
// its dry-run ValidateReport and `reportctl validate` all call Validate().
//
// Every rule has a stable id and a severity (docs/rules.md lists them with
// their formula and where the template states them). Only ERROR findings
// block publication. All findings are returned, never capped. An empty cell
// is a finding of its own (EMPTY) and a sum that involves an empty cell is
// not assessed, never computed with a zero.
#ifndef DISCLOSURE_CORE_RULES_RULES_H_
#define DISCLOSURE_CORE_RULES_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/rules/catalogue.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "disclosure/v1/findings.pb.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure {


// Version of the rule set; every finding carries it. Bump when a rule is
// added, removed or changes what it reports.
inline constexpr char kRuleSetVersion[] = "2021.1";

// Every rule, named as in the catalogue (core/rules/catalogue.h), in its order.
enum class RuleId : int {
#define DISCLOSURE_RULE_ENUMERATOR(name, id, severity, family, title) name,
  DISCLOSURE_RULE_CATALOGUE(DISCLOSURE_RULE_ENUMERATOR)
#undef DISCLOSURE_RULE_ENUMERATOR
  kCount,
};

// The sections of docs/rules.md.
enum class RuleFamily {
  kTables,
  kAcrossYears,
  kTextAgainstTables,
  kStructure,
  kConfidentiality,
  kDeadline,
};

// One rule of the catalogue.
struct RuleInfo {
  RuleId rule;
  const char* id;           // "T3-ROW"
  // The severity of its findings; T2-FEE's is ERROR for a malformed amount
  // and WARNING for one that looks like 元 rather than 万元.
  v1::Severity severity;
  RuleFamily family;
  const char* title;        // short Chinese name, e.g. "表三各行总计等于各类申请人之和"
};
// Every rule, indexed by RuleId, including S-LABEL, which the importer of
// the published document reports (StructureFindings in core/import/import.h)
// and Validate() cannot.
const std::vector<RuleInfo>& AllRules();
inline const RuleInfo& RuleOf(RuleId rule) { return AllRules()[static_cast<int>(rule)]; }

// What the rules may know beyond the report itself.
struct ValidationContext {
  // The same agency's report for year - 1; cross-year rules run only when set.
  const v1::Report* previous = nullptr;
  // How to name that previous report in findings (Finding.reference), e.g.
  // "agencies/zz-psb/reports/2020/versions/2 sha256:…". May be empty.
  std::string previous_reference;
  // Date the report was submitted (China Standard Time); the deadline rule
  // runs only when set.
  std::optional<absl::CivilDay> submitted;
};

// DOC-MATCH and DOC-UNREAD: `report`'s published document, as the importer
// read it (`document`), against the report. One DOC-MATCH (ERROR) per count
// cell or fee whose value differs — a cell the importer could not read
// (document->import_record().unread) is not compared — at most
// kMaxDocumentMismatches, then one more finding counting the rest.
// `document` null: DOC-UNREAD (WARNING) saying `why` the document could not
// be read. Appends to *out; nothing when `report` has no published_document.
inline constexpr int kMaxDocumentMismatches = 20;
void CompareWithDocument(const v1::Report& report, const v1::Report* document,
                         absl::string_view why,
                         google::protobuf::RepeatedPtrField<v1::Finding>* out);

// Runs every rule on `report`. Findings are ordered by section (the report
// as a whole first, then 标题, 一 … 六), then by the template's row and column
// order (table-level findings first), then by text offset, then by rule id.
std::vector<v1::Finding> Validate(const v1::Report& report,
                                  const ValidationContext& context = {});
// The same findings, in the same order, replacing *out's contents: they are
// made in place, on *out's arena if it has one (the services' responses and
// stored audits), not copied there afterwards.
void Validate(const v1::Report& report, const ValidationContext& context,
              google::protobuf::RepeatedPtrField<v1::Finding>* out);

// The date by which the report of `agency` for `year` is due (条例 第四十九条):
// 31 March of year + 1 for a 人民政府's own report, 31 January for a
// department's. Without AgencyKind, a name ending in 人民政府 that does not
// contain 办公厅/办公室 is a 人民政府. D-DUE and the oversight views use it.
absl::CivilDay ReportDueDate(const v1::Agency& agency, int32_t year);

// True when any finding has severity ERROR.
bool HasErrors(const std::vector<v1::Finding>& findings);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RULES_RULES_H_
