// Import of documents against the reference tool measured in the same run:
// `pdftotext -layout` (poppler's own) on the same PDF, both as cold
// processes, as a clerk runs them; and in-process import of each format.
//   ./build/bench/import_bench [--benchmark_filter=…]
// Ratios and figures: docs/performance.md.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "core/import/import.h"

namespace {

using disclosure::DocumentFormat;
using disclosure::ImportDocument;
using disclosure::ImportOptions;

const std::string kPdf = DISCLOSURE_SAMPLES "/hongze-district-gov-2024.pdf";
const std::string kHtml = DISCLOSURE_SAMPLES "/pingtan-psb-2022.html";
const std::string kText = DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.txt";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void Run(benchmark::State& state, const std::string& command) {
  for (auto _ : state) {
    if (std::system(command.c_str()) != 0) {
      state.SkipWithError(command.c_str());
      return;
    }
  }
}

// The reference: poppler's pdftotext -layout, a cold process.
void BM_PdftotextLayoutProcess(benchmark::State& state) {
  Run(state, absl::StrCat("pdftotext -layout ", kPdf, " /dev/null"));
}
BENCHMARK(BM_PdftotextLayoutProcess)->Unit(benchmark::kMillisecond);

// reportctl import of the same PDF to the report, a cold process.
void BM_ReportctlImportPdfProcess(benchmark::State& state) {
  Run(state, absl::StrCat(DISCLOSURE_REPORTCTL, " import ", kPdf, " --to binpb --out /dev/null 2>/dev/null"));
}
BENCHMARK(BM_ReportctlImportPdfProcess)->Unit(benchmark::kMillisecond);

void BM_ImportPdf(benchmark::State& state) {
  const std::string bytes = Read(kPdf);
  for (auto _ : state) benchmark::DoNotOptimize(ImportDocument(bytes));
}
BENCHMARK(BM_ImportPdf)->Unit(benchmark::kMillisecond);

void BM_ImportHtml(benchmark::State& state) {
  const std::string bytes = Read(kHtml);
  for (auto _ : state) benchmark::DoNotOptimize(ImportDocument(bytes));
}
BENCHMARK(BM_ImportHtml)->Unit(benchmark::kMillisecond);

void BM_ImportText(benchmark::State& state) {
  const std::string bytes = Read(kText);
  for (auto _ : state) benchmark::DoNotOptimize(ImportDocument(bytes));
}
BENCHMARK(BM_ImportText)->Unit(benchmark::kMicrosecond);

// OCR of the PDF's five pages rendered at 300 dpi: the time per page is the
// figure to state (counter "per_page_s").
void BM_OcrPdf(benchmark::State& state) {
  const std::string bytes = Read(kPdf);
  ImportOptions o;
  o.format = DocumentFormat::kScan;
  for (auto _ : state) benchmark::DoNotOptimize(ImportDocument(bytes, o));
  state.counters["per_page_s"] = benchmark::Counter(
      5.0 * state.iterations(), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_OcrPdf)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
