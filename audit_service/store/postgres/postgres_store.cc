#include "audit_service/store/postgres/postgres_store.h"

#include <map>
#include <optional>
#include <set>
#include <tuple>
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
#include "google/protobuf/util/time_util.h"
#include "core/pg_db.h"
#include "pqxx/pqxx"

namespace disclosure::audit {
namespace {

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

absl::StatusOr<AuditRecord> ReadAudit(pqxx::transaction_base& tx, const std::string& agency_id,
                                      int32_t year, int64_t version) {
  std::string sql =
      "SELECT version, region_code, audit, cells FROM audits WHERE agency_id = $1 AND year = $2";
  pqxx::result r = version == 0
                       ? tx.exec_params(sql + " ORDER BY version DESC LIMIT 1", agency_id, year)
                       : tx.exec_params(sql + " AND version = $3", agency_id, year, version);
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
}

int64_t LatestAuditedVersion(pqxx::transaction_base& tx, const std::string& agency_id,
                             int32_t year) {
  return tx
      .exec_params("SELECT COALESCE(MAX(version), 0) FROM audits WHERE agency_id = $1 AND year = $2",
                   agency_id, year)[0][0]
      .as<int64_t>();
}

absl::StatusOr<VersionReviews> ReadReviews(pqxx::transaction_base& tx,
                                           const std::string& agency_id, int32_t year,
                                           int64_t version) {
  VersionReviews out;
  absl::StatusOr<AuditRecord> a = ReadAudit(tx, agency_id, year, version);
  if (!a.ok()) return a.status();
  out.audit = *std::move(a);
  pqxx::result r = tx.exec_params(
      "SELECT sign_off FROM sign_offs WHERE agency_id = $1 AND year = $2 AND version = $3 "
      "ORDER BY id",
      agency_id, year, out.audit.version);
  for (const pqxx::row& row : r) {
    absl::StatusOr<v1::SignOff> s = Parse<v1::SignOff>(row[0], "sign-off");
    if (!s.ok()) return s.status();
    out.sign_offs.push_back(*std::move(s));
  }
  out.latest = LatestAuditedVersion(tx, agency_id, year) == out.audit.version;
  return out;
}

absl::StatusOr<int64_t> AppendLedger(pqxx::work& tx, const v1::LedgerEntry& entry,
                                     const EntrySigner& sign) {
  int64_t idx = tx.exec("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger")[0][0].as<int64_t>();
  std::string bytes = DeterministicBytes(entry);
  std::string leaf = LeafHash(bytes);
  absl::StatusOr<std::string> signature = sign(idx, leaf);
  if (!signature.ok()) return signature.status();
  tx.exec_params("INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES ($1, $2, $3, $4)",
                 idx, pqxx::binarystring(bytes), pqxx::binarystring(leaf),
                 pqxx::binarystring(*signature));
  return idx;
}

void AppendEvent(pqxx::work& tx, const std::string& region_code, const v1::AuditEvent& event) {
  tx.exec_params(
      "INSERT INTO events (seq, region_code, event) "
      "VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM events), $1, $2)",
      region_code, pqxx::binarystring(DeterministicBytes(event)));
}

v1::ReportState ReadState(pqxx::work& tx, const std::string& agency_id, int32_t year) {
  pqxx::result r = tx.exec_params(
      "SELECT state FROM report_states WHERE agency_id = $1 AND year = $2", agency_id, year);
  return r.empty() ? v1::REPORT_STATE_UNSPECIFIED : static_cast<v1::ReportState>(r[0][0].as<int>());
}

v1::ReportState UpdateState(pqxx::work& tx, const VersionReviews& latest) {
  const AuditRecord& a = latest.audit;
  v1::ReportState state = ReportStateOf(ReviewStatusOf(a.audit, latest.sign_offs, true));
  std::vector<std::string> rules;
  for (const v1::Finding& f : a.audit.findings()) rules.push_back(f.rule_id());
  tx.exec_params(
      "INSERT INTO report_states (agency_id, year, region_code, latest_version, state, "
      "error_count, warning_count, info_count, rule_ids, cells) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
      "ON CONFLICT (agency_id, year) DO UPDATE SET region_code = excluded.region_code, "
      "latest_version = excluded.latest_version, state = excluded.state, "
      "error_count = excluded.error_count, warning_count = excluded.warning_count, "
      "info_count = excluded.info_count, rule_ids = excluded.rule_ids, cells = excluded.cells",
      a.agency_id, a.year, a.region_code, a.version, static_cast<int>(state),
      a.audit.error_count(), a.audit.warning_count(), a.audit.info_count(),
      absl::StrJoin(rules, ","), pqxx::binarystring(a.cells));
  return state;
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string conninfo) : pool_(std::move(conninfo)) {}

