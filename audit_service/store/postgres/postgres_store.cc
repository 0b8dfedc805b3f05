#include "audit_service/store/postgres/postgres_store.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "audit_service/store/tx_store.h"
#include "core/access/resource_names.h"
#include "core/report/canonical.h"
#include "core/storage/pg_db.h"
#include "pqxx/pqxx"

namespace disclosure::audit {
namespace {

using pg::Sql;

constexpr int64_t kWriteLock = 0x61756469;  // "audi"
constexpr int64_t kSchemaLock = 0x61736368;

constexpr const char* kMigrations[] = {
    // 1
    R"sql(
CREATE TABLE audits (
  agency_id   TEXT    NOT NULL,
  year        INTEGER NOT NULL,
  version     BIGINT  NOT NULL CHECK (version >= 1),
  region_code TEXT    NOT NULL COLLATE "C",
  audit       BYTEA   NOT NULL,
  cells       BYTEA   NOT NULL,
  PRIMARY KEY (agency_id, year, version)
);
CREATE TABLE sign_offs (
  id        BIGINT  PRIMARY KEY CHECK (id >= 1),
  agency_id TEXT    NOT NULL,
  year      INTEGER NOT NULL,
  version   BIGINT  NOT NULL,
  sign_off  BYTEA   NOT NULL,
  FOREIGN KEY (agency_id, year, version) REFERENCES audits (agency_id, year, version)
);
CREATE INDEX sign_offs_by_version ON sign_offs (agency_id, year, version, id);
CREATE TABLE report_states (
  agency_id      TEXT    NOT NULL,
  year           INTEGER NOT NULL,
  region_code    TEXT    NOT NULL COLLATE "C",
  latest_version BIGINT  NOT NULL,
  state          INTEGER NOT NULL,
  error_count    INTEGER NOT NULL,
  warning_count  INTEGER NOT NULL,
  info_count     INTEGER NOT NULL,
  rule_ids       TEXT    NOT NULL,
  cells          BYTEA   NOT NULL,
  PRIMARY KEY (agency_id, year)
);
CREATE INDEX report_states_by_year ON report_states (year, region_code);
CREATE TABLE ledger (
  idx       BIGINT PRIMARY KEY CHECK (idx >= 0),
  entry     BYTEA  NOT NULL,
  leaf_hash BYTEA  NOT NULL
);
CREATE TABLE events (
  seq         BIGINT PRIMARY KEY CHECK (seq >= 1),
  region_code TEXT   NOT NULL COLLATE "C",
  event       BYTEA  NOT NULL
);
CREATE TABLE feed (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position TEXT    NOT NULL
);
)sql",
    // 2: each entry's signature by the ledger key (audit_service/ledger.h);
    // entries appended before it have none, and the ledger refuses them.
    R"sql(
ALTER TABLE ledger ADD COLUMN signature BYTEA NOT NULL DEFAULT ''::bytea;
)sql",
    // 3: the feed position as the integer N of "feed/N", compared as one.
    R"sql(
CREATE TABLE feed_seq (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT  NOT NULL CHECK (seq >= 0)
);
INSERT INTO feed_seq (id, seq) SELECT 1, CAST(substr(position, 6) AS BIGINT) FROM feed;
DROP TABLE feed;
)sql",
};
static_assert(std::size(kMigrations) == kPostgresSchemaVersion, "one script per version");


std::string Bytes(const pqxx::field& f) { return pqxx::binarystring(f).str(); }

template <typename M>
absl::StatusOr<M> Parse(const pqxx::field& f, absl::string_view what) {
  M m;
  if (!m.ParseFromString(Bytes(f))) {
    return absl::DataLossError(absl::StrCat("postgres: stored ", what, " does not parse"));
  }
  return m;
}

// "($1::bigint, $2::bytea), ($3::bigint, $4::bytea), …": the VALUES of a
// multi-row insert of `rows` rows of `types`; a batch takes one statement,
// not one round trip per row.
std::string ValuesOf(size_t rows, const std::vector<const char*>& types) {
  std::string out;
  size_t n = 0;
  for (size_t r = 0; r < rows; ++r) {
    absl::StrAppend(&out, r == 0 ? "(" : ", (");
    for (size_t c = 0; c < types.size(); ++c) {
      absl::StrAppend(&out, c == 0 ? "" : ", ", "$", ++n, "::", types[c]);
    }
    absl::StrAppend(&out, ")");
  }
  return out;
}

// The SQL of each step, in its transaction.
class PgAuditTx final : public AuditTx {
 public:
  explicit PgAuditTx(pqxx::transaction_base& tx) : tx_(tx) {}

