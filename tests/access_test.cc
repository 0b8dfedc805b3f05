// AccessPolicy::Create: what the principals file may not say.
#include <string>

#include "core/access/access.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace disclosure {
namespace {

using ::testing::HasSubstr;

v1::AgencyRegistry Registry() {
  v1::AgencyRegistry r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(agencies { id: "zz-psb" name: "郑州市公安局" region_code: "410100" }
           agencies { id: "wh-psb" name: "武汉市公安局" region_code: "420100" })pb",
      &r));
  return r;
}

absl::StatusOr<AccessPolicy> PolicyOf(const std::string& principals_text) {
  v1::PrincipalsFile p;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(principals_text, &p));
  return AccessPolicy::Create(p, Registry());
}

TEST(AccessPolicy, BadRegionPrefixesAreRefusedNamingPrincipalAndRole) {
  struct Case {
    std::string principals, role;
  };
  const Case cases[] = {
      // An empty prefix would be a prefix of every region code.
      {R"pb(principals { name: "rev" roles { reviewer { kind: LEGALITY region_prefixes: "" } } })pb",
       "reviewer"},
      {R"pb(principals {
              name: "rev"
              roles { reviewer { kind: LEGALITY region_prefixes: "41" region_prefixes: "" } }
            })pb",
       "reviewer"},
      {R"pb(principals { name: "rev" roles { reviewer { kind: LEGALITY region_prefixes: "4a" } } })pb",
       "reviewer"},
      {R"pb(principals {
              name: "rev"
              roles { reviewer { kind: LEGALITY region_prefixes: "4101001" } }
            })pb",
       "reviewer"},
      {R"pb(principals { name: "rev" roles { oversight { region_prefix: "" } } })pb", "oversight"},
      {R"pb(principals { name: "rev" roles { oversight { region_prefix: "41 " } } })pb",
       "oversight"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<AccessPolicy> p = PolicyOf(c.principals);
    ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << c.principals;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("'rev'")) << p.status();
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.role + " role")) << p.status();
  }
}

// A console acts for its users and has no role of its own to mix in.
TEST(AccessPolicy, AConsoleHoldsNoOtherRole) {
  absl::StatusOr<AccessPolicy> mixed = PolicyOf(
      R"pb(principals { name: "web" roles { console {} } roles { oversight { region_prefix: "41" } } })pb");
  ASSERT_EQ(mixed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(mixed.status().message()), HasSubstr("'web'"));
  EXPECT_THAT(std::string(mixed.status().message()), HasSubstr("a console holds no other role"));
  absl::StatusOr<AccessPolicy> alone = PolicyOf(R"pb(principals { name: "web" roles { console {} } })pb");
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_TRUE(alone->IsConsole("web"));
  EXPECT_FALSE(alone->IsOversight("web"));
  EXPECT_FALSE(alone->ReadScopeOf("web").all);
  EXPECT_TRUE(alone->ReadScopeOf("web").region_prefixes.empty());
}

TEST(AccessPolicy, ValidPrefixesReadTheirRegionOnly) {
  absl::StatusOr<AccessPolicy> p = PolicyOf(
      R"pb(principals { name: "rev" roles { reviewer { kind: LEGALITY region_prefixes: "41" } } }
           principals { name: "ov" roles { oversight { region_prefix: "420100" } } })pb");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->CanRead("rev", *p->FindAgency("zz-psb")));
  EXPECT_FALSE(p->CanRead("rev", *p->FindAgency("wh-psb")));
  EXPECT_TRUE(p->CanRead("ov", *p->FindAgency("wh-psb")));
  EXPECT_FALSE(p->CanRead("ov", *p->FindAgency("zz-psb")));
}

}  // namespace
}  // namespace disclosure
