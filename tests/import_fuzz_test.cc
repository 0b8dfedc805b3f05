// A bounded random mutation test of every reader (the ctest stand-in for a
// libFuzzer run): seeds are real documents, each mutated by byte flips,
// insertions, deletions, duplications and truncation with a fixed seed. Every
// input must end in a Report or an error status — no crash, no hang (the
// OCR budget is cut to a second), no unbounded memory (sanitizer builds).
// A Word file is mutated inside: its word/document.xml is mutated and zipped
// again, so that the XML reader is reached (a mutated zip mostly fails its
// CRC). DISCLOSURE_FUZZ_RUNS=N runs N inputs per reader instead of the
// ctest counts (how the 10^6 runs of docs/import.md were made).
#include <zip.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/import/import.h"
#include "core/base/text_util.h"
#include "gtest/gtest.h"
#include "tests/zip_bytes.h"

namespace disclosure {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Mutate(std::string s, std::mt19937* rng, int max_edits) {
  std::uniform_int_distribution<int> kind(0, 5);
  int edits = 1 + (*rng)() % max_edits;
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

// `seed` with its entry `name` replaced by `content`, zipped again.
std::string Rezip(const std::string& seed, const char* name, const std::string& content) {
  return testing::ZipWithEntries(seed, {{name, content}});
}

std::string Unzip(const std::string& docx, const char* name) {
  zip_error_t error;
  zip_source_t* in = zip_source_buffer_create(docx.data(), docx.size(), 0, &error);
  zip_t* zip = zip_open_from_source(in, ZIP_RDONLY, &error);
  std::string out;
  if (zip_file_t* f = zip_fopen(zip, name, 0)) {
    char buf[65536];
    zip_int64_t n;
    while ((n = zip_fread(f, buf, sizeof buf)) > 0) out.append(buf, n);
    zip_fclose(f);
  }
  zip_close(zip);
  return out;
}

int Runs(int ctest_runs) {
  const char* n = std::getenv("DISCLOSURE_FUZZ_RUNS");
  return n != nullptr ? std::atoi(n) : ctest_runs;
}

// Three in four text inputs are made well-formed UTF-8 again (bad bytes
// become '?'), so that most reach the mapper rather than the UTF-8 check.
std::string MostlyUtf8(std::string s, std::mt19937* rng) {
  if ((*rng)() % 4 == 0) return s;
  for (size_t at; (at = Utf8ErrorOffset(s)) != std::string::npos;) s[at] = '?';
  return s;
}

void Fuzz(const std::string& seed, DocumentFormat format, int runs, int max_edits,
          const std::function<std::string(std::string)>& wrap = nullptr) {
  runs = Runs(runs);
  std::mt19937 rng(20261202);
  ImportOptions o;
  o.format = format;
  o.max_ocr_seconds = 1;
  int ok = 0;
  for (int i = 0; i < runs; ++i) {
    std::string input = Mutate(seed, &rng, max_edits);
    if (format == DocumentFormat::kText) input = MostlyUtf8(std::move(input), &rng);
    if (wrap) input = wrap(std::move(input));
    absl::StatusOr<ImportResult> r = absl::UnknownError("not run");
    try {
      r = ImportDocument(input, o);
    } catch (const std::exception& e) {
      // Kept for the reproduction: the input is written where ctest runs.
      std::string name = absl::StrCat("fuzz-failure-", i);
      std::ofstream(name, std::ios::binary) << input;
      FAIL() << "input " << i << " threw " << e.what() << " (written to " << name << ")";
    }
    ok += r.ok();
    if (!r.ok()) {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  ::testing::Test::RecordProperty("imported", ok);
}

TEST(ImportFuzz, Text) { Fuzz(Read(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.txt"), DocumentFormat::kText, 20000, 8); }
TEST(ImportFuzz, Html) { Fuzz(Read(DISCLOSURE_SAMPLES "/pingtan-psb-2022.html"), DocumentFormat::kHtml, 1500, 8); }
TEST(ImportFuzz, DocxZip) { Fuzz(Read(DISCLOSURE_SAMPLES "/template-2021-blank.docx"), DocumentFormat::kDocx, 1500, 8); }
TEST(ImportFuzz, DocxXml) {
  std::string docx = Read(DISCLOSURE_SAMPLES "/template-2021-blank.docx");
  std::string xml = Unzip(docx, "word/document.xml");
  ASSERT_GT(xml.size(), 1000u);
  // Two edits at most: more mostly break the XML, which stops the reader early.
  Fuzz(xml, DocumentFormat::kDocx, 300, 2,
       [&](std::string mutated) { return Rezip(docx, "word/document.xml", mutated); });
}
TEST(ImportFuzz, Pdf) { Fuzz(Read(DISCLOSURE_SAMPLES "/hongze-district-gov-2024.pdf"), DocumentFormat::kPdf, 400, 8); }

}  // namespace
}  // namespace disclosure