  absl::StatusOr<AuditRecord> ReadAudit(const std::string& agency_id, int32_t year,
                                        int64_t version) override {
    return Sql("read audit", [&]() -> absl::StatusOr<AuditRecord> {
      const std::string sql =
          "SELECT version, region_code, audit, cells FROM audits WHERE agency_id = $1 AND "
          "year = $2";
      pqxx::result r = version == 0
                           ? tx_.exec_params(sql + " ORDER BY version DESC LIMIT 1", agency_id, year)
                           : tx_.exec_params(sql + " AND version = $3", agency_id, year, version);
      if (r.empty()) {
        return absl::NotFoundError(
            absl::StrCat(version == 0 ? FormatReportName({agency_id, year})
                                      : FormatVersionName({agency_id, year}, version),
                         " has no audit"));
      }
      AuditRecord a;
      a.agency_id = agency_id;
      a.year = year;
      a.version = r[0][0].as<int64_t>();
      a.region_code = r[0][1].as<std::string>();
      absl::StatusOr<v1::Audit> audit = Parse<v1::Audit>(r[0][2], "audit");
      if (!audit.ok()) return audit.status();
      a.audit = *std::move(audit);
      a.cells = Bytes(r[0][3]);
      return a;
    });
  }

  absl::StatusOr<std::vector<v1::SignOff>> ReadSignOffs(const std::string& agency_id,
                                                        int32_t year, int64_t version) override {
    return Sql("read sign-offs", [&]() -> absl::StatusOr<std::vector<v1::SignOff>> {
      pqxx::result r = tx_.exec_params(
          "SELECT sign_off FROM sign_offs WHERE agency_id = $1 AND year = $2 AND version = $3 "
          "ORDER BY id",
          agency_id, year, version);
      std::vector<v1::SignOff> out;
      for (const pqxx::row& row : r) {
        absl::StatusOr<v1::SignOff> s = Parse<v1::SignOff>(row[0], "sign-off");
        if (!s.ok()) return s.status();
        out.push_back(*std::move(s));
      }
      return out;
    });
  }

  absl::StatusOr<int64_t> LatestAuditedVersion(const std::string& agency_id,
                                               int32_t year) override {
    return Sql("read latest audited version", [&]() -> absl::StatusOr<int64_t> {
      return tx_
          .exec_params(
              "SELECT COALESCE(MAX(version), 0) FROM audits WHERE agency_id = $1 AND year = $2",
              agency_id, year)[0][0]
          .as<int64_t>();
    });
  }

  absl::StatusOr<std::vector<bool>> AuditsStored(
      const std::vector<AuditRecord>& records) override {
    return Sql("look up audits", [&]() -> absl::StatusOr<std::vector<bool>> {
      std::vector<bool> out(records.size(), false);
      if (records.empty()) return out;
      std::vector<std::string> p;
      for (size_t i = 0; i < records.size(); ++i) {
        p.push_back(records[i].agency_id);
        p.push_back(absl::StrCat(records[i].year));
        p.push_back(absl::StrCat(records[i].version));
        p.push_back(absl::StrCat(i));
      }
      // The position among `records` of each one stored.
      pqxx::result found = tx_.exec_params(
          absl::StrCat("SELECT v.i FROM (VALUES ",
                       ValuesOf(records.size(), {"text", "integer", "bigint", "bigint"}),
                       ") AS v(agency_id, year, version, i) "
                       "JOIN audits a USING (agency_id, year, version)"),
          pqxx::prepare::make_dynamic_params(p));
      for (const pqxx::row& row : found) out[row[0].as<size_t>()] = true;
      return out;
    });
  }

  absl::StatusOr<int64_t> LedgerSize() override {
    return Int("read ledger size", "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger");
  }
  absl::StatusOr<int64_t> LastEventSeq() override {
    return Int("read last event", "SELECT COALESCE(MAX(seq), 0) FROM events");
  }
  absl::StatusOr<int64_t> LastSignOffId() override {
    return Int("read last sign-off id", "SELECT COALESCE(MAX(id), 0) FROM sign_offs");
  }

  absl::Status WriteLedger(int64_t first_index, const std::vector<LedgerLeaf>& leaves) override {
    if (leaves.empty()) return absl::OkStatus();
    return Sql("append ledger", [&] {
      std::vector<std::string> p;
      for (size_t i = 0; i < leaves.size(); ++i) {
        p.push_back(absl::StrCat(first_index + static_cast<int64_t>(i)));
        p.push_back(tx_.esc_raw(leaves[i].entry));
        p.push_back(tx_.esc_raw(leaves[i].leaf_hash));
        p.push_back(tx_.esc_raw(leaves[i].signature));
      }
      tx_.exec_params(absl::StrCat("INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES ",
                                   ValuesOf(leaves.size(), {"bigint", "bytea", "bytea", "bytea"})),
                      pqxx::prepare::make_dynamic_params(p));
      return absl::OkStatus();
    });
  }

