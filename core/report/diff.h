// Differences between two reports, cell by cell and part by part, named by
// the template's labels.
#ifndef DISCLOSURE_CORE_REPORT_DIFF_H_
#define DISCLOSURE_CORE_REPORT_DIFF_H_

#include <optional>
#include <string>
#include <vector>

#include "disclosure/v1/report.pb.h"

namespace disclosure {


struct ReportChange {
  std::string field_path;             // "requests.outcomes.total.natural_person"
  std::string label;                  // "三 （七）总计 / 自然人"
  std::optional<std::string> before;  // nullopt: empty cell
  std::optional<std::string> after;
};

// In template order: title and year, part 一, tables 二–四, parts 五–六.
std::vector<ReportChange> DiffReports(const v1::Report& before, const v1::Report& after);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_REPORT_DIFF_H_
