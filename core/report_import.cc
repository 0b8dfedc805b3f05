#include "core/report_import.h"
namespace disclosure {
bool ImportResult::HasUnplaced() const { return false; }
absl::StatusOr<ImportResult> ImportText(absl::string_view, const ImportOptions&) {
  return absl::UnimplementedError("import");
}
std::vector<v1::Finding> StructureFindings(const ImportResult&) { return {}; }
}  // namespace disclosure
