// A throw-away PostgreSQL server for tests, from Debian's packages: initdb
// and pg_ctl in a temporary directory of its own (as the postgres user when
// the tests run as root: PostgreSQL refuses root), listening only on a Unix
// socket in that directory. Started once per test binary, stopped at exit.
#ifndef DISCLOSURE_TESTS_PG_SERVER_H_
#define DISCLOSURE_TESTS_PG_SERVER_H_

#include <string>

#include "absl/status/statusor.h"

namespace disclosure::testing {

class TestPostgres {
 public:
  // The server of this test binary, started on first use; an error says
  // what failed (initdb, start) with the server's log.
  static absl::StatusOr<TestPostgres*> Get();

  // A new, empty database; its libpq connection string.
  absl::StatusOr<std::string> NewDatabase();
  // Stops the server (fast shutdown: sessions are cut) and starts it again.
  absl::Status Restart();
  // The same in two steps.
  absl::Status Stop();
  absl::Status Start();

 private:
  TestPostgres() = default;

  std::string dir_, bin_;
  int databases_ = 0;
};

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_PG_SERVER_H_
