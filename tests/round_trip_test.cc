// Export then import gives the report back (core/report/export.h): a
// property over random reports and over what the importer makes of the
// messy fixtures. Every field is compared; only what the text does not
// carry (agency id, region code, kind) is left out.
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/import/import.h"
#include "core/report/export.h"
#include "core/report/template.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

using ::google::protobuf::util::MessageDifferencer;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(DISCLOSURE_TESTDATA) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What ImportText gives for `text`; a failed import leaves `why`.
bool Import(const std::string& text, v1::Report* out, std::string* why) {
  absl::StatusOr<ImportResult> r = ImportText(text);
  if (!r.ok()) {
    *why = r.status().ToString();
    return false;
  }
  *out = r->report;
  // How it was read is not report content; a cell it could not read stays
  // a difference.
  if (out->import_record().unread().empty()) out->clear_import_record();
  return true;
}

// "" when ImportText(ExportText(r)) is r; otherwise what differs.
std::string RoundTripDifference(v1::Report r) {
  r.mutable_agency()->clear_id();
  r.mutable_agency()->clear_region_code();
  r.mutable_agency()->clear_kind();
  MaterializeTables(&r);
  const std::string text = ExportText(r);
  v1::Report back;
  std::string why;
  if (!Import(text, &back, &why)) return absl::StrCat("import failed: ", why, "\n", text);
  MaterializeTables(&back);
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  if (d.Compare(r, back)) return "";
  return absl::StrCat(diff, "--- exported text:\n", text);
}

// Random reports: every cell empty, zero, small or large; fees with 0–4
// decimals or none; titles and narratives of realistic Chinese text with
// the things narratives hold (sub-headings, numbers, ASCII, full-width
// punctuation).
class RandomReports {
 public:
  explicit RandomReports(uint32_t seed) : rng_(seed) {}

  v1::Report Next() {
    v1::Report r;
    r.set_template_version(v1::TEMPLATE_VERSION_2021);
    const int year = 2021 + Pick(4);
    r.set_year(year);
    const std::string agency = Agency();
    r.mutable_agency()->set_name(agency);
    r.set_title(absl::StrCat(agency, year, "年政府信息公开工作年度报告"));
    r.set_overview(Narrative());
    r.set_problems_and_improvements(Narrative());
    r.set_other_matters(Narrative());
    for (const CountCell& c : AllCountCells()) SetCount(&r, c, Count());
    SetFee(&r, Fee());
    return r;
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % n); }

  std::optional<int64_t> Count() {
    switch (Pick(5)) {
      case 0: return std::nullopt;
      case 1: return 0;
      case 2: return 1 + Pick(9);
      case 3: return 10 + Pick(990);
      default: return Pick(1000000);
    }
  }

  std::optional<std::string> Fee() {
    switch (Pick(4)) {
      case 0: return std::nullopt;
      case 1: return "0";
      default: {
        std::string fee = absl::StrCat(Pick(100000));
        if (int decimals = Pick(5); decimals > 0) {
          absl::StrAppend(&fee, ".");
          for (int i = 0; i < decimals; ++i) absl::StrAppend(&fee, Pick(10));
        }
        return fee;
      }
    }
  }

  std::string Agency() {
    static const char* kPlaces[] = {"长春市二道区", "郑州市", "洛阳市", "武汉市汉阳区", "淮安市"};
    static const char* kOffices[] = {"公安局", "自然资源和规划局", "房屋征收工作管理办公室",
                                     "人民政府", "市场监督管理局"};
    return absl::StrCat(kPlaces[Pick(5)], kOffices[Pick(5)]);
  }

  std::string Narrative() {
    static const char* kSentences[] = {
        "2022年，我局认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "全年新收政府信息公开申请56件，予以公开18件。",
        "（一）主动公开情况",
        "（二）依申请公开情况",
        "1.加强组织领导。",
        "严格落实信息发布审核制度，确保公开内容准确、及时、完整。",
        "网站访问量达12,345次，同比增长3.5%。",
        "通过“政务微博”发布信息200条；依法依规做好答复。",
        "No other matters (English text, ASCII).",
        "本机关无收费情况。",
    };
    int paragraphs = Pick(4);  // 0: the part is empty
    std::vector<std::string> out;
    for (int p = 0; p < paragraphs; ++p) {
      std::string para;
      for (int s = 0, n = 1 + Pick(3); s < n; ++s) para += kSentences[Pick(10)];
      out.push_back(para);
    }
    return absl::StrJoin(out, "\n");
  }

  std::mt19937 rng_;
};

int Runs() {
  const char* env = std::getenv("DISCLOSURE_ROUND_TRIP_RUNS");
  return env != nullptr ? std::atoi(env) : 2000;
}

TEST(RoundTrip, RandomReportsComeBackIdentical) {
  RandomReports reports(20261202);
  int failed = 0;
  const int runs = Runs();
  for (int i = 0; i < runs; ++i) {
    std::string diff = RoundTripDifference(reports.Next());
    if (diff.empty()) continue;
    if (++failed <= 3) ADD_FAILURE() << "report " << i << ":\n" << diff;
  }
  EXPECT_EQ(failed, 0) << "of " << runs << " random reports";
}

// What the importer reads from each messy fixture exports and imports back
// as it was (issue 12: 予以公开 / 自然人 18 of changchun-erdao was lost).
TEST(RoundTrip, ImportedMessyFixturesComeBackIdentical) {
  for (const char* name : {"changchun-erdao-fwzs-2022", "county-commerce-2022", "fuyuan-zrzy-2022",
                           "hanyang-zfb-2022", "huaian-zrzy-2021", "market-regulation-2023",
                           "ocr-weijian-2022", "unplaced-row-hrss-2022", "wendeng-xfj-2022"}) {
    v1::Report imported;
    std::string why;
    ASSERT_TRUE(Import(ReadTestdata(absl::StrCat("messy/", name, ".txt")), &imported, &why))
        << name << ": " << why;
    EXPECT_EQ(RoundTripDifference(imported), "") << name;
  }
  v1::Report sample;
  std::string why;
  ASSERT_TRUE(Import(ReadTestdata("zhengzhou-psb-2021.txt"), &sample, &why)) << why;
  EXPECT_EQ(RoundTripDifference(sample), "");
}

}  // namespace
}  // namespace disclosure
