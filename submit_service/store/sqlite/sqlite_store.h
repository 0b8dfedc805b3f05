// SQLite backend of the submit store: one file, WAL, synchronous=FULL (an
// acknowledged version survives power loss), schema created and migrated on
// open (PRAGMA user_version is the schema version). Concurrent CreateVersion
// calls are committed together by one writer thread (group commit).
#ifndef DISCLOSURE_SUBMIT_SERVICE_STORE_SQLITE_SQLITE_STORE_H_
#define DISCLOSURE_SUBMIT_SERVICE_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "submit_service/store/store.h"

namespace disclosure::submit {

// Opens (creating if needed) the store at `path`. FAILED_PRECONDITION when
// the file's schema is newer than this build knows.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// Current schema version of this build.
inline constexpr int kSqliteSchemaVersion = 2;

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_STORE_SQLITE_SQLITE_STORE_H_
