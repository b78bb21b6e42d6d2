#include "config/config.hpp"

#include <algorithm>
#include <thread>

namespace learnhttpd::config {

unsigned effectiveWorkers(const Config& config) {
  if (config.workers != 0) {
    return config.workers;
  }
  // hardware_concurrency() may return 0 when the count is unknown (e.g. /proc not mounted);
  // one worker is the only safe guess then.
  return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace learnhttpd::config
