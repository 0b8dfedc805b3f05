// A submit store that times every call of the store it wraps
// (disclosure_store_duration_seconds{store="submit",op=METHOD}, core/base/metrics.h).
#ifndef DISCLOSURE_SUBMIT_SERVICE_STORE_TIMED_STORE_H_
#define DISCLOSURE_SUBMIT_SERVICE_STORE_TIMED_STORE_H_

#include <memory>

#include "core/base/metrics.h"
#include "submit_service/store/store.h"

namespace disclosure::submit {

class TimedStore final : public Store {
 public:
  explicit TimedStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  absl::StatusOr<CreateVersionResult> CreateVersion(const CreateVersionArgs& args) override {
    return metrics::TimeStoreCall("submit", "CreateVersion",
                                  [&] { return inner_->CreateVersion(args); });
  }
  void CreateVersionAsync(CreateVersionArgs args, CreateVersionCallback done) override {
    // Until the commit is durable: the time a caller waits for its version.
    inner_->CreateVersionAsync(std::move(args), [start = absl::Now(), done = std::move(done)](
                                                    absl::StatusOr<CreateVersionResult> result) {
      metrics::Registry::Global().ObserveStore("submit", "CreateVersion", result.ok(),
                                               absl::Now() - start);
      done(std::move(result));
    });
  }
  absl::StatusOr<VersionRecord> GetVersion(const std::string& agency_id, int32_t year,
                                           int64_t version, bool with_report) override {
    return metrics::TimeStoreCall("submit", "GetVersion", [&] {
      return inner_->GetVersion(agency_id, year, version, with_report);
    });
  }
  absl::StatusOr<std::vector<VersionRecord>> ListVersions(const std::string& agency_id,
                                                          int32_t year, int64_t after_version,
                                                          int limit, bool with_report) override {
    return metrics::TimeStoreCall("submit", "ListVersions", [&] {
      return inner_->ListVersions(agency_id, year, after_version, limit, with_report);
    });
  }
  absl::StatusOr<std::vector<ReportRecord>> ListReports(const ReportFilter& filter,
                                                        const std::optional<ReportKey>& after,
                                                        int limit) override {
    return metrics::TimeStoreCall("submit", "ListReports",
                                  [&] { return inner_->ListReports(filter, after, limit); });
  }
  absl::StatusOr<std::vector<VersionRecord>> ReadFeed(int64_t after_seq, int limit,
                                                      bool with_report) override {
    return metrics::TimeStoreCall("submit", "ReadFeed",
                                  [&] { return inner_->ReadFeed(after_seq, limit, with_report); });
  }
  absl::StatusOr<int64_t> LastFeedSeq() override {
    return metrics::TimeStoreCall("submit", "LastFeedSeq", [&] { return inner_->LastFeedSeq(); });
  }
  absl::StatusOr<std::string> GetDocument(const std::string& agency_id, int32_t year,
                                          int64_t version) override {
    return metrics::TimeStoreCall("submit", "GetDocument",
                                  [&] { return inner_->GetDocument(agency_id, year, version); });
  }
  absl::StatusOr<std::vector<VersionRecord>> FindDocument(const std::string& sha256,
                                                          int limit) override {
    return metrics::TimeStoreCall("submit", "FindDocument",
                                  [&] { return inner_->FindDocument(sha256, limit); });
  }

 private:
  std::unique_ptr<Store> inner_;
};

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_STORE_TIMED_STORE_H_
