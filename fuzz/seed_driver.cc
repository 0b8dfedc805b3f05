// The main of a harness in the default (gcc) build: runs
// LLVMFuzzerTestOneInput once over every file of the folders named on the
// command line (a harness's seed corpus and its reproducers), so that the
// harnesses compile and their seeds pass in every ctest run. A failed check
// aborts (fuzz_check.h), which fails the test. An empty folder fails too, so
// that a corpus moved away is noticed.
//
// With --mutations=N it then runs N inputs made from those files by random
// mutation (docs/fuzzing.md, "Mutation runs"): not coverage-guided and not
// sanitized, but fast — for running a corpus that libFuzzer grew through
// millions of variants in the build users run. Each input is 1–4 of: a bit
// flipped, a byte set, bytes inserted, a range erased or duplicated, a chunk
// of another file spliced in, the input cut short. --seed=S makes a run
// repeatable. An input that fails a check, crashes, or runs longer than
// --timeout=SECONDS (default 10) is written to crash-input in the current
// folder before the process aborts; the peak RSS is checked against
// --rss_limit_mb (default 2048) after every input. The last line gives the
// count, the slowest input and the peak RSS.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being run, for the signal handlers (written with write(2)).
const std::string* g_current = nullptr;

void WriteCurrentAndDie(int sig) {
  if (g_current != nullptr) {
    int fd = ::open("crash-input", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, g_current->data(), g_current->size());
      (void)ignored;
      ::close(fd);
    }
    const char msg[] = "seed_driver: failing input written to crash-input\n";
    ssize_t ignored = ::write(2, msg, sizeof(msg) - 1);
    (void)ignored;
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

std::string Mutate(const std::vector<std::string>& corpus, std::mt19937_64* rng) {
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>((*rng)() % n); };
  std::string s = corpus[pick(corpus.size())];
  const int steps = 1 + static_cast<int>(pick(4));
  for (int k = 0; k < steps; ++k) {
    switch (pick(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1 << pick(8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
        break;
      case 2: {  // insert random bytes
        std::string bytes(1 + pick(8), '\0');
        for (char& c : bytes) c = static_cast<char>(pick(256));
        s.insert(pick(s.size() + 1), bytes);
        break;
      }
      case 3:  // erase a range
        if (!s.empty()) {
          size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<size_t>(64, s.size() - at)));
        }
        break;
      case 4:  // duplicate a range
        if (!s.empty() && s.size() < (1u << 22)) {
          size_t at = pick(s.size());
          std::string part = s.substr(at, 1 + pick(64));
          s.insert(pick(s.size() + 1), part);
        }
        break;
      case 5: {  // splice in a chunk of another input
        const std::string& other = corpus[pick(corpus.size())];
        if (!other.empty()) {
          size_t at = pick(other.size());
          std::string part = other.substr(at, 1 + pick(256));
          size_t to = pick(s.size() + 1);
          s.replace(to, pick(std::min<size_t>(256, s.size() - to) + 1), part);
        }
        break;
      }
      default:  // cut short
        if (!s.empty()) s.resize(pick(s.size()));
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0, rss_limit_mb = 2048;
  unsigned timeout = 10;
  uint64_t seed = 1;
  std::vector<std::string> dirs;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg.rfind("--mutations=", 0) == 0) mutations = std::atol(arg.c_str() + 12);
    else if (arg.rfind("--seed=", 0) == 0) seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    else if (arg.rfind("--timeout=", 0) == 0) timeout = static_cast<unsigned>(std::atoi(arg.c_str() + 10));
    else if (arg.rfind("--rss_limit_mb=", 0) == 0) rss_limit_mb = std::atol(arg.c_str() + 15);
    else dirs.push_back(arg);
  }
  if (dirs.empty()) {
    std::fprintf(stderr,
                 "usage: %s [--mutations=N --seed=S --timeout=SECONDS --rss_limit_mb=MB] CORPUS_DIR...\n",
                 argv[0]);
    return 2;
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM}) ::signal(sig, WriteCurrentAndDie);
  std::vector<std::string> corpus;
  for (const std::string& dir : dirs) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    if (files.empty()) {
      std::fprintf(stderr, "%s: no inputs\n", dir.c_str());
      return 1;
    }
    std::sort(files.begin(), files.end());
    for (const std::filesystem::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      corpus.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const std::string& bytes = corpus.back();
      if (mutations == 0) {
        std::printf("%s (%zu bytes)\n", file.c_str(), bytes.size());
        std::fflush(stdout);
      }
      g_current = &bytes;
      alarm(timeout);
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      alarm(0);
    }
    std::printf("%zu inputs of %s passed\n", files.size(), dir.c_str());
  }
  if (mutations <= 0) return 0;
  std::mt19937_64 rng(seed);
  double slowest = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 1; i <= mutations; ++i) {
    const std::string input = Mutate(corpus, &rng);
    g_current = &input;
    const auto t0 = std::chrono::steady_clock::now();
    alarm(timeout);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    alarm(0);
    slowest = std::max(slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (i % 1000 == 0 && PeakRssMb() > rss_limit_mb) {
      std::fprintf(stderr, "seed_driver: peak RSS %ld MB over --rss_limit_mb=%ld\n", PeakRssMb(),
                   rss_limit_mb);
      WriteCurrentAndDie(SIGABRT);
    }
    if (i % 100000 == 0) {
      std::printf("%ld mutated inputs, %.0f s\n", i,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      std::fflush(stdout);
    }
  }
  g_current = nullptr;
  std::printf("%ld mutated inputs of %zu files passed (seed %llu) in %.0f s; slowest %.3f s; peak RSS %ld MB\n",
              mutations, corpus.size(), static_cast<unsigned long long>(seed),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), slowest,
              PeakRssMb());
  return 0;
}
