// Offline verification of a VerificationBundle (audit.proto; docs/ledger.md,
// "The bundle"): what anyone holding the published file, the bundle and the
// ledger's public key can check without any service. `reportctl verify`
// prints it; tools/verify_bundle.py is the same checks written apart.
//
// The checks, each reported with its Chinese name and what failed:
//   1. the checkpoint's Ed25519 signature under the public key;
//   2. with a saved ledger state: the checkpoint extends it (consistency);
//   3. the report's bytes hash to the content hash;
//   4. the findings hash to the findings digest;
//   5. each entry: its signature, and its inclusion proof under the root;
//   6. the first entry is the audit of this version, content hash, findings
//      digest and published document; every other is a sign-off of the same;
//      and the service signed that these are all of them (the statement:
//      nothing left out, added or reordered);
//   7. the sign-offs clear the version: all three reviews approved, every
//      error finding waived (audit_service/clearance.h, the same rules);
//   8. with a file: it is byte for byte the version's published document.
// A bundle proves what the ledger held at its checkpoint; that no later
// version exists is the submit service's to say, not the ledger's.
//
// Thread-safe (no shared state).
#ifndef DISCLOSURE_REPORTCTL_BUNDLE_VERIFY_H_
#define DISCLOSURE_REPORTCTL_BUNDLE_VERIFY_H_

#include <optional>
#include <string>
#include <vector>

#include "disclosure/v1/audit.pb.h"

namespace disclosure {

struct BundleCheck {
  std::string name;    // in Chinese, e.g. "检查点签名"
  bool ok = false;
  std::string detail;  // what was found, or what failed
};

struct BundleVerification {
  std::vector<BundleCheck> checks;
  v1::Report report;  // parsed from the bundle (empty when it does not parse)
  bool ok() const;
};

struct BundleVerifyOptions {
  std::string public_key_pem;                        // the ledger's key
  std::optional<std::string> document;               // the published file's bytes
  std::optional<v1::SignedCheckpoint> ledger_state;  // a checkpoint kept before
};

BundleVerification VerifyBundle(const v1::VerificationBundle& bundle,
                                const BundleVerifyOptions& options);

}  // namespace disclosure

#endif  // DISCLOSURE_REPORTCTL_BUNDLE_VERIFY_H_
