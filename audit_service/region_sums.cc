#include "audit_service/region_sums.h"

#include <limits>
#include <optional>

#include "absl/base/internal/endian.h"  // little_endian::Load64/Store64
#include "core/template.h"

namespace disclosure::audit {
namespace {

constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();

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
  const auto& cells = SummedCells();
  std::string out(cells.size() * 8, '\0');
  for (size_t i = 0; i < cells.size(); ++i) {
    std::optional<int64_t> v = GetCount(report, *cells[i]);
    absl::little_endian::Store64(&out[i * 8], static_cast<uint64_t>(v ? *v : kEmpty));
  }
  return out;
}

RegionSums::RegionSums() : sums_(SummedCells().size(), 0), present_(SummedCells().size(), false) {}

void RegionSums::Add(absl::string_view packed) {
  if (packed.size() != sums_.size() * 8) {
    ++skipped_;
    return;
  }
  for (size_t i = 0; i < sums_.size(); ++i) {
    int64_t v = static_cast<int64_t>(absl::little_endian::Load64(packed.data() + i * 8));
    if (v == kEmpty) continue;
    sums_[i] += v;
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
