#include "core/import/document.h"

#include "absl/strings/str_cat.h"

namespace disclosure {

std::string DescribeSource(const Source& s) {
  if (s.page > 0) return absl::StrCat("page ", s.page, " (x ", s.x, ", y ", s.y, ")");
  if (s.line > 0) return absl::StrCat("line ", s.line);
  return "";
}

std::string DescribeSourceZh(const Source& s) {
  if (s.page > 0) return absl::StrCat("第 ", s.page, " 页（x ", s.x, "，y ", s.y, "）");
  if (s.line > 0) return absl::StrCat("第 ", s.line, " 行");
  return "";
}

}  // namespace disclosure
