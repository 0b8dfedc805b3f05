// Sums of tables 三 and 四 over many reports, for the oversight summary.
// Each audited version keeps its count cells of those tables packed: one
// protobuf varint per cell of AllCountCells() in sections 三 and 四, 0 for
// an empty cell and ZigZag(value) + 1 otherwise (counts are small, so a
// report takes ~200 bytes), so that a summary over 10,000 reports decodes
// small flat arrays instead of parsing 10,000 reports.
#ifndef DISCLOSURE_AUDIT_SERVICE_REGION_SUMS_H_
#define DISCLOSURE_AUDIT_SERVICE_REGION_SUMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "disclosure/v1/report.pb.h"

namespace disclosure::audit {

namespace v1 = ::disclosure::v1;

std::string PackTableCells(const v1::Report& report);

class RegionSums {
 public:
  RegionSums();
  // Adds one packed report; a blob of the wrong size (another template) is
  // skipped and counted.
  void Add(absl::string_view packed);
  // Tables 三 and 四 with the sums; a cell empty in every report stays empty,
  // and a sum beyond the range of int64 is capped at INT64_MAX.
  v1::Report ToReport() const;
  int skipped() const { return skipped_; }

 private:
  std::vector<int64_t> sums_;
  std::vector<char> present_;  // not vector<bool>: a byte each is faster to set
  std::vector<uint64_t> raw_;  // Add()'s decoded cells, kept between calls
  int skipped_ = 0;
};

}  // namespace disclosure::audit

#endif  // DISCLOSURE_AUDIT_SERVICE_REGION_SUMS_H_
