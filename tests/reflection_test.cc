// Server reflection as generic tools use it (grpcurl, Node's reflection
// clients): list the services, then describe each one. Against the real
// binaries, as their mains set them up.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/service_env.h"

namespace disclosure::testing {
namespace {

namespace refl = ::grpc::reflection::v1alpha;
using ::testing::IsSupersetOf;

// One reflection stream: every service listed must be describable, i.e.
// file_containing_symbol answers files from which the service's descriptor
// (its messages included) can be built.
void ExpectEveryServiceDescribed(const std::string& address,
                                 const std::vector<std::string>& expected) {
  auto stub = refl::ServerReflection::NewStub(ChannelAs(address, "oversight-henan"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->ServerReflectionInfo(&context);

  refl::ServerReflectionRequest request;
  request.set_list_services("");
  ASSERT_TRUE(stream->Write(request));
  refl::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(response.has_list_services_response()) << response.DebugString();
  std::vector<std::string> listed;
  for (const auto& s : response.list_services_response().service()) listed.push_back(s.name());
  EXPECT_THAT(listed, IsSupersetOf(expected));

  for (const std::string& service : listed) {
    SCOPED_TRACE(service);
    request.Clear();
    request.set_file_containing_symbol(service);
    ASSERT_TRUE(stream->Write(request));
    ASSERT_TRUE(stream->Read(&response));
    ASSERT_TRUE(response.has_file_descriptor_response())
        << response.error_response().error_message();
    // The answer holds the file and what it imports; build them in any order.
    google::protobuf::DescriptorPool pool;
    std::vector<google::protobuf::FileDescriptorProto> files;
    for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
      ASSERT_TRUE(files.emplace_back().ParseFromString(bytes));
    }
    for (size_t built = 0, round = 0; built < files.size() && round < files.size(); ++round) {
      for (const auto& f : files) {
        if (pool.FindFileByName(f.name()) != nullptr) continue;
        bool ready = true;
        for (const std::string& dep : f.dependency()) ready &= pool.FindFileByName(dep) != nullptr;
        if (ready && pool.BuildFile(f) != nullptr) ++built;
      }
    }
    const google::protobuf::ServiceDescriptor* d = pool.FindServiceByName(service);
    ASSERT_NE(d, nullptr) << "the files answered do not describe it";
    EXPECT_GT(d->method_count(), 0);
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(Reflection, SubmitServiceDescribesEveryServiceItLists) {
  TempDir dir;
  ChildSubmitServer submit(dir.path() + "/submit.db", FreePort());
  ExpectEveryServiceDescribed(submit.address(),
                              {"disclosure.v1.SubmissionService", "grpc.health.v1.Health",
                               "grpc.reflection.v1alpha.ServerReflection"});
}

TEST(Reflection, AuditServiceDescribesEveryServiceItLists) {
  TempDir dir;
  ChildSubmitServer submit(dir.path() + "/submit.db", FreePort());
  ChildAuditServer audit(dir.path() + "/audit.db", FreePort(), submit.address(),
                         dir.path() + "/ledger.key");
  ExpectEveryServiceDescribed(audit.address(),
                              {"disclosure.v1.AuditService", "grpc.health.v1.Health",
                               "grpc.reflection.v1alpha.ServerReflection"});
}

}  // namespace
}  // namespace disclosure::testing
