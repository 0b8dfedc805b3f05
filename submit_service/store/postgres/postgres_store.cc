#include "submit_service/store/postgres/postgres_store.h"

#include <pthread.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "core/storage/pg_db.h"
#include "submit_service/store/create_version.h"
#include "pqxx/pqxx"

namespace disclosure::submit {
namespace {

// Taken by every write transaction (pg_advisory_xact_lock): writes commit
// one at a time, in feed order.
constexpr int64_t kFeedLock = 0x64697363;  // "disc"
constexpr int64_t kSchemaLock = 0x73636865;
constexpr size_t kMaxBatch = 128;  // CreateVersion calls committed together

constexpr const char* kMigrations[] = {
    // 1
    R"sql(
CREATE TABLE reports (
  agency_id      TEXT    NOT NULL,
  year           INTEGER NOT NULL,
  agency_name    TEXT    NOT NULL,
  region_code    TEXT    NOT NULL COLLATE "C",
  latest_version BIGINT  NOT NULL CHECK (latest_version >= 1),
  PRIMARY KEY (agency_id, year)
);
CREATE INDEX reports_by_region ON reports (region_code, agency_id, year);
CREATE TABLE versions (
  agency_id      TEXT    NOT NULL,
  year           INTEGER NOT NULL,
  version        BIGINT  NOT NULL CHECK (version >= 1),
  content_hash   TEXT    NOT NULL,
  submitter      TEXT    NOT NULL,
  create_time_us BIGINT  NOT NULL,
  feed_seq       BIGINT  NOT NULL UNIQUE CHECK (feed_seq >= 1),
  report         BYTEA   NOT NULL,
  PRIMARY KEY (agency_id, year, version),
  FOREIGN KEY (agency_id, year) REFERENCES reports (agency_id, year)
);
CREATE TABLE idempotency (
  submitter  TEXT    NOT NULL,
  request_id TEXT    NOT NULL,
  agency_id  TEXT    NOT NULL,
  year       INTEGER NOT NULL,
  version    BIGINT  NOT NULL,
  created    BOOLEAN NOT NULL,
  PRIMARY KEY (submitter, request_id),
  FOREIGN KEY (agency_id, year, version) REFERENCES versions (agency_id, year, version)
);
)sql",
    // 2: the published document of a version (CreateVersionArgs.document).
    R"sql(
CREATE TABLE documents (
  agency_id TEXT    NOT NULL,
  year      INTEGER NOT NULL,
  version   BIGINT  NOT NULL,
  sha256    TEXT    NOT NULL COLLATE "C",
  document  BYTEA   NOT NULL,
  PRIMARY KEY (agency_id, year, version),
  FOREIGN KEY (agency_id, year, version) REFERENCES versions (agency_id, year, version)
);
CREATE INDEX documents_by_sha256 ON documents (sha256, agency_id, year, version);
)sql",
};
static_assert(std::size(kMigrations) == kPostgresSchemaVersion, "one script per version");

constexpr char kVersionColumns[] =
    "agency_id, year, version, content_hash, submitter, create_time_us, feed_seq";


VersionRecord ReadVersionRow(const pqxx::row& row, int first, bool with_report) {
  VersionRecord v;
  v.agency_id = row[first + 0].as<std::string>();
  v.year = row[first + 1].as<int32_t>();
  v.version = row[first + 2].as<int64_t>();
  v.content_hash = row[first + 3].as<std::string>();
  v.submitter = row[first + 4].as<std::string>();
  v.create_time = absl::FromUnixMicros(row[first + 5].as<int64_t>());
  v.feed_seq = row[first + 6].as<int64_t>();
  if (with_report) v.report = pqxx::binarystring(row[first + 7]).str();
  return v;
}

