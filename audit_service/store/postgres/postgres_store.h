// The audit store on PostgreSQL (libpqxx), for several replicas of
// audit_service sharing one database; same tables as the SQLite store
// (BYTEA for the protobuf blobs), created and migrated by the store under an
// advisory lock (table audit_schema holds the version).
//
// Every write transaction takes one advisory lock first (kWriteLock), so
// writes commit one at a time: a version audited by two replicas at once is
// stored once (the second finds it and skips it), the ledger's indexes stay
// dense (one valid tree), event sequence numbers have no gap, and a
// sign-off's checks see every earlier sign-off.
#ifndef DISCLOSURE_AUDIT_SERVICE_STORE_POSTGRES_POSTGRES_STORE_H_
#define DISCLOSURE_AUDIT_SERVICE_STORE_POSTGRES_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "audit_service/store/store.h"

namespace disclosure::audit {

inline constexpr int kPostgresSchemaVersion = 3;

// `conninfo`: a postgres:// URL or a libpq connection string.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo);

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_STORE_POSTGRES_POSTGRES_STORE_H_