  absl::Status Migrate() {
    return pg::Migrate(pool_, "audit_schema", kSchemaLock,
                       std::vector<const char*>(std::begin(kMigrations), std::end(kMigrations)));
  }

  absl::StatusOr<std::string> FeedPosition() override {
    std::string out;
    absl::Status s = WithConnection("read feed position", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec("SELECT position FROM feed WHERE id = 1");
      if (!r.empty()) out = r[0][0].as<std::string>();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  // A batch in a handful of statements, not ~8 round trips per audit: the
  // versions already stored, the next ledger index and event sequence, then
  // multi-row inserts and one upsert of the reports' states.
  absl::StatusOr<std::vector<int64_t>> RecordAudits(std::vector<AuditRecord> records,
                                                    const std::string& feed_position) override {
    std::vector<int64_t> indexes;
    absl::Status s = WithConnection("record audits", [&](pqxx::connection& c) -> absl::Status {
      indexes.assign(records.size(), -1);
      pqxx::work tx(c);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kWriteLock);
      std::vector<AuditRecord*> fresh;  // null: stored already, or twice in the batch
      if (!records.empty()) {
        std::set<std::tuple<std::string, int32_t, int64_t>> stored;
        std::vector<std::string> p;
        std::vector<std::string> rows;
        for (const AuditRecord& r : records) {
          rows.push_back(absl::StrCat("($", p.size() + 1, ", $", p.size() + 2, "::integer, $",
                                      p.size() + 3, "::bigint)"));
          p.push_back(r.agency_id);
          p.push_back(absl::StrCat(r.year));
          p.push_back(absl::StrCat(r.version));
        }
        pqxx::result found = tx.exec_params(
            absl::StrCat("SELECT a.agency_id, a.year, a.version FROM audits a JOIN (VALUES ",
                         absl::StrJoin(rows, ", "),
                         ") AS v(agency_id, year, version) USING (agency_id, year, version)"),
            pqxx::prepare::make_dynamic_params(p));
        for (const pqxx::row& row : found) {
          stored.insert({row[0].as<std::string>(), row[1].as<int32_t>(), row[2].as<int64_t>()});
        }
        std::set<std::tuple<std::string, int32_t, int64_t>> seen;
        for (AuditRecord& r : records) {
          auto key = std::make_tuple(r.agency_id, r.year, r.version);
          if (stored.count(key) || !seen.insert(key).second) {
            fresh.push_back(nullptr);
          } else {
            fresh.push_back(&r);
          }
        }
      }
      int64_t idx = tx.exec("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger")[0][0].as<int64_t>();
      int64_t seq = tx.exec("SELECT COALESCE(MAX(seq), 0) + 1 FROM events")[0][0].as<int64_t>();
      std::vector<std::string> lp, ap, ep;
      std::vector<std::string> lrows, arows, erows;
      std::map<std::pair<std::string, int32_t>, AuditRecord> newest;  // per report in the batch
      for (size_t i = 0; i < records.size(); ++i) {
        if (fresh[i] == nullptr) continue;
        AuditRecord& r = *fresh[i];  // ours to change, and to move from below
        const v1::LedgerEntry entry = AuditLedgerEntry(r.audit);
        const std::string bytes = DeterministicBytes(entry);
        indexes[i] = idx;
        r.audit.set_ledger_index(idx);
        const std::string leaf = LeafHash(bytes);
        absl::StatusOr<std::string> signature = SignEntry(idx, leaf);
        if (!signature.ok()) return signature.status();
        lrows.push_back(absl::StrCat("($", lp.size() + 1, "::bigint, $", lp.size() + 2,
                                     "::bytea, $", lp.size() + 3, "::bytea, $", lp.size() + 4,
                                     "::bytea)"));
        lp.push_back(absl::StrCat(idx++));
        lp.push_back(tx.esc_raw(bytes));
        lp.push_back(tx.esc_raw(leaf));
        lp.push_back(tx.esc_raw(*signature));
        arows.push_back(absl::StrCat("($", ap.size() + 1, ", $", ap.size() + 2, "::integer, $",
                                     ap.size() + 3, "::bigint, $", ap.size() + 4, ", $",
                                     ap.size() + 5, "::bytea, $", ap.size() + 6, "::bytea)"));
        ap.push_back(r.agency_id);
        ap.push_back(absl::StrCat(r.year));
        ap.push_back(absl::StrCat(r.version));
        ap.push_back(r.region_code);
        ap.push_back(tx.esc_raw(DeterministicBytes(r.audit)));
        ap.push_back(tx.esc_raw(r.cells));
        v1::AuditEvent ev;
        ev.set_kind(v1::AuditEvent::VERSION_AUDITED);
        ev.set_version(r.audit.version());
        ev.set_region_code(r.region_code);
        *ev.mutable_time() = r.audit.audit_time();
        erows.push_back(absl::StrCat("($", ep.size() + 1, "::bigint, $", ep.size() + 2, ", $",
                                     ep.size() + 3, "::bytea)"));
        ep.push_back(absl::StrCat(seq++));
        ep.push_back(r.region_code);
        ep.push_back(tx.esc_raw(DeterministicBytes(ev)));
        auto key = std::make_pair(r.agency_id, r.year);
        auto it = newest.find(key);
        if (it == newest.end() || it->second.version < r.version) newest[key] = std::move(r);
      }
      if (!lrows.empty()) {
        tx.exec_params(absl::StrCat("INSERT INTO ledger (idx, entry, leaf_hash, signature) VALUES ",
                                    absl::StrJoin(lrows, ", ")),
                       pqxx::prepare::make_dynamic_params(lp));
        tx.exec_params(absl::StrCat("INSERT INTO audits (agency_id, year, version, region_code, "
                                    "audit, cells) VALUES ",
                                    absl::StrJoin(arows, ", ")),
                       pqxx::prepare::make_dynamic_params(ap));
        tx.exec_params(absl::StrCat("INSERT INTO events (seq, region_code, event) VALUES ",
                                    absl::StrJoin(erows, ", ")),
                       pqxx::prepare::make_dynamic_params(ep));
      }
      // A report's state follows its latest audited version (a batch may
      // hold an older version than one stored earlier only after a replay).
      for (auto& [key, r] : newest) {
        if (LatestAuditedVersion(tx, key.first, key.second) != r.version) continue;
        VersionReviews vr;
        vr.audit = std::move(r);
        vr.latest = true;
        UpdateState(tx, vr);
      }
      tx.exec_params(
          "INSERT INTO feed (id, position) VALUES (1, $1) "
          "ON CONFLICT (id) DO UPDATE SET position = excluded.position "
          "WHERE CAST(substr(excluded.position, 6) AS BIGINT) > "
          "CAST(substr(feed.position, 6) AS BIGINT)",
          feed_position);
      tx.commit();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return indexes;
  }

  absl::StatusOr<AuditRecord> GetAudit(const std::string& agency_id, int32_t year,
                                       int64_t version) override {
    std::optional<AuditRecord> out;
    absl::Status s = WithConnection("read audit", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      absl::StatusOr<AuditRecord> a = ReadAudit(tx, agency_id, year, version);
      if (!a.ok()) return a.status();
      out = *std::move(a);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return *std::move(out);
  }

  absl::StatusOr<VersionReviews> GetReviews(const std::string& agency_id, int32_t year,
                                            int64_t version) override {
    std::optional<VersionReviews> out;
    absl::Status s = WithConnection("read reviews", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      absl::StatusOr<VersionReviews> r = ReadReviews(tx, agency_id, year, version);
      if (!r.ok()) return r.status();
      out = *std::move(r);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return *std::move(out);
  }

  absl::StatusOr<v1::SignOff> AddSignOff(const std::string& agency_id, int32_t year,
                                         int64_t version, v1::SignOff sign_off,
                                         const SignOffCheck& check) override {
    absl::Status s = WithConnection("add sign-off", [&](pqxx::connection& c) -> absl::Status {
      pqxx::work tx(c);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kWriteLock);
      absl::StatusOr<VersionReviews> reviews = ReadReviews(tx, agency_id, year, version);
      if (!reviews.ok()) return reviews.status();
      if (absl::Status ok = check(*reviews); !ok.ok()) return ok;
      const int64_t id =
          tx.exec("SELECT COALESCE(MAX(id), 0) + 1 FROM sign_offs")[0][0].as<int64_t>();
      sign_off.set_name(absl::StrCat(reviews->audit.audit.version(), "/signOffs/", id));
      *sign_off.mutable_create_time() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
      sign_off.clear_ledger_index();
      const v1::LedgerEntry entry = SignOffLedgerEntry(sign_off);
      absl::StatusOr<int64_t> idx = AppendLedger(
          tx, entry, [this](int64_t i, absl::string_view leaf) { return SignEntry(i, leaf); });
      if (!idx.ok()) return idx.status();
      sign_off.set_ledger_index(*idx);
      tx.exec_params(
          "INSERT INTO sign_offs (id, agency_id, year, version, sign_off) "
          "VALUES ($1, $2, $3, $4, $5)",
          id, agency_id, year, reviews->audit.version,
          pqxx::binarystring(DeterministicBytes(sign_off)));
      const std::string& region = reviews->audit.region_code;
      v1::AuditEvent ev;
      ev.set_kind(v1::AuditEvent::SIGNED_OFF);
      ev.set_version(reviews->audit.audit.version());
      ev.set_region_code(region);
      ev.set_sign_off(sign_off.name());
      *ev.mutable_time() = sign_off.create_time();
      AppendEvent(tx, region, ev);
      if (reviews->latest) {
        const v1::ReportState before = ReadState(tx, agency_id, year);
        reviews->sign_offs.push_back(sign_off);
        if (UpdateState(tx, *reviews) == v1::CLEARED && before != v1::CLEARED) {
          ev.set_kind(v1::AuditEvent::CLEARED);
          ev.clear_sign_off();
          AppendEvent(tx, region, ev);
        }
      }
      tx.commit();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return sign_off;
  }

  absl::StatusOr<std::vector<ReportStateRecord>> ListReportStates(
      int32_t year, const std::string& region_prefix) override {
    std::vector<ReportStateRecord> out;
    absl::Status s = WithConnection("list report states", [&](pqxx::connection& c) -> absl::Status {
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
    absl::Status s = WithConnection("read events", [&](pqxx::connection& c) -> absl::Status {
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
    return QueryInt("read last event", "SELECT COALESCE(MAX(seq), 0) FROM events");
  }

  absl::StatusOr<std::vector<LedgerLeaf>> ReadLedger(int64_t from, int64_t limit) override {
    std::vector<LedgerLeaf> out;
    absl::Status s = WithConnection("read ledger", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          "SELECT idx, entry, leaf_hash, signature FROM ledger WHERE idx >= $1 ORDER BY idx "
          "LIMIT $2", from,
          limit);
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
    return QueryInt("read ledger size", "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger");
  }

 private:
  absl::StatusOr<int64_t> QueryInt(absl::string_view step, const char* sql) {
    int64_t v = 0;
    absl::Status s = WithConnection(step, [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      v = tx.exec(sql)[0][0].as<int64_t>();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return v;
  }

  template <typename Fn>
  absl::Status WithConnection(absl::string_view step, Fn fn) {
    return pool_.Run(step, std::move(fn));
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
