// core/base/file.h on real files.
#include "core/base/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace disclosure {
namespace {

// A fresh directory, removed with what it holds.
class Dir {
 public:
  Dir() {
    char tmpl[] = "/tmp/file_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~Dir() { std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(File, AWriteReplacesTheWholeFileAndLeavesNoTemporary) {
  Dir dir;
  const std::string path = dir.path() + "/state.txtpb";
  EXPECT_TRUE(absl::IsNotFound(ReadFileToString(path).status()));
  ASSERT_TRUE(WriteFileAtomically(path, "first, longer contents\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second\n").ok());
  EXPECT_EQ(*ReadFileToString(path), "second\n");
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0);
}

TEST(File, AFailedWriteLeavesTheOldFileAndSaysWhy) {
  Dir dir;
  const std::string path = dir.path() + "/state.txtpb";
  ASSERT_TRUE(WriteFileAtomically(path, "kept\n").ok());
  // The temporary cannot be made where a directory stands in its place.
  ASSERT_EQ(mkdir((path + ".tmp").c_str(), 0755), 0);
  absl::Status s = WriteFileAtomically(path, "lost\n");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("state.txtpb.tmp"), std::string::npos) << s;
  EXPECT_EQ(*ReadFileToString(path), "kept\n");
  EXPECT_FALSE(WriteFileAtomically(dir.path() + "/no/such/dir/state", "x").ok());
}

}  // namespace
}  // namespace disclosure