absl::Status CheckLimit(int limit) {
  if (limit < 0) return absl::InvalidArgumentError(absl::StrCat("negative limit ", limit));
  return absl::OkStatus();
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string conninfo) : pool_(std::move(conninfo)) {
    writer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "pg-writer");
      WriterLoop();
    });
  }
  ~PostgresStore() override {
    {
      absl::MutexLock l(&queue_mu_);
      stopping_ = true;
    }
    writer_.join();  // the queue is drained first
  }

  absl::Status Migrate() {
    return pg::Migrate(pool_, "disclosure_schema", kSchemaLock,
                       std::vector<const char*>(std::begin(kMigrations), std::end(kMigrations)));
  }

  // Calls queue for the writer thread, which commits what has queued up in
  // one transaction (group commit: one WAL flush for many versions), each
  // call in a savepoint of its own so that one refused call leaves the
  // others of the batch alone.
  absl::StatusOr<CreateVersionResult> CreateVersion(const CreateVersionArgs& a) override {
    absl::Notification done;
    absl::StatusOr<CreateVersionResult> result;
    CreateVersionAsync(a, [&](absl::StatusOr<CreateVersionResult> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  void CreateVersionAsync(CreateVersionArgs args, CreateVersionCallback done) override {
    {
      absl::MutexLock l(&queue_mu_);
      if (!stopping_) {
        queue_.push_back({std::move(args), std::move(done)});
        return;
      }
    }
    done(absl::UnavailableError("postgres: the store is closing"));
  }

  absl::StatusOr<VersionRecord> GetVersion(const std::string& agency_id, int32_t year,
                                           int64_t version, bool with_report) override {
    if (version < 0) return absl::InvalidArgumentError(absl::StrCat("version ", version, " < 0"));
    std::optional<VersionRecord> out;
    absl::Status s = WithConnection("read version", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      absl::StatusOr<VersionRecord> v = QueryVersion(tx, agency_id, year, version, with_report);
      if (!v.ok()) return v.status();
      out = *std::move(v);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return *std::move(out);
  }

  absl::StatusOr<std::string> GetDocument(const std::string& agency_id, int32_t year,
                                          int64_t version) override {
    std::optional<std::string> out;
    absl::Status s = WithConnection("read document", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          "SELECT document FROM documents WHERE agency_id = $1 AND year = $2 AND version = $3",
          agency_id, year, version);
      if (r.empty()) return absl::OkStatus();
      pqxx::binarystring b(r[0][0]);
      out = std::string(b.str());
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (!out) {
      return absl::NotFoundError(absl::StrCat("version ", version, " of report ", agency_id, "/",
                                              year, " has no published document"));
    }
    return *std::move(out);
  }

  absl::StatusOr<std::vector<VersionRecord>> FindDocument(const std::string& sha256,
                                                          int limit) override {
    if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
    std::vector<VersionRecord> out;
    if (limit == 0) return out;
    absl::Status s = WithConnection("find document", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          absl::StrCat("SELECT ", kVersionColumns, " FROM versions WHERE (agency_id, year, version) IN "
                       "(SELECT agency_id, year, version FROM documents WHERE sha256 = $1) "
                       "ORDER BY agency_id COLLATE \"C\", year, version LIMIT $2"),
          sha256, limit);
      for (const pqxx::row& row : r) out.push_back(ReadVersionRow(row, 0, /*with_report=*/false));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<std::vector<VersionRecord>> ListVersions(const std::string& agency_id,
                                                          int32_t year, int64_t after_version,
                                                          int limit, bool with_report) override {
    if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
    std::vector<VersionRecord> out;
    if (limit == 0) return out;
    absl::Status s = WithConnection("list versions", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          absl::StrCat("SELECT ", kVersionColumns, with_report ? ", report" : "",
                       " FROM versions WHERE agency_id = $1 AND year = $2 AND version > $3 "
                       "ORDER BY version LIMIT $4"),
          agency_id, year, after_version, limit);
      for (const pqxx::row& row : r) out.push_back(ReadVersionRow(row, 0, with_report));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<std::vector<ReportRecord>> ListReports(const ReportFilter& filter,
                                                        const std::optional<ReportKey>& after,
                                                        int limit) override {
    if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
    std::vector<ReportRecord> out;
    if (limit == 0) return out;
    if (filter.scope.has_value() && filter.scope->agency_ids.empty() &&
        filter.scope->region_prefixes.empty()) {
      return out;  // an empty scope allows nothing
    }
    // Parameters are all sent as text; PostgreSQL infers their types.
    std::vector<std::string> params;
    auto p = [&params](std::string v) {
      params.push_back(std::move(v));
      return absl::StrCat("$", params.size());
    };
    // Prefixes compare bytewise (COLLATE "C" on region_code): no LIKE.
    auto prefix_cond = [&](const std::string& prefix) -> std::string {
      if (prefix.empty()) return "TRUE";
      return absl::StrCat("(substr(r.region_code, 1, ", prefix.size(), ") = ", p(prefix), ")");
    };
    std::string sql = absl::StrCat(
        "SELECT r.agency_name, r.region_code, v.agency_id, v.year, v.version, v.content_hash, "
        "v.submitter, v.create_time_us, v.feed_seq "
        "FROM reports r JOIN versions v ON v.agency_id = r.agency_id AND v.year = r.year "
        "AND v.version = r.latest_version WHERE TRUE");
    if (!filter.region_prefix.empty()) absl::StrAppend(&sql, " AND ", prefix_cond(filter.region_prefix));
    if (filter.year != 0) absl::StrAppend(&sql, " AND r.year = ", p(absl::StrCat(filter.year)));
    if (filter.scope.has_value()) {
      std::vector<std::string> any;
      for (const std::string& id : filter.scope->agency_ids) {
        any.push_back(absl::StrCat("r.agency_id = ", p(id)));
      }
      for (const std::string& prefix : filter.scope->region_prefixes) {
        any.push_back(prefix_cond(prefix));
      }
      absl::StrAppend(&sql, " AND (", absl::StrJoin(any, " OR "), ")");
    }
    if (after.has_value()) {
      absl::StrAppend(&sql, " AND (r.region_code, r.agency_id, r.year) > (", p(after->region_code),
                      "::text COLLATE \"C\", ", p(after->agency_id), "::text, ",
                      p(absl::StrCat(after->year)), "::integer)");
    }
    absl::StrAppend(&sql, " ORDER BY r.region_code, r.agency_id, r.year LIMIT ",
                    p(absl::StrCat(limit)));
    absl::Status s = WithConnection("list reports", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
      for (const pqxx::row& row : r) {
        ReportRecord rec;
        rec.agency_name = row[0].as<std::string>();
        rec.region_code = row[1].as<std::string>();
        rec.latest = ReadVersionRow(row, 2, false);
        rec.agency_id = rec.latest.agency_id;
        rec.year = rec.latest.year;
        out.push_back(std::move(rec));
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<std::vector<VersionRecord>> ReadFeed(int64_t after_seq, int limit,
                                                      bool with_report) override {
    if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
    std::vector<VersionRecord> out;
    if (limit == 0) return out;
    absl::Status s = WithConnection("read feed", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      pqxx::result r = tx.exec_params(
          absl::StrCat("SELECT ", kVersionColumns, with_report ? ", report" : "",
                       " FROM versions WHERE feed_seq > $1 ORDER BY feed_seq LIMIT $2"),
          after_seq, limit);
      for (const pqxx::row& row : r) out.push_back(ReadVersionRow(row, 0, with_report));
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<int64_t> LastFeedSeq() override {
    int64_t last = 0;
    absl::Status s = WithConnection("read last feed_seq", [&](pqxx::connection& c) -> absl::Status {
      pqxx::read_transaction tx(c);
      last = tx.exec("SELECT COALESCE(MAX(feed_seq), 0) FROM versions")[0][0].as<int64_t>();
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return last;
  }

 private:
  struct Queued {
    CreateVersionArgs args;
    CreateVersionCallback done;
  };

  void WriterLoop() {
    for (;;) {
      std::vector<Queued> batch;
      {
        absl::MutexLock l(&queue_mu_);
        queue_mu_.Await(absl::Condition(
            +[](PostgresStore* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->queue_mu_) {
              return s->stopping_ || !s->queue_.empty();
            },
            this));
        if (queue_.empty()) return;  // stopping, and everything is answered
        while (!queue_.empty() && batch.size() < kMaxBatch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      std::vector<absl::StatusOr<CreateVersionResult>> results(
          batch.size(), absl::UnknownError("not run"));
      absl::Status s = WithConnection("create versions", [&](pqxx::connection& c) -> absl::Status {
        pqxx::work tx(c);
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kFeedLock);
        for (size_t i = 0; i < batch.size(); ++i) {
          pqxx::subtransaction one(tx, "create_version");
          PgCreateVersionTx sql(one);
          results[i] = ApplyCreateVersion(batch[i].args, &sql);
          if (results[i].ok()) {
            one.commit();
          } else {
            one.abort();
          }
        }
        tx.commit();
        return absl::OkStatus();
      });
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i].done(s.ok() ? std::move(results[i]) : absl::StatusOr<CreateVersionResult>(s));
      }
    }
  }

  template <typename Fn>
  absl::Status WithConnection(absl::string_view step, Fn fn) {
    return pool_.Run(step, std::move(fn));
  }

  static absl::StatusOr<VersionRecord> QueryVersion(pqxx::transaction_base& tx,
                                                    const std::string& agency_id, int32_t year,
                                                    int64_t version, bool with_report) {
    std::string sql = absl::StrCat("SELECT ", kVersionColumns, with_report ? ", report" : "",
                                   " FROM versions WHERE agency_id = $1 AND year = $2");
    pqxx::result r =
        version == 0
            ? tx.exec_params(sql + " ORDER BY version DESC LIMIT 1", agency_id, year)
            : tx.exec_params(sql + " AND version = $3", agency_id, year, version);
    if (r.empty()) {
      if (version == 0) {
        return absl::NotFoundError(absl::StrCat("no version of report ", agency_id, "/", year));
      }
      return absl::NotFoundError(
          absl::StrCat("no version ", version, " of report ", agency_id, "/", year));
    }
    return ReadVersionRow(r[0], 0, with_report);
  }

  // The SQL of CreateVersion's steps (create_version.h) in one request's
  // subtransaction of the batch (the feed lock held). An SQL error is that
  // request's status; a broken connection is rethrown, failing the batch.
  class PgCreateVersionTx final : public CreateVersionTx {
   public:
    explicit PgCreateVersionTx(pqxx::transaction_base& tx) : tx_(tx) {}

    absl::StatusOr<std::optional<Answer>> FindAnswer(const std::string& submitter,
                                                     const std::string& request_id) override {
      return pg::Sql("look up request_id", [&]() -> absl::StatusOr<std::optional<Answer>> {
        pqxx::result r = tx_.exec_params(
            "SELECT agency_id, year, version, created FROM idempotency "
            "WHERE submitter = $1 AND request_id = $2",
            submitter, request_id);
        if (r.empty()) return std::optional<Answer>();
        return Answer{r[0][0].as<std::string>(), r[0][1].as<int32_t>(), r[0][2].as<int64_t>(),
                      r[0][3].as<bool>()};
      });
    }

    absl::StatusOr<Latest> ReadLatest(const std::string& agency_id, int32_t year) override {
      return pg::Sql("read latest version", [&]() -> absl::StatusOr<Latest> {
        pqxx::result r = tx_.exec_params(
            "SELECT r.latest_version, v.content_hash FROM reports r JOIN versions v "
            "ON v.agency_id = r.agency_id AND v.year = r.year AND v.version = r.latest_version "
            "WHERE r.agency_id = $1 AND r.year = $2",
            agency_id, year);
        if (r.empty()) return Latest{};
        return Latest{r[0][0].as<int64_t>(), r[0][1].as<std::string>()};
      });
    }

    absl::StatusOr<VersionRecord> ReadVersion(const std::string& agency_id, int32_t year,
                                              int64_t version) override {
      return pg::Sql("read version",
                 [&] { return QueryVersion(tx_, agency_id, year, version, true); });
    }

    absl::StatusOr<FeedSlot> NextFeedSlot() override {
      return pg::Sql("read last feed_seq", [&]() -> absl::StatusOr<FeedSlot> {
        pqxx::result last = tx_.exec(
            "SELECT COALESCE(MAX(feed_seq), 0), COALESCE((SELECT create_time_us FROM versions "
            "ORDER BY feed_seq DESC LIMIT 1), 0) FROM versions");
        const int64_t time_us =
            std::max(absl::ToUnixMicros(absl::Now()), last[0][1].as<int64_t>());
        return FeedSlot{last[0][0].as<int64_t>() + 1, absl::FromUnixMicros(time_us)};
      });
    }

    absl::Status WriteVersion(const CreateVersionArgs& a, const VersionRecord& v) override {
      return pg::Sql("write version", [&] {
        tx_.exec_params(
            "INSERT INTO reports (agency_id, year, agency_name, region_code, latest_version) "
            "VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (agency_id, year) DO UPDATE SET agency_name = excluded.agency_name, "
            "region_code = excluded.region_code, latest_version = excluded.latest_version",
            a.agency_id, a.year, a.agency_name, a.region_code, v.version);
        tx_.exec_params(
            "INSERT INTO versions (agency_id, year, version, content_hash, submitter, "
            "create_time_us, feed_seq, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            a.agency_id, a.year, v.version, a.content_hash, a.submitter,
            absl::ToUnixMicros(v.create_time), v.feed_seq, pqxx::binarystring(a.report));
        if (!a.document.empty()) {
          tx_.exec_params(
              "INSERT INTO documents (agency_id, year, version, sha256, document) "
              "VALUES ($1, $2, $3, $4, $5)",
              a.agency_id, a.year, v.version, a.document_sha256, pqxx::binarystring(a.document));
        }
        return absl::OkStatus();
      });
    }

    absl::Status WriteAnswer(const CreateVersionArgs& a, const VersionRecord& v,
                             bool created) override {
      return pg::Sql("record request_id", [&] {
        tx_.exec_params(
            "INSERT INTO idempotency (submitter, request_id, agency_id, year, version, created) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            a.submitter, a.request_id, v.agency_id, v.year, v.version, created);
        return absl::OkStatus();
      });
    }

   private:

    pqxx::transaction_base& tx_;
  };

  pg::ConnectionPool pool_;

  absl::Mutex queue_mu_;
  std::deque<Queued> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread writer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo) {
  auto store = std::make_unique<PostgresStore>(conninfo);
  if (absl::Status s = store->Migrate(); !s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace disclosure::submit
