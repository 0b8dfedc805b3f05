// Conformance suite for the submit store (submit_service/store/store.h),
// written once against `Store&` and run on every backend.
//
// A backend's test file includes this header (in one translation unit per
// test binary) and instantiates the suite with a factory that returns a fresh,
// empty store for each test:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Sqlite, StoreConformanceTest,
//       ::testing::Values(StoreFactory{"sqlite", [] { return ...; }}),
//       StoreFactoryName);
//
// Whatever a store needs (a temporary file, a scratch database) must live as
// long as the store: wrap it in CleanupStore to drop it afterwards.
#ifndef DISCLOSURE_TESTS_SUBMIT_STORE_CONFORMANCE_H_
#define DISCLOSURE_TESTS_SUBMIT_STORE_CONFORMANCE_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "submit_service/store/store.h"

namespace disclosure::submit::store_testing {

// How a backend makes stores for the suite.
struct StoreFactory {
  std::string name;  // test-name suffix: letters, digits and '_' only
  // A fresh, empty store; called once per test.
  std::function<absl::StatusOr<std::unique_ptr<Store>>()> make;
};

inline void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

// A store that runs `cleanup` after the wrapped store is destroyed (to remove
// its temporary directory, drop its scratch database, …).
class CleanupStore final : public Store {
 public:
  CleanupStore(std::unique_ptr<Store> inner, std::function<void()> cleanup)
      : inner_(std::move(inner)), cleanup_(std::move(cleanup)) {}
  ~CleanupStore() override {
    inner_.reset();
    if (cleanup_) cleanup_();
  }
  absl::StatusOr<CreateVersionResult> CreateVersion(const CreateVersionArgs& args) override {
    return inner_->CreateVersion(args);
  }
  // Forwarded, so that the suite runs the backend's own asynchronous path
  // (not the interface's default over CreateVersion).
  void CreateVersionAsync(CreateVersionArgs args, CreateVersionCallback done) override {
    inner_->CreateVersionAsync(std::move(args), std::move(done));
  }
  absl::StatusOr<VersionRecord> GetVersion(const std::string& agency_id, int32_t year,
                                           int64_t version, bool with_report) override {
    return inner_->GetVersion(agency_id, year, version, with_report);
  }
  absl::StatusOr<std::vector<VersionRecord>> ListVersions(const std::string& agency_id,
                                                          int32_t year, int64_t after_version,
                                                          int limit, bool with_report) override {
    return inner_->ListVersions(agency_id, year, after_version, limit, with_report);
  }
  absl::StatusOr<std::vector<ReportRecord>> ListReports(const ReportFilter& filter,
                                                        const std::optional<ReportKey>& after,
                                                        int limit) override {
    return inner_->ListReports(filter, after, limit);
  }
  absl::StatusOr<std::vector<VersionRecord>> ReadFeed(int64_t after_seq, int limit,
                                                      bool with_report) override {
    return inner_->ReadFeed(after_seq, limit, with_report);
  }
  absl::StatusOr<int64_t> LastFeedSeq() override { return inner_->LastFeedSeq(); }
  absl::StatusOr<std::string> GetDocument(const std::string& agency_id, int32_t year,
                                          int64_t version) override {
    return inner_->GetDocument(agency_id, year, version);
  }
  absl::StatusOr<std::vector<VersionRecord>> FindDocument(const std::string& sha256,
                                                          int limit) override {
    return inner_->FindDocument(sha256, limit);
  }

 private:
  std::unique_ptr<Store> inner_;
  std::function<void()> cleanup_;
};

#define SUBMIT_STORE_CONCAT_INNER_(a, b) a##b
#define SUBMIT_STORE_CONCAT_(a, b) SUBMIT_STORE_CONCAT_INNER_(a, b)
// ASSERT that a StatusOr is OK and move its value into `lhs` (a declaration
// or an lvalue).
#define STORE_ASSERT_OK_AND_ASSIGN(lhs, expr)                                 \
  auto SUBMIT_STORE_CONCAT_(store_or_, __LINE__) = (expr);                    \
  ASSERT_TRUE(SUBMIT_STORE_CONCAT_(store_or_, __LINE__).ok())                 \
      << #expr << ": " << SUBMIT_STORE_CONCAT_(store_or_, __LINE__).status(); \
  lhs = std::move(*SUBMIT_STORE_CONCAT_(store_or_, __LINE__))
#define STORE_ASSERT_OK(expr)                                          \
  do {                                                                 \
    const absl::Status store_status_ = (expr);                         \
    ASSERT_TRUE(store_status_.ok()) << #expr << ": " << store_status_; \
  } while (0)

// A stand-in for the canonical hash: the store only stores and compares it.
inline std::string FakeHash(const std::string& content) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char ch : content) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  std::string hex;
  for (int round = 0; round < 4; ++round) {
    uint64_t x = h ^ (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(round + 1));
    char buf[17];
    for (int i = 15; i >= 0; --i) {
      buf[i] = "0123456789abcdef"[x & 0xF];
      x >>= 4;
    }
    buf[16] = 0;
    hex += buf;
  }
  return "sha256:" + hex;
}

inline CreateVersionArgs MakeArgs(const std::string& agency_id, int32_t year,
                                  const std::string& content, int64_t expected_latest_version,
                                  const std::string& request_id = "",
                                  const std::string& submitter = "alice",
                                  const std::string& region_code = "410102",
                                  const std::string& agency_name = "") {
  CreateVersionArgs a;
  a.agency_id = agency_id;
  a.year = year;
  a.agency_name = agency_name.empty() ? "name of " + agency_id : agency_name;
  a.region_code = region_code;
  a.report = content;
  a.content_hash = FakeHash(content);
  a.submitter = submitter;
  a.request_id = request_id;
  a.expected_latest_version = expected_latest_version;
  return a;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> s = GetParam().make();
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_NE(*s, nullptr);
    store_ = std::move(*s);
  }
  void TearDown() override { store_.reset(); }

  Store& store() { return *store_; }

  // Submits and returns the result, failing the test on error.
  CreateVersionResult MustCreate(const CreateVersionArgs& a) {
    absl::StatusOr<CreateVersionResult> r = store().CreateVersion(a);
    EXPECT_TRUE(r.ok()) << a.agency_id << "/" << a.year << ": " << r.status();
    return r.ok() ? *r : CreateVersionResult();
  }

  std::vector<VersionRecord> Feed(int64_t after = 0, int limit = 100000) {
    absl::StatusOr<std::vector<VersionRecord>> f = store().ReadFeed(after, limit, false);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : std::vector<VersionRecord>();
  }

  std::vector<VersionRecord> Versions(const std::string& agency_id, int32_t year, int64_t after = 0,
                                      int limit = 100000, bool with_report = false) {
    absl::StatusOr<std::vector<VersionRecord>> v =
        store().ListVersions(agency_id, year, after, limit, with_report);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::vector<VersionRecord>();
  }

  std::vector<ReportRecord> Reports(const ReportFilter& filter,
                                    const std::optional<ReportKey>& after = std::nullopt,
                                    int limit = 100000) {
    absl::StatusOr<std::vector<ReportRecord>> r = store().ListReports(filter, after, limit);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<ReportRecord>();
  }

  int64_t LastSeq() {
    absl::StatusOr<int64_t> s = store().LastFeedSeq();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : -1;
  }

  std::unique_ptr<Store> store_;
};

