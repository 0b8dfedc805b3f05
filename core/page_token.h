// Page tokens (AIP-158) shared by both services: opaque to clients, base64
// of a position bound to the listing that made it, so that a token cannot
// be replayed against another listing.
#ifndef DISCLOSURE_CORE_PAGE_TOKEN_H_
#define DISCLOSURE_CORE_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"

namespace disclosure {

std::string EncodePageToken(const std::string& bound_to, const std::string& position);
// The position, or INVALID_ARGUMENT naming page_token for a token of another
// listing or garbage.
absl::StatusOr<std::string> DecodePageToken(const std::string& token, const std::string& bound_to);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_PAGE_TOKEN_H_
