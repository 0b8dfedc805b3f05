// The --store flag of both services: which backend, and where.
#ifndef DISCLOSURE_CORE_STORAGE_STORE_URL_H_
#define DISCLOSURE_CORE_STORAGE_STORE_URL_H_

#include <string>

#include "absl/status/statusor.h"

namespace disclosure {

// A store URL (--store): "sqlite:PATH", or "postgres://…" /
// "postgresql://…" / a libpq connection string ("host=… dbname=…").
struct StoreUrl {
  enum Backend { kSqlite, kPostgres } backend;
  std::string location;  // the path, or the libpq connection string
};
absl::StatusOr<StoreUrl> ParseStoreUrl(const std::string& url);
// What may be logged of it: a PostgreSQL URL may carry a password.
std::string StoreUrlForLogs(const std::string& url);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_STORAGE_STORE_URL_H_
