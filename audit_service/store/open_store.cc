#include "audit_service/store/open_store.h"

#include "audit_service/store/postgres/postgres_store.h"
#include "audit_service/store/sqlite/sqlite_store.h"
#include "core/storage/store_url.h"

namespace disclosure::audit {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  absl::StatusOr<StoreUrl> u = ParseStoreUrl(url);
  if (!u.ok()) return u.status();
  return u->backend == StoreUrl::kSqlite ? OpenSqliteStore(u->location)
                                         : OpenPostgresStore(u->location);
}

}  // namespace disclosure::audit
