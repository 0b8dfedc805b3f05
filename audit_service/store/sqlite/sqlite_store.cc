#include "audit_service/store/sqlite/sqlite_store.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "audit_service/ledger_entry.h"
#include "audit_service/clearance.h"
#include "core/canonical.h"
#include "core/merkle.h"
#include "core/resource_names.h"
#include "core/sqlite_db.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"

namespace disclosure::audit {
namespace {

using sqlite::Connection;
using sqlite::Stmt;

const std::vector<sqlite::Migration>& Migrations() {
  static const auto* m = new std::vector<sqlite::Migration>{
      {1, R"sql(
CREATE TABLE audits (
  agency_id   TEXT    NOT NULL,
  year        INTEGER NOT NULL,
  version     BIGINT  NOT NULL CHECK (version >= 1),
  region_code TEXT    NOT NULL,
  audit       BLOB    NOT NULL,  -- disclosure.v1.Audit
  cells       BLOB    NOT NULL,  -- audit_service/region_sums.h
  PRIMARY KEY (agency_id, year, version)
);
CREATE TABLE sign_offs (
  id        INTEGER PRIMARY KEY CHECK (id >= 1),
  agency_id TEXT    NOT NULL,
  year      INTEGER NOT NULL,
  version   BIGINT  NOT NULL,
  sign_off  BLOB    NOT NULL,  -- disclosure.v1.SignOff
  FOREIGN KEY (agency_id, year, version) REFERENCES audits (agency_id, year, version)
);
CREATE INDEX sign_offs_by_version ON sign_offs (agency_id, year, version, id);
CREATE TABLE report_states (
  agency_id      TEXT    NOT NULL,
  year           INTEGER NOT NULL,
  region_code    TEXT    NOT NULL,
  latest_version BIGINT  NOT NULL,
  state          INTEGER NOT NULL,  -- disclosure.v1.ReportState
  error_count    INTEGER NOT NULL,
  warning_count  INTEGER NOT NULL,
  info_count     INTEGER NOT NULL,
  rule_ids       TEXT    NOT NULL,  -- comma-separated, one per finding
  cells          BLOB    NOT NULL,
  PRIMARY KEY (agency_id, year)
);
CREATE INDEX report_states_by_year ON report_states (year, region_code);
-- The ledger: entry idx is leaf idx of the Merkle tree (RFC 6962).
CREATE TABLE ledger (
  idx       INTEGER PRIMARY KEY CHECK (idx >= 0),
  entry     BLOB NOT NULL,  -- disclosure.v1.LedgerEntry, deterministic
  leaf_hash BLOB NOT NULL   -- SHA-256(0x00 || entry) when appended
);
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
  region_code TEXT NOT NULL,
  event       BLOB NOT NULL   -- disclosure.v1.AuditEvent
);
-- Position in submit_service's change feed, written with each audit.
CREATE TABLE feed (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position TEXT NOT NULL
);
)sql"},
      // 2: each entry's signature by the ledger key (audit_service/ledger.h);
      // entries appended before it have none, and the ledger refuses them.
      {2, R"sql(
ALTER TABLE ledger ADD COLUMN signature BLOB NOT NULL DEFAULT x'';
)sql"}};
  return *m;
}
constexpr int kMaxReaders = 4;


template <typename M>
absl::StatusOr<M> ParseBlob(absl::string_view blob, absl::string_view what) {
  M m;
  if (!m.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return absl::DataLossError(absl::StrCat("sqlite: stored ", what, " does not parse"));
  }
  return m;
}

absl::StatusOr<AuditRecord> ReadAudit(Connection& c, const std::string& agency_id, int32_t year,
                                      int64_t version) {
  std::string sql =
      "SELECT version, region_code, audit, cells FROM audits WHERE agency_id = ?1 AND year = ?2";
  sql += version == 0 ? " ORDER BY version DESC LIMIT 1" : " AND version = ?3";
  absl::StatusOr<Stmt> s = c.Prepare(sql, "read audit");
  if (!s.ok()) return s.status();
  s->Text(1, agency_id);
  s->Int(2, year);
  if (version != 0) s->Int(3, version);
  absl::StatusOr<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return absl::NotFoundError(
        absl::StrCat(version == 0 ? FormatReportName({agency_id, year})
                                  : FormatVersionName({agency_id, year}, version),
                     " has no audit"));
  }
  AuditRecord r;
  r.agency_id = agency_id;
  r.year = year;
  r.version = s->ColInt(0);
  r.region_code = s->ColText(1);
  absl::StatusOr<v1::Audit> a = ParseBlob<v1::Audit>(s->ColBlobView(2), "audit");
  if (!a.ok()) return a.status();
  r.audit = *std::move(a);
  r.cells = s->ColBlob(3);
  return r;
}

absl::StatusOr<int64_t> LatestAuditedVersion(Connection& c, const std::string& agency_id,
                                             int32_t year) {
  absl::StatusOr<Stmt> s = c.Prepare(
      "SELECT COALESCE(MAX(version), 0) FROM audits WHERE agency_id = ?1 AND year = ?2",
      "read latest audited version");
  if (!s.ok()) return s.status();
  s->Text(1, agency_id);
  s->Int(2, year);
  absl::StatusOr<bool> row = s->Step();
  if (!row.ok()) return row.status();
  return s->ColInt(0);
}

absl::StatusOr<VersionReviews> ReadReviews(Connection& c, const std::string& agency_id,
                                           int32_t year, int64_t version) {
  VersionReviews out;
  absl::StatusOr<AuditRecord> a = ReadAudit(c, agency_id, year, version);
  if (!a.ok()) return a.status();
  out.audit = *std::move(a);
  absl::StatusOr<Stmt> s = c.Prepare(
      "SELECT sign_off FROM sign_offs WHERE agency_id = ?1 AND year = ?2 AND version = ?3 "
      "ORDER BY id",
      "read sign-offs");
  if (!s.ok()) return s.status();
  s->Text(1, agency_id);
  s->Int(2, year);
  s->Int(3, out.audit.version);
  for (;;) {
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<v1::SignOff> so = ParseBlob<v1::SignOff>(s->ColBlobView(0), "sign-off");
    if (!so.ok()) return so.status();
    out.sign_offs.push_back(*std::move(so));
  }
  absl::StatusOr<int64_t> latest = LatestAuditedVersion(c, agency_id, year);
  if (!latest.ok()) return latest.status();
  out.latest = *latest == out.audit.version;
  return out;
}

// Appends one entry to the ledger, signed by `sign`; returns its index.
absl::StatusOr<int64_t> AppendLedger(Connection& c, const v1::LedgerEntry& entry,
                                     const EntrySigner& sign) {
  // MAX over the primary key is a seek; COUNT(*) would scan.
  absl::StatusOr<int64_t> size =
      c.QueryInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger", "read ledger size");
  if (!size.ok()) return size.status();
  std::string bytes = DeterministicBytes(entry);
  std::string leaf = LeafHash(bytes);
  absl::StatusOr<std::string> signature = sign(*size, leaf);
  if (!signature.ok()) return signature.status();
  absl::StatusOr<Stmt> s = c.Prepare(
      "INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES (?1, ?2, ?3, ?4)",
      "append ledger");
  if (!s.ok()) return s.status();
  s->Int(1, *size);
  s->Blob(2, bytes);
  s->Blob(3, leaf);
  s->Blob(4, *signature);
  if (absl::Status st = s->Run(); !st.ok()) return st;
  return *size;
}

absl::Status AppendEvent(Connection& c, const std::string& region_code,
                         const v1::AuditEvent& event) {
  absl::StatusOr<Stmt> s = c.Prepare(
      "INSERT INTO events (seq, region_code, event) "
      "VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), ?1, ?2)",
      "append event");
  if (!s.ok()) return s.status();
  std::string bytes = DeterministicBytes(event);
  s->Text(1, region_code);
  s->Blob(2, bytes);
  return s->Run();
}

absl::StatusOr<v1::ReportState> ReadState(Connection& c, const std::string& agency_id,
                                          int32_t year) {
  absl::StatusOr<Stmt> s = c.Prepare(
      "SELECT state FROM report_states WHERE agency_id = ?1 AND year = ?2", "read report state");
  if (!s.ok()) return s.status();
  s->Text(1, agency_id);
  s->Int(2, year);
  absl::StatusOr<bool> row = s->Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<v1::ReportState>(s->ColInt(0)) : v1::REPORT_STATE_UNSPECIFIED;
}

// Recomputes the report's dashboard state from its latest version.
absl::StatusOr<v1::ReportState> UpdateState(Connection& c, const VersionReviews& latest) {
  const AuditRecord& a = latest.audit;
  v1::ReportState state = ReportStateOf(ReviewStatusOf(a.audit, latest.sign_offs, true));
  std::vector<absl::string_view> rules;
  for (const v1::Finding& f : a.audit.findings()) rules.push_back(f.rule_id());
  absl::StatusOr<Stmt> s = c.Prepare(
      "INSERT INTO report_states (agency_id, year, region_code, latest_version, state, "
      "error_count, warning_count, info_count, rule_ids, cells) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (agency_id, year) DO UPDATE SET region_code = excluded.region_code, "
      "latest_version = excluded.latest_version, state = excluded.state, "
      "error_count = excluded.error_count, warning_count = excluded.warning_count, "
      "info_count = excluded.info_count, rule_ids = excluded.rule_ids, cells = excluded.cells",
      "write report state");
  if (!s.ok()) return s.status();
  std::string rule_ids = absl::StrJoin(rules, ",");
  s->Text(1, a.agency_id);
  s->Int(2, a.year);
  s->Text(3, a.region_code);
  s->Int(4, a.version);
  s->Int(5, state);
  s->Int(6, a.audit.error_count());
  s->Int(7, a.audit.warning_count());
  s->Int(8, a.audit.info_count());
  s->Text(9, rule_ids);
  s->Blob(10, a.cells);
  if (absl::Status st = s->Run(); !st.ok()) return st;
  return state;
}

google::protobuf::Timestamp Now() {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(absl::Now()));
}