// "agency/year" of each report, in listing order.
inline std::vector<std::string> Keys(const std::vector<ReportRecord>& reports) {
  std::vector<std::string> out;
  for (const ReportRecord& r : reports) out.push_back(absl::StrCat(r.agency_id, "/", r.year));
  return out;
}

inline std::vector<int64_t> Numbers(const std::vector<VersionRecord>& versions) {
  std::vector<int64_t> out;
  for (const VersionRecord& v : versions) out.push_back(v.version);
  return out;
}

inline std::vector<int64_t> Seqs(const std::vector<VersionRecord>& versions) {
  std::vector<int64_t> out;
  for (const VersionRecord& v : versions) out.push_back(v.feed_seq);
  return out;
}

inline std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> out;
  for (int64_t i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// ---------------------------------------------------------------------------
// Empty store

TEST_P(StoreConformanceTest, EmptyStore) {
  EXPECT_EQ(LastSeq(), 0);
  EXPECT_TRUE(Feed().empty());
  EXPECT_TRUE(Reports(ReportFilter()).empty());
  EXPECT_TRUE(Versions("a1", 2023).empty());
  absl::StatusOr<VersionRecord> v = store().GetVersion("a1", 2023, 0, true);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kNotFound) << v.status();
}

// ---------------------------------------------------------------------------
// CreateVersion

TEST_P(StoreConformanceTest, FirstVersionIsOneAndEverythingRoundTrips) {
  // Bytes that text handling would damage: NUL, 0xFF, invalid UTF-8, CR LF.
  static constexpr char kOdd[] = "report\0with\xff\xfe bytes\r\n\x80";
  std::string content(kOdd, sizeof(kOdd) - 1);
  content += std::string(100000, 'x');  // and large
  CreateVersionArgs a = MakeArgs("a1", 2023, content, 0, "req-1", "alice");
  absl::Time before = absl::Now();
  STORE_ASSERT_OK_AND_ASSIGN(CreateVersionResult r, store().CreateVersion(a));
  absl::Time after = absl::Now();

  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.version.agency_id, "a1");
  EXPECT_EQ(r.version.year, 2023);
  EXPECT_EQ(r.version.version, 1);
  EXPECT_EQ(r.version.content_hash, a.content_hash);
  EXPECT_EQ(r.version.submitter, "alice");
  EXPECT_EQ(r.version.feed_seq, 1);
  EXPECT_EQ(r.version.report, content);
  // Commit time, in whole microseconds (clocks of a separate database
  // server may differ a little).
  EXPECT_GE(r.version.create_time, before - absl::Seconds(2));
  EXPECT_LE(r.version.create_time, after + absl::Seconds(2));
  EXPECT_EQ(absl::ToUnixNanos(r.version.create_time) % 1000, 0);

  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord got, store().GetVersion("a1", 2023, 1, true));
  EXPECT_EQ(got.agency_id, "a1");
  EXPECT_EQ(got.year, 2023);
  EXPECT_EQ(got.version, 1);
  EXPECT_EQ(got.content_hash, a.content_hash);
  EXPECT_EQ(got.submitter, "alice");
  EXPECT_EQ(got.create_time, r.version.create_time);
  EXPECT_EQ(got.feed_seq, 1);
  EXPECT_EQ(got.report.size(), content.size());
  EXPECT_TRUE(got.report == content);

  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord bare, store().GetVersion("a1", 2023, 1, false));
  EXPECT_TRUE(bare.report.empty());
  EXPECT_EQ(bare.content_hash, a.content_hash);
  EXPECT_EQ(LastSeq(), 1);
}

TEST_P(StoreConformanceTest, FeedCarriesReportsOnlyWhenAsked) {
  MustCreate(MakeArgs("a1", 2023, "first", 0));
  MustCreate(MakeArgs("a2", 2023, "second", 0));
  absl::StatusOr<std::vector<VersionRecord>> full = store().ReadFeed(0, 10, true);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->size(), 2u);
  EXPECT_EQ((*full)[0].report, "first");
  EXPECT_EQ((*full)[1].report, "second");
  for (const VersionRecord& v : Feed()) EXPECT_EQ(v.report, "");
}

TEST_P(StoreConformanceTest, EmptyReportBytesRoundTrip) {
  CreateVersionArgs a = MakeArgs("a1", 2023, "", 0);
  STORE_ASSERT_OK_AND_ASSIGN(CreateVersionResult r, store().CreateVersion(a));
  EXPECT_TRUE(r.created);
  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord got, store().GetVersion("a1", 2023, 0, true));
  EXPECT_EQ(got.report, "");
  EXPECT_EQ(got.content_hash, FakeHash(""));
}

