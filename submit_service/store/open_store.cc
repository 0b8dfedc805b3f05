#include "submit_service/store/open_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "submit_service/store/postgres/postgres_store.h"
#include "submit_service/store/sqlite/sqlite_store.h"

namespace disclosure::submit {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url) {
  if (absl::StartsWith(url, "sqlite:")) {
    if (url.size() == 7) return absl::InvalidArgumentError("store URL sqlite: needs a path");
    return OpenSqliteStore(url.substr(7));
  }
  if (absl::StartsWith(url, "postgres://") || absl::StartsWith(url, "postgresql://") ||
      absl::StrContains(url, "dbname=") || absl::StrContains(url, "host=")) {
    return OpenPostgresStore(url);
  }
  return absl::InvalidArgumentError(
      "store URL: expected sqlite:PATH, postgres://… or a libpq connection string");
}

}  // namespace disclosure::submit
