// Page tokens (AIP-158) shared by both services: opaque to clients and
// tamper-evident. A token is the listing it belongs to (a digest of the
// request's parameters) and the position to continue from, sealed with
// AES-256-GCM under the process's page-token key: a client can neither read
// the position nor change it, nor move a token to another listing, without
// the service noticing.
//
// The key is the service's (--page_token_key_file). Without one, each
// process draws its own at start: tokens then fail after a restart, and on
// every other replica, as "invalid page token" (the client starts the
// listing again). Replicas behind one address must share the key file.
#ifndef DISCLOSURE_CORE_RPC_PAGE_TOKEN_H_
#define DISCLOSURE_CORE_RPC_PAGE_TOKEN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace disclosure {

// At least this many bytes of secret in a key file (random bytes, e.g.
// `head -c 32 /dev/urandom`); the key is their SHA-256.
inline constexpr size_t kMinPageTokenSecretBytes = 32;

// Replaces this process's page-token key with one derived from `secret`.
// INVALID_ARGUMENT when shorter than kMinPageTokenSecretBytes. Call before
// serving (tokens made before no longer decode).
absl::Status SetPageTokenSecret(const std::string& secret);
// The same from a file (--page_token_key_file): its whole content.
absl::Status LoadPageTokenKeyFile(const std::string& path);
// What a service does at start with its --page_token_key_file: loads it, or
// when `path` is empty warns (as `service`) that tokens are sealed with a
// key of this process only.
absl::Status SetUpPageTokenKey(const std::string& path, const std::string& service);

// A token for continuing listing `bound_to` (the request's parameters that
// define the listing, e.g. its parent) at `position`.
// INTERNAL only if OpenSSL fails.
absl::StatusOr<std::string> EncodePageToken(const std::string& bound_to,
                                            const std::string& position);
// The position; INVALID_ARGUMENT naming page_token: "invalid page token"
// for anything this process's key did not seal (garbage, altered, another
// key), "belongs to another listing" for a genuine token of another listing.
// The caller still checks the position's form and range.
absl::StatusOr<std::string> DecodePageToken(const std::string& token, const std::string& bound_to);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_RPC_PAGE_TOKEN_H_
