// The submit store on PostgreSQL (libpqxx), for several replicas of
// submit_service sharing one database. Same schema as the SQLite store
// (BYTEA for the reports), created and migrated by the store itself under an
// advisory lock (table disclosure_schema holds the version).
//
// Correct with several writers at once: every write transaction first takes
// one transaction-scoped advisory lock (kFeedLock), so writes commit one at a
// time, in feed order. That is what keeps the change feed free of the
// classic gap — a version numbered n+1 visible while n, whose transaction
// started earlier, is not yet committed — and version numbers dense and
// idempotency checks exact, whichever replica writes. PostgreSQL's own
// group commit still batches the WAL flushes of concurrent sessions.
//
// A broken connection (PostgreSQL restarted) fails the call in progress with
// UNAVAILABLE and is replaced on the next call; nothing acknowledged is lost,
// since an answer is given only after COMMIT returned.
#ifndef DISCLOSURE_SUBMIT_SERVICE_STORE_POSTGRES_POSTGRES_STORE_H_
#define DISCLOSURE_SUBMIT_SERVICE_STORE_POSTGRES_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "submit_service/store/store.h"

namespace disclosure::submit {

inline constexpr int kPostgresSchemaVersion = 2;

// `conninfo`: a postgres:// URL or a libpq connection string. Connects once
// to create or migrate the schema.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo);

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_STORE_POSTGRES_POSTGRES_STORE_H_
