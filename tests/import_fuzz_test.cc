// A bounded random mutation test of every reader (the ctest stand-in for a
// libFuzzer run): seeds are real documents, each mutated by byte flips,
// insertions, deletions, duplications and truncation with a fixed seed. Every
// input must end in a Report or an error status — no crash, no hang (the
// OCR budget is cut to a second), no unbounded memory (sanitizer builds).
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/import/import.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Mutate(std::string s, std::mt19937* rng) {
  std::uniform_int_distribution<int> kind(0, 5);
  int edits = 1 + (*rng)() % 8;
  for (int e = 0; e < edits && !s.empty(); ++e) {
    size_t at = (*rng)() % s.size();
    switch (kind(*rng)) {
      case 0: s[at] = static_cast<char>((*rng)()); break;
      case 1: s.insert(at, 1, static_cast<char>((*rng)())); break;
      case 2: s.erase(at, 1 + (*rng)() % 64); break;
      case 3: s.insert(at, s.substr(at, 1 + (*rng)() % 256)); break;
      case 4: s.resize(at); break;
      case 5: s[at] = "<>|/\\\"'&;\n0123456789"[(*rng)() % 21]; break;
    }
  }
  return s;
}

void Fuzz(const std::string& seed, DocumentFormat format, int runs) {
  std::mt19937 rng(20261202);
  ImportOptions o;
  o.format = format;
  o.max_ocr_seconds = 1;
  int ok = 0;
  for (int i = 0; i < runs; ++i) {
    std::string input = Mutate(seed, &rng);
    absl::StatusOr<ImportResult> r = ImportDocument(input, o);
    ok += r.ok();
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  ::testing::Test::RecordProperty("imported", ok);
}

TEST(ImportFuzz, Text) { Fuzz(Read(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.txt"), DocumentFormat::kAuto, 20000); }
TEST(ImportFuzz, Html) { Fuzz(Read(DISCLOSURE_SAMPLES "/pingtan-psb-2022.html"), DocumentFormat::kHtml, 1500); }
TEST(ImportFuzz, Docx) { Fuzz(Read(DISCLOSURE_SAMPLES "/template-2021-blank.docx"), DocumentFormat::kDocx, 1500); }
TEST(ImportFuzz, Pdf) { Fuzz(Read(DISCLOSURE_SAMPLES "/hongze-district-gov-2024.pdf"), DocumentFormat::kPdf, 400); }

}  // namespace
}  // namespace disclosure
