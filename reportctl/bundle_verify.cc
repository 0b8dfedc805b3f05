#include "reportctl/bundle_verify.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "audit_service/clearance.h"
#include "core/base/sha256.h"
#include "core/ledger/checkpoint.h"
#include "core/ledger/merkle.h"
#include "core/report/canonical.h"

namespace disclosure {
namespace {

const char* Or(const std::string& s, const char* none) { return s.empty() ? none : s.c_str(); }

}  // namespace

bool BundleVerification::ok() const {
  for (const BundleCheck& c : checks) {
    if (!c.ok) return false;
  }
  return !checks.empty();
}

BundleVerification VerifyBundle(const v1::VerificationBundle& bundle,
                                const BundleVerifyOptions& options) {
  BundleVerification out;
  auto check = [&out](std::string name, bool ok, std::string detail) {
    out.checks.push_back({std::move(name), ok, std::move(detail)});
    return ok;
  };

  // 1. The checkpoint, signed by the ledger's key.
  absl::StatusOr<Checkpoint> cp = OpenCheckpoint(options.public_key_pem, bundle.checkpoint().body(),
                                                 bundle.checkpoint().signature());
  if (!check("检查点签名", cp.ok(),
             cp.ok() ? absl::StrCat("有效：账本 ", cp->origin, "，", cp->size, " 条记录，根 ",
                                    ToHex(cp->root).substr(0, 16), "…")
                     : absl::StrCat("无效，不是该账本公钥签署的检查点（", cp.status().message(), "）"))) {
    return out;  // nothing below can be trusted without it
  }

  // 2. The checkpoint extends the one kept before.
  if (options.ledger_state.has_value()) {
    absl::StatusOr<Checkpoint> kept = OpenCheckpoint(
        options.public_key_pem, options.ledger_state->body(), options.ledger_state->signature());
    absl::Status consistent;
    if (!kept.ok()) {
      consistent = absl::InvalidArgumentError(
          absl::StrCat("保存的账本状态签名无效（", kept.status().message(), "）"));
    } else if (kept->origin != cp->origin) {
      consistent = absl::InvalidArgumentError(
          absl::StrCat("保存的账本状态属于另一账本（", kept->origin, "）"));
    } else if (kept->size > cp->size) {
      consistent = absl::InvalidArgumentError(absl::StrCat(
          "检查点只有 ", cp->size, " 条记录，早于保存的账本状态（", kept->size, " 条）"));
    } else if (kept->size < cp->size &&
               bundle.consistency_from_size() != static_cast<int64_t>(kept->size)) {
      consistent = absl::InvalidArgumentError(absl::StrCat(
          "证明包没有从保存的账本状态（", kept->size, " 条）起的一致性证明（制作证明包时请给出同一账本状态）"));
    } else {
      std::vector<std::string> proof(bundle.consistency_proof().begin(),
                                     bundle.consistency_proof().end());
      if (kept->size == cp->size) proof.clear();
      consistent = VerifyConsistency(kept->size, cp->size, kept->root, cp->root, proof);
      if (!consistent.ok()) {
        consistent = absl::InvalidArgumentError(absl::StrCat(
            "检查点与保存的账本状态（", kept->size, " 条）不一致：账本历史被改写或出现分叉（",
            consistent.message(), "）"));
      }
    }
    check("与保存的账本状态一致", consistent.ok(),
          consistent.ok() ? absl::StrCat("一致（保存时 ", kept->size, " 条）")
                          : std::string(consistent.message()));
  }

  // 3. The report's bytes are the version's content.
  const std::string content = Sha256Hex(bundle.report());
  const bool parsed = out.report.ParseFromString(bundle.report());
  check("报告内容摘要", parsed && content == bundle.content_hash(),
        !parsed ? "报告内容无法解析"
        : content == bundle.content_hash()
            ? bundle.content_hash()
            : absl::StrCat("报告内容的摘要为 ", content, "，不是证明包所称的 ", bundle.content_hash()));
  const std::string document = out.report.published_document().sha256();

  // 4. The findings are the audit's.
  const std::string digest = FindingsDigest(bundle.findings());
  check("审核发现摘要", digest == bundle.findings_digest(),
        digest == bundle.findings_digest()
            ? absl::StrCat(bundle.findings_size(), " 条发现，", digest)
            : absl::StrCat("发现的摘要为 ", digest, "，不是 ", bundle.findings_digest()));

  // 5, 6. Every entry is in the ledger, signed, and about this version.
  if (bundle.entries().empty()) check("审核记录", false, "证明包中没有账本记录");
  std::vector<v1::SignOff> sign_offs;
  for (int i = 0; i < bundle.entries_size(); ++i) {
    const v1::BundleEntry& e = bundle.entries(i);
    const std::string leaf = LeafHash(e.entry());
    const std::string at = absl::StrCat("账本第 ", e.index(), " 条记录");
    absl::Status included = VerifyInclusion(
        static_cast<uint64_t>(e.index()), cp->size, leaf,
        std::vector<std::string>(e.inclusion_proof().begin(), e.inclusion_proof().end()), cp->root);
    check(at + "：包含证明", included.ok(),
          included.ok() ? "在检查点的账本内"
                        : absl::StrCat("不在检查点的账本内（", included.message(), "）"));
    absl::Status signature = VerifyLedgerEntrySignature(options.public_key_pem, cp->origin,
                                                        static_cast<uint64_t>(e.index()), leaf,
                                                        e.entry_signature());
    check(at + "：记录签名", signature.ok(),
          signature.ok() ? "由审核服务写入" : "签名无效：不是审核服务写入的记录");
    v1::LedgerEntry entry;
    if (!entry.ParseFromString(e.entry())) {
      check(at + "：内容", false, "无法解析");
      continue;
    }
    if (i == 0) {
      const v1::LedgerEntry::AuditRecord& a = entry.audit();
      std::vector<std::string> wrong;
      if (!entry.has_audit()) wrong.push_back("不是审核记录");
      if (a.version() != bundle.version()) wrong.push_back("版本为 " + a.version());
      if (a.content_hash() != bundle.content_hash()) wrong.push_back("内容摘要不同");
      if (a.findings_digest() != bundle.findings_digest()) wrong.push_back("审核发现摘要不同");
      if (a.document_sha256() != document) wrong.push_back("发布文件摘要不同");
      check("审核记录", wrong.empty(),
            wrong.empty() ? absl::StrCat(bundle.version(), " 的审核，发布文件 ", Or(document, "无"))
                          : absl::StrCat(at, "不是本版本的审核：", absl::StrJoin(wrong, "，")));
      continue;
    }
    const v1::SignOff& s = entry.sign_off();
    std::vector<std::string> wrong;
    if (!entry.has_sign_off()) wrong.push_back("不是签署记录");
    if (s.version() != bundle.version()) wrong.push_back("版本为 " + s.version());
    if (s.content_hash() != bundle.content_hash()) wrong.push_back("内容摘要不同");
    if (s.findings_digest() != bundle.findings_digest()) wrong.push_back("审核发现摘要不同");
    if (s.document_sha256() != document) wrong.push_back("发布文件摘要不同");
    if (check(at + "：签署", wrong.empty(),
              wrong.empty() ? absl::StrCat(v1::SignOffKind_Name(s.kind()), " ",
                                           v1::ReviewKind_Name(s.review_kind()), " ",
                                           v1::Decision_Name(s.decision()), "，", s.reviewer())
                            : absl::StrCat("不是本版本的签署：", absl::StrJoin(wrong, "，")))) {
      v1::SignOff proved = s;
      proved.set_ledger_index(e.index());
      sign_offs.push_back(std::move(proved));
    }
  }

  // 6b. All of the version's entries: the service signed the list.
  {
    std::vector<int64_t> indices;
    for (const v1::BundleEntry& e : bundle.entries()) indices.push_back(e.index());
    absl::Status complete = VerifyBundleStatement(options.public_key_pem, cp->origin,
                                                  bundle.version(), cp->size, indices,
                                                  bundle.statement_signature());
    check("证明包完整性", complete.ok(),
          complete.ok() ? absl::StrCat("审核服务签署：这 ", indices.size(), " 条即本版本在检查点内的全部记录")
                        : "审核服务的签署与这些记录不符：证明包中的记录被删去、增加或调换了顺序");
  }

  // 7. Cleared, by the service's own rules, from the proved sign-offs.
  v1::Audit audit;
  audit.set_version(bundle.version());
  audit.set_content_hash(bundle.content_hash());
  *audit.mutable_findings() = bundle.findings();
  audit.set_findings_digest(bundle.findings_digest());
  const v1::ReviewStatus status = audit::ReviewStatusOf(audit, sign_offs, /*latest=*/true);
  check("审查结论", status.state() == v1::ReviewStatus::CLEARED,
        status.state() == v1::ReviewStatus::CLEARED
            ? "合法性、规范性、保密性审查均已通过，无未豁免的错误"
            : absl::StrCat("未获准发布：", absl::StrJoin(status.blockers(), "；")));

  // 8. The file is the reviewed document.
  if (options.document.has_value()) {
    const std::string given = Sha256Hex(*options.document);
    check("发布文件", !document.empty() && given == document,
          document.empty() ? "该版本没有附发布文件，无从比对"
          : given == document
              ? absl::StrCat("与审查的文件逐字节相同（", document, "）")
              : absl::StrCat("不是审查的文件：其摘要为 ", given, "，审查的文件为 ", document));
  }
  return out;
}

}  // namespace disclosure
