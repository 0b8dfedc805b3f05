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
#include "audit_service/store/tx_store.h"
#include "core/access/resource_names.h"
#include "core/report/canonical.h"
#include "core/storage/sqlite_db.h"

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
)sql"},
      // 3: the feed position as the integer N of "feed/N", compared as one.
      {3, R"sql(
CREATE TABLE feed_seq (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL CHECK (seq >= 0)
);
INSERT INTO feed_seq (id, seq) SELECT 1, CAST(substr(position, 6) AS INTEGER) FROM feed;
DROP TABLE feed;
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

// The SQL of each step on one connection, in its transaction.
class SqliteAuditTx final : public AuditTx {
 public:
  explicit SqliteAuditTx(Connection& c) : c_(c) {}

  absl::StatusOr<AuditRecord> ReadAudit(const std::string& agency_id, int32_t year,
                                        int64_t version) override {
    std::string sql =
        "SELECT version, region_code, audit, cells FROM audits WHERE agency_id = ?1 AND year = ?2";
    sql += version == 0 ? " ORDER BY version DESC LIMIT 1" : " AND version = ?3";
    absl::StatusOr<Stmt> s = c_.Prepare(sql, "read audit");
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

  absl::StatusOr<std::vector<v1::SignOff>> ReadSignOffs(const std::string& agency_id,
                                                        int32_t year, int64_t version) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "SELECT sign_off FROM sign_offs WHERE agency_id = ?1 AND year = ?2 AND version = ?3 "
        "ORDER BY id",
        "read sign-offs");
    if (!s.ok()) return s.status();
    s->Text(1, agency_id);
    s->Int(2, year);
    s->Int(3, version);
    std::vector<v1::SignOff> out;
    absl::Status rows = s->ForEachRow([&]() -> absl::Status {
      absl::StatusOr<v1::SignOff> so = ParseBlob<v1::SignOff>(s->ColBlobView(0), "sign-off");
      if (!so.ok()) return so.status();
      out.push_back(*std::move(so));
      return absl::OkStatus();
    });
    if (!rows.ok()) return rows;
    return out;
  }

  absl::StatusOr<int64_t> LatestAuditedVersion(const std::string& agency_id,
                                               int32_t year) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "SELECT COALESCE(MAX(version), 0) FROM audits WHERE agency_id = ?1 AND year = ?2",
        "read latest audited version");
    if (!s.ok()) return s.status();
    s->Text(1, agency_id);
    s->Int(2, year);
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    return s->ColInt(0);
  }

  absl::StatusOr<std::vector<bool>> AuditsStored(
      const std::vector<AuditRecord>& records) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "SELECT 1 FROM audits WHERE agency_id = ?1 AND year = ?2 AND version = ?3",
        "look up audit");
    if (!s.ok()) return s.status();
    std::vector<bool> out;
    for (const AuditRecord& r : records) {
      s->Text(1, r.agency_id);
      s->Int(2, r.year);
      s->Int(3, r.version);
      absl::StatusOr<bool> row = s->Step();
      if (!row.ok()) return row.status();
      out.push_back(*row);
      s->Reset();
    }
    return out;
  }

  absl::StatusOr<int64_t> LedgerSize() override {
    // MAX over the primary key is a seek; COUNT(*) would scan.
    return c_.QueryInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger", "read ledger size");
  }
  absl::StatusOr<int64_t> LastEventSeq() override {
    return c_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM events", "read last event");
  }
  absl::StatusOr<int64_t> LastSignOffId() override {
    return c_.QueryInt("SELECT COALESCE(MAX(id), 0) FROM sign_offs", "read last sign-off id");
  }

  absl::Status WriteLedger(int64_t first_index, const std::vector<LedgerLeaf>& leaves) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES (?1, ?2, ?3, ?4)",
        "append ledger");
    if (!s.ok()) return s.status();
    for (size_t i = 0; i < leaves.size(); ++i) {
      s->Int(1, first_index + static_cast<int64_t>(i));
      s->Blob(2, leaves[i].entry);
      s->Blob(3, leaves[i].leaf_hash);
      s->Blob(4, leaves[i].signature);
      if (absl::Status st = s->RunAndReset(); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

  absl::Status WriteAudits(const std::vector<const AuditRecord*>& records) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO audits (agency_id, year, version, region_code, audit, cells) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "write audit");
    if (!s.ok()) return s.status();
    for (const AuditRecord* r : records) {
      const std::string bytes = DeterministicBytes(r->audit);
      s->Text(1, r->agency_id);
      s->Int(2, r->year);
      s->Int(3, r->version);
      s->Text(4, r->region_code);
      s->Blob(5, bytes);
      s->Blob(6, r->cells);
      if (absl::Status st = s->RunAndReset(); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

  absl::Status WriteEvents(const std::vector<EventRecord>& events) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO events (seq, region_code, event) VALUES (?1, ?2, ?3)", "append event");
    if (!s.ok()) return s.status();
    for (const EventRecord& e : events) {
      const std::string bytes = DeterministicBytes(e.event);
      s->Int(1, e.seq);
      s->Text(2, e.region_code);
      s->Blob(3, bytes);
      if (absl::Status st = s->RunAndReset(); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

  absl::Status WriteSignOff(int64_t id, const std::string& agency_id, int32_t year,
                            int64_t version, const v1::SignOff& sign_off) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO sign_offs (id, agency_id, year, version, sign_off) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        "write sign-off");
    if (!s.ok()) return s.status();
    const std::string bytes = DeterministicBytes(sign_off);
    s->Int(1, id);
    s->Text(2, agency_id);
    s->Int(3, year);
    s->Int(4, version);
    s->Blob(5, bytes);
    return s->Run();
  }

  absl::StatusOr<v1::ReportState> ReadState(const std::string& agency_id, int32_t year) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "SELECT state FROM report_states WHERE agency_id = ?1 AND year = ?2", "read report state");
    if (!s.ok()) return s.status();
    s->Text(1, agency_id);
    s->Int(2, year);
    absl::StatusOr<bool> row = s->Step();
    if (!row.ok()) return row.status();
    return *row ? static_cast<v1::ReportState>(s->ColInt(0)) : v1::REPORT_STATE_UNSPECIFIED;
  }

  absl::Status WriteState(const ReportStateRecord& r) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO report_states (agency_id, year, region_code, latest_version, state, "
        "error_count, warning_count, info_count, rule_ids, cells) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
        "ON CONFLICT (agency_id, year) DO UPDATE SET region_code = excluded.region_code, "
        "latest_version = excluded.latest_version, state = excluded.state, "
        "error_count = excluded.error_count, warning_count = excluded.warning_count, "
        "info_count = excluded.info_count, rule_ids = excluded.rule_ids, cells = excluded.cells",
        "write report state");
    if (!s.ok()) return s.status();
    const std::string rule_ids = absl::StrJoin(r.rule_ids, ",");
    s->Text(1, r.agency_id);
    s->Int(2, r.year);
    s->Text(3, r.region_code);
    s->Int(4, r.latest_version);
    s->Int(5, r.state);
    s->Int(6, r.error_count);
    s->Int(7, r.warning_count);
    s->Int(8, r.info_count);
    s->Text(9, rule_ids);
    s->Blob(10, r.cells);
    return s->Run();
  }

  absl::Status AdvanceFeed(int64_t feed_seq) override {
    absl::StatusOr<Stmt> s = c_.Prepare(
        "INSERT INTO feed_seq (id, seq) VALUES (1, ?1) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > feed_seq.seq",
        "write feed position");
    if (!s.ok()) return s.status();
    s->Int(1, feed_seq);
    return s->Run();
  }

 private:
  Connection& c_;
};