  absl::Status WriteAudits(const std::vector<const AuditRecord*>& records) override {
    if (records.empty()) return absl::OkStatus();
    return Sql("write audits", [&] {
      std::vector<std::string> p;
      for (const AuditRecord* r : records) {
        p.push_back(r->agency_id);
        p.push_back(absl::StrCat(r->year));
        p.push_back(absl::StrCat(r->version));
        p.push_back(r->region_code);
        p.push_back(tx_.esc_raw(DeterministicBytes(r->audit)));
        p.push_back(tx_.esc_raw(r->cells));
      }
      tx_.exec_params(
          absl::StrCat(
              "INSERT INTO audits (agency_id, year, version, region_code, audit, cells) VALUES ",
              ValuesOf(records.size(), {"text", "integer", "bigint", "text", "bytea", "bytea"})),
          pqxx::prepare::make_dynamic_params(p));
      return absl::OkStatus();
    });
  }

  absl::Status WriteEvents(const std::vector<EventRecord>& events) override {
    if (events.empty()) return absl::OkStatus();
    return Sql("append events", [&] {
      std::vector<std::string> p;
      for (const EventRecord& e : events) {
        p.push_back(absl::StrCat(e.seq));
        p.push_back(e.region_code);
        p.push_back(tx_.esc_raw(DeterministicBytes(e.event)));
      }
      tx_.exec_params(absl::StrCat("INSERT INTO events (seq, region_code, event) VALUES ",
                                   ValuesOf(events.size(), {"bigint", "text", "bytea"})),
                      pqxx::prepare::make_dynamic_params(p));
      return absl::OkStatus();
    });
  }

  absl::Status WriteSignOff(int64_t id, const std::string& agency_id, int32_t year,
                            int64_t version, const v1::SignOff& sign_off) override {
    return Sql("write sign-off", [&] {
      tx_.exec_params(
          "INSERT INTO sign_offs (id, agency_id, year, version, sign_off) "
          "VALUES ($1, $2, $3, $4, $5)",
          id, agency_id, year, version, pqxx::binarystring(DeterministicBytes(sign_off)));
      return absl::OkStatus();
    });
  }

  absl::StatusOr<v1::ReportState> ReadState(const std::string& agency_id, int32_t year) override {
    return Sql("read report state", [&]() -> absl::StatusOr<v1::ReportState> {
      pqxx::result r = tx_.exec_params(
          "SELECT state FROM report_states WHERE agency_id = $1 AND year = $2", agency_id, year);
      return r.empty() ? v1::REPORT_STATE_UNSPECIFIED
                       : static_cast<v1::ReportState>(r[0][0].as<int>());
    });
  }

  absl::Status WriteState(const ReportStateRecord& r) override {
    return Sql("write report state", [&] {
      tx_.exec_params(
          "INSERT INTO report_states (agency_id, year, region_code, latest_version, state, "
          "error_count, warning_count, info_count, rule_ids, cells) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
          "ON CONFLICT (agency_id, year) DO UPDATE SET region_code = excluded.region_code, "
          "latest_version = excluded.latest_version, state = excluded.state, "
          "error_count = excluded.error_count, warning_count = excluded.warning_count, "
          "info_count = excluded.info_count, rule_ids = excluded.rule_ids, cells = excluded.cells",
          r.agency_id, r.year, r.region_code, r.latest_version, static_cast<int>(r.state),
          r.error_count, r.warning_count, r.info_count, absl::StrJoin(r.rule_ids, ","),
          pqxx::binarystring(r.cells));
      return absl::OkStatus();
    });
  }

