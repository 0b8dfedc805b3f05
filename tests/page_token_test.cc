// Page tokens: opaque, sealed with the process's key, bound to a listing.
#include "core/rpc/page_token.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

using ::testing::HasSubstr;

constexpr char kListing[] = "agencies/zz-psb/reports/2022";

class PageTokenTest : public ::testing::Test {
 protected:
  PageTokenTest() { EXPECT_TRUE(SetPageTokenSecret(std::string(32, 'k')).ok()); }

  static std::string Raw(const std::string& token) {
    std::string raw;
    EXPECT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
    return raw;
  }
};

TEST_F(PageTokenTest, GivesBackThePositionForItsListing) {
  for (const char* position : {"", "1", "410100|zz-psb|2022", "9223372036854775807"}) {
    absl::StatusOr<std::string> token = EncodePageToken(kListing, position);
    ASSERT_TRUE(token.ok()) << token.status();
    absl::StatusOr<std::string> back = DecodePageToken(*token, kListing);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, position);
  }
}

TEST_F(PageTokenTest, ClientsCannotReadTheListingOrThePosition) {
  std::string token = *EncodePageToken(kListing, "410100|zz-psb|2022");
  std::string raw = Raw(token);
  EXPECT_FALSE(absl::StrContains(raw, "zz-psb")) << raw;
  EXPECT_FALSE(absl::StrContains(raw, "2022")) << raw;
  EXPECT_FALSE(absl::StrContains(raw, "410100")) << raw;
  // A fresh nonce each time: equal positions give unrelated tokens.
  EXPECT_NE(*EncodePageToken(kListing, "1"), *EncodePageToken(kListing, "1"));
}

TEST_F(PageTokenTest, GarbageIsAnInvalidPageToken) {
  for (const std::string& garbage :
       {std::string("garbage!"), std::string("Zm9v"), std::string(200, 'A'),
        // what tokens looked like before they were sealed, pointing at -5
        absl::WebSafeBase64Escape(std::string(kListing) + "\n-5")}) {
    absl::StatusOr<std::string> pos = DecodePageToken(garbage, kListing);
    ASSERT_FALSE(pos.ok()) << garbage;
    EXPECT_EQ(pos.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(pos.status().message(), HasSubstr("page_token: invalid page token")) << garbage;
  }
}

TEST_F(PageTokenTest, AnyChangedByteMakesItInvalid) {
  std::string raw = Raw(*EncodePageToken(kListing, "7"));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string altered = raw;
    altered[i] ^= 0x01;
    absl::StatusOr<std::string> pos =
        DecodePageToken(absl::WebSafeBase64Escape(altered), kListing);
    ASSERT_FALSE(pos.ok()) << "byte " << i;
    EXPECT_THAT(pos.status().message(), HasSubstr("invalid page token")) << "byte " << i;
  }
  // Cut short or lengthened, likewise.
  EXPECT_FALSE(DecodePageToken(absl::WebSafeBase64Escape(raw.substr(0, raw.size() - 1)), kListing).ok());
  EXPECT_FALSE(DecodePageToken(absl::WebSafeBase64Escape(raw + "x"), kListing).ok());
}

TEST_F(PageTokenTest, AGenuineTokenOfAnotherListingIsToldSo) {
  std::string token = *EncodePageToken("agencies/zz-psb/reports/2021", "1");
  absl::StatusOr<std::string> pos = DecodePageToken(token, kListing);
  ASSERT_FALSE(pos.ok());
  EXPECT_EQ(pos.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pos.status().message(), HasSubstr("page_token: belongs to another listing"));
}

TEST_F(PageTokenTest, ATokenSealedWithAnotherKeyIsInvalid) {
  std::string token = *EncodePageToken(kListing, "1");
  ASSERT_TRUE(SetPageTokenSecret(std::string(32, 'j')).ok());
  absl::StatusOr<std::string> pos = DecodePageToken(token, kListing);
  ASSERT_FALSE(pos.ok());
  EXPECT_THAT(pos.status().message(), HasSubstr("invalid page token"));
  // The same secret again (another replica, a restart) reads it.
  ASSERT_TRUE(SetPageTokenSecret(std::string(32, 'k')).ok());
  EXPECT_TRUE(DecodePageToken(token, kListing).ok());
}

TEST_F(PageTokenTest, AShortSecretIsRefused) {
  absl::Status s = SetPageTokenSecret(std::string(31, 'k'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("at least 32 bytes"));
  EXPECT_EQ(LoadPageTokenKeyFile("/nonexistent/page-token.key").code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace disclosure
