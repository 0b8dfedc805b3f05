#include "core/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/rpc_util.h"

namespace disclosure {

std::string EncodePageToken(const std::string& bound_to, const std::string& position) {
  return absl::WebSafeBase64Escape(absl::StrCat(bound_to, "\n", position));
}

absl::StatusOr<std::string> DecodePageToken(const std::string& token, const std::string& bound_to) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return FieldError("page_token", "is not a page token");
  }
  size_t nl = raw.find('\n');
  if (nl == std::string::npos || raw.substr(0, nl) != bound_to) {
    return FieldError("page_token", "belongs to another listing");
  }
  return raw.substr(nl + 1);
}

}  // namespace disclosure
