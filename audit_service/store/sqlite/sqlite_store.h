// The audit store on an embedded SQLite file (WAL, synchronous=FULL): every
// write is one transaction on one writer connection, acknowledged only when
// durable; reads use their own connections and never wait for writes.
// The schema is created and migrated here (PRAGMA user_version).
#ifndef DISCLOSURE_AUDIT_SERVICE_STORE_SQLITE_SQLITE_STORE_H_
#define DISCLOSURE_AUDIT_SERVICE_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "audit_service/store/store.h"

namespace disclosure::audit {

inline constexpr int kSqliteSchemaVersion = 3;

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_STORE_SQLITE_SQLITE_STORE_H_
