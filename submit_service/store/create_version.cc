#include "submit_service/store/create_version.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace disclosure::submit {

absl::StatusOr<CreateVersionResult> ApplyCreateVersion(const CreateVersionArgs& a,
                                                       CreateVersionTx* tx) {
  // 1. A retried request_id gets the stored answer, if it is the same request.
  if (!a.request_id.empty()) {
    absl::StatusOr<std::optional<CreateVersionTx::Answer>> answer =
        tx->FindAnswer(a.submitter, a.request_id);
    if (!answer.ok()) return answer.status();
    if (answer->has_value()) {
      const CreateVersionTx::Answer& first = **answer;
      absl::StatusOr<VersionRecord> v = tx->ReadVersion(first.agency_id, first.year, first.version);
      if (absl::IsNotFound(v.status())) {
        return absl::InternalError(absl::StrCat("request_id ", a.request_id,
                                                " names a missing version: ", v.status().message()));
      }
      if (!v.ok()) return v.status();
      // The answered version's hash is the first request's content hash (a
      // new version has it; an "identical" answer is the latest with it), so
      // report and content of the first request are both known.
      if (first.agency_id != a.agency_id || first.year != a.year ||
          v->content_hash != a.content_hash) {
        return absl::FailedPreconditionError(absl::StrCat(
            "request_id '", a.request_id, "' was first used for another request (report ",
            first.agency_id, "/", first.year, ", content ", v->content_hash,
            "); a retry must repeat the request exactly, a new request needs a new request_id"));
      }
      return CreateVersionResult{*std::move(v), first.created};
    }
  }

  // 2. The caller must have seen the latest version.
  absl::StatusOr<CreateVersionTx::Latest> latest = tx->ReadLatest(a.agency_id, a.year);
  if (!latest.ok()) return latest.status();
  if (latest->version != a.expected_latest_version) {
    return absl::AbortedError(absl::StrCat("the latest version of report ", a.agency_id, "/",
                                           a.year, " is ", latest->version, ", not the expected ",
                                           a.expected_latest_version));
  }

  // 3. Identical to the latest: nothing new.
  if (latest->version > 0 && latest->content_hash == a.content_hash) {
    absl::StatusOr<VersionRecord> v = tx->ReadVersion(a.agency_id, a.year, latest->version);
    if (!v.ok()) return v.status();
    if (!a.request_id.empty()) {
      if (absl::Status s = tx->WriteAnswer(a, *v, false); !s.ok()) return s;
    }
    return CreateVersionResult{*std::move(v), false};
  }

  // 4. A new version, next in the feed.
  absl::StatusOr<CreateVersionTx::FeedSlot> slot = tx->NextFeedSlot();
  if (!slot.ok()) return slot.status();
  VersionRecord v;
  v.agency_id = a.agency_id;
  v.year = a.year;
  v.version = latest->version + 1;
  v.content_hash = a.content_hash;
  v.submitter = a.submitter;
  v.create_time = slot->create_time;
  v.feed_seq = slot->feed_seq;
  if (absl::Status s = tx->WriteVersion(a, v); !s.ok()) return s;
  if (!a.request_id.empty()) {
    if (absl::Status s = tx->WriteAnswer(a, v, true); !s.ok()) return s;
  }
  v.report = a.report;
  return CreateVersionResult{std::move(v), true};
}

}  // namespace disclosure::submit
