// spdlog's default logger replaced, for the life of a CapturedLog, by one
// that keeps the lines (the message only, no prefix) for a test to read.
// Read Lines() once the code under test has stopped logging: the sink's
// lock guards writes, not this read.
#ifndef DISCLOSURE_TESTS_CAPTURED_LOG_H_
#define DISCLOSURE_TESTS_CAPTURED_LOG_H_

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace disclosure::testing {

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> Lines() {
    spdlog::default_logger()->flush();
    std::vector<std::string> lines = absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
    return lines;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace disclosure::testing

#endif  // DISCLOSURE_TESTS_CAPTURED_LOG_H_
