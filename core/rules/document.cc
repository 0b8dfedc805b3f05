// DOC-MATCH, DOC-UNREAD (rules.h CompareWithDocument): the published
// document's figures against the report's, cell by cell.
#include "absl/strings/str_cat.h"
#include "core/rules/internal.h"

namespace disclosure {

using rules_internal::NewFinding;
using rules_internal::Rule;

void CompareWithDocument(const v1::Report& report, const v1::Report* document,
                         absl::string_view why,
                         google::protobuf::RepeatedPtrField<v1::Finding>* out) {
  if (!report.has_published_document()) return;
  if (document == nullptr) {
    v1::Finding& f = NewFinding(Rule::kDocUnread, out);  // DOC-UNREAD
    f.mutable_location()->set_field_path("published_document");
    f.set_expected("可读取的发布文件");
    f.set_actual(std::string(why));
    f.set_message(absl::StrCat("发布文件（", report.published_document().sha256(),
                               "）无法读取，未与报告比对：", why));
    return;
  }
  auto show = [](const std::optional<std::string>& v) { return v.has_value() ? *v : "空"; };
  int differing = 0;
  auto mismatch = [&](const std::string& name, const std::optional<std::string>& in_document,
                      const std::optional<std::string>& in_report, auto locate) {
    if (in_document == in_report) return;
    if (++differing > kMaxDocumentMismatches) return;
    v1::Finding& f = NewFinding(Rule::kDocMatch, out);  // DOC-MATCH
    locate(f.mutable_location());
    f.set_expected(show(in_document));
    f.set_actual(show(in_report));
    f.set_message(absl::StrCat("发布文件与报送的报告不一致：", name, "发布文件中为 ",
                               show(in_document), "，报告中为 ", show(in_report)));
  };
  auto text = [](std::optional<int64_t> v) {
    return v.has_value() ? std::optional<std::string>(absl::StrCat(*v)) : std::nullopt;
  };
  for (const CountCell& c : AllCountCells()) {
    // What the importer could not read is not the document's value.
    if (UnreadEntryOf(*document, c.field_path) != nullptr) continue;
    mismatch(rules_internal::CellName(c), text(GetCount(*document, c)), text(GetCount(report, c)),
             [&](v1::Location* loc) { rules_internal::LocateCell(c, loc); });
  }
  if (UnreadEntryOf(*document, kFeeFieldPath) == nullptr) {
    mismatch(rules_internal::FeeCellName(), GetFee(*document), GetFee(report), rules_internal::LocateFee);
  }
  if (differing > kMaxDocumentMismatches) {
    v1::Finding& f = NewFinding(Rule::kDocMatch, out);  // DOC-MATCH
    f.mutable_location()->set_field_path("published_document");
    f.set_expected("0");
    f.set_actual(absl::StrCat(differing));
    f.set_message(absl::StrCat("发布文件与报送的报告共有 ", differing, " 处不一致（以上列出前 ",
                               kMaxDocumentMismatches, " 处）：发布的可能不是这份报告"));
  }
}

}  // namespace disclosure
