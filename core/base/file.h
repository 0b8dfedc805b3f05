// Whole files: read, and written so that a crash leaves the old file or
// the new one, never a part. Thread-safe (no shared state).
#ifndef DISCLOSURE_CORE_BASE_FILE_H_
#define DISCLOSURE_CORE_BASE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace disclosure {

// Reads a whole file. NotFound when there is no such file; PermissionDenied
// or Internal (naming the file and the reason) when it is there but cannot
// be read, which a caller must not take for "absent".
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes `contents` to PATH.tmp, fsyncs it, renames it over `path` and
// fsyncs the directory: readers see the whole old file or the whole new
// one. An error (naming the step and errno) leaves `path` as it was.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_BASE_FILE_H_
