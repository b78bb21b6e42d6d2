#include "sys/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

namespace learnhttpd::sys {

void notifySystemd(const std::string& state) {
  // unset_environment = 0: workers forked later must not inherit a different view; the
  // master is the only process that notifies (NotifyAccess=main).
  sd_notify(0, state.c_str());
}

}  // namespace learnhttpd::sys
