// SPDX-License-Identifier: MIT
#pragma once
// Move-only owners for libevent objects.

#include <event2/event.h>

#include <chrono>
#include <memory>

namespace learnhttpd::worker {

struct EventBaseDeleter {
  void operator()(event_base* base) const noexcept { event_base_free(base); }
};
struct EventDeleter {
  void operator()(event* ev) const noexcept { event_free(ev); }
};

using EventBasePtr = std::unique_ptr<event_base, EventBaseDeleter>;
using EventPtr = std::unique_ptr<event, EventDeleter>;

inline timeval toTimeval(std::chrono::milliseconds ms) noexcept {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace learnhttpd::worker