// The published document is stored with its version, byte for byte
// (NUL and high bytes included), and only with it.
TEST_P(StoreConformanceTest, APublishedDocumentIsStoredWithItsVersionOnly) {
  CreateVersionArgs with = MakeArgs("a1", 2021, "report one", 0);
  with.document = std::string("%PDF-1.7\n\0\xff\xfe binary", 19);
  with.document_sha256 = FakeHash(with.document);
  const CreateVersionResult first = MustCreate(with);
  ASSERT_EQ(first.version.version, 1);
  STORE_ASSERT_OK_AND_ASSIGN(std::string doc, store().GetDocument("a1", 2021, 1));
  EXPECT_EQ(doc, with.document);
  // The next version without one has none; the first keeps its own.
  MustCreate(MakeArgs("a1", 2021, "report two", 1));
  EXPECT_EQ(store().GetDocument("a1", 2021, 2).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDocument("a1", 2021, 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDocument("b9", 2021, 1).status().code(), absl::StatusCode::kNotFound);
  STORE_ASSERT_OK_AND_ASSIGN(std::string again, store().GetDocument("a1", 2021, 1));
  EXPECT_EQ(again, with.document);
}

// A published document is found by its hash: every version that carries
// it, in (agency, year, version) order, and none for another hash.
TEST_P(StoreConformanceTest, APublishedDocumentIsFoundByItsHash) {
  auto with = [](const std::string& agency, const std::string& content, int64_t latest,
                 const std::string& doc) {
    CreateVersionArgs a = MakeArgs(agency, 2021, content, latest);
    a.document = doc;
    a.document_sha256 = FakeHash(doc);
    return a;
  };
  MustCreate(with("b2", "b2 one", 0, "shared file"));
  MustCreate(with("a1", "a1 one", 0, "shared file"));
  MustCreate(with("a1", "a1 two", 1, "another file"));
  MustCreate(with("a1", "a1 three", 2, "shared file"));
  STORE_ASSERT_OK_AND_ASSIGN(std::vector<VersionRecord> found,
                             store().FindDocument(FakeHash("shared file"), 10));
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(absl::StrCat(found[0].agency_id, "/", found[0].version), "a1/1");
  EXPECT_EQ(absl::StrCat(found[1].agency_id, "/", found[1].version), "a1/3");
  EXPECT_EQ(absl::StrCat(found[2].agency_id, "/", found[2].version), "b2/1");
  EXPECT_EQ(found[0].content_hash, FakeHash("a1 one"));
  EXPECT_EQ(found[0].submitter, "alice");
  EXPECT_EQ(found[0].year, 2021);
  EXPECT_GT(found[0].feed_seq, 0);
  EXPECT_TRUE(found[0].report.empty());
  STORE_ASSERT_OK_AND_ASSIGN(std::vector<VersionRecord> first, store().FindDocument(FakeHash("shared file"), 1));
  EXPECT_EQ(first.size(), 1u);
  STORE_ASSERT_OK_AND_ASSIGN(std::vector<VersionRecord> none, store().FindDocument(FakeHash("no file"), 10));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformanceTest, VersionsAreDensePerReport) {
  for (int i = 1; i <= 5; ++i) {
    CreateVersionResult r = MustCreate(MakeArgs("a1", 2023, absl::StrCat("v", i), i - 1));
    EXPECT_TRUE(r.created);
    EXPECT_EQ(r.version.version, i);
    EXPECT_EQ(r.version.feed_seq, 2 * i - 1);
    EXPECT_EQ(r.version.report, absl::StrCat("v", i));
    // Another report (other year, same agency) numbers independently.
    CreateVersionResult o = MustCreate(MakeArgs("a1", 2022, absl::StrCat("w", i), i - 1));
    EXPECT_EQ(o.version.version, i);
    EXPECT_EQ(o.version.feed_seq, 2 * i);
  }
  std::vector<VersionRecord> vs = Versions("a1", 2023, 0, 100, true);
  EXPECT_THAT(Numbers(vs), ::testing::ElementsAreArray(Range(1, 5)));
  for (size_t i = 0; i < vs.size(); ++i) {
    EXPECT_EQ(vs[i].report, absl::StrCat("v", i + 1));
    EXPECT_EQ(vs[i].content_hash, FakeHash(absl::StrCat("v", i + 1)));
  }
  EXPECT_THAT(Numbers(Versions("a1", 2022)), ::testing::ElementsAreArray(Range(1, 5)));
  EXPECT_EQ(LastSeq(), 10);
}

TEST_P(StoreConformanceTest, IdenticalToLatestCreatesNothing) {
  CreateVersionResult v1 = MustCreate(MakeArgs("a1", 2023, "same", 0, "r1"));
  ASSERT_TRUE(v1.created);
  CreateVersionResult again = MustCreate(MakeArgs("a1", 2023, "same", 1, "r2", "bob"));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.version.version, 1);
  EXPECT_EQ(again.version.submitter, "alice");  // the stored version, not the call
  EXPECT_EQ(again.version.feed_seq, 1);
  EXPECT_EQ(again.version.create_time, v1.version.create_time);
  EXPECT_EQ(again.version.report, "same");
  EXPECT_EQ(LastSeq(), 1);
  EXPECT_THAT(Numbers(Versions("a1", 2023)), ::testing::ElementsAre(1));

  // Identical to an older version but not to the latest: a new version.
  MustCreate(MakeArgs("a1", 2023, "other", 1));
  CreateVersionResult back = MustCreate(MakeArgs("a1", 2023, "same", 2));
  EXPECT_TRUE(back.created);
  EXPECT_EQ(back.version.version, 3);
  EXPECT_EQ(LastSeq(), 3);
}

TEST_P(StoreConformanceTest, IdenticalWithStaleExpectedVersionIsAborted) {
  // Step 2 (conflict) comes before step 3 (identical).
  MustCreate(MakeArgs("a1", 2023, "same", 0));
  absl::StatusOr<CreateVersionResult> r = store().CreateVersion(MakeArgs("a1", 2023, "same", 0));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
  EXPECT_EQ(LastSeq(), 1);
}

TEST_P(StoreConformanceTest, StaleExpectedVersionIsAbortedAndStoresNothing) {
  MustCreate(MakeArgs("a1", 2023, "v1", 0));
  MustCreate(MakeArgs("a1", 2023, "v2", 1));
  for (int64_t expected : {int64_t{0}, int64_t{1}, int64_t{3}, int64_t{7}}) {
    absl::StatusOr<CreateVersionResult> r = store().CreateVersion(
        MakeArgs("a1", 2023, absl::StrCat("x", expected), expected, absl::StrCat("rid", expected)));
    ASSERT_EQ(r.status().code(), absl::StatusCode::kAborted) << expected << ": " << r.status();
    // The message names both numbers.
    EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr("2")) << r.status();
    EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr(absl::StrCat(expected)))
        << r.status();
  }
  // A report that does not exist yet expects 0.
  absl::StatusOr<CreateVersionResult> r = store().CreateVersion(MakeArgs("b1", 2023, "b", 1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();

  EXPECT_EQ(LastSeq(), 2);
  EXPECT_THAT(Numbers(Versions("a1", 2023)), ::testing::ElementsAre(1, 2));
  EXPECT_TRUE(Versions("b1", 2023).empty());
  EXPECT_EQ(store().GetVersion("b1", 2023, 0, false).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Keys(Reports(ReportFilter())), ::testing::ElementsAre("a1/2023"));
}

TEST_P(StoreConformanceTest, AbortedIsNotRecordedUnderTheRequestId) {
  MustCreate(MakeArgs("a1", 2023, "v1", 0));
  absl::StatusOr<CreateVersionResult> r =
      store().CreateVersion(MakeArgs("a1", 2023, "v2", 0, "retry-me"));
  ASSERT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
  // After refreshing, the same request_id can succeed.
  CreateVersionResult ok = MustCreate(MakeArgs("a1", 2023, "v2", 1, "retry-me"));
  EXPECT_TRUE(ok.created);
  EXPECT_EQ(ok.version.version, 2);
}

TEST_P(StoreConformanceTest, RetriedRequestIdReturnsTheFirstAnswer) {
  CreateVersionResult first = MustCreate(MakeArgs("a1", 2023, "first", 0, "req-1"));
  ASSERT_TRUE(first.created);

  // Same submitter, request_id and request, after the report moved on and
  // with a stale expected version: still the first answer (step 1 comes
  // first), created as then.
  MustCreate(MakeArgs("a1", 2023, "moved on", 1));
  CreateVersionResult retry = MustCreate(MakeArgs("a1", 2023, "first", 0, "req-1"));
  EXPECT_TRUE(retry.created);
  EXPECT_EQ(retry.version.version, 1);
  EXPECT_EQ(retry.version.content_hash, FakeHash("first"));
  EXPECT_EQ(retry.version.report, "first");
  EXPECT_EQ(retry.version.feed_seq, first.version.feed_seq);
  EXPECT_EQ(retry.version.create_time, first.version.create_time);

  // An "identical" answer is stored too, and stays that answer after the
  // report moves on.
  CreateVersionResult same = MustCreate(MakeArgs("a1", 2023, "moved on", 2, "req-2"));
  EXPECT_FALSE(same.created);
  EXPECT_EQ(same.version.version, 2);
  CreateVersionResult v3 = MustCreate(MakeArgs("a1", 2023, "third", 2, "req-3"));
  EXPECT_EQ(v3.version.version, 3);
  CreateVersionResult same_again = MustCreate(MakeArgs("a1", 2023, "moved on", 3, "req-2"));
  EXPECT_FALSE(same_again.created);
  EXPECT_EQ(same_again.version.version, 2);
  EXPECT_EQ(same_again.version.report, "moved on");
  CreateVersionResult v3_again = MustCreate(MakeArgs("a1", 2023, "third", 0, "req-3"));
  EXPECT_TRUE(v3_again.created);
  EXPECT_EQ(v3_again.version.version, 3);

  EXPECT_EQ(LastSeq(), 3);
}

TEST_P(StoreConformanceTest, RequestIdOfAnotherRequestIsFailedPrecondition) {
  MustCreate(MakeArgs("a1", 2023, "first", 0, "req-1"));
  MustCreate(MakeArgs("a1", 2023, "first", 1, "req-same"));  // an "identical" answer
  const CreateVersionArgs others[] = {
      MakeArgs("a1", 2023, "changed", 1, "req-1"),  // other content
      MakeArgs("a1", 2022, "first", 0, "req-1"),    // other year
      MakeArgs("b1", 2023, "first", 0, "req-1"),    // other agency
      MakeArgs("a1", 2023, "changed", 1, "req-same"),
      MakeArgs("b1", 2023, "first", 0, "req-same"),
  };
  for (const CreateVersionArgs& a : others) {
    absl::StatusOr<CreateVersionResult> r = store().CreateVersion(a);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition)
        << a.agency_id << "/" << a.year << " " << a.report << ": " << r.status();
    EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr(a.request_id));
  }
  // Nothing was stored, and the request_id still answers its own request.
  EXPECT_EQ(LastSeq(), 1);
  EXPECT_TRUE(Versions("b1", 2023).empty());
  EXPECT_TRUE(Versions("a1", 2022).empty());
  EXPECT_EQ(MustCreate(MakeArgs("a1", 2023, "first", 0, "req-1")).version.version, 1);
}

