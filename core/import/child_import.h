// Import of an untrusted document in a child process, under limits the
// document cannot lift: what a server does with an uploaded file.
//
// Why a child: reading a damaged PDF can make poppler take seconds and more
// than a gigabyte (docs/fuzzing.md, finding 5), and a parser's crash would
// take the server with it. The child is `reportctl import --to result`
// (reportctl links no gRPC and starts in a few milliseconds); its address
// space (RLIMIT_AS) and CPU time (RLIMIT_CPU) are capped before it reads a
// byte of the document, and it is killed when the wall-clock limit passes.
//
// Thread-safe: each call has its own child, files and pipes.
#ifndef DISCLOSURE_CORE_IMPORT_CHILD_IMPORT_H_
#define DISCLOSURE_CORE_IMPORT_CHILD_IMPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/import/import.h"
#include "disclosure/v1/findings.pb.h"

namespace disclosure {

struct ChildImportLimits {
  // The child's address space; a document that needs more is refused.
  uint64_t max_memory_bytes = uint64_t{1} << 30;
  // Wall-clock time for the whole import (OCR included); the CPU limit is
  // the same number of seconds.
  absl::Duration max_time = absl::Seconds(120);
};

// Imports `document` (at most kMaxDocumentBytes) with the reportctl binary
// at `reportctl`, `options` passed on as its flags. Errors:
//   InvalidArgument: the importer refused the document; the message is its
//     own (what was wrong and where), without the temporary file's name;
//   ResourceExhausted: the document needed more memory or time than
//     `limits` allow (the message says which);
//   Internal: the child could not be started or answered nonsense.
absl::StatusOr<v1::ImportedReport> ImportInChildProcess(const std::string& reportctl,
                                                        absl::string_view document,
                                                        const ImportOptions& options,
                                                        const ChildImportLimits& limits = {});

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_IMPORT_CHILD_IMPORT_H_
