#include "tests/pg_server.h"

#include <glob.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "pqxx/pqxx"

namespace disclosure::testing {
namespace {

// Runs a shell command as the postgres user when we are root.
int Run(const std::string& command) {
  std::string c = geteuid() == 0 ? absl::StrCat("runuser -u postgres -- sh -c '", command, "'")
                                 : command;
  return std::system(c.c_str());
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string all = s.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// The newest installed server's bin directory.
std::string FindBin() {
  glob_t g;
  std::string bin;
  if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    bin = g.gl_pathv[g.gl_pathc - 1];
    bin = bin.substr(0, bin.size() - std::string("/initdb").size());
  }
  globfree(&g);
  return bin;
}

std::string stop_command;  // run at exit
void StopAtExit() {
  if (!stop_command.empty()) Run(stop_command);
}

}  // namespace

absl::StatusOr<TestPostgres*> TestPostgres::Get() {
  static TestPostgres* server = nullptr;
  static absl::Status status;
  if (server != nullptr || !status.ok()) {
    if (!status.ok()) return status;
    return server;
  }
  auto* s = new TestPostgres;
  s->bin_ = FindBin();
  if (s->bin_.empty()) {
    status = absl::FailedPreconditionError(
        "no PostgreSQL server under /usr/lib/postgresql (deploy/install-deps.sh installs it)");
    return status;
  }
  char tmpl[] = "/tmp/pgtest-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    status = absl::InternalError("mkdtemp failed");
    return status;
  }
  s->dir_ = tmpl;
  if (geteuid() == 0 && std::system(absl::StrCat("chown postgres:postgres ", s->dir_).c_str()) != 0) {
    status = absl::InternalError("chown postgres " + s->dir_ + " failed");
    return status;
  }
  if (Run(absl::StrCat(s->bin_, "/initdb -D ", s->dir_, "/data -A trust -U postgres -E UTF8 ",
                       "--locale=C.UTF-8 --no-sync >", s->dir_, "/initdb.log 2>&1")) != 0) {
    status = absl::InternalError("initdb failed: " + Tail(s->dir_ + "/initdb.log"));
    return status;
  }
  stop_command = absl::StrCat(s->bin_, "/pg_ctl -D ", s->dir_,
                              "/data -m immediate stop >/dev/null 2>&1; rm -rf ", s->dir_);
  std::atexit(StopAtExit);
  status = s->Start();
  if (!status.ok()) return status;
  server = s;
  return server;
}

absl::Status TestPostgres::Start() {
  // Unix socket only, in our directory; fsync on, as in production.
  if (Run(absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -l ", dir_,
                       "/server.log -w -t 30 -o \"-k ", dir_,
                       " -c listen_addresses= -c max_connections=200\" start >/dev/null 2>&1")) != 0) {
    return absl::InternalError("pg_ctl start failed: " + Tail(dir_ + "/server.log"));
  }
  return absl::OkStatus();
}

absl::Status TestPostgres::Stop() {
  if (Run(absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -m fast -w stop >/dev/null 2>&1")) != 0) {
    return absl::InternalError("pg_ctl stop failed: " + Tail(dir_ + "/server.log"));
  }
  return absl::OkStatus();
}

absl::Status TestPostgres::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  return Start();
}

absl::StatusOr<std::string> TestPostgres::NewDatabase() {
  std::string name = absl::StrCat("test_", getpid(), "_", ++databases_);
  std::string admin = absl::StrCat("host=", dir_, " user=postgres dbname=postgres");
  try {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec("CREATE DATABASE " + name);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("CREATE DATABASE ", name, ": ", e.what()));
  }
  return absl::StrCat("host=", dir_, " user=postgres dbname=", name);
}

}  // namespace disclosure::testing
