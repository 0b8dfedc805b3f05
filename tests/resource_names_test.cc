// core/access/resource_names.h: the names of the API, formatted and parsed
// in one place.
#include "core/access/resource_names.h"

#include <string>

#include "gtest/gtest.h"

namespace disclosure {
namespace {

TEST(ResourceNames, VersionsAndWhatHangsUnderThem) {
  EXPECT_EQ(FormatVersionName({"zz-psb", 2021}, 3), "agencies/zz-psb/reports/2021/versions/3");
  EXPECT_EQ(FormatVersionName({"zz-psb", 2021}, 0), "agencies/zz-psb/reports/2021/versions/latest");
  const std::string v = FormatVersionName({"zz-psb", 2021}, 3);
  EXPECT_EQ(FormatAuditName(v), v + "/audit");
  EXPECT_EQ(FormatReviewStatusName(v), v + "/reviewStatus");
  EXPECT_EQ(FormatSignOffName(v, 7), v + "/signOffs/7");
  absl::StatusOr<VersionName> latest = ParseVersionName(FormatVersionName({"zz-psb", 2021}, 0));
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->version, 0);
}

// One format of a feed position for the submit service, which writes and
// reads it, and for the audit service's follower; a number is written one
// way only, so "feed/01" and "feed/-5" are not positions.
TEST(ResourceNames, FeedPositionsRoundTripAndNothingElseParses) {
  for (int64_t seq : {int64_t{0}, int64_t{1}, int64_t{42}, int64_t{9007199254740993}}) {
    absl::StatusOr<int64_t> parsed = ParseFeedPosition(FormatFeedPosition(seq));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, seq);
  }
  for (const char* bad : {"", "feed/", "feed/01", "feed/-5", "feed/+5", "feed/1x", "Feed/1",
                          "feed/99999999999999999999", "1", " feed/1"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseFeedPosition(bad).status())) << bad;
  }
}

}  // namespace
}  // namespace disclosure
