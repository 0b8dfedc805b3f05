// The submit service's store: versions, idempotency keys and the change
// feed. One interface; CreateVersion's steps written once above the
// backends (create_version.h); one folder per backend (sqlite/, postgres/),
// SQL only; one conformance suite (tests/submit_store_conformance.h) run on
// both. No gRPC types here: the store knows nothing of the API.
#ifndef DISCLOSURE_SUBMIT_SERVICE_STORE_STORE_H_
#define DISCLOSURE_SUBMIT_SERVICE_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace disclosure::submit {

// One stored version. Immutable once committed.
struct VersionRecord {
  std::string agency_id;
  int32_t year = 0;
  int64_t version = 0;        // 1, 2, … dense per (agency_id, year)
  std::string content_hash;   // "sha256:<64 hex>"
  std::string submitter;      // principal name
  absl::Time create_time;     // commit time, microsecond precision
  int64_t feed_seq = 0;       // position in the change feed: 1, 2, … in commit order
  std::string report;         // canonical serialized disclosure.v1.Report; empty when not asked for
};

// A report (agency, year) with its latest version.
struct ReportRecord {
  std::string agency_id;
  std::string agency_name;
  std::string region_code;
  int32_t year = 0;
  VersionRecord latest;  // without the report bytes
};

struct CreateVersionArgs {
  std::string agency_id;
  int32_t year = 0;
  std::string agency_name;  // kept on the report for listings
  std::string region_code;  // six digits, from the agency registry
  std::string report;       // canonical serialization
  std::string content_hash;
  std::string submitter;
  std::string request_id;   // idempotency key, scoped to the submitter; empty: none
                            // (nothing is looked up or recorded)
  int64_t expected_latest_version = 0;  // 0: the client has seen no version
  std::string document;     // the published document's bytes; empty: none
  std::string document_sha256;  // "sha256:<hex>" of `document` (with one)
};

struct CreateVersionResult {
  VersionRecord version;  // with the report bytes
  bool created = false;   // true: this call stored a new version; false: identical to
                          // the latest. A retried request_id replays the first call's
                          // value.
};

// Which reports a listing may return. A report matches when it is in
// `region_prefix` (empty: any) and `year` (0: any) and, when `scope` is set,
// its agency is in scope->agency_ids or its region starts with one of
// scope->region_prefixes. A scope with both lists empty matches nothing; an
// empty string among region_prefixes matches everything. Prefixes compare
// bytewise (no LIKE wildcards).
struct ReportFilter {
  std::string region_prefix;
  int32_t year = 0;
  struct Scope {
    std::vector<std::string> agency_ids;
    std::vector<std::string> region_prefixes;
  };
  std::optional<Scope> scope;
};

// Keyset position in a report listing: listings are ordered by
// (region_code, agency_id, year).
struct ReportKey {
  std::string region_code;
  std::string agency_id;
  int32_t year = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // In one transaction, in this order:
  //  1. (submitter, request_id) seen before → the stored answer of that
  //     call (the version it returned, with created as it was then) when
  //     this call is for the same report (agency_id, year) with the same
  //     content_hash; otherwise FAILED_PRECONDITION naming the request_id
  //     (a request_id names one request, not whatever is sent with it);
  //  2. latest version number != expected_latest_version → ABORTED naming
  //     both numbers;
  //  3. latest content_hash == content_hash → the latest, created = false;
  //  4. otherwise stores version latest+1 and appends it to the feed.
  // The answer (1, 3 or 4) is recorded under the request_id; failures
  // (ABORTED, errors) are not, so a client may refresh and retry with the
  // same request_id. Returns only after the transaction is durable
  // (fsync'd); on an error nothing of the call is acknowledged (a retry with
  // the same request_id is safe either way). Safe to call from many threads;
  // concurrent calls may be committed together (group commit), and then see
  // each other's effects in the order they were queued.
  virtual absl::StatusOr<CreateVersionResult> CreateVersion(const CreateVersionArgs& args) = 0;

  // CreateVersion without blocking the caller: `done` runs exactly once,
  // after the transaction is durable or has failed, possibly on a store
  // thread; it must not block. (The gRPC handler uses this so that no server
  // thread waits on an fsync.) The default runs CreateVersion inline.
  using CreateVersionCallback = std::function<void(absl::StatusOr<CreateVersionResult>)>;
  virtual void CreateVersionAsync(CreateVersionArgs args, CreateVersionCallback done) {
    done(CreateVersion(args));
  }

  // A version; version == 0 means the latest. NOT_FOUND when absent,
  // INVALID_ARGUMENT when version < 0.
  virtual absl::StatusOr<VersionRecord> GetVersion(const std::string& agency_id, int32_t year,
                                                   int64_t version, bool with_report) = 0;

  // Versions with number > after_version, ascending, at most `limit`. An
  // unknown report has no versions (empty, not NOT_FOUND).
  //
  // For every listing (ListVersions, ListReports, ReadFeed): limit 0 gives
  // an empty list, a negative limit is INVALID_ARGUMENT.
  virtual absl::StatusOr<std::vector<VersionRecord>> ListVersions(const std::string& agency_id,
                                                                  int32_t year,
                                                                  int64_t after_version,
                                                                  int limit,
                                                                  bool with_report) = 0;

  // Reports matching `filter` after `after` (nullopt: from the start), in
  // (region_code, agency_id, year) order, at most `limit`.
  virtual absl::StatusOr<std::vector<ReportRecord>> ListReports(
      const ReportFilter& filter, const std::optional<ReportKey>& after, int limit) = 0;

  // Feed entries with feed_seq > after_seq, ascending, at most `limit`,
  // with the report bytes when asked. The feed has no gaps: seq n+1 is
  // committed after n.
  virtual absl::StatusOr<std::vector<VersionRecord>> ReadFeed(int64_t after_seq, int limit,
                                                              bool with_report) = 0;

  // Highest feed_seq committed (0 when empty).
  virtual absl::StatusOr<int64_t> LastFeedSeq() = 0;

  // The published document stored with a version (CreateVersionArgs
  // .document). NOT_FOUND when the version does not exist or has none.
  virtual absl::StatusOr<std::string> GetDocument(const std::string& agency_id, int32_t year,
                                                  int64_t version) = 0;
  // The versions whose published document has this "sha256:<hex>", in
  // (agency_id, year, version) order, at most `limit`, without the report
  // bytes (as ListVersions without with_report).
  virtual absl::StatusOr<std::vector<VersionRecord>> FindDocument(const std::string& sha256,
                                                                  int limit) = 0;
};

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_STORE_STORE_H_
