#include "audit_service/region_sums.h"

#include <optional>

#include "core/report/template.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

namespace disclosure::audit {
namespace {

using google::protobuf::internal::WireFormatLite;

// The cells of tables 三 and 四, in template order.
const std::vector<const CountCell*>& SummedCells() {
  static const auto* cells = [] {
    auto* v = new std::vector<const CountCell*>;
    for (const CountCell& c : AllCountCells()) {
      if (c.section == '3' || c.section == '4') v->push_back(&c);
    }
    return v;
  }();
  return *cells;
}

}  // namespace

std::string PackTableCells(const v1::Report& report) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    for (const CountCell* c : SummedCells()) {
      std::optional<int64_t> v = GetCount(report, *c);
      // ZigZag(INT64_MIN) + 1 would wrap to 0; such a count is refused on
      // submission anyway, and is kept as the nearest value.
      uint64_t z = v ? WireFormatLite::ZigZagEncode64(*v) : 0;
      coded.WriteVarint64(v ? (z == UINT64_MAX ? z : z + 1) : 0);
    }
  }
  return out;
}

RegionSums::RegionSums()
    : sums_(SummedCells().size(), 0),
      present_(SummedCells().size(), false),
      raw_(SummedCells().size(), 0) {}

void RegionSums::Add(absl::string_view packed) {
  // Runs once per report of a region (10,000 × ~200 cells for a summary):
  // varints read inline into a buffer kept between calls, so that a damaged
  // blob adds nothing, and then added.
  const uint8_t* p = reinterpret_cast<const uint8_t*>(packed.data());
  const uint8_t* const end = p + packed.size();
  for (uint64_t& r : raw_) {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      if (p == end || shift > 63) {
        ++skipped_;  // another template, or damaged: left out, and counted
        return;
      }
      const uint8_t byte = *p++;
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (byte < 0x80) break;
    }
    r = v;
  }
  if (p != end) {
    ++skipped_;
    return;
  }
  for (size_t i = 0; i < sums_.size(); ++i) {
    if (raw_[i] == 0) continue;
    const int64_t v = WireFormatLite::ZigZagDecode64(raw_[i] - 1);
    // Counts are int64 and each may be huge: a sum that does not fit is
    // capped rather than wrapped (signed overflow) into a negative total.
    if (__builtin_add_overflow(sums_[i], v, &sums_[i])) {
      sums_[i] = v < 0 ? INT64_MIN : INT64_MAX;
    }
    present_[i] = true;
  }
}

v1::Report RegionSums::ToReport() const {
  v1::Report r;
  const auto& cells = SummedCells();
  for (size_t i = 0; i < cells.size(); ++i) {
    if (present_[i]) SetCount(&r, *cells[i], sums_[i]);
  }
  return r;
}

}  // namespace disclosure::audit
