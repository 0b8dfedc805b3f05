// Canonical serialization and content hash of a report: the same report
// gives the same bytes and hash on every machine, build and restart.
//
// Canonical bytes = deterministic protobuf binary serialization (fields in
// field-number order, map entries sorted, no unknown fields) of the report
// after MaterializeTables() (every row message present, so that an empty row
// and an absent row are one form). docs/hashing.md states it for clients
// that recompute the hash.
#ifndef DISCLOSURE_CORE_REPORT_CANONICAL_H_
#define DISCLOSURE_CORE_REPORT_CANONICAL_H_

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "core/base/sha256.h"
#include "google/protobuf/message_lite.h"
#include "disclosure/v1/findings.pb.h"
#include "disclosure/v1/report.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace disclosure {


std::string CanonicalBytes(const v1::Report& report);
// The same bytes, made by bringing *report itself into canonical form
// (unknown fields dropped, every row present): for a caller that owns a copy
// anyway, one copy of ~250 sub-messages fewer.
std::string CanonicalizeAndSerialize(v1::Report* report);

// The deterministic protobuf serialization of any message (fields in number
// order, map entries sorted): what ledger entries, stored audits and the
// findings digest are made of.
std::string DeterministicBytes(const google::protobuf::MessageLite& message);

// "sha256:" + 64 lowercase hex digits of SHA-256 of the canonical bytes.
std::string ContentHash(const v1::Report& report);

// "sha256:<hex>" of an audit's findings: SHA-256 over the deterministic
// serialization of each finding in order, each preceded by its length as 8
// bytes big-endian (docs/ledger.md). What the ledger records of an audit's
// findings and what a reviewer signs; a client recomputes it from the
// findings it is served.
std::string FindingsDigest(const google::protobuf::RepeatedPtrField<v1::Finding>& findings);

}  // namespace disclosure

#endif  // DISCLOSURE_CORE_REPORT_CANONICAL_H_