TEST_P(StoreConformanceTest, RequestIdIsScopedToTheSubmitter) {
  CreateVersionResult a = MustCreate(MakeArgs("a1", 2023, "from alice", 0, "req-1", "alice"));
  CreateVersionResult b = MustCreate(MakeArgs("a1", 2023, "from bob", 1, "req-1", "bob"));
  EXPECT_TRUE(a.created);
  EXPECT_TRUE(b.created);
  EXPECT_EQ(b.version.version, 2);
  EXPECT_EQ(b.version.submitter, "bob");
  // Each submitter's retry gets its own answer.
  EXPECT_EQ(MustCreate(MakeArgs("a1", 2023, "from alice", 0, "req-1", "alice")).version.version, 1);
  EXPECT_EQ(MustCreate(MakeArgs("a1", 2023, "from bob", 0, "req-1", "bob")).version.version, 2);
  EXPECT_EQ(LastSeq(), 2);
}

TEST_P(StoreConformanceTest, EmptyRequestIdIsNeverReplayed) {
  EXPECT_TRUE(MustCreate(MakeArgs("a1", 2023, "v1", 0, "")).created);
  CreateVersionResult r = MustCreate(MakeArgs("a1", 2023, "v2", 1, ""));
  EXPECT_TRUE(r.created);
  EXPECT_EQ(r.version.version, 2);
  EXPECT_EQ(MustCreate(MakeArgs("b1", 2023, "w", 0, "", "bob")).version.agency_id, "b1");
}

TEST_P(StoreConformanceTest, LatestAgencyNameAndRegionAreListed) {
  MustCreate(MakeArgs("a1", 2023, "v1", 0, "", "alice", "410102", "Old name"));
  MustCreate(MakeArgs("a1", 2023, "v2", 1, "", "alice", "410103", "New name"));
  std::vector<ReportRecord> all = Reports(ReportFilter());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].agency_name, "New name");
  EXPECT_EQ(all[0].region_code, "410103");
  EXPECT_EQ(all[0].latest.version, 2);
}

// ---------------------------------------------------------------------------
// GetVersion / ListVersions

