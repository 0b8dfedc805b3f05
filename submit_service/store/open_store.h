// Opens the submit store a store URL names: "sqlite:PATH" (the default
// embedded store), or "postgres://…" / "postgresql://…" / a libpq
// connection string ("host=… dbname=…") for PostgreSQL.
#ifndef DISCLOSURE_SUBMIT_SERVICE_STORE_OPEN_STORE_H_
#define DISCLOSURE_SUBMIT_SERVICE_STORE_OPEN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "submit_service/store/store.h"

namespace disclosure::submit {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace disclosure::submit

#endif  // DISCLOSURE_SUBMIT_SERVICE_STORE_OPEN_STORE_H_
