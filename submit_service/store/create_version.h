// CreateVersion's four steps (store.h), written once above the backends: a
// backend gives the SQL of one request's steps (CreateVersionTx) and runs
// ApplyCreateVersion for each request of a write batch, each in a savepoint
// (SQLite) or subtransaction (PostgreSQL) of the batch's transaction, rolled
// back alone when the request fails.
//
// Not thread-safe: one writer runs it, inside its batch transaction.
#ifndef DISCLOSURE_SUBMIT_SERVICE_STORE_CREATE_VERSION_H_
#define DISCLOSURE_SUBMIT_SERVICE_STORE_CREATE_VERSION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "submit_service/store/store.h"

namespace disclosure::submit {

// The SQL of one CreateVersion, inside the batch's transaction. An error
// status fails this request; a backend whose connection broke fails the
// whole batch itself.
class CreateVersionTx {
 public:
  virtual ~CreateVersionTx() = default;

  // The answer recorded under (submitter, request_id), if any.
  struct Answer {
    std::string agency_id;
    int32_t year = 0;
    int64_t version = 0;
    bool created = false;
  };
  virtual absl::StatusOr<std::optional<Answer>> FindAnswer(const std::string& submitter,
                                                           const std::string& request_id) = 0;
  // The report's latest version and its content hash; version 0 when none.
  struct Latest {
    int64_t version = 0;
    std::string content_hash;
  };
  virtual absl::StatusOr<Latest> ReadLatest(const std::string& agency_id, int32_t year) = 0;
  // One stored version with its report bytes; NOT_FOUND when absent.
  virtual absl::StatusOr<VersionRecord> ReadVersion(const std::string& agency_id, int32_t year,
                                                    int64_t version) = 0;
  // Where a new version goes: the next feed position and a commit time
  // never earlier than the last version's.
  struct FeedSlot {
    int64_t feed_seq = 0;
    absl::Time create_time;
  };
  virtual absl::StatusOr<FeedSlot> NextFeedSlot() = 0;
  // Stores `v` (its row, and the report's row pointing at it as latest).
  virtual absl::Status WriteVersion(const CreateVersionArgs& args, const VersionRecord& v) = 0;
  // Records the answer under args.request_id (not called without one).
  virtual absl::Status WriteAnswer(const CreateVersionArgs& args, const VersionRecord& v,
                                   bool created) = 0;
};

// The four steps of Store::CreateVersion for `args` over `tx`.
absl::StatusOr<CreateVersionResult> ApplyCreateVersion(const CreateVersionArgs& args,
                                                       CreateVersionTx* tx);

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_STORE_CREATE_VERSION_H_
