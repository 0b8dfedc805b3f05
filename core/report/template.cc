#include "core/report/template.h"

#include <vector>

namespace disclosure {

const std::array<Part, kPartCount> kParts = {{
    {"一", "一、总体情况", "overview"},
    {"二", "二、主动公开政府信息情况", "proactive_disclosure"},
    {"三", "三、收到和处理政府信息公开申请情况", "requests"},
    {"四", "四、政府信息公开行政复议、行政诉讼情况", "appeals"},
    {"五", "五、存在的主要问题及改进情况", "problems_and_improvements"},
    {"六", "六、其他需要报告的事项", "other_matters"},
}};

// ---------------------------------------------------------------- table 二
const std::array<ProactiveRow, kProactiveRowCount> kProactiveRows = {{
    {"regulations", "规章", "第二十条第（一）项", ProactiveKind::kDocuments},
    {"normative_documents", "行政规范性文件", "第二十条第（一）项", ProactiveKind::kDocuments},
    {"administrative_licensing", "行政许可", "第二十条第（五）项", ProactiveKind::kDecisions},
    {"administrative_penalty", "行政处罚", "第二十条第（六）项", ProactiveKind::kDecisions},
    {"administrative_coercion", "行政强制", "第二十条第（六）项", ProactiveKind::kDecisions},
    {"administrative_fees", "行政事业性收费", "第二十条第（八）项", ProactiveKind::kFee},
}};
const std::array<Column, 3> kDocumentColumns = {{
    {"issued", "本年制发件数"},
    {"repealed", "本年废止件数"},
    {"in_force", "现行有效件数"},
}};
const Column kDecisionColumn = {"decisions", "本年处理决定数量"};
const Column kFeeColumn = {"amount_10k_yuan", "本年收费金额（单位：万元）"};

namespace {

const v1::DocumentCounts& Documents(const v1::Report& r, int row) {
  const auto& p = r.proactive_disclosure();
  return row == 0 ? p.regulations() : p.normative_documents();
}
v1::DocumentCounts* MutableDocuments(v1::Report* r, int row) {
  auto* p = r->mutable_proactive_disclosure();
  return row == 0 ? p->mutable_regulations() : p->mutable_normative_documents();
}
const v1::DecisionCount& Decisions(const v1::Report& r, int row) {
  const auto& p = r.proactive_disclosure();
  switch (row) {
    case 2: return p.administrative_licensing();
    case 3: return p.administrative_penalty();
    default: return p.administrative_coercion();
  }
}
v1::DecisionCount* MutableDecisions(v1::Report* r, int row) {
  auto* p = r->mutable_proactive_disclosure();
  switch (row) {
    case 2: return p->mutable_administrative_licensing();
    case 3: return p->mutable_administrative_penalty();
    default: return p->mutable_administrative_coercion();
  }
}

// Read and write an optional int64 field through its generated
// has_/get/set/clear accessors.
#define DISCLOSURE_OPT_GET(msg, f) \
  ((msg).has_##f() ? std::optional<int64_t>((msg).f()) : std::nullopt)
#define DISCLOSURE_OPT_SET(msg, f, v) \
  ((v).has_value() ? (msg)->set_##f(*(v)) : (msg)->clear_##f())

}  // namespace

std::optional<int64_t> GetProactiveCount(const v1::Report& r, int row, int col) {
  if (row < 2) {
    const auto& d = Documents(r, row);
    switch (col) {
      case 0: return DISCLOSURE_OPT_GET(d, issued);
      case 1: return DISCLOSURE_OPT_GET(d, repealed);
      default: return DISCLOSURE_OPT_GET(d, in_force);
    }
  }
  const auto& d = Decisions(r, row);
  return DISCLOSURE_OPT_GET(d, decisions);
}

void SetProactiveCount(v1::Report* r, int row, int col, std::optional<int64_t> v) {
  if (row < 2) {
    auto* d = MutableDocuments(r, row);
    switch (col) {
      case 0: DISCLOSURE_OPT_SET(d, issued, v); break;
      case 1: DISCLOSURE_OPT_SET(d, repealed, v); break;
      default: DISCLOSURE_OPT_SET(d, in_force, v); break;
    }
    return;
  }
  auto* d = MutableDecisions(r, row);
  DISCLOSURE_OPT_SET(d, decisions, v);
}

std::optional<std::string> GetFee(const v1::Report& r) {
  const auto& f = r.proactive_disclosure().administrative_fees();
  if (!f.has_amount_10k_yuan()) return std::nullopt;
  return f.amount_10k_yuan();
}

void SetFee(v1::Report* r, std::optional<std::string> v) {
  auto* f = r->mutable_proactive_disclosure()->mutable_administrative_fees();
  if (v.has_value()) {
    f->set_amount_10k_yuan(*v);
  } else {
    f->clear_amount_10k_yuan();
  }
}

// ---------------------------------------------------------------- table 三
const std::array<Column, kApplicantColumnCount> kApplicantColumns = {{
    {"natural_person", "自然人"},
    {"commercial_enterprise", "商业企业"},
    {"research_institution", "科研机构"},
    {"public_interest_organization", "社会公益组织"},
    {"legal_service_agency", "法律服务机构"},
    {"other", "其他"},
    {"total", "总计"},
}};

const std::array<RequestRow, kRequestRowCount> kRequestRows = {{
    {"requests.received", "一、本年新收政府信息公开申请数量", -1, false},
    {"requests.carried_over_from_previous_year", "二、上年结转政府信息公开申请数量", -1, false},
    {"requests.outcomes", "三、本年度办理结果", -1, true},
    {"requests.outcomes.disclosed", "（一）予以公开", 2, false},
    {"requests.outcomes.partially_disclosed",
     "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, false},
    {"requests.outcomes.withheld", "（三）不予公开", 2, true},
    {"requests.outcomes.withheld.state_secret", "1.属于国家秘密", 5, false},
    {"requests.outcomes.withheld.prohibited_by_law", "2.其他法律行政法规禁止公开", 5, false},
    {"requests.outcomes.withheld.endangers_security_or_stability", "3.危及“三安全一稳定”", 5,
     false},
    {"requests.outcomes.withheld.third_party_rights", "4.保护第三方合法权益", 5, false},
    {"requests.outcomes.withheld.internal_affairs", "5.属于三类内部事务信息", 5, false},
    {"requests.outcomes.withheld.process_information", "6.属于四类过程性信息", 5, false},
    {"requests.outcomes.withheld.enforcement_case_files", "7.属于行政执法案卷", 5, false},
    {"requests.outcomes.withheld.administrative_query", "8.属于行政查询事项", 5, false},
    {"requests.outcomes.unable_to_provide", "（四）无法提供", 2, true},
    {"requests.outcomes.unable_to_provide.not_held", "1.本机关不掌握相关政府信息", 14, false},
    {"requests.outcomes.unable_to_provide.requires_new_compilation", "2.没有现成信息需要另行制作",
     14, false},
    {"requests.outcomes.unable_to_provide.unclear_after_amendment", "3.补正后申请内容仍不明确",
     14, false},
    {"requests.outcomes.not_processed", "（五）不予处理", 2, true},
    {"requests.outcomes.not_processed.petition_or_complaint", "1.信访举报投诉类申请", 18, false},
    {"requests.outcomes.not_processed.duplicate", "2.重复申请", 18, false},
    {"requests.outcomes.not_processed.publications_requested", "3.要求提供公开出版物", 18, false},
    {"requests.outcomes.not_processed.excessive_repeated", "4.无正当理由大量反复申请", 18, false},
    {"requests.outcomes.not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息",
     18, false},
    {"requests.outcomes.other_handling", "（六）其他处理", 2, true},
    {"requests.outcomes.other_handling.amendment_overdue",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 24, false},
    {"requests.outcomes.other_handling.fee_overdue",
     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 24, false},
    {"requests.outcomes.other_handling.other", "3.其他", 24, false},
    {"requests.outcomes.total", "（七）总计", 2, false},
    {"requests.carried_over_to_next_year", "四、结转下年度继续办理", -1, false},
}};

const v1::ApplicantCounts* GetRequestRow(const v1::Report& r, int row) {
  const auto& q = r.requests();
  const auto& o = q.outcomes();
  switch (row) {
    case 0: return &q.received();
    case 1: return &q.carried_over_from_previous_year();
    case 3: return &o.disclosed();
    case 4: return &o.partially_disclosed();
    case 6: return &o.withheld().state_secret();
    case 7: return &o.withheld().prohibited_by_law();
    case 8: return &o.withheld().endangers_security_or_stability();
    case 9: return &o.withheld().third_party_rights();
    case 10: return &o.withheld().internal_affairs();
    case 11: return &o.withheld().process_information();
    case 12: return &o.withheld().enforcement_case_files();
    case 13: return &o.withheld().administrative_query();
    case 15: return &o.unable_to_provide().not_held();
    case 16: return &o.unable_to_provide().requires_new_compilation();
    case 17: return &o.unable_to_provide().unclear_after_amendment();
    case 19: return &o.not_processed().petition_or_complaint();
    case 20: return &o.not_processed().duplicate();
    case 21: return &o.not_processed().publications_requested();
    case 22: return &o.not_processed().excessive_repeated();
    case 23: return &o.not_processed().confirm_or_reissue();
    case 25: return &o.other_handling().amendment_overdue();
    case 26: return &o.other_handling().fee_overdue();
    case 27: return &o.other_handling().other();
    case 28: return &o.total();
    case 29: return &q.carried_over_to_next_year();
    default: return nullptr;
  }
}

v1::ApplicantCounts* MutableRequestRow(v1::Report* r, int row) {
  auto* q = r->mutable_requests();
  auto* o = q->mutable_outcomes();
  switch (row) {
    case 0: return q->mutable_received();
    case 1: return q->mutable_carried_over_from_previous_year();
    case 3: return o->mutable_disclosed();
    case 4: return o->mutable_partially_disclosed();
    case 6: return o->mutable_withheld()->mutable_state_secret();
    case 7: return o->mutable_withheld()->mutable_prohibited_by_law();
    case 8: return o->mutable_withheld()->mutable_endangers_security_or_stability();
    case 9: return o->mutable_withheld()->mutable_third_party_rights();
    case 10: return o->mutable_withheld()->mutable_internal_affairs();
    case 11: return o->mutable_withheld()->mutable_process_information();
    case 12: return o->mutable_withheld()->mutable_enforcement_case_files();
    case 13: return o->mutable_withheld()->mutable_administrative_query();
    case 15: return o->mutable_unable_to_provide()->mutable_not_held();
    case 16: return o->mutable_unable_to_provide()->mutable_requires_new_compilation();
    case 17: return o->mutable_unable_to_provide()->mutable_unclear_after_amendment();
    case 19: return o->mutable_not_processed()->mutable_petition_or_complaint();
    case 20: return o->mutable_not_processed()->mutable_duplicate();
    case 21: return o->mutable_not_processed()->mutable_publications_requested();
    case 22: return o->mutable_not_processed()->mutable_excessive_repeated();
    case 23: return o->mutable_not_processed()->mutable_confirm_or_reissue();
    case 25: return o->mutable_other_handling()->mutable_amendment_overdue();
    case 26: return o->mutable_other_handling()->mutable_fee_overdue();
    case 27: return o->mutable_other_handling()->mutable_other();
    case 28: return o->mutable_total();
    case 29: return q->mutable_carried_over_to_next_year();
    default: return nullptr;
  }
}

std::optional<int64_t> GetApplicantCell(const v1::ApplicantCounts& c, int col) {
  switch (col) {
    case 0: return DISCLOSURE_OPT_GET(c, natural_person);
    case 1: return DISCLOSURE_OPT_GET(c, commercial_enterprise);
    case 2: return DISCLOSURE_OPT_GET(c, research_institution);
    case 3: return DISCLOSURE_OPT_GET(c, public_interest_organization);
    case 4: return DISCLOSURE_OPT_GET(c, legal_service_agency);
    case 5: return DISCLOSURE_OPT_GET(c, other);
    default: return DISCLOSURE_OPT_GET(c, total);
  }
}

void SetApplicantCell(v1::ApplicantCounts* c, int col, std::optional<int64_t> v) {
  switch (col) {
    case 0: DISCLOSURE_OPT_SET(c, natural_person, v); break;
    case 1: DISCLOSURE_OPT_SET(c, commercial_enterprise, v); break;
    case 2: DISCLOSURE_OPT_SET(c, research_institution, v); break;
    case 3: DISCLOSURE_OPT_SET(c, public_interest_organization, v); break;
    case 4: DISCLOSURE_OPT_SET(c, legal_service_agency, v); break;
    case 5: DISCLOSURE_OPT_SET(c, other, v); break;
    default: DISCLOSURE_OPT_SET(c, total, v); break;
  }
}

// ---------------------------------------------------------------- table 四
const std::array<AppealBlock, kAppealBlockCount> kAppealBlocks = {{
    {"appeals.administrative_reconsideration", "行政复议"},
    {"appeals.litigation_direct", "行政诉讼 未经复议直接起诉"},
    {"appeals.litigation_after_reconsideration", "行政诉讼 复议后起诉"},
}};
const std::array<Column, kAppealColumnCount> kAppealColumns = {{
    {"upheld", "结果维持"},
    {"corrected", "结果纠正"},
    {"other", "其他结果"},
    {"pending", "尚未审结"},
    {"total", "总计"},
}};

const v1::AppealOutcomes& GetAppealBlock(const v1::Report& r, int block) {
  const auto& a = r.appeals();
  switch (block) {
    case 0: return a.administrative_reconsideration();
    case 1: return a.litigation_direct();
    default: return a.litigation_after_reconsideration();
  }
}

v1::AppealOutcomes* MutableAppealBlock(v1::Report* r, int block) {
  auto* a = r->mutable_appeals();
  switch (block) {
    case 0: return a->mutable_administrative_reconsideration();
    case 1: return a->mutable_litigation_direct();
    default: return a->mutable_litigation_after_reconsideration();
  }
}

std::optional<int64_t> GetAppealCell(const v1::AppealOutcomes& b, int col) {
  switch (col) {
    case 0: return DISCLOSURE_OPT_GET(b, upheld);
    case 1: return DISCLOSURE_OPT_GET(b, corrected);
    case 2: return DISCLOSURE_OPT_GET(b, other);
    case 3: return DISCLOSURE_OPT_GET(b, pending);
    default: return DISCLOSURE_OPT_GET(b, total);
  }
}

void SetAppealCell(v1::AppealOutcomes* b, int col, std::optional<int64_t> v) {
  switch (col) {
    case 0: DISCLOSURE_OPT_SET(b, upheld, v); break;
    case 1: DISCLOSURE_OPT_SET(b, corrected, v); break;
    case 2: DISCLOSURE_OPT_SET(b, other, v); break;
    case 3: DISCLOSURE_OPT_SET(b, pending, v); break;
    default: DISCLOSURE_OPT_SET(b, total, v); break;
  }
}

#undef DISCLOSURE_OPT_GET
#undef DISCLOSURE_OPT_SET

// ---------------------------------------------------------------- all cells
const std::vector<CountCell>& AllCountCells() {
  static const std::vector<CountCell>* cells = [] {
    auto* v = new std::vector<CountCell>;
    for (int row = 0; row < kProactiveRowCount; ++row) {
      const ProactiveRow& pr = kProactiveRows[row];
      std::string row_path = std::string("proactive_disclosure.") + pr.field;
      if (pr.kind == ProactiveKind::kDocuments) {
        for (int col = 0; col < 3; ++col) {
          const Column& c = kDocumentColumns[col];
          v->push_back({'2', row, col, row_path + "." + c.field, row_path, c.field, pr.label,
                        c.label});
        }
      } else if (pr.kind == ProactiveKind::kDecisions) {
        v->push_back({'2', row, 0, row_path + "." + kDecisionColumn.field, row_path,
                      kDecisionColumn.field, pr.label, kDecisionColumn.label});
      }
    }
    for (int row = 0; row < kRequestRowCount; ++row) {
      const RequestRow& rr = kRequestRows[row];
      if (rr.is_group) continue;
      for (int col = 0; col < kApplicantColumnCount; ++col) {
        const Column& c = kApplicantColumns[col];
        v->push_back({'3', row, col, std::string(rr.field) + "." + c.field, rr.field, c.field,
                      rr.label, c.label});
      }
    }
    for (int block = 0; block < kAppealBlockCount; ++block) {
      const AppealBlock& b = kAppealBlocks[block];
      for (int col = 0; col < kAppealColumnCount; ++col) {
        const Column& c = kAppealColumns[col];
        v->push_back({'4', block, col, std::string(b.field) + "." + c.field, b.field, c.field,
                      b.label, c.label});
      }
    }
    return v;
  }();
  return *cells;
}

// ---------------------------------------------------------------- unread
const char kFeeFieldPath[] = "proactive_disclosure.administrative_fees.amount_10k_yuan";

namespace {

// `path` is `cell` or a path above it.
bool Covers(const std::string& path, const std::string& cell) {
  return cell.size() >= path.size() && cell.compare(0, path.size(), path) == 0 &&
         (cell.size() == path.size() || cell[path.size()] == '.');
}

}  // namespace

bool IsTablePath(const std::string& path) {
  if (path.empty()) return false;
  if (Covers(path, kFeeFieldPath)) return true;
  for (const CountCell& c : AllCountCells()) {
    if (Covers(path, c.field_path)) return true;
  }
  return false;
}

const v1::UnreadCells* UnreadEntryOf(const v1::Report& r, const std::string& field_path) {
  for (const v1::UnreadCells& u : r.import_record().unread()) {
    if (!u.field_path().empty() && Covers(u.field_path(), field_path)) return &u;
  }
  return nullptr;
}

std::optional<int64_t> GetCount(const v1::Report& r, const CountCell& c) {
  switch (c.section) {
    case '2': return GetProactiveCount(r, c.row, c.col);
    case '3': return GetApplicantCell(*GetRequestRow(r, c.row), c.col);
    default: return GetAppealCell(GetAppealBlock(r, c.row), c.col);
  }
}

void SetCount(v1::Report* r, const CountCell& c, std::optional<int64_t> v) {
  switch (c.section) {
    case '2': SetProactiveCount(r, c.row, c.col, v); break;
    case '3': SetApplicantCell(MutableRequestRow(r, c.row), c.col, v); break;
    default: SetAppealCell(MutableAppealBlock(r, c.row), c.col, v); break;
  }
}

void MaterializeTables(v1::Report* r) {
  for (int row = 0; row < kProactiveRowCount; ++row) {
    switch (kProactiveRows[row].kind) {
      case ProactiveKind::kDocuments: MutableDocuments(r, row); break;
      case ProactiveKind::kDecisions: MutableDecisions(r, row); break;
      case ProactiveKind::kFee: r->mutable_proactive_disclosure()->mutable_administrative_fees(); break;
    }
  }
  for (int row = 0; row < kRequestRowCount; ++row) MutableRequestRow(r, row);
  for (int block = 0; block < kAppealBlockCount; ++block) MutableAppealBlock(r, block);
}

const char* SectionNumeral(const CountCell& c) {
  switch (c.section) {
    case '2': return "二";
    case '3': return "三";
    default: return "四";
  }
}

}  // namespace disclosure