TEST_P(StoreConformanceTest, GetVersionLatestAndByNumber) {
  MustCreate(MakeArgs("a1", 2023, "v1", 0));
  MustCreate(MakeArgs("a1", 2023, "v2", 1, "", "bob"));
  MustCreate(MakeArgs("a1", 2022, "old", 0));

  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord latest, store().GetVersion("a1", 2023, 0, true));
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.report, "v2");
  EXPECT_EQ(latest.submitter, "bob");
  EXPECT_EQ(latest.feed_seq, 2);
  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord one, store().GetVersion("a1", 2023, 1, true));
  EXPECT_EQ(one.version, 1);
  EXPECT_EQ(one.report, "v1");
  EXPECT_EQ(one.content_hash, FakeHash("v1"));
  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord other_year, store().GetVersion("a1", 2022, 0, true));
  EXPECT_EQ(other_year.version, 1);
  EXPECT_EQ(other_year.report, "old");

  EXPECT_EQ(store().GetVersion("a1", 2023, 3, true).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetVersion("a1", 2021, 0, true).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetVersion("a1", 2021, 1, false).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetVersion("nobody", 2023, 0, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetVersion("a1", 2023, -1, false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ListVersionsPages) {
  for (int i = 1; i <= 5; ++i) MustCreate(MakeArgs("a1", 2023, absl::StrCat("v", i), i - 1));
  MustCreate(MakeArgs("a2", 2023, "other", 0));

  EXPECT_THAT(Numbers(Versions("a1", 2023, 0, 2)), ::testing::ElementsAre(1, 2));
  EXPECT_THAT(Numbers(Versions("a1", 2023, 2, 2)), ::testing::ElementsAre(3, 4));
  EXPECT_THAT(Numbers(Versions("a1", 2023, 4, 2)), ::testing::ElementsAre(5));
  EXPECT_TRUE(Versions("a1", 2023, 5, 2).empty());
  EXPECT_THAT(Numbers(Versions("a1", 2023, 3, 100)), ::testing::ElementsAre(4, 5));
  EXPECT_THAT(Numbers(Versions("a1", 2023, 0, 100)), ::testing::ElementsAre(1, 2, 3, 4, 5));
  EXPECT_TRUE(Versions("a1", 2023, 0, 0).empty());
  EXPECT_TRUE(Versions("a1", 2024).empty());
  EXPECT_EQ(store().ListVersions("a1", 2023, 0, -1, false).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Report bytes only when asked for; the rest always.
  std::vector<VersionRecord> bare = Versions("a1", 2023, 0, 100, false);
  std::vector<VersionRecord> full = Versions("a1", 2023, 0, 100, true);
  ASSERT_EQ(bare.size(), 5u);
  ASSERT_EQ(full.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(bare[i].report.empty());
    EXPECT_EQ(full[i].report, absl::StrCat("v", i + 1));
    EXPECT_EQ(bare[i].content_hash, full[i].content_hash);
    EXPECT_EQ(bare[i].feed_seq, full[i].feed_seq);
    EXPECT_EQ(bare[i].create_time, full[i].create_time);
    EXPECT_EQ(bare[i].agency_id, "a1");
    EXPECT_EQ(bare[i].year, 2023);
  }
}

// ---------------------------------------------------------------------------
// ListReports

// Reports: a1, a2 in 4101xx; b1 in 410200; c1 in 420100; d1 in 110000; e1 in
// 410000 (the province itself). a1 has two years and two versions in 2023.
inline void FillListingData(Store& s) {
  auto add = [&s](const std::string& agency, int32_t year, const std::string& region,
                  const std::string& content, int64_t expected) {
    absl::StatusOr<CreateVersionResult> r =
        s.CreateVersion(MakeArgs(agency, year, content, expected, "", "alice", region));
    EXPECT_TRUE(r.ok()) << r.status();
  };
  add("a1", 2023, "410102", "a1-2023-v1", 0);
  add("a1", 2023, "410102", "a1-2023-v2", 1);
  add("a1", 2022, "410102", "a1-2022", 0);
  add("a2", 2023, "410105", "a2-2023", 0);
  add("b1", 2023, "410200", "b1-2023", 0);
  add("b1", 2022, "410200", "b1-2022", 0);
  add("c1", 2023, "420100", "c1-2023", 0);
  add("d1", 2022, "110000", "d1-2022", 0);
  add("e1", 2023, "410000", "e1-2023", 0);
}

TEST_P(StoreConformanceTest, ListReportsOrderAndLatestVersion) {
  FillListingData(store());
  std::vector<ReportRecord> all = Reports(ReportFilter());
  EXPECT_THAT(Keys(all), ::testing::ElementsAre("d1/2022", "e1/2023", "a1/2022", "a1/2023",
                                                "a2/2023", "b1/2022", "b1/2023", "c1/2023"));
  for (const ReportRecord& r : all) {
    EXPECT_EQ(r.latest.agency_id, r.agency_id);
    EXPECT_EQ(r.latest.year, r.year);
    EXPECT_TRUE(r.latest.report.empty());
    EXPECT_EQ(r.agency_name, "name of " + r.agency_id);
    EXPECT_GT(r.latest.feed_seq, 0);
    if (r.agency_id == "a1" && r.year == 2023) {
      EXPECT_EQ(r.region_code, "410102");
      EXPECT_EQ(r.latest.version, 2);
      EXPECT_EQ(r.latest.content_hash, FakeHash("a1-2023-v2"));
      EXPECT_EQ(r.latest.feed_seq, 2);
      EXPECT_EQ(r.latest.submitter, "alice");
    } else {
      EXPECT_EQ(r.latest.version, 1);
      EXPECT_EQ(r.latest.content_hash, FakeHash(absl::StrCat(r.agency_id, "-", r.year)));
    }
  }
}

TEST_P(StoreConformanceTest, ListReportsFilters) {
  FillListingData(store());
  auto keys = [this](ReportFilter f) { return Keys(Reports(f)); };
  using ::testing::ElementsAre;
  using ::testing::IsEmpty;

  ReportFilter f;
  f.region_prefix = "41";
  EXPECT_THAT(keys(f),
              ElementsAre("e1/2023", "a1/2022", "a1/2023", "a2/2023", "b1/2022", "b1/2023"));
  f.region_prefix = "4101";
  EXPECT_THAT(keys(f), ElementsAre("a1/2022", "a1/2023", "a2/2023"));
  f.region_prefix = "410102";
  EXPECT_THAT(keys(f), ElementsAre("a1/2022", "a1/2023"));
  f.region_prefix = "42";
  EXPECT_THAT(keys(f), ElementsAre("c1/2023"));
  f.region_prefix = "4";
  EXPECT_THAT(keys(f), ElementsAre("e1/2023", "a1/2022", "a1/2023", "a2/2023", "b1/2022", "b1/2023",
                                   "c1/2023"));
  f.region_prefix = "43";
  EXPECT_THAT(keys(f), IsEmpty());
  f.region_prefix = "4101029";  // longer than any code
  EXPECT_THAT(keys(f), IsEmpty());
  // Characters that LIKE would treat specially match only themselves.
  f.region_prefix = "41%";
  EXPECT_THAT(keys(f), IsEmpty());
  f.region_prefix = "4_";
  EXPECT_THAT(keys(f), IsEmpty());

  f = ReportFilter();
  f.year = 2022;
  EXPECT_THAT(keys(f), ElementsAre("d1/2022", "a1/2022", "b1/2022"));
  f.region_prefix = "41";
  EXPECT_THAT(keys(f), ElementsAre("a1/2022", "b1/2022"));
  f.year = 2021;
  EXPECT_THAT(keys(f), IsEmpty());

  // Scope: agencies or region prefixes (a union), intersected with the rest.
  f = ReportFilter();
  f.scope = ReportFilter::Scope{{"c1", "d1"}, {}};
  EXPECT_THAT(keys(f), ElementsAre("d1/2022", "c1/2023"));
  f.scope = ReportFilter::Scope{{}, {"4102"}};
  EXPECT_THAT(keys(f), ElementsAre("b1/2022", "b1/2023"));
  f.scope = ReportFilter::Scope{{"d1"}, {"4101", "42"}};
  EXPECT_THAT(keys(f), ElementsAre("d1/2022", "a1/2022", "a1/2023", "a2/2023", "c1/2023"));
  f.scope = ReportFilter::Scope{{"a1", "nobody"}, {"4101"}};  // overlapping: no duplicates
  EXPECT_THAT(keys(f), ElementsAre("a1/2022", "a1/2023", "a2/2023"));
  f.scope = ReportFilter::Scope{{}, {}};  // an empty scope allows nothing
  EXPECT_THAT(keys(f), IsEmpty());
  f.scope = ReportFilter::Scope{{}, {""}};  // the empty prefix allows everything
  EXPECT_EQ(keys(f).size(), 8u);

  f = ReportFilter();
  f.region_prefix = "41";
  f.scope = ReportFilter::Scope{{"c1", "d1", "a2"}, {}};
  EXPECT_THAT(keys(f), ElementsAre("a2/2023"));
  f.scope = ReportFilter::Scope{{"c1"}, {"4102", "11"}};
  EXPECT_THAT(keys(f), ElementsAre("b1/2022", "b1/2023"));
  f.year = 2023;
  EXPECT_THAT(keys(f), ElementsAre("b1/2023"));
  f.scope = ReportFilter::Scope{{"b1"}, {}};
  f.region_prefix = "42";
  EXPECT_THAT(keys(f), IsEmpty());

  EXPECT_THAT(Keys(Reports(ReportFilter(), std::nullopt, 0)), IsEmpty());
  EXPECT_EQ(store().ListReports(ReportFilter(), std::nullopt, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ListReportsKeysetPaging) {
  // 36 reports over regions, agencies and years, inserted out of order.
  const std::vector<std::string> regions = {"420100", "410102", "410100", "110000"};
  std::vector<std::string> inserted;
  for (int y : {2023, 2021, 2022}) {
    for (int a = 2; a >= 0; --a) {
      for (const std::string& region : regions) {
        std::string agency = absl::StrCat("ag", region, "-", a);
        MustCreate(MakeArgs(agency, y, absl::StrCat(agency, y), 0, "", "alice", region));
        inserted.push_back(absl::StrCat(agency, "/", y));
      }
    }
  }
  std::vector<ReportRecord> all = Reports(ReportFilter());
  ASSERT_EQ(all.size(), inserted.size());
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(std::tie(all[i - 1].region_code, all[i - 1].agency_id, all[i - 1].year),
              std::tie(all[i].region_code, all[i].agency_id, all[i].year));
  }
  std::vector<std::string> sorted_inserted = inserted;
  std::vector<std::string> listed = Keys(all);
  std::sort(sorted_inserted.begin(), sorted_inserted.end());
  std::vector<std::string> sorted_listed = listed;
  std::sort(sorted_listed.begin(), sorted_listed.end());
  EXPECT_EQ(sorted_listed, sorted_inserted);

  auto page_through = [this](const ReportFilter& f, int page_size) {
    std::vector<std::string> out;
    std::optional<ReportKey> after;
    for (int pages = 0; pages < 1000; ++pages) {
      std::vector<ReportRecord> page = Reports(f, after, page_size);
      EXPECT_LE(page.size(), static_cast<size_t>(page_size));
      if (page.empty()) break;
      for (const std::string& k : Keys(page)) out.push_back(k);
      const ReportRecord& last = page.back();
      after = ReportKey{last.region_code, last.agency_id, last.year};
    }
    return out;
  };
  for (int page_size : {1, 2, 3, 5, 7, 36, 100}) {
    EXPECT_EQ(page_through(ReportFilter(), page_size), listed) << "page size " << page_size;
  }
  ReportFilter f;
  f.region_prefix = "41";
  f.year = 2022;
  std::vector<std::string> filtered = Keys(Reports(f));
  EXPECT_EQ(filtered.size(), 6u);
  for (int page_size : {1, 4}) EXPECT_EQ(page_through(f, page_size), filtered);
  f = ReportFilter();
  f.scope = ReportFilter::Scope{{"ag110000-1"}, {"4201"}};
  filtered = Keys(Reports(f));
  EXPECT_EQ(filtered.size(), 12u);
  for (int page_size : {1, 5}) EXPECT_EQ(page_through(f, page_size), filtered);

  // The key need not be a listed report: continue from any position.
  std::vector<ReportRecord> from = Reports(ReportFilter(), ReportKey{"41", "", 0}, 100);
  ASSERT_FALSE(from.empty());
  EXPECT_EQ(from.front().region_code, "410100");
  EXPECT_EQ(from.size(), 27u);
  from = Reports(ReportFilter(), ReportKey{"410100", "ag410100-1", 2022}, 2);
  EXPECT_THAT(Keys(from), ::testing::ElementsAre("ag410100-1/2023", "ag410100-2/2021"));
  EXPECT_TRUE(Reports(ReportFilter(), ReportKey{"9", "", 0}, 100).empty());
}

// ---------------------------------------------------------------------------
// Feed

TEST_P(StoreConformanceTest, FeedInCommitOrderWithoutGaps) {
  std::vector<std::pair<std::string, int64_t>> committed;  // agency, version
  for (int round = 1; round <= 3; ++round) {
    for (const std::string agency : {"c", "a", "b"}) {
      CreateVersionResult r =
          MustCreate(MakeArgs(agency, 2023, absl::StrCat(agency, round), round - 1));
      committed.emplace_back(agency, r.version.version);
    }
  }
  // Nothing new from an identical resubmission or a conflict.
  MustCreate(MakeArgs("a", 2023, "a3", 3));
  (void)store().CreateVersion(MakeArgs("a", 2023, "zz", 1));

  std::vector<VersionRecord> feed = Feed();
  ASSERT_EQ(feed.size(), committed.size());
  EXPECT_THAT(Seqs(feed), ::testing::ElementsAreArray(Range(1, 9)));
  for (size_t i = 0; i < feed.size(); ++i) {
    EXPECT_EQ(feed[i].agency_id, committed[i].first);
    EXPECT_EQ(feed[i].version, committed[i].second);
    EXPECT_EQ(feed[i].year, 2023);
    EXPECT_EQ(feed[i].content_hash,
              FakeHash(absl::StrCat(committed[i].first, committed[i].second)));
    EXPECT_TRUE(feed[i].report.empty());
  }
  EXPECT_EQ(LastSeq(), 9);
  EXPECT_THAT(Seqs(Feed(4)), ::testing::ElementsAre(5, 6, 7, 8, 9));
  EXPECT_THAT(Seqs(Feed(4, 2)), ::testing::ElementsAre(5, 6));
  EXPECT_THAT(Seqs(Feed(8, 5)), ::testing::ElementsAre(9));
  EXPECT_TRUE(Feed(9).empty());
  EXPECT_TRUE(Feed(100).empty());
  EXPECT_TRUE(Feed(0, 0).empty());
  EXPECT_EQ(store().ReadFeed(0, -1, false).status().code(), absl::StatusCode::kInvalidArgument);

  // Paging through the feed in small steps gives the same entries.
  std::vector<int64_t> paged;
  for (int64_t after = 0, pages = 0; pages < 20;
       ++pages) {  // bounded: a bad store must fail, not hang
    std::vector<VersionRecord> page = Feed(after, 4);
    if (page.empty()) break;
    for (const VersionRecord& v : page) paged.push_back(v.feed_seq);
    after = page.back().feed_seq;
  }
  EXPECT_THAT(paged, ::testing::ElementsAreArray(Range(1, 9)));
}

// ---------------------------------------------------------------------------
// Concurrency

struct Ack {
  int thread;
  int64_t version;
  int64_t feed_seq;
  std::string hash;
  bool created;
};

// After concurrent submissions: the feed is 1..N without gaps, every
// acknowledged version appears in it exactly once, and each thread's
// acknowledgements are in increasing feed order (a thread submits its next
// version only after the previous one was acknowledged, so it commits later).
inline void CheckAcksAgainstFeed(Store& store, const std::vector<Ack>& acks,
                                 const std::string& agency_of_all) {
  absl::StatusOr<std::vector<VersionRecord>> feed = store.ReadFeed(0, 1000000, false);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->size(), acks.size());
  EXPECT_THAT(Seqs(*feed), ::testing::ElementsAreArray(Range(1, acks.size())));
  std::map<int64_t, const VersionRecord*> by_seq;
  for (const VersionRecord& v : *feed) by_seq[v.feed_seq] = &v;
  std::set<int64_t> seen_seqs;
  std::map<int, int64_t> last_seq_of_thread;
  for (const Ack& a : acks) {
    EXPECT_TRUE(a.created);
    EXPECT_TRUE(seen_seqs.insert(a.feed_seq).second) << "seq " << a.feed_seq << " acked twice";
    auto it = by_seq.find(a.feed_seq);
    ASSERT_NE(it, by_seq.end()) << "acked seq " << a.feed_seq << " not in the feed";
    EXPECT_EQ(it->second->content_hash, a.hash);
    EXPECT_EQ(it->second->version, a.version);
    if (!agency_of_all.empty()) {
      EXPECT_EQ(it->second->agency_id, agency_of_all);
    }
    EXPECT_GT(a.feed_seq, last_seq_of_thread[a.thread]) << "thread " << a.thread;
    last_seq_of_thread[a.thread] = a.feed_seq;
  }
  absl::StatusOr<int64_t> last = store.LastFeedSeq();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, static_cast<int64_t>(acks.size()));
}

TEST_P(StoreConformanceTest, ConcurrentSubmissionsOnDistinctReports) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  constexpr int kTotal = kThreads * kPerThread;
  absl::Mutex mu;
  std::vector<Ack> acks;
  std::vector<std::string> errors;

  // A follower reads the feed while it grows: it must never see a gap.
  std::atomic<bool> writers_done{false};
  std::atomic<bool> follower_failed{false};
  std::string follower_error;
  std::thread follower([&] {
    int64_t last = 0;
    for (int pages = 0; pages < 1000000; ++pages) {
      // An empty page read after the writers finished: the end.
      bool writers_were_done = writers_done;
      absl::StatusOr<std::vector<VersionRecord>> page = store().ReadFeed(last, 7, false);
      if (!page.ok()) {
        follower_error = page.status().ToString();
        follower_failed = true;
        return;
      }
      for (const VersionRecord& v : *page) {
        if (v.feed_seq != last + 1) {
          follower_error = absl::StrCat("after ", last, " came ", v.feed_seq);
          follower_failed = true;
          return;
        }
        last = v.feed_seq;
      }
      if (page->empty() && writers_were_done) break;
    }
    if (last != kTotal) {
      follower_error = absl::StrCat("follower stopped at ", last);
      follower_failed = true;
    }
  });

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string agency = absl::StrCat("agency-", t);
      for (int i = 0; i < kPerThread; ++i) {
        std::string content = absl::StrCat(agency, "-v", i + 1);
        absl::StatusOr<CreateVersionResult> r = store().CreateVersion(
            MakeArgs(agency, 2023, content, i, absl::StrCat(agency, "-rid-", i), "alice"));
        absl::MutexLock l(&mu);
        if (!r.ok()) {
          errors.push_back(absl::StrCat(agency, " #", i, ": ", r.status().ToString()));
          return;
        }
        if (r->version.version != i + 1) {
          errors.push_back(absl::StrCat(agency, " #", i, ": got version ", r->version.version));
        }
        acks.push_back(
            {t, r->version.version, r->version.feed_seq, r->version.content_hash, r->created});
      }
    });
  }
  for (std::thread& th : threads) th.join();
  writers_done = true;
  follower.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());
  EXPECT_FALSE(follower_failed) << follower_error;
  ASSERT_EQ(acks.size(), static_cast<size_t>(kTotal));
  CheckAcksAgainstFeed(store(), acks, "");
  for (int t = 0; t < kThreads; ++t) {
    std::vector<VersionRecord> vs = Versions(absl::StrCat("agency-", t), 2023, 0, 1000, true);
    EXPECT_THAT(Numbers(vs), ::testing::ElementsAreArray(Range(1, kPerThread)));
    for (size_t i = 0; i < vs.size(); ++i) {
      EXPECT_EQ(vs[i].report, absl::StrCat("agency-", t, "-v", i + 1));
    }
  }
  EXPECT_EQ(Reports(ReportFilter()).size(), static_cast<size_t>(kThreads));
}

