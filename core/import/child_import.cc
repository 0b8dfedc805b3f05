#include "core/import/child_import.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace disclosure {
namespace {

// What the child may print: the report (a real one is under 200 KB as
// protobuf) and a message.
constexpr size_t kMaxOutputBytes = 64 << 20;
constexpr size_t kMaxErrorBytes = 64 << 10;

// The temporary directory of one import, removed with its file.
class ScratchDir {
 public:
  ScratchDir() {
    char name[] = "/tmp/disclosure-import-XXXXXX";
    if (mkdtemp(name) != nullptr) path_ = name;
  }
  ~ScratchDir() {
    if (path_.empty()) return;
    unlink((path_ + "/document").c_str());
    rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

absl::Status WriteDocument(const std::string& path, absl::string_view bytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("import: ", path, ": ", std::strerror(errno)));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      close(fd);
      return absl::InternalError(absl::StrCat("import: writing ", path, ": ", std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return absl::OkStatus();
}

// The importer's own message: the last "reportctl: " line, without the
// temporary file's name.
std::string ChildMessage(const std::string& err, const std::string& path) {
  std::string message;
  for (absl::string_view line : absl::StrSplit(err, '\n', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&line, "reportctl: ")) {
      absl::ConsumePrefix(&line, path + ": ");
      message = std::string(line);
    }
  }
  return message.empty() ? "无法读取该文档" : message;
}

}  // namespace

absl::StatusOr<v1::ImportedReport> ImportInChildProcess(const std::string& reportctl,
                                                        absl::string_view document,
                                                        const ImportOptions& options,
                                                        const ChildImportLimits& limits) {
  if (document.size() > kMaxDocumentBytes) {
    return absl::InvalidArgumentError(absl::StrCat("文档有 ", document.size(), " 字节，超过 ",
                                                   kMaxDocumentBytes >> 20, " MiB 的上限"));
  }
  ScratchDir dir;
  if (dir.path().empty()) return absl::InternalError(absl::StrCat("import: mkdtemp: ", std::strerror(errno)));
  const std::string path = dir.path() + "/document";
  if (absl::Status s = WriteDocument(path, document); !s.ok()) return s;

  const int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(limits.max_time));
  std::vector<std::string> args = {reportctl,
                                   "import",
                                   "--to=result",
                                   absl::StrCat("--format=", FormatName(options.format)),
                                   absl::StrCat("--ocr_seconds=", options.max_ocr_seconds),
                                   absl::StrCat("--strict=", options.strict ? "true" : "false"),
                                   path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("import: pipe");
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return absl::InternalError("import: pipe");
  }
  const rlimit memory{limits.max_memory_bytes, limits.max_memory_bytes};
  const rlimit cpu{static_cast<rlim_t>(seconds), static_cast<rlim_t>(seconds + 1)};
  // Between fork and exec only async-signal-safe calls (this process has
  // other threads): the limits are set before the importer starts.
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 ||
        setrlimit(RLIMIT_AS, &memory) != 0 || setrlimit(RLIMIT_CPU, &cpu) != 0) {
      _exit(126);
    }
    close_range(3, ~0U, 0);  // nothing of this process but the pipes
    sigset_t none;           // nor its blocked signals (a server's sigwait set)
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  if (pid < 0) {
    close(out[0]);
    close(err[0]);
    return absl::InternalError(absl::StrCat("import: fork: ", std::strerror(errno)));
  }

  // Both pipes read to their end, or the child killed at the deadline.
  std::string output, error;
  bool timed_out = false, too_long = false;
  const absl::Time deadline = absl::Now() + limits.max_time;
  std::vector<pollfd> fds = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const int64_t wait_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (wait_ms <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(wait_ms, 1000))) < 0 &&
        errno != EINTR) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      std::string& into = i == 0 ? output : error;
      const size_t cap = i == 0 ? kMaxOutputBytes : kMaxErrorBytes;
      if (into.size() + n > cap) {
        too_long |= i == 0;
        into.append(buf, cap - into.size());
      } else {
        into.append(buf, n);
      }
    }
    if (too_long) break;
  }
  if (timed_out || too_long) kill(pid, SIGKILL);
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  // The time limit: ours (timed_out), or the CPU limit's SIGXCPU and, past
  // its hard limit, SIGKILL. (Another SIGKILL, e.g. a container's memory
  // killer, is told below as a crash.)
  if (timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("读取该文档超过 ", seconds, " 秒的时间上限（扫描件请减少页数或提供带文字层的 PDF）"));
  }
  if (too_long) return absl::InternalError("import: the importer's answer is too long");
  if (WIFSIGNALED(status)) {
    // An allocation refused under RLIMIT_AS ends in std::bad_alloc, which
    // the importer does not catch (SIGABRT); a parser that crashes on a
    // damaged file is another signal.
    if (WTERMSIG(status) == SIGABRT && absl::StrContains(error, "bad_alloc")) {
      return absl::ResourceExhaustedError(absl::StrCat("读取该文档所需内存超过 ",
                                                       limits.max_memory_bytes >> 20, " MiB 的上限"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("无法读取该文档：读取程序异常终止（信号 ", WTERMSIG(status), "），文档可能已损坏"));
  }
  const int code = WEXITSTATUS(status);
  if (code == 127 && absl::StrContains(error, "failed to map segment")) {
    // The limit is below what the importer needs to start at all.
    return absl::ResourceExhaustedError(absl::StrCat("读取程序在 ", limits.max_memory_bytes >> 20,
                                                     " MiB 的内存上限内无法启动"));
  }
  if (code == 126 || code == 127) {
    return absl::InternalError(absl::StrCat("import: cannot run ", reportctl, " (exit ", code, ")"));
  }
  if (code != 0) {
    if (absl::StrContains(error, "bad_alloc")) {
      return absl::ResourceExhaustedError(absl::StrCat("读取该文档所需内存超过 ",
                                                       limits.max_memory_bytes >> 20, " MiB 的上限"));
    }
    return absl::InvalidArgumentError(ChildMessage(error, path));
  }
  v1::ImportedReport imported;
  if (!imported.ParseFromString(output)) {
    return absl::InternalError("import: the importer's answer is not an ImportedReport");
  }
  return imported;
}

}  // namespace disclosure
