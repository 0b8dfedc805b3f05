// SHA-256 and hex, for content hashes, findings digests and the ledger.
// Thread-safe.
#ifndef DISCLOSURE_CORE_BASE_SHA256_H_
#define DISCLOSURE_CORE_BASE_SHA256_H_

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace disclosure {

// The 32 bytes of SHA-256 of the concatenation of `parts`. Hashing memory
// cannot fail short of a broken OpenSSL installation or no memory left; a
// wrong hash would corrupt a ledger or a content hash silently, so that aborts.
std::string Sha256(std::initializer_list<absl::string_view> parts);

// "sha256:" + 64 lowercase hex digits of SHA-256(bytes).
std::string Sha256Hex(absl::string_view bytes);
// Whether `h` is what Sha256Hex gives: "sha256:" + 64 lowercase hex digits.
bool IsSha256Hex(absl::string_view h);

// Lowercase hex of raw bytes.
std::string ToHex(absl::string_view bytes);
// Inverse of ToHex; accepts either case. InvalidArgument on an odd length or
// a non-hex character.
absl::StatusOr<std::string> FromHex(absl::string_view hex);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_BASE_SHA256_H_