TEST_P(StoreConformanceTest, ConcurrentSubmissionsOnOneReportRetryOnConflict) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  constexpr int kTotal = kThreads * kPerThread;
  absl::Mutex mu;
  std::vector<Ack> acks;
  std::vector<std::string> errors;
  std::atomic<int> conflicts{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int64_t expected = 0;
      for (int i = 0; i < kPerThread; ++i) {
        std::string content = absl::StrCat("thread ", t, " change ", i);
        // One request_id per change, kept across conflict retries: a
        // conflict is not recorded, so the retry is not a replay.
        CreateVersionArgs args =
            MakeArgs("shared", 2023, content, expected, absl::StrCat("t", t, "-", i),
                     absl::StrCat("submitter-", t));
        bool done = false;
        for (int attempt = 0; attempt < 10000 && !done; ++attempt) {
          args.expected_latest_version = expected;
          absl::StatusOr<CreateVersionResult> r = store().CreateVersion(args);
          if (r.ok()) {
            expected = r->version.version;
            absl::MutexLock l(&mu);
            acks.push_back(
                {t, r->version.version, r->version.feed_seq, r->version.content_hash, r->created});
            if (r->version.content_hash != args.content_hash) {
              errors.push_back(absl::StrCat("t", t, " #", i, ": answer for another request"));
            }
            done = true;
          } else if (absl::IsAborted(r.status())) {
            ++conflicts;
            absl::StatusOr<VersionRecord> latest = store().GetVersion("shared", 2023, 0, false);
            if (latest.ok()) {
              expected = latest->version;
            } else if (absl::IsNotFound(latest.status())) {
              expected = 0;
            } else {
              absl::MutexLock l(&mu);
              errors.push_back(latest.status().ToString());
              return;
            }
          } else {
            absl::MutexLock l(&mu);
            errors.push_back(absl::StrCat("t", t, " #", i, ": ", r.status().ToString()));
            return;
          }
        }
        if (!done) {
          absl::MutexLock l(&mu);
          errors.push_back(absl::StrCat("t", t, " #", i, ": never got through"));
          return;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());
  ASSERT_EQ(acks.size(), static_cast<size_t>(kTotal));
  CheckAcksAgainstFeed(store(), acks, "shared");

  // Versions 1..N, each acknowledged exactly once, in feed order.
  std::vector<VersionRecord> vs = Versions("shared", 2023, 0, 100000, false);
  EXPECT_THAT(Numbers(vs), ::testing::ElementsAreArray(Range(1, kTotal)));
  std::set<std::string> hashes;
  for (const Ack& a : acks) EXPECT_TRUE(hashes.insert(a.hash).second);
  std::set<int64_t> versions;
  for (const Ack& a : acks) EXPECT_TRUE(versions.insert(a.version).second);
  for (size_t i = 1; i < vs.size(); ++i) EXPECT_LT(vs[i - 1].feed_seq, vs[i].feed_seq);
  STORE_ASSERT_OK_AND_ASSIGN(VersionRecord latest, store().GetVersion("shared", 2023, 0, false));
  EXPECT_EQ(latest.version, kTotal);
  ::testing::Test::RecordProperty("conflicts", conflicts.load());
}

TEST_P(StoreConformanceTest, ConcurrentRetriesOfOneRequestCreateOneVersion) {
  // The same request sent by 16 threads at once (a client retrying on
  // timeouts): one version, and every caller gets the same answer.
  constexpr int kThreads = 16;
  absl::Mutex mu;
  std::vector<absl::StatusOr<CreateVersionResult>> results;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      absl::StatusOr<CreateVersionResult> r =
          store().CreateVersion(MakeArgs("a1", 2023, "content", 0, "the-request", "alice"));
      absl::MutexLock l(&mu);
      results.push_back(std::move(r));
    });
  }
  for (std::thread& th : threads) th.join();
  ASSERT_EQ(results.size(), static_cast<size_t>(kThreads));
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->created);
    EXPECT_EQ(r->version.version, 1);
    EXPECT_EQ(r->version.feed_seq, 1);
    EXPECT_EQ(r->version.content_hash, results[0]->version.content_hash);
    EXPECT_EQ(r->version.report, results[0]->version.report);
  }
  EXPECT_EQ(LastSeq(), 1);
  EXPECT_THAT(Numbers(Versions("a1", 2023)), ::testing::ElementsAre(1));
}