// Writes one audit with its ledger entry, event and report state; -1 when
// the version is audited already. Consumes `r` (sets its ledger index,
// then moves it into the report state).
absl::StatusOr<int64_t> InsertAudit(Connection& c, AuditRecord& r, const EntrySigner& sign) {
  {
    absl::StatusOr<Stmt> s = c.Prepare(
        "SELECT 1 FROM audits WHERE agency_id = ?1 AND year = ?2 AND version = ?3",
        "look up audit");
    if (!s.ok()) return s.status();
    s->Text(1, r.agency_id);
    s->Int(2, r.year);
    s->Int(3, r.version);
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (*row) return -1;
  }
  const v1::LedgerEntry entry = AuditLedgerEntry(r.audit);
  absl::StatusOr<int64_t> index = AppendLedger(c, entry, sign);
  if (!index.ok()) return index.status();
  r.audit.set_ledger_index(*index);
  {
    absl::StatusOr<Stmt> s = c.Prepare(
        "INSERT INTO audits (agency_id, year, version, region_code, audit, cells) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "write audit");
    if (!s.ok()) return s.status();
    std::string bytes = DeterministicBytes(r.audit);
    s->Text(1, r.agency_id);
    s->Int(2, r.year);
    s->Int(3, r.version);
    s->Text(4, r.region_code);
    s->Blob(5, bytes);
    s->Blob(6, r.cells);
    if (absl::Status w = s->Run(); !w.ok()) return w;
  }
  v1::AuditEvent ev;
  ev.set_kind(v1::AuditEvent::VERSION_AUDITED);
  ev.set_version(r.audit.version());
  ev.set_region_code(r.region_code);
  *ev.mutable_time() = r.audit.audit_time();
  if (absl::Status w = AppendEvent(c, r.region_code, ev); !w.ok()) return w;
  absl::StatusOr<int64_t> latest = LatestAuditedVersion(c, r.agency_id, r.year);
  if (!latest.ok()) return latest.status();
  if (*latest == r.version) {
    VersionReviews vr;
    vr.audit = std::move(r);
    vr.latest = true;
    absl::StatusOr<v1::ReportState> state = UpdateState(c, vr);
    if (!state.ok()) return state.status();
  }
  return *index;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  absl::StatusOr<std::string> FeedPosition() override {
    return WithReader([](Connection& c) -> absl::StatusOr<std::string> {
      absl::StatusOr<Stmt> s = c.Prepare("SELECT position FROM feed WHERE id = 1", "read feed");
      if (!s.ok()) return s.status();
      absl::StatusOr<bool> row = s->Step();
      if (!row.ok()) return row.status();
      return *row ? s->ColText(0) : std::string();
    });
  }

  absl::StatusOr<std::vector<int64_t>> RecordAudits(std::vector<AuditRecord> records,
                                                    const std::string& feed_position) override {
    absl::MutexLock lock(&write_mu_);
    Connection& c = *writer_;
    std::vector<int64_t> indexes;
    const EntrySigner sign = [this](int64_t i, absl::string_view leaf) { return SignEntry(i, leaf); };
    absl::Status st = c.InTransactionDo("record audits", [&]() -> absl::Status {
      indexes.clear();
      for (AuditRecord& r : records) {
        absl::StatusOr<int64_t> index = InsertAudit(c, r, sign);
        if (!index.ok()) return index.status();
        indexes.push_back(*index);
      }
      absl::StatusOr<Stmt> s = c.Prepare(
          "INSERT INTO feed (id, position) VALUES (1, ?1) "
          "ON CONFLICT (id) DO UPDATE SET position = excluded.position "
          "WHERE CAST(substr(excluded.position, 6) AS INTEGER) > "
          "CAST(substr(feed.position, 6) AS INTEGER)",
          "write feed position");
      if (!s.ok()) return s.status();
      s->Text(1, feed_position);
      return s->Run();
    });
    if (!st.ok()) return st;
    return indexes;
  }

  absl::StatusOr<AuditRecord> GetAudit(const std::string& agency_id, int32_t year,
                                       int64_t version) override {
    return WithReader([&](Connection& c) { return ReadAudit(c, agency_id, year, version); });
  }

  absl::StatusOr<VersionReviews> GetReviews(const std::string& agency_id, int32_t year,
                                            int64_t version) override {
    return WithReader([&](Connection& c) { return ReadReviews(c, agency_id, year, version); });
  }

  absl::StatusOr<v1::SignOff> AddSignOff(const std::string& agency_id, int32_t year,
                                         int64_t version, v1::SignOff sign_off,
                                         const SignOffCheck& check) override {
    absl::MutexLock lock(&write_mu_);
    Connection& c = *writer_;
    const EntrySigner sign = [this](int64_t i, absl::string_view leaf) { return SignEntry(i, leaf); };
    absl::Status st = c.InTransactionDo("add sign-off", [&]() -> absl::Status {
      absl::StatusOr<VersionReviews> reviews = ReadReviews(c, agency_id, year, version);
      if (!reviews.ok()) return reviews.status();
      if (absl::Status ok = check(*reviews); !ok.ok()) return ok;
      absl::StatusOr<int64_t> id =
          c.QueryInt("SELECT COALESCE(MAX(id), 0) + 1 FROM sign_offs", "next sign-off id");
      if (!id.ok()) return id.status();
      sign_off.set_name(absl::StrCat(reviews->audit.audit.version(), "/signOffs/", *id));
      *sign_off.mutable_create_time() = Now();
      sign_off.clear_ledger_index();
      const v1::LedgerEntry entry = SignOffLedgerEntry(sign_off);
      absl::StatusOr<int64_t> idx = AppendLedger(c, entry, sign);
      if (!idx.ok()) return idx.status();
      sign_off.set_ledger_index(*idx);
      {
        absl::StatusOr<Stmt> s = c.Prepare(
            "INSERT INTO sign_offs (id, agency_id, year, version, sign_off) "
            "VALUES (?1, ?2, ?3, ?4, ?5)",
            "write sign-off");
        if (!s.ok()) return s.status();
        std::string bytes = DeterministicBytes(sign_off);
        s->Int(1, *id);
        s->Text(2, agency_id);
        s->Int(3, year);
        s->Int(4, reviews->audit.version);
        s->Blob(5, bytes);
        if (absl::Status w = s->Run(); !w.ok()) return w;
      }
      const std::string& region = reviews->audit.region_code;
      v1::AuditEvent ev;
      ev.set_kind(v1::AuditEvent::SIGNED_OFF);
      ev.set_version(reviews->audit.audit.version());
      ev.set_region_code(region);
      ev.set_sign_off(sign_off.name());
      *ev.mutable_time() = sign_off.create_time();
      if (absl::Status w = AppendEvent(c, region, ev); !w.ok()) return w;
      if (!reviews->latest) return absl::OkStatus();
      absl::StatusOr<v1::ReportState> before = ReadState(c, agency_id, year);
      if (!before.ok()) return before.status();
      reviews->sign_offs.push_back(sign_off);
      absl::StatusOr<v1::ReportState> after = UpdateState(c, *reviews);
      if (!after.ok()) return after.status();
      if (*after == v1::CLEARED && *before != v1::CLEARED) {
        ev.set_kind(v1::AuditEvent::CLEARED);
        ev.clear_sign_off();
        if (absl::Status w = AppendEvent(c, region, ev); !w.ok()) return w;
      }
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return sign_off;
  }

  absl::StatusOr<std::vector<ReportStateRecord>> ListReportStates(
      int32_t year, const std::string& region_prefix) override {
    return WithReader([&](Connection& c) -> absl::StatusOr<std::vector<ReportStateRecord>> {
      absl::StatusOr<Stmt> s = c.Prepare(
          "SELECT agency_id, region_code, latest_version, state, error_count, warning_count, "
          "info_count, rule_ids, cells FROM report_states "
          "WHERE year = ?1 AND substr(region_code, 1, ?3) = ?2",
          "list report states");
      if (!s.ok()) return s.status();
      s->Int(1, year);
      s->Text(2, region_prefix);
      s->Int(3, static_cast<int64_t>(region_prefix.size()));
      std::vector<ReportStateRecord> out;
      for (;;) {
        absl::StatusOr<bool> row = s->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        ReportStateRecord& r = out.emplace_back();
        r.agency_id = s->ColText(0);
        r.year = year;
        r.region_code = s->ColText(1);
        r.latest_version = s->ColInt(2);
        r.state = static_cast<v1::ReportState>(s->ColInt(3));
        r.error_count = static_cast<int32_t>(s->ColInt(4));
        r.warning_count = static_cast<int32_t>(s->ColInt(5));
        r.info_count = static_cast<int32_t>(s->ColInt(6));
        std::string ids = s->ColText(7);
        if (!ids.empty()) r.rule_ids = absl::StrSplit(ids, ',');
        r.cells = s->ColBlob(8);
      }
      return out;
    });
  }

  absl::StatusOr<std::vector<EventRecord>> ReadEvents(int64_t after_seq,
                                                      const std::string& region_prefix,
                                                      int limit) override {
    return WithReader([&](Connection& c) -> absl::StatusOr<std::vector<EventRecord>> {
      absl::StatusOr<Stmt> s = c.Prepare(
          "SELECT seq, region_code, event FROM events "
          "WHERE seq > ?1 AND substr(region_code, 1, ?3) = ?2 ORDER BY seq LIMIT ?4",
          "read events");
      if (!s.ok()) return s.status();
      s->Int(1, after_seq);
      s->Text(2, region_prefix);
      s->Int(3, static_cast<int64_t>(region_prefix.size()));
      s->Int(4, limit);
      std::vector<EventRecord> out;
      for (;;) {
        absl::StatusOr<bool> row = s->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        EventRecord& e = out.emplace_back();
        e.seq = s->ColInt(0);
        e.region_code = s->ColText(1);
        absl::StatusOr<v1::AuditEvent> ev = ParseBlob<v1::AuditEvent>(s->ColBlobView(2), "event");
        if (!ev.ok()) return ev.status();
        e.event = *std::move(ev);
      }
      return out;
    });
  }

  absl::StatusOr<int64_t> LastEventSeq() override {
    return WithReader([](Connection& c) {
      return c.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM events", "read last event");
    });
  }

  absl::StatusOr<std::vector<LedgerLeaf>> ReadLedger(int64_t from, int64_t limit) override {
    return WithReader([&](Connection& c) -> absl::StatusOr<std::vector<LedgerLeaf>> {
      absl::StatusOr<Stmt> s = c.Prepare(
          "SELECT idx, entry, leaf_hash, signature FROM ledger WHERE idx >= ?1 ORDER BY idx "
          "LIMIT ?2",
          "read ledger");
      if (!s.ok()) return s.status();
      s->Int(1, from);
      s->Int(2, limit);
      std::vector<LedgerLeaf> out;
      for (;;) {
        absl::StatusOr<bool> row = s->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        if (s->ColInt(0) != from + static_cast<int64_t>(out.size())) {
          return absl::DataLossError(
              absl::StrCat("sqlite: ledger entry ", from + out.size(), " is missing"));
        }
        out.push_back({s->ColBlob(1), s->ColBlob(2), s->ColBlob(3)});
      }
      return out;
    });
  }

  absl::StatusOr<int64_t> LedgerSize() override {
    return WithReader([](Connection& c) {
      return c.QueryInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger", "read ledger size");
    });
  }

 private:
  template <typename Fn>
  auto WithReader(Fn fn) -> decltype(fn(std::declval<Connection&>())) {
    std::unique_ptr<Connection> c;
    {
      absl::MutexLock lock(&readers_mu_);
      if (!idle_readers_.empty()) {
        c = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (c == nullptr) {
      absl::StatusOr<std::unique_ptr<Connection>> opened = sqlite::OpenReader(path_);
      if (!opened.ok()) return opened.status();
      c = *std::move(opened);
    }
    // Each read is its own transaction, so its statements see one snapshot.
    auto result = [&]() -> decltype(fn(*c)) {
      if (absl::Status s = c->Exec("BEGIN", "begin read"); !s.ok()) return s;
      auto r = fn(*c);
      (void)c->Exec("COMMIT", "end read");
      return r;
    }();
    absl::MutexLock lock(&readers_mu_);
    if (idle_readers_.size() < kMaxReaders) idle_readers_.push_back(std::move(c));
    return result;
  }

  const std::string path_;
  absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Connection>> w = sqlite::OpenWithSchema(path, Migrations());
  if (!w.ok()) return w.status();
  static_assert(kSqliteSchemaVersion == 2, "update Migrations()");
  return std::unique_ptr<Store>(new SqliteStore(path, *std::move(w)));
}

}  // namespace disclosure::audit
