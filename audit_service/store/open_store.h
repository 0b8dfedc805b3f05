// Opens the audit store a store URL names (core/storage/store_url.h):
// SQLite by default, PostgreSQL for several replicas.
#ifndef DISCLOSURE_AUDIT_SERVICE_STORE_OPEN_STORE_H_
#define DISCLOSURE_AUDIT_SERVICE_STORE_OPEN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "audit_service/store/store.h"

namespace disclosure::audit {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_STORE_OPEN_STORE_H_