TEST_P(StoreConformanceTest, ConcurrentReadersDuringWrites) {
  constexpr int kWrites = 60;
  std::atomic<bool> stop{false};
  std::atomic<int> reader_errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        absl::StatusOr<VersionRecord> v = store().GetVersion("a1", 2023, 0, true);
        if (v.ok()) {
          // The latest version's bytes always belong to its number.
          if (v->report != absl::StrCat("v", v->version)) ++reader_errors;
        } else if (!absl::IsNotFound(v.status())) {
          ++reader_errors;
        }
        absl::StatusOr<std::vector<ReportRecord>> r =
            store().ListReports(ReportFilter(), std::nullopt, 10);
        if (!r.ok()) ++reader_errors;
      }
    });
  }
  for (int i = 1; i <= kWrites; ++i) MustCreate(MakeArgs("a1", 2023, absl::StrCat("v", i), i - 1));
  stop = true;
  for (std::thread& th : readers) th.join();
  EXPECT_EQ(reader_errors.load(), 0);
  EXPECT_EQ(LastSeq(), kWrites);
}

// CreateVersionAsync: the same answers as CreateVersion, each delivered once,
// with the callers not waiting (many in flight at once, as the gRPC handler
// has them).
TEST_P(StoreConformanceTest, AsyncCreateAnswersOnceWithTheSameSemantics) {
  constexpr int kReports = 8, kEach = 10;
  absl::Mutex mu;
  int answered = 0;
  std::map<std::string, std::set<int64_t>> versions;  // per report
  std::set<int64_t> seqs;
  for (int i = 0; i < kEach; ++i) {
    // One round: the next version of every report, all in flight at once.
    absl::BlockingCounter round(kReports);
    for (int r = 0; r < kReports; ++r) {
      store().CreateVersionAsync(
          MakeArgs("a1", 2000 + r, absl::StrCat("r", r, "v", i), i, absl::StrCat(r, "-", i)),
          [&](absl::StatusOr<CreateVersionResult> result) {
            {
              absl::MutexLock lock(&mu);
              ++answered;
              EXPECT_TRUE(result.ok()) << result.status();
              if (result.ok()) {
                EXPECT_TRUE(result->created);
                versions[absl::StrCat(result->version.year)].insert(result->version.version);
                seqs.insert(result->version.feed_seq);
              }
            }
            round.DecrementCount();
          });
    }
    round.Wait();
  }
  // A conflict is answered as such, asynchronously.
  absl::Notification conflict;
  store().CreateVersionAsync(MakeArgs("a1", 2000, "stale", 0, "stale-1"),
                             [&](absl::StatusOr<CreateVersionResult> result) {
                               EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted);
                               conflict.Notify();
                             });
  conflict.WaitForNotification();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(answered, kReports * kEach);
  EXPECT_EQ(versions.size(), static_cast<size_t>(kReports));
  for (const auto& [year, v] : versions) {
    EXPECT_EQ(v.size(), static_cast<size_t>(kEach)) << year;
    EXPECT_EQ(*v.rbegin(), kEach) << year;
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kReports * kEach));
  EXPECT_EQ(*seqs.rbegin(), kReports * kEach);  // dense feed
}