class SqliteStore final : public TxStore {
 public:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  absl::StatusOr<int64_t> FeedPosition() override {
    return readers_.Run([](Connection& c) {
      return c.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM feed_seq", "read feed");
    });
  }

  absl::StatusOr<std::vector<ReportStateRecord>> ListReportStates(
      int32_t year, const std::string& region_prefix) override {
    return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<ReportStateRecord>> {
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
      absl::Status rows = s->ForEachRow([&]() -> absl::Status {
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
        return absl::OkStatus();
      });
      if (!rows.ok()) return rows;
      return out;
    });
  }

  absl::StatusOr<std::vector<EventRecord>> ReadEvents(int64_t after_seq,
                                                      const std::string& region_prefix,
                                                      int limit) override {
    return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<EventRecord>> {
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
      absl::Status rows = s->ForEachRow([&]() -> absl::Status {
        EventRecord& e = out.emplace_back();
        e.seq = s->ColInt(0);
        e.region_code = s->ColText(1);
        absl::StatusOr<v1::AuditEvent> ev = ParseBlob<v1::AuditEvent>(s->ColBlobView(2), "event");
        if (!ev.ok()) return ev.status();
        e.event = *std::move(ev);
        return absl::OkStatus();
      });
      if (!rows.ok()) return rows;
      return out;
    });
  }

  absl::StatusOr<int64_t> LastEventSeq() override {
    return readers_.Run([](Connection& c) { return SqliteAuditTx(c).LastEventSeq(); });
  }

  absl::StatusOr<std::vector<LedgerLeaf>> ReadLedger(int64_t from, int64_t limit) override {
    return readers_.Run([&](Connection& c) -> absl::StatusOr<std::vector<LedgerLeaf>> {
      absl::StatusOr<Stmt> s = c.Prepare(
          "SELECT idx, entry, leaf_hash, signature FROM ledger WHERE idx >= ?1 ORDER BY idx "
          "LIMIT ?2",
          "read ledger");
      if (!s.ok()) return s.status();
      s->Int(1, from);
      s->Int(2, limit);
      std::vector<LedgerLeaf> out;
      absl::Status rows = s->ForEachRow([&]() -> absl::Status {
        if (s->ColInt(0) != from + static_cast<int64_t>(out.size())) {
          return absl::DataLossError(
              absl::StrCat("sqlite: ledger entry ", from + out.size(), " is missing"));
        }
        out.push_back({s->ColBlob(1), s->ColBlob(2), s->ColBlob(3)});
        return absl::OkStatus();
      });
      if (!rows.ok()) return rows;
      return out;
    });
  }

  absl::StatusOr<int64_t> LedgerSize() override {
    return readers_.Run([](Connection& c) { return SqliteAuditTx(c).LedgerSize(); });
  }

  absl::Status Warm() { return readers_.Warm(); }

 protected:
  absl::Status ReadTx(absl::string_view, TxFn fn) override {
    return readers_.Run([&](Connection& c) {
      SqliteAuditTx tx(c);
      return fn(tx);
    });
  }

  absl::Status WriteTx(absl::string_view step, TxFn fn) override {
    absl::MutexLock lock(&write_mu_);
    Connection& c = *writer_;
    return c.InTransactionDo(step, [&] {
      SqliteAuditTx tx(c);
      return fn(tx);
    });
  }

 private:
  const std::string path_;
  absl::Mutex write_mu_;
  std::unique_ptr<Connection> writer_ ABSL_GUARDED_BY(write_mu_);
  sqlite::ReaderPool readers_{path_, kMaxReaders};
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Connection>> w = sqlite::OpenWithSchema(path, Migrations());
  if (!w.ok()) return w.status();
  static_assert(kSqliteSchemaVersion == 3, "update Migrations()");
  auto store = std::make_unique<SqliteStore>(path, *std::move(w));
  if (absl::Status s = store->Warm(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace disclosure::audit