  absl::Status AdvanceFeed(int64_t feed_seq) override {
    return Sql("write feed position", [&] {
      tx_.exec_params(
          "INSERT INTO feed_seq (id, seq) VALUES (1, $1) "
          "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > feed_seq.seq",
          feed_seq);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int64_t> Int(absl::string_view step, const char* sql) {
    return Sql(step, [&]() -> absl::StatusOr<int64_t> { return tx_.exec(sql)[0][0].as<int64_t>(); });
  }

 private:
  pqxx::transaction_base& tx_;
};

class PostgresStore final : public TxStore {
 public:
  explicit PostgresStore(std::string conninfo) : pool_(std::move(conninfo)) {}

  absl::Status Migrate() {
    return pg::Migrate(pool_, "audit_schema", kSchemaLock,
                       std::vector<const char*>(std::begin(kMigrations), std::end(kMigrations)));
  }

  absl::StatusOr<int64_t> FeedPosition() override {
    return ReadInt("read feed position", "SELECT COALESCE(MAX(seq), 0) FROM feed_seq");
  }

  absl::StatusOr<std::vector<ReportStateRecord>> ListReportStates(
      int32_t year, const std::string& region_prefix) override {
    std::vector<ReportStateRecord> out;
    absl::Status s = pool_.Run("list report states", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          "SELECT agency_id, region_code, latest_version, state, error_count, warning_count, "
          "info_count, rule_ids, cells FROM report_states "
          "WHERE year = $1 AND substr(region_code, 1, $3) = $2",
          year, region_prefix, static_cast<int>(region_prefix.size()));
      for (const pqxx::row& row : r) {
        ReportStateRecord& rec = out.emplace_back();
        rec.agency_id = row[0].as<std::string>();
        rec.year = year;
        rec.region_code = row[1].as<std::string>();
        rec.latest_version = row[2].as<int64_t>();
        rec.state = static_cast<v1::ReportState>(row[3].as<int>());
        rec.error_count = row[4].as<int32_t>();
        rec.warning_count = row[5].as<int32_t>();
        rec.info_count = row[6].as<int32_t>();
        std::string ids = row[7].as<std::string>();
        if (!ids.empty()) rec.rule_ids = absl::StrSplit(ids, ',');
        rec.cells = Bytes(row[8]);
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<std::vector<EventRecord>> ReadEvents(int64_t after_seq,
                                                      const std::string& region_prefix,
                                                      int limit) override {
    std::vector<EventRecord> out;
    absl::Status s = pool_.Run("read events", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          "SELECT seq, region_code, event FROM events "
          "WHERE seq > $1 AND substr(region_code, 1, $3) = $2 ORDER BY seq LIMIT $4",
          after_seq, region_prefix, static_cast<int>(region_prefix.size()), limit);
      for (const pqxx::row& row : r) {
        EventRecord& e = out.emplace_back();
        e.seq = row[0].as<int64_t>();
        e.region_code = row[1].as<std::string>();
        absl::StatusOr<v1::AuditEvent> ev = Parse<v1::AuditEvent>(row[2], "event");
        if (!ev.ok()) return ev.status();
        e.event = *std::move(ev);
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<int64_t> LastEventSeq() override {
    return ReadInt("read last event", "SELECT COALESCE(MAX(seq), 0) FROM events");
  }

  absl::StatusOr<std::vector<LedgerLeaf>> ReadLedger(int64_t from, int64_t limit) override {
    std::vector<LedgerLeaf> out;
    absl::Status s = pool_.Run("read ledger", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          "SELECT idx, entry, leaf_hash, signature FROM ledger WHERE idx >= $1 ORDER BY idx "
          "LIMIT $2",
          from, limit);
      for (const pqxx::row& row : r) {
        if (row[0].as<int64_t>() != from + static_cast<int64_t>(out.size())) {
          return absl::DataLossError(
              absl::StrCat("postgres: ledger entry ", from + out.size(), " is missing"));
        }
        out.push_back({Bytes(row[1]), Bytes(row[2]), Bytes(row[3])});
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<int64_t> LedgerSize() override {
    return ReadInt("read ledger size", "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger");
  }

 protected:
  absl::Status ReadTx(absl::string_view step, TxFn fn) override {
    return pool_.Run(step, [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      PgAuditTx t(tx);
      return fn(t);
    });
  }

  // Writers of every replica take the same advisory lock, so ledger indexes
  // and event sequence numbers are assigned one transaction at a time.
  absl::Status WriteTx(absl::string_view step, TxFn fn) override {
    return pool_.Run(step, [&](pqxx::connection& c) -> absl::Status {
      pqxx::work tx(c);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kWriteLock);
      PgAuditTx t(tx);
      if (absl::Status s = fn(t); !s.ok()) return s;  // rolled back by ~work
      tx.commit();
      return absl::OkStatus();
    });
  }

 private:
  absl::StatusOr<int64_t> ReadInt(absl::string_view step, const char* sql) {
    int64_t v = 0;
    absl::Status s = pool_.Run(step, [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      absl::StatusOr<int64_t> r = PgAuditTx(tx).Int(step, sql);
      if (!r.ok()) return r.status();
      v = *r;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return v;
  }

  pg::ConnectionPool pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo) {
  auto store = std::make_unique<PostgresStore>(conninfo);
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace disclosure::audit