// A request the database refuses (here an agency name that is not UTF-8,
// which PostgreSQL's text refuses and SQLite stores) fails alone: the other
// requests committed in the same batch are stored and answered as usual.
TEST_P(StoreConformanceTest, ARequestTheDatabaseRefusesFailsAloneInItsBatch) {
  constexpr int kReports = 12, kRounds = 3;
  for (int round = 0; round < kRounds; ++round) {
    absl::Mutex mu;
    std::map<int, absl::StatusOr<CreateVersionResult>> answers;
    absl::BlockingCounter answered(kReports);
    for (int r = 0; r < kReports; ++r) {
      CreateVersionArgs args = MakeArgs("a1", 2000 + r, absl::StrCat("r", r, "v", round),
                                        round, absl::StrCat(r, "-", round));
      if (r == kReports / 2) args.agency_name = "\xff\xfe not UTF-8";
      store().CreateVersionAsync(std::move(args),
                                 [&, r](absl::StatusOr<CreateVersionResult> result) {
                                   absl::MutexLock lock(&mu);
                                   answers.emplace(r, std::move(result));
                                   answered.DecrementCount();
                                 });
    }
    answered.Wait();
    absl::MutexLock lock(&mu);
    for (int r = 0; r < kReports; ++r) {
      const absl::StatusOr<CreateVersionResult>& a = answers.at(r);
      if (r == kReports / 2) {
        if (a.ok()) continue;  // this backend stores it
        // Refused: nothing of it is stored, and later rounds of that report
        // are refused as stale (their expected version does not exist).
        EXPECT_THAT(store().GetVersion("a1", 2000 + r, round + 1, false).status().code(),
                    ::testing::AnyOf(absl::StatusCode::kNotFound));
        continue;
      }
      ASSERT_TRUE(a.ok()) << "report " << r << ", round " << round << ": " << a.status();
      EXPECT_TRUE(a->created);
      EXPECT_EQ(a->version.version, round + 1);
    }
  }
}

}  // namespace disclosure::submit::store_testing

#endif  // DISCLOSURE_TESTS_SUBMIT_STORE_CONFORMANCE_H_
