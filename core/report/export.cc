#include "core/report/export.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/report/template.h"
#include "google/protobuf/util/json_util.h"

namespace disclosure {

namespace {

std::string Cell(std::optional<int64_t> v) { return v ? std::to_string(*v) : ""; }

// One Markdown row from its cells.
void Row(std::string* out, const std::vector<std::string>& cells) {
  out->append("|");
  for (const std::string& c : cells) absl::StrAppend(out, " ", c, c.empty() ? "" : " ", "|");
  out->append("\n");
}

void Separator(std::string* out, int columns) {
  out->append("|");
  for (int i = 0; i < columns; ++i) out->append("---|");
  out->append("\n");
}

void Narrative(std::string* out, const Part& part, const std::string& text) {
  absl::StrAppend(out, part.heading, "\n\n");
  for (absl::string_view p : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::StrAppend(out, p, "\n\n");
  }
}

void ProactiveTable(std::string* out, const v1::Report& r) {
  absl::StrAppend(out, kParts[1].heading, "\n\n");
  const char* article = "";
  bool first = true;
  for (int row = 0; row < kProactiveRowCount; ++row) {
    const ProactiveRow& pr = kProactiveRows[row];
    if (std::string(article) != pr.article) {
      article = pr.article;
      Row(out, {pr.article, "", "", ""});
      if (first) Separator(out, 4);
      first = false;
      switch (pr.kind) {
        case ProactiveKind::kDocuments:
          Row(out, {"信息内容", kDocumentColumns[0].label, kDocumentColumns[1].label,
                    kDocumentColumns[2].label});
          break;
        case ProactiveKind::kDecisions:
          Row(out, {"信息内容", kDecisionColumn.label, "", ""});
          break;
        case ProactiveKind::kFee:
          Row(out, {"信息内容", kFeeColumn.label, "", ""});
          break;
      }
    }
    switch (pr.kind) {
      case ProactiveKind::kDocuments:
        Row(out, {pr.label, Cell(GetProactiveCount(r, row, 0)), Cell(GetProactiveCount(r, row, 1)),
                  Cell(GetProactiveCount(r, row, 2))});
        break;
      case ProactiveKind::kDecisions:
        Row(out, {pr.label, Cell(GetProactiveCount(r, row, 0)), "", ""});
        break;
      case ProactiveKind::kFee:
        Row(out, {pr.label, GetFee(r).value_or(""), "", ""});
        break;
    }
  }
  out->append("\n");
}

// Table 三: three label columns (row, outcome, sub-item), then the seven
// applicant columns. A label that spans label columns in the template (一、
// over all three, （一）予以公开 over the last two, …) is repeated in each of
// them, as a merged cell reads once expanded: every row then has its seven
// values right after its last label, so a blank value cell (even the first
// or the 总计) stays in its column when the text is read again. With the
// spanned cells left empty, a row whose first or last value is blank cannot
// be placed (issue 12: 予以公开 / 自然人 18 of changchun-erdao-fwzs-2022).
void RequestTable(std::string* out, const v1::Report& r) {
  absl::StrAppend(out, kParts[2].heading, "\n\n");
  Row(out, {"（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "",
            "申请人情况", "", "", "", "", "", ""});
  Separator(out, 10);
  Row(out, {"", "", "", kApplicantColumns[0].label, "法人或其他组织", "", "", "", "",
            kApplicantColumns[6].label});
  std::vector<std::string> parts = {"", "", "", ""};
  for (int col = 1; col <= 5; ++col) parts.push_back(kApplicantColumns[col].label);
  parts.push_back("");
  Row(out, parts);
  for (int row = 0; row < kRequestRowCount; ++row) {
    const RequestRow& rr = kRequestRows[row];
    if (rr.is_group && row != kOutcomesGroup) continue;  // printed beside their first item
    std::vector<std::string> cells(3);
    if (row == kOutcomesGroup) continue;
    if (rr.group < 0) {
      cells[0] = cells[1] = cells[2] = rr.label;
    } else if (kRequestRows[rr.group].group < 0) {
      // （一）… directly under 三、本年度办理结果
      cells[0] = row == kDisclosed ? kRequestRows[kOutcomesGroup].label : "";
      cells[1] = cells[2] = rr.label;
    } else {
      cells[1] = row == rr.group + 1 ? kRequestRows[rr.group].label : "";
      cells[2] = rr.label;
    }
    const v1::ApplicantCounts& counts = *GetRequestRow(r, row);
    for (int col = 0; col < kApplicantColumnCount; ++col) {
      cells.push_back(Cell(GetApplicantCell(counts, col)));
    }
    Row(out, cells);
  }
  out->append("\n");
}

void AppealTable(std::string* out, const v1::Report& r) {
  absl::StrAppend(out, kParts[3].heading, "\n\n");
  std::vector<std::string> top(15), middle(15), columns;
  top[0] = "行政复议";
  top[5] = "行政诉讼";
  middle[5] = "未经复议直接起诉";
  middle[10] = "复议后起诉";
  std::vector<std::string> values;
  for (int block = 0; block < kAppealBlockCount; ++block) {
    for (int col = 0; col < kAppealColumnCount; ++col) {
      columns.push_back(kAppealColumns[col].label);
      values.push_back(Cell(GetAppealCell(GetAppealBlock(r, block), col)));
    }
  }
  Row(out, top);
  Separator(out, 15);
  Row(out, middle);
  Row(out, columns);
  Row(out, values);
  out->append("\n");
}

}  // namespace

std::string ExportText(const v1::Report& report) {
  std::string out;
  absl::StrAppend(&out, report.title(), "\n\n");
  Narrative(&out, kParts[0], report.overview());
  ProactiveTable(&out, report);
  RequestTable(&out, report);
  AppealTable(&out, report);
  Narrative(&out, kParts[4], report.problems_and_improvements());
  Narrative(&out, kParts[5], report.other_matters());
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing a valid message cannot fail; the status only reports misuse.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status FromJson(absl::string_view json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(std::string(status.message()));
  }
  return absl::OkStatus();
}

}  // namespace disclosure
