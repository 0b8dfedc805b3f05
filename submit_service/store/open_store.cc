#include "submit_service/store/open_store.h"

#include "core/storage/store_url.h"
#include "submit_service/store/postgres/postgres_store.h"
#include "submit_service/store/sqlite/sqlite_store.h"

namespace disclosure::submit {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  absl::StatusOr<StoreUrl> u = ParseStoreUrl(url);
  if (!u.ok()) return u.status();
  return u->backend == StoreUrl::kSqlite ? OpenSqliteStore(u->location)
                                         : OpenPostgresStore(u->location);
}

}  // namespace disclosure::submit
