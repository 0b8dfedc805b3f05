#include "audit_service/store/tx_store.h"

#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "audit_service/clearance.h"
#include "audit_service/ledger_entry.h"
#include "core/access/resource_names.h"
#include "core/ledger/merkle.h"
#include "core/report/canonical.h"
#include "google/protobuf/util/time_util.h"

namespace disclosure::audit {
namespace {

absl::StatusOr<VersionReviews> ReadReviews(AuditTx& tx, const std::string& agency_id,
                                           int32_t year, int64_t version) {
  VersionReviews out;
  absl::StatusOr<AuditRecord> a = tx.ReadAudit(agency_id, year, version);
  if (!a.ok()) return a.status();
  out.audit = *std::move(a);
  absl::StatusOr<std::vector<v1::SignOff>> s = tx.ReadSignOffs(agency_id, year, out.audit.version);
  if (!s.ok()) return s.status();
  out.sign_offs = *std::move(s);
  absl::StatusOr<int64_t> latest = tx.LatestAuditedVersion(agency_id, year);
  if (!latest.ok()) return latest.status();
  out.latest = *latest == out.audit.version;
  return out;
}

// The dashboard state of a report whose latest audited version has `latest`
// reviews (audit_service/clearance.h decides it), written.
absl::StatusOr<v1::ReportState> WriteStateOf(AuditTx& tx, const VersionReviews& latest) {
  const AuditRecord& a = latest.audit;
  ReportStateRecord r;
  r.agency_id = a.agency_id;
  r.year = a.year;
  r.region_code = a.region_code;
  r.latest_version = a.version;
  r.state = ReportStateOf(ReviewStatusOf(a.audit, latest.sign_offs, true));
  r.error_count = a.audit.error_count();
  r.warning_count = a.audit.warning_count();
  r.info_count = a.audit.info_count();
  for (const v1::Finding& f : a.audit.findings()) r.rule_ids.push_back(f.rule_id());
  r.cells = a.cells;
  if (absl::Status s = tx.WriteState(r); !s.ok()) return s;
  return r.state;
}

// The leaf of `entry` at `index`, signed by `sign`.
absl::StatusOr<LedgerLeaf> Leaf(const v1::LedgerEntry& entry, int64_t index,
                                const EntrySigner& sign) {
  LedgerLeaf leaf;
  leaf.entry = DeterministicBytes(entry);
  leaf.leaf_hash = LeafHash(leaf.entry);
  absl::StatusOr<std::string> signature = sign(index, leaf.leaf_hash);
  if (!signature.ok()) return signature.status();
  leaf.signature = *std::move(signature);
  return leaf;
}

google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(absl::Now()));
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> TxStore::RecordAudits(std::vector<AuditRecord> records,
                                                           int64_t feed_seq) {
  const EntrySigner sign = [this](int64_t i, absl::string_view leaf) { return SignEntry(i, leaf); };
  std::vector<int64_t> indexes;
  absl::Status st = WriteTx("record audits", [&](AuditTx& tx) -> absl::Status {
    indexes.assign(records.size(), -1);
    // A version audited already, or twice in the batch, is skipped: a replay
    // after a crash between the commit and its acknowledgement writes
    // nothing twice.
    absl::StatusOr<std::vector<bool>> stored = tx.AuditsStored(records);
    if (!stored.ok()) return stored.status();
    absl::StatusOr<int64_t> next_index = tx.LedgerSize();
    if (!next_index.ok()) return next_index.status();
    absl::StatusOr<int64_t> last_seq = tx.LastEventSeq();
    if (!last_seq.ok()) return last_seq.status();
    const int64_t first_index = *next_index;
    std::set<std::tuple<std::string, int32_t, int64_t>> seen;
    std::vector<const AuditRecord*> fresh;
    std::vector<LedgerLeaf> leaves;
    std::vector<EventRecord> events;
    for (size_t i = 0; i < records.size(); ++i) {
      AuditRecord& r = records[i];
      if ((*stored)[i] || !seen.insert({r.agency_id, r.year, r.version}).second) continue;
      absl::StatusOr<LedgerLeaf> leaf = Leaf(AuditLedgerEntry(r.audit), *next_index, sign);
      if (!leaf.ok()) return leaf.status();
      leaves.push_back(*std::move(leaf));
      indexes[i] = *next_index;
      r.audit.set_ledger_index((*next_index)++);
      fresh.push_back(&r);
      EventRecord& e = events.emplace_back();
      e.seq = *last_seq + static_cast<int64_t>(events.size());
      e.region_code = r.region_code;
      e.event.set_kind(v1::AuditEvent::VERSION_AUDITED);
      e.event.set_version(r.audit.version());
      e.event.set_region_code(r.region_code);
      *e.event.mutable_time() = r.audit.audit_time();
    }
    if (!fresh.empty()) {
      if (absl::Status s = tx.WriteLedger(first_index, leaves); !s.ok()) return s;
      if (absl::Status s = tx.WriteAudits(fresh); !s.ok()) return s;
      if (absl::Status s = tx.WriteEvents(events); !s.ok()) return s;
    }
    // A report's state follows its latest audited version (a batch may hold
    // an older version than one stored earlier only after a replay).
    std::map<std::pair<std::string, int32_t>, const AuditRecord*> newest;
    for (const AuditRecord* r : fresh) {
      const AuditRecord*& n = newest[{r->agency_id, r->year}];
      if (n == nullptr || n->version < r->version) n = r;
    }
    for (const auto& [key, r] : newest) {
      absl::StatusOr<int64_t> latest = tx.LatestAuditedVersion(key.first, key.second);
      if (!latest.ok()) return latest.status();
      if (*latest != r->version) continue;
      VersionReviews vr;
      vr.audit = *r;  // a new version has no sign-offs yet
      vr.latest = true;
      if (absl::StatusOr<v1::ReportState> s = WriteStateOf(tx, vr); !s.ok()) return s.status();
    }
    return tx.AdvanceFeed(feed_seq);
  });
  if (!st.ok()) return st;
  return indexes;
}

absl::StatusOr<AuditRecord> TxStore::GetAudit(const std::string& agency_id, int32_t year,
                                              int64_t version) {
  std::optional<AuditRecord> out;
  absl::Status st = ReadTx("read audit", [&](AuditTx& tx) -> absl::Status {
    absl::StatusOr<AuditRecord> a = tx.ReadAudit(agency_id, year, version);
    if (!a.ok()) return a.status();
    out = *std::move(a);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return *std::move(out);
}

absl::StatusOr<VersionReviews> TxStore::GetReviews(const std::string& agency_id, int32_t year,
                                                   int64_t version) {
  std::optional<VersionReviews> out;
  absl::Status st = ReadTx("read reviews", [&](AuditTx& tx) -> absl::Status {
    absl::StatusOr<VersionReviews> r = ReadReviews(tx, agency_id, year, version);
    if (!r.ok()) return r.status();
    out = *std::move(r);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return *std::move(out);
}

absl::StatusOr<v1::SignOff> TxStore::AddSignOff(const std::string& agency_id, int32_t year,
                                                int64_t version, v1::SignOff sign_off,
                                                const SignOffCheck& check) {
  absl::Status st = WriteTx("add sign-off", [&](AuditTx& tx) -> absl::Status {
    absl::StatusOr<VersionReviews> reviews = ReadReviews(tx, agency_id, year, version);
    if (!reviews.ok()) return reviews.status();
    if (absl::Status ok = check(*reviews); !ok.ok()) return ok;
    absl::StatusOr<int64_t> last_id = tx.LastSignOffId();
    if (!last_id.ok()) return last_id.status();
    const int64_t id = *last_id + 1;
    sign_off.set_name(FormatSignOffName(reviews->audit.audit.version(), id));
    *sign_off.mutable_create_time() = Now();
    sign_off.clear_ledger_index();
    absl::StatusOr<int64_t> index = tx.LedgerSize();
    if (!index.ok()) return index.status();
    absl::StatusOr<LedgerLeaf> leaf = Leaf(
        SignOffLedgerEntry(sign_off), *index,
        [this](int64_t i, absl::string_view h) { return SignEntry(i, h); });
    if (!leaf.ok()) return leaf.status();
    if (absl::Status s = tx.WriteLedger(*index, {*leaf}); !s.ok()) return s;
    sign_off.set_ledger_index(*index);
    if (absl::Status s = tx.WriteSignOff(id, agency_id, year, reviews->audit.version, sign_off);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<int64_t> last_seq = tx.LastEventSeq();
    if (!last_seq.ok()) return last_seq.status();
    const std::string& region = reviews->audit.region_code;
    std::vector<EventRecord> events(1);
    events[0].seq = *last_seq + 1;
    events[0].region_code = region;
    v1::AuditEvent& ev = events[0].event;
    ev.set_kind(v1::AuditEvent::SIGNED_OFF);
    ev.set_version(reviews->audit.audit.version());
    ev.set_region_code(region);
    ev.set_sign_off(sign_off.name());
    *ev.mutable_time() = sign_off.create_time();
    if (reviews->latest) {
      absl::StatusOr<v1::ReportState> before = tx.ReadState(agency_id, year);
      if (!before.ok()) return before.status();
      reviews->sign_offs.push_back(sign_off);
      absl::StatusOr<v1::ReportState> after = WriteStateOf(tx, *reviews);
      if (!after.ok()) return after.status();
      if (*after == v1::CLEARED && *before != v1::CLEARED) {
        EventRecord cleared = events[0];
        cleared.seq += 1;
        cleared.event.set_kind(v1::AuditEvent::CLEARED);
        cleared.event.clear_sign_off();
        events.push_back(std::move(cleared));
      }
    }
    return tx.WriteEvents(events);
  });
  if (!st.ok()) return st;
  return sign_off;
}

}  // namespace disclosure::audit
