// core/import/child_import.h: the real reportctl in a child process, on
// real documents, and the limits it runs under.
#include "core/import/child_import.h"

#include <dirent.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Sample(const std::string& name) {
  absl::StatusOr<std::string> s = ReadFileToString(std::string(DISCLOSURE_SAMPLES) + "/" + name);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.value_or("");
}

// Scratch directories of this process's imports left in /tmp.
int LeftInTmp() {
  int n = 0;
  DIR* d = opendir("/tmp");
  while (dirent* e = d != nullptr ? readdir(d) : nullptr) {
    n += std::string(e->d_name).rfind("disclosure-import-", 0) == 0;
  }
  if (d != nullptr) closedir(d);
  return n;
}

TEST(ChildImport, ReadsAPdfWithItsDiagnosticsAndFormat) {
  const int before = LeftInTmp();
  absl::StatusOr<v1::ImportedReport> r =
      ImportInChildProcess(DISCLOSURE_REPORTCTL, Sample("hongze-district-gov-2024.pdf"), ImportOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format(), "pdf");
  EXPECT_THAT(r->report().title(), HasSubstr("2024"));
  EXPECT_EQ(r->report().year(), 2024);
  ASSERT_GT(r->diagnostics_size(), 0);
  EXPECT_GT(r->diagnostics(0).page(), 0);
  EXPECT_EQ(LeftInTmp(), before);
}

TEST(ChildImport, TheImportersRefusalIsItsOwnMessageWithoutTheScratchFile) {
  absl::StatusOr<v1::ImportedReport> r =
      ImportInChildProcess(DISCLOSURE_REPORTCTL, "%PDF-1.4\nnot really a pdf\n", ImportOptions());
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_THAT(r.status().message(), AllOf(Not(HasSubstr("/tmp/")), Not(HasSubstr("reportctl"))));
  EXPECT_THAT(r.status().message(), HasSubstr("PDF"));
  absl::StatusOr<v1::ImportedReport> text =
      ImportInChildProcess(DISCLOSURE_REPORTCTL, "只是一段话，不是年度报告。\n", ImportOptions());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument) << text.status();
}

TEST(ChildImport, ADocumentThatNeedsMoreMemoryThanTheLimitIsRefused) {
  // 24 MiB of web page under a 64 MiB address space: the reader's copies
  // of it do not fit.
  std::string page = "<html><body><table>";
  while (page.size() < (24 << 20)) page += "<tr><td>一、本年新收政府信息公开申请数量</td><td>86</td></tr>";
  page += "</table></body></html>";
  ChildImportLimits limits;
  limits.max_memory_bytes = 64 << 20;
  absl::StatusOr<v1::ImportedReport> r = ImportInChildProcess(DISCLOSURE_REPORTCTL, page, ImportOptions(), limits);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("64 MiB"));
  // Too little to start the importer at all says so too.
  limits.max_memory_bytes = 8 << 20;
  r = ImportInChildProcess(DISCLOSURE_REPORTCTL, Sample("zhengzhou-psb-2021.txt"), ImportOptions(), limits);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
}

TEST(ChildImport, AScanThatTakesLongerThanTheLimitIsStoppedAtIt) {
  absl::StatusOr<std::string> scan = ReadFileToString(std::string(DISCLOSURE_TESTDOCS) + "/report-scan.pdf");
  ASSERT_TRUE(scan.ok()) << scan.status();
  ChildImportLimits limits;
  limits.max_time = absl::Seconds(2);
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::ImportedReport> r = ImportInChildProcess(DISCLOSURE_REPORTCTL, *scan, ImportOptions(), limits);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr("2 秒"));
  // Stopped, not waited for (the whole OCR takes half a minute).
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
}

TEST(ChildImport, TooLargeIsRefusedBeforeAnyChild) {
  absl::StatusOr<v1::ImportedReport> r =
      ImportInChildProcess("/nonexistent/reportctl", std::string(kMaxDocumentBytes + 1, 'x'), ImportOptions());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  r = ImportInChildProcess("/nonexistent/reportctl", "x", ImportOptions());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal) << r.status();
}

}  // namespace
}  // namespace disclosure
