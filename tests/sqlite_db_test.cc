// core/storage/sqlite_db: what every embedded store relies on, on real files.
#include "core/storage/sqlite_db.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace disclosure::sqlite {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/sqlite-db-test-XXXXXX";
  return mkdtemp(tmpl);
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

const std::vector<Migration> kSchema = {{1, "CREATE TABLE t (b BLOB NOT NULL);"}};

// Commits one 4 KiB row per transaction until the WAL holds `pages`.
void FillWal(Connection& c, int pages) {
  std::string blob(4000, 'x');
  for (int i = 0; i < pages; ++i) {
    ASSERT_TRUE(c.InTransactionDo("insert", [&] {
      absl::StatusOr<Stmt> s = c.Prepare("INSERT INTO t (b) VALUES (?1)", "insert");
      if (!s.ok()) return s.status();
      s->Blob(1, blob);
      return s->Run();
    }).ok());
  }
}

TEST(SqliteDbTest, SchemaVersionIsRecordedAndANewerFileRefused) {
  std::string path = TempDir() + "/db";
  {
    absl::StatusOr<std::unique_ptr<Connection>> c = OpenWithSchema(path, kSchema);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(*(*c)->QueryInt("PRAGMA user_version", "v"), 1);
  }
  absl::StatusOr<std::unique_ptr<Connection>> older = OpenWithSchema(path, {});
  EXPECT_EQ(older.status().code(), absl::StatusCode::kFailedPrecondition) << older.status();
}

// The writer's commits leave checkpoints to a thread of their own: once a
// commit leaves more than Checkpointer::kPages in the WAL, the pages reach
// the database file without any further commit. (Were the background
// checkpoint missing, SQLite's own would be off too and the file would stay
// as it is until the WAL reached kForcePages.)
TEST(SqliteDbTest, WalIsCheckpointedInTheBackground) {
  std::string dir = TempDir(), path = dir + "/db";
  absl::StatusOr<std::unique_ptr<Connection>> c = OpenWithSchema(path, kSchema);
  ASSERT_TRUE(c.ok()) << c.status();
  // SQLite's own automatic checkpoint is off on the writer (a hook of ours
  // replaces it): any growth of the file below is the background thread's.
  EXPECT_EQ(*(*c)->QueryInt("PRAGMA wal_autocheckpoint", "read wal_autocheckpoint"), 0);
  const int64_t before = FileSize(path);
  FillWal(**c, Checkpointer::kPages + 100);
  int64_t after = FileSize(path);
  for (int i = 0; i < 100 && after < before + 100 * 4096; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = FileSize(path);
  }
  EXPECT_GE(after, before + 100 * 4096) << "the WAL was not checkpointed within 10 s";
  // Every row is there, read through a fresh reader.
  absl::StatusOr<std::unique_ptr<Connection>> r = OpenReader(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*(*r)->QueryInt("SELECT COUNT(*) FROM t", "count"), Checkpointer::kPages + 100);
  c->reset();
  r->reset();
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace disclosure::sqlite
