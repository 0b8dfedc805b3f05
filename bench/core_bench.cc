// Benchmarks of the report core: import of the sample's published text, and
// every rule on one report. Run: ./build/bench/core_bench
// (figures and the machine in docs/performance.md).
#include <fstream>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "google/protobuf/arena.h"
#include "core/report/export.h"
#include "core/import/import.h"
#include "core/rules/rules.h"

namespace disclosure {
namespace {

std::string Sample() {
  std::ifstream in(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.txt", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_ImportSample(benchmark::State& state) {
  const std::string text = Sample();
  for (auto _ : state) {
    auto r = ImportText(text);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ImportSample);

void BM_ImportPlainText(benchmark::State& state) {
  std::ifstream in(DISCLOSURE_TESTDATA "/plain-text-2022.txt", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  for (auto _ : state) {
    auto r = ImportText(text);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ImportPlainText);

void BM_AllRules(benchmark::State& state) {
  const v1::Report report = ImportText(Sample())->report;
  ValidationContext context;
  context.submitted = absl::CivilDay(2022, 1, 20);
  for (auto _ : state) {
    auto findings = Validate(report, context);
    benchmark::DoNotOptimize(findings);
  }
}
BENCHMARK(BM_AllRules);

void BM_AllRulesWithPreviousYear(benchmark::State& state) {
  const v1::Report report = ImportText(Sample())->report;
  v1::Report previous = report;
  previous.set_year(2020);
  ValidationContext context;
  context.previous = &previous;
  context.submitted = absl::CivilDay(2022, 1, 20);
  for (auto _ : state) {
    auto findings = Validate(report, context);
    benchmark::DoNotOptimize(findings);
  }
}
BENCHMARK(BM_AllRulesWithPreviousYear);

// What every request carrying a report pays before any rule runs: parsing
// it (proto3 strings are checked to be UTF-8), here on an arena as the
// services do, and serializing it again (checked again).
void BM_ParseReport(benchmark::State& state) {
  const std::string bytes = ImportText(Sample())->report.SerializeAsString();
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* r = google::protobuf::Arena::CreateMessage<v1::Report>(&arena);
    benchmark::DoNotOptimize(r->ParseFromString(bytes));
  }
  state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_ParseReport);

void BM_SerializeReport(benchmark::State& state) {
  const v1::Report report = ImportText(Sample())->report;
  for (auto _ : state) benchmark::DoNotOptimize(report.SerializeAsString());
}
BENCHMARK(BM_SerializeReport);

void BM_ExportText(benchmark::State& state) {
  const v1::Report report = ImportText(Sample())->report;
  for (auto _ : state) benchmark::DoNotOptimize(ExportText(report));
}
BENCHMARK(BM_ExportText);

}  // namespace
}  // namespace disclosure

BENCHMARK_MAIN();
