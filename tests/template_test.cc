#include "core/report/template.h"

#include <set>

#include "gtest/gtest.h"

namespace disclosure {
namespace {

TEST(Template, CellCatalogueCoversEveryCountOnce) {
  // 二: 2×3 + 3×1 counts; 三: 25 data rows × 7; 四: 3 × 5.
  EXPECT_EQ(AllCountCells().size(), 9u + 25u * 7u + 15u);
  std::set<std::string> paths;
  for (const auto& c : AllCountCells()) paths.insert(c.field_path);
  EXPECT_EQ(paths.size(), AllCountCells().size());
}

TEST(Template, EveryCellReadsBackWhatWasWritten) {
  v1::Report r;
  int64_t n = 1;
  for (const auto& c : AllCountCells()) SetCount(&r, c, n++);
  n = 1;
  for (const auto& c : AllCountCells()) EXPECT_EQ(GetCount(r, c), n++) << c.field_path;
  for (const auto& c : AllCountCells()) SetCount(&r, c, std::nullopt);
  for (const auto& c : AllCountCells()) EXPECT_FALSE(GetCount(r, c).has_value()) << c.field_path;
}

TEST(Template, ZeroIsNotEmpty) {
  v1::Report r;
  const auto& cell = AllCountCells().front();
  SetCount(&r, cell, 0);
  ASSERT_TRUE(GetCount(r, cell).has_value());
  EXPECT_EQ(*GetCount(r, cell), 0);
}

TEST(Template, FieldPathsMatchTheProto) {
  // The field path of every cell must name a real field: walk it by reflection.
  v1::Report r;
  for (const auto& c : AllCountCells()) {
    const google::protobuf::Message* m = &r;
    std::string path = c.field_path;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      const auto* f = m->GetDescriptor()->FindFieldByName(name);
      ASSERT_NE(f, nullptr) << c.field_path << " at " << name;
      if (dot == std::string::npos) break;
      m = &m->GetReflection()->GetMessage(*m, f);
      start = dot + 1;
    }
  }
}

}  // namespace
}  // namespace disclosure
