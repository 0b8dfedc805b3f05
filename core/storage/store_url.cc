#include "core/storage/store_url.h"

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace disclosure {

absl::StatusOr<StoreUrl> ParseStoreUrl(const std::string& url) {
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "sqlite:")) {
    if (rest.empty()) return absl::InvalidArgumentError("store URL sqlite: needs a path");
    return StoreUrl{StoreUrl::kSqlite, std::string(rest)};
  }
  if (absl::StartsWith(url, "postgres://") || absl::StartsWith(url, "postgresql://") ||
      absl::StrContains(url, "dbname=") || absl::StrContains(url, "host=")) {
    return StoreUrl{StoreUrl::kPostgres, url};
  }
  return absl::InvalidArgumentError(
      "store URL: expected sqlite:PATH, postgres://… or a libpq connection string");
}

std::string StoreUrlForLogs(const std::string& url) {
  absl::StatusOr<StoreUrl> u = ParseStoreUrl(url);
  if (u.ok() && u->backend == StoreUrl::kSqlite) return url;
  return u.ok() ? "postgres (connection string not logged)" : "(invalid)";
}

}  // namespace disclosure
