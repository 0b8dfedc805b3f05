// An audit store that times every call of the store it wraps
// (disclosure_store_duration_seconds{store="audit",op=METHOD}, core/base/metrics.h).
#ifndef DISCLOSURE_AUDIT_SERVICE_STORE_TIMED_STORE_H_
#define DISCLOSURE_AUDIT_SERVICE_STORE_TIMED_STORE_H_

#include <memory>

#include "audit_service/store/store.h"
#include "core/base/metrics.h"

namespace disclosure::audit {

class TimedStore final : public Store {
 public:
  explicit TimedStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  // The backend signs the entries it appends.
  void SetEntrySigner(EntrySigner signer) override { inner_->SetEntrySigner(std::move(signer)); }

  absl::StatusOr<int64_t> FeedPosition() override {
    return metrics::TimeStoreCall("audit", "FeedPosition", [&] { return inner_->FeedPosition(); });
  }
  absl::StatusOr<std::vector<int64_t>> RecordAudits(std::vector<AuditRecord> records,
                                                    int64_t feed_seq) override {
    return metrics::TimeStoreCall("audit", "RecordAudits", [&] {
      return inner_->RecordAudits(std::move(records), feed_seq);
    });
  }
  absl::StatusOr<AuditRecord> GetAudit(const std::string& agency_id, int32_t year,
                                       int64_t version) override {
    return metrics::TimeStoreCall("audit", "GetAudit",
                                  [&] { return inner_->GetAudit(agency_id, year, version); });
  }
  absl::StatusOr<VersionReviews> GetReviews(const std::string& agency_id, int32_t year,
                                            int64_t version) override {
    return metrics::TimeStoreCall("audit", "GetReviews",
                                  [&] { return inner_->GetReviews(agency_id, year, version); });
  }
  absl::StatusOr<v1::SignOff> AddSignOff(const std::string& agency_id, int32_t year,
                                         int64_t version, v1::SignOff sign_off,
                                         const SignOffCheck& check) override {
    return metrics::TimeStoreCall("audit", "AddSignOff", [&] {
      return inner_->AddSignOff(agency_id, year, version, std::move(sign_off), check);
    });
  }
  absl::StatusOr<std::vector<ReportStateRecord>> ListReportStates(
      int32_t year, const std::string& region_prefix) override {
    return metrics::TimeStoreCall("audit", "ListReportStates",
                                  [&] { return inner_->ListReportStates(year, region_prefix); });
  }
  absl::StatusOr<std::vector<EventRecord>> ReadEvents(int64_t after_seq,
                                                      const std::string& region_prefix,
                                                      int limit) override {
    return metrics::TimeStoreCall(
        "audit", "ReadEvents", [&] { return inner_->ReadEvents(after_seq, region_prefix, limit); });
  }
  absl::StatusOr<int64_t> LastEventSeq() override {
    return metrics::TimeStoreCall("audit", "LastEventSeq", [&] { return inner_->LastEventSeq(); });
  }
  absl::StatusOr<std::vector<LedgerLeaf>> ReadLedger(int64_t from, int64_t limit) override {
    return metrics::TimeStoreCall("audit", "ReadLedger",
                                  [&] { return inner_->ReadLedger(from, limit); });
  }
  absl::StatusOr<int64_t> LedgerSize() override {
    return metrics::TimeStoreCall("audit", "LedgerSize", [&] { return inner_->LedgerSize(); });
  }

 private:
  std::unique_ptr<Store> inner_;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_STORE_TIMED_STORE_H_
