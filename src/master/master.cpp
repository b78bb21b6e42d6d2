// SPDX-License-Identifier: MIT
#include "master/master.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <ctime>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "config/config_loader.hpp"
#include "log/journal_sink.hpp"
#include "log/log.hpp"
#include "log/log_file.hpp"
#include "master/preflight.hpp"
#include "sys/systemd_notify.hpp"
#include "worker/worker.hpp"

namespace learnhttpd::master {
namespace {

using namespace std::chrono_literals;

constexpr auto kTick = 1000ms;          // the loop wakes at least this often
constexpr auto kFastTick = 50ms;        // ... and this often while waiting for workers
constexpr auto kFastStopGrace = 5s;     // TERM/INT: how long workers get before KILL
constexpr auto kHeartbeatFresh = 3000;  // ms: a heartbeat this recent counts for the watchdog
constexpr std::size_t kStatusSlots = 4096;

std::int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view stateName(Phase phase, bool has_beaten) {
  switch (phase) {
    case Phase::Serving:
      return has_beaten ? "serving" : "starting";
    case Phase::Aborting:
      return "aborting";
    case Phase::AbortKilled:
      return "abort-killed";
    case Phase::Retiring:
      return "retiring";
    case Phase::RetireKilled:
      return "retire-killed";
  }
  return "unknown";
}

std::string describeExit(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

// Opens (creating if need be) the log files of `config` under the rules of log/log_file.hpp and
// hands them to the workers' user, who reopens them after logrotate. False and `error` when a
// file is missing its directory or is refused.
bool prepareLogFilesOf(const config::Config& config, std::string& error) {
  const uid_t workers = workersUid(config);
  for (const std::string* path : {&config.log.access_log, &config.log.error_log}) {
    if (path == &config.log.access_log && config.log.quiet) continue;  // never opened
    if (log::isFilePath(*path) && !log::prepareLogFile(*path, workers, error)) return false;
  }
  return true;
}

}  // namespace

Master::Master(config::Config config, MasterOptions options)
    : config_(std::move(config)), options_(std::move(options)), start_unix_ms_(wallClockMs()) {}

int Master::run() {
  if (!start()) return 1;
  loop();
  sys::notifySystemd("STOPPING=1");
  spdlog::info("master: exiting, {} request(s) served", requestsServed());
  return exit_code_;
}

bool Master::start() {
  for (const std::string& warning : options_.warnings) spdlog::warn("master: {}", warning);
  std::string error;
  if (!serve::SiteFiles::open(config_, site_files_, error)) {
    return spdlog::critical("{}", error), false;
  }
  for (const std::string& notice : site_files_.notices()) spdlog::warn("{}", notice);
  if (!ticket_keys_.create()) {
    return spdlog::critical("master: cannot draw TLS ticket keys from the random generator"), false;
  }
  tls::KernelTls kernel = tls::kernelTls();  // once: a reload does not look again
  kernel_tls_ = kernel.usable;
  if (config::hasTlsListener(config_)) spdlog::info("tls: {}", kernel.status);
  if (!loadTls(config_, tls_, error)) return spdlog::critical("{}", error), false;
  // Handlers first: a TERM right after "listening on" must be a clean stop, not a kill.
  if (!signals_.install({SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGTTIN, SIGTTOU, SIGCHLD})) {
    return spdlog::critical("master: cannot install signal handlers: {}", std::strerror(errno)),
           false;
  }
  std::vector<int> activated = sys::activatedSockets();
  if (!activated.empty()) {
    listeners_.adopt(activated);
    if (!listeners_.speakAs(config_.listen, error)) return spdlog::critical("{}", error), false;
    spdlog::info(
        "master: using {} socket(s) passed by systemd; listen only says which speak TLS (by "
        "port)",
        activated.size());
  } else if (!listeners_.update(config_.listen, error)) {
    return spdlog::critical("{}", error), false;
  }
  logListeners();
  if (!status_.update(config_.status, error)) return spdlog::critical("master: {}", error), false;
  if (config_.status.listen) spdlog::info("master: status listener on {}", status_.describe());
  // The journal (systemd) stays a daemon's stdout or stderr; anything else becomes /dev/null,
  // which the preflight made sure no log is pointed at.
  if (options_.daemon && !sys::daemonize(log::isJournalStream(STDOUT_FILENO),
                                         log::isJournalStream(STDERR_FILENO), error)) {
    return spdlog::critical("{}", error), false;
  }
  if (!config_.pid_file.empty() && !pid_file_.write(config_.pid_file, error)) {
    if (options_.daemon) return spdlog::critical("{}", error), false;
    spdlog::warn("{}; -s will not find this process", error);
  } else if (!config_.pid_file.empty() && !pid_file_.recordStart(options_.start_args, error)) {
    spdlog::warn("{}; -s will check the configuration its own flags name", error);
  }
  if (!board_.map(kStatusSlots)) {
    return spdlog::critical("master: cannot map worker status: {}", std::strerror(errno)), false;
  }
  if (!mapSiteBoard(config_, generation_, error))
    return spdlog::critical("master: {}", error), false;
  if (!prepareLogFilesOf(config_, error)) return spdlog::critical("master: {}", error), false;
  unsigned long files = sys::raiseFileLimit();
  if (files < config_.max_connections + 64UL) {
    spdlog::warn(
        "master: open-file limit {} is below max_connections {}; raise LimitNOFILE / "
        "ulimit -n, or a busy worker will refuse connections",
        files, config_.max_connections);
  }
  watchdog_ = sys::watchdogInterval();
  wanted_ = config::effectiveWorkers(config_);
  spdlog::info("master: pid {}, generation {}: starting {} {} worker(s), document root {}",
               ::getpid(), generation_, wanted_, config::modelName(config_.worker_model),
               config_.document_root);
  decide(Decision::Start, fmt::format("generation {}: starting {} {} worker(s)", generation_,
                                      wanted_, config::modelName(config_.worker_model)));
  reconcile();
  return true;
}

// "listening on ADDRESS" lines are read by scripts (the tests, the bench): nothing follows the
// address. Which passed sockets speak TLS is said in lines of its own.
void Master::logListeners() const {
  for (int fd : listeners_.fds()) spdlog::info("listening on {}", Listeners::describe(fd));
  if (!listeners_.adopted()) return;
  for (int fd : listeners_.tlsFds()) {
    spdlog::info(
        "master: the socket {} passed by systemd speaks TLS (its port is an \"ssl\" "
        "address's)",
        Listeners::describe(fd));
  }
}

bool Master::loadTls(const config::Config& config, std::unique_ptr<tls::ServerContext>& out,
                     std::string& error) {
  out.reset();
  if (std::string problem = config::tlsModelProblem(config); !problem.empty()) {
    error = config.source + ": " + problem;
    return false;
  }
  TlsSetup setup = tlsSetup(config);
  if (setup.pairs.empty()) return true;
  tls::LoadOptions options;
  options.now = std::time(nullptr);
  options.kernel_tls = kernel_tls_;
  options.http2 = config::http2OverTls(config);
  tls::LoadResult loaded =
      tls::ServerContext::load(setup.pairs, setup.sites, ticket_keys_, options);
  if (!loaded.errors.empty()) {
    error = loaded.errors.front();
    for (std::size_t i = 1; i < loaded.errors.size(); ++i) error += "; " + loaded.errors[i];
    return false;
  }
  for (const std::string& warning : loaded.warnings) spdlog::warn("master: {}", warning);
  out = std::move(loaded.context);
  for (std::size_t i = 0; i < out->size(); ++i) {
    const tls::CertificateInfo& info = out->info(i);
    std::string role =
        i == 0 ? "the default (no SNI, or a name no certificate has)" : "for SNI names ";
    for (std::size_t n = 0; n < info.names.size(); ++n) {
      if (n > 0) role.append(", ");
      if (n == 0 && i == 0) role.append("; names ");
      role.append(info.names[n]);
    }
    spdlog::info("tls: certificate {} serial {}, valid until {}, from {}: {}", info.subject,
                 info.serial, tls::dateText(info.not_after), info.file, role);
  }
  return true;
}

void Master::loop() {
  while (!stop_requested_) {
    waitForEvents();
    for (int signal : signals_.drain()) handleSignal(signal);
    reapChildren();
    if (stop_requested_) break;
    superviseHealth();
    reconcile();
    reportToSystemd();
    // Last, so an answer shows what this wake-up decided; it never waits on a client.
    status_.serve([this] { return snapshot(); });
  }
  status_.close();
  if (graceful_) {
    listeners_.closeAll();
    stopWorkers(SIGQUIT, config_.shutdown_timeout);
  } else {
    stopWorkers(SIGTERM,
                std::min<std::chrono::milliseconds>(config_.shutdown_timeout, kFastStopGrace));
  }
}

// Sleeps until a signal, a status socket's readiness, a status client's deadline or the tick.
void Master::waitForEvents() {
  poll_fds_.clear();
  poll_fds_.push_back({signals_.readFd(), POLLIN, 0});
  status_.addPollFds(poll_fds_);
  std::chrono::milliseconds timeout = tick();
  if (auto deadline = status_.untilNextDeadline(Clock::now())) {
    timeout = std::min(timeout, *deadline);
  }
  ::poll(poll_fds_.data(), poll_fds_.size(), static_cast<int>(timeout.count()));
}

std::chrono::milliseconds Master::tick() const {
  const Clock::time_point now = Clock::now();
  if (ready_pending_ || backoff_.waiting(now) || now < spawn_retry_) return kFastTick;
  if (watchdog_.count() > 0) {
    return std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(watchdog_ / 4),
                      std::chrono::milliseconds(kFastTick), std::chrono::milliseconds(kTick));
  }
  return kTick;
}

void Master::handleSignal(int signal) {
  switch (signal) {
    case SIGTERM:
    case SIGINT:
      spdlog::info("master: {} received, fast stop", strsignal(signal));
      stop_requested_ = true;
      break;
    case SIGQUIT:
      spdlog::info("master: QUIT received, graceful stop");
      stop_requested_ = true;
      graceful_ = true;
      break;
    case SIGHUP:
      return reload();
    case SIGUSR1:
      return reopenLogs();
    case SIGTTIN:
      return resize(+1);
    case SIGTTOU:
      return resize(-1);
    default:
      break;  // CHLD: reapChildren() runs after every wake-up
  }
}

// Nginx's order: build the new configuration completely first; only when all of it works is
// the running generation replaced. Sockets whose address stays are kept (Listeners::update),
// so clients never see a refused connection.
void Master::reload() {
  spdlog::info("master: HUP received, reloading {}", config_.source);
  sys::notifySystemd(sys::reloadingState());
  auto keep = [this](const std::string& why) {
    spdlog::error("master: {}", decide(Decision::ReloadFailed,
                                       fmt::format("reload failed, keeping generation {}: {}",
                                                   generation_, why)));
    sys::notifySystemd("READY=1\nSTATUS=reload failed: " + why);
  };
  if (!options_.reload_config) return keep("no configuration source");
  config::Config next;
  try {
    next = options_.reload_config();
  } catch (const config::ConfigError& e) {
    return keep(e.what());
  }
  // What -t checks, as a start checks it: a reload that could not start does not happen.
  Preflight checked = preflight(next, {});
  if (!checked.errors.empty()) {
    std::string why = checked.errors.front();
    for (std::size_t i = 1; i < checked.errors.size(); ++i) why += "; " + checked.errors[i];
    return keep(why);
  }
  for (const std::string& warning : checked.warnings) spdlog::warn("master: {}", warning);
  std::string error;
  // Every site's root, all of them or none: one missing root keeps every old site serving.
  serve::SiteFiles files;
  if (!serve::SiteFiles::open(next, files, error)) return keep(error);
  for (const std::string& notice : files.notices()) spdlog::warn("{}", notice);
  if (!prepareLogFilesOf(next, error)) return keep(error);
  // A renewed certificate that does not load keeps the old one serving.
  std::unique_ptr<tls::ServerContext> next_tls;
  if (!loadTls(next, next_tls, error)) return keep(error);
  // Before the listeners: a status address that cannot be bound changes nothing.
  const bool status_moved = next.status != config_.status;
  if (!status_.update(next.status, error)) return keep(error);
  if (listeners_.adopted() ? !listeners_.speakAs(next.listen, error)
                           : !listeners_.update(next.listen, error)) {
    return keep(error);
  }
  if (next.log.error_log != config_.log.error_log || next.log.level != config_.log.level) {
    if (!log::setupErrorLog(next.log.error_log, next.log.level, workersUid(next), error)) {
      spdlog::error("master: {}; the error log stays where it was", error);
    }
  }
  if (!mapSiteBoard(next, generation_ + 1, error)) return keep(error);
  const unsigned workers =
      workersAfterReload(config::effectiveWorkers(config_), config::effectiveWorkers(next));
  config_ = std::move(next);
  site_files_ = std::move(files);
  tls_ = std::move(next_tls);
  // The new generation issues tickets under a fresh key and still takes the old generation's.
  if (tls_ && !ticket_keys_.rotate()) spdlog::warn("master: TLS ticket keys not rotated");
  logListeners();
  if (status_moved) {
    spdlog::info("master: status listener {}",
                 config_.status.listen ? "on " + status_.describe() : std::string("off"));
  }
  ++generation_;
  wanted_ = workers;
  backoff_.clear();
  slot_restarts_.clear();
  // The generation that serves goes on serving until the new one is ready (retireReplaced()),
  // so that however slowly workers start, some worker always accepts; one that was still
  // starting is superseded at once.
  for (auto& w : workers_) {
    if (w.generation != serving_generation_) retire(w, "reload");
  }
  ready_pending_ = true;
  spdlog::info("master: {}",
               decide(Decision::Reload,
                      fmt::format("generation {}: starting {} worker(s)", generation_, wanted_)));
  reconcile();
}

// TTIN/TTOU change the running count; a reload keeps that change unless the configuration's
// `workers` changed too (then the file wins): a reload for a renewed certificate at night must
// not undo the workers an operator added by hand, and an edit of `workers` must take effect.
unsigned Master::workersAfterReload(unsigned configured_before, unsigned configured_now) const {
  if (wanted_ == configured_before) return configured_now;
  if (configured_now == configured_before) {
    spdlog::info(
        "master: reload keeps {} worker(s) set by TTIN/TTOU (workers in the configuration: {}, "
        "unchanged)",
        wanted_, configured_now);
    return wanted_;
  }
  spdlog::info(
      "master: reload: workers {} -> {} in the configuration replaces the {} worker(s) set by "
      "TTIN/TTOU",
      configured_before, configured_now, wanted_);
  return configured_now;
}

void Master::resize(int delta) {
  if (delta < 0 && wanted_ <= 1) {
    spdlog::info("master: TTOU received, keeping the last worker");
    return;
  }
  wanted_ = delta > 0 ? wanted_ + 1 : wanted_ - 1;
  spdlog::info("master: {}",
               decide(Decision::Resize, fmt::format("{} received, now {} worker(s)",
                                                    delta > 0 ? "TTIN" : "TTOU", wanted_)));
  for (auto& w : workers_) {
    if (beyondWanted(w, generation_, wanted_)) retire(w, "TTOU");
  }
  reconcile();
}

void Master::reopenLogs() {
  spdlog::info("master: USR1 received, reopening logs");
  std::string error;
  if (!prepareLogFilesOf(config_, error)) spdlog::error("master: {}", error);
  if (!log::reopenErrorLog(error)) spdlog::error("master: cannot reopen the error log: {}", error);
  for (const auto& w : workers_) ::kill(w.pid, SIGUSR1);
}

void Master::retire(WorkerProcess& w, const char* why) {
  if (!markRetiring(w, Clock::now(), limits())) return;
  ::kill(w.pid, SIGQUIT);
  spdlog::info("master: {}", decide(Decision::Retire,
                                    fmt::format("retiring worker {} (pid {}, generation {}): {}",
                                                w.slot, w.pid, w.generation, why)));
}

// The current generation is ready: the workers of older ones stop accepting and finish.
void Master::retireReplaced() {
  serving_generation_ = generation_;
  for (auto& w : workers_) {
    if (w.generation < generation_) retire(w, "reload");
  }
}

void Master::reapChildren() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    auto it = std::find_if(workers_.begin(), workers_.end(),
                           [pid](const WorkerProcess& w) { return w.pid == pid; });
    if (it == workers_.end()) continue;
    WorkerProcess gone = *it;
    workers_.erase(it);
    reaped_requests_ += gone.status->requests.load(std::memory_order_relaxed);
    board_.release(gone.status);
    onWorkerExit(gone, status);
  }
  foldSiteBoards();
}

void Master::onWorkerExit(const WorkerProcess& gone, int status) {
  // An older generation's slot is not refilled (below): its crash must not slow the current one.
  CrashBackoff older;
  CrashBackoff& backoff = gone.generation == generation_ ? backoff_.of(gone.slot) : older;
  ExitVerdict verdict = judgeExit(gone, status, stop_requested_, worker::kExitBootFailure,
                                  Clock::now(), backoff, limits());
  if (verdict.verb == ExitVerb::Expected) {
    spdlog::info("master: worker {} (pid {}, generation {}) {}", gone.slot, gone.pid,
                 gone.generation, describeExit(status));
    return;
  }
  std::string exit = fmt::format("worker {} (pid {}, generation {}) {} unexpectedly", gone.slot,
                                 gone.pid, gone.generation, describeExit(status));
  spdlog::warn("master: {}", exit);
  if (verdict.verb == ExitVerb::StopMaster) {
    spdlog::critical("master: worker {} failed to start; stopping", gone.slot);
    decide(Decision::BootFailure, exit + "; it failed to start, stopping");
    stop_requested_ = true;
    exit_code_ = 1;
    return;
  }
  if (gone.generation != generation_) {
    // Its configuration is gone: the generation that replaces it takes over once ready.
    spdlog::warn("master: {}",
                 decide(Decision::Lost, exit + fmt::format("; not replaced: generation {} serves "
                                                           "in its place",
                                                           generation_)));
    return;
  }
  if (slot_restarts_.size() <= gone.slot) slot_restarts_.resize(gone.slot + 1);
  ++slot_restarts_[gone.slot];
  if (verdict.crashed_at_start) {
    spdlog::warn(
        "master: worker {} crashed within {} s of starting ({} in a row); respawn in {} ms",
        gone.slot, std::chrono::duration_cast<std::chrono::seconds>(limits().crash_window).count(),
        backoff.streak, verdict.delay.count());
    exit += fmt::format("; crashed at start ({} in a row), respawn in {} ms", backoff.streak,
                        verdict.delay.count());
  } else {
    exit += "; respawning";
  }
  decide(Decision::Respawn, std::move(exit));
}

// Stuck workers: a loop that stopped stamping its heartbeat gets ABRT (a core dump to learn
// from), then KILL; retiring workers past shutdown_timeout get KILL. Reaping respawns them.
void Master::superviseHealth() {
  auto now = Clock::now();
  std::int64_t now_ms = worker::monotonicMs();
  for (auto& w : workers_) {
    std::int64_t beat = w.status->heartbeat_ms.load(std::memory_order_relaxed);
    HealthVerdict verdict = judgeHealth(w, now, beat, now_ms, limits());
    if (verdict.verb == HealthVerb::Abort) {
      spdlog::error(
          "master: {}",
          decide(Decision::Abort,
                 fmt::format("worker {} (pid {}) sent no heartbeat for {} ms, aborting it", w.slot,
                             w.pid, verdict.silent_ms)));
      ::kill(w.pid, SIGABRT);
    } else if (verdict.verb == HealthVerb::Kill) {
      if (w.phase == Phase::Retiring) {
        spdlog::warn("master: {}",
                     decide(Decision::Kill, fmt::format("worker {} (pid {}) still busy after "
                                                        "shutdown_timeout, killing it",
                                                        w.slot, w.pid)));
      } else {
        spdlog::error("master: {}",
                      decide(Decision::Kill, fmt::format("worker {} (pid {}) ignored ABRT, "
                                                         "killing it",
                                                         w.slot, w.pid)));
      }
      ::kill(w.pid, SIGKILL);
    }
    applyHealth(w, verdict, now, limits());
  }
}

// The supervision rules' numbers: two from the configuration, the rest fixed (see the policy).
SupervisionLimits Master::limits() const {
  SupervisionLimits result;
  result.worker_timeout = config_.worker_timeout;
  result.shutdown_timeout = config_.shutdown_timeout;
  return result;
}

// Starts workers for the free slots of the current generation (respecting each slot's crash
// back-off).
void Master::reconcile() {
  const Clock::time_point now = Clock::now();
  if (stop_requested_ || now < spawn_retry_) return;
  for (unsigned slot : missingSlots(workers_, generation_, wanted_)) {
    if (!backoff_.due(slot, now)) continue;
    if (!spawn(slot)) {
      spawn_retry_ = Clock::now() + kTick;
      return;
    }
  }
}

bool Master::spawn(unsigned slot) {
  WorkerProcess w;
  w.slot = slot;
  w.generation = generation_;
  w.model = config_.worker_model;
  w.restarts = slot < slot_restarts_.size() ? slot_restarts_[slot] : 0;
  w.status = board_.acquire();
  if (w.status == nullptr) {
    spdlog::error("master: no free worker status slot (too many workers exiting at once)");
    return false;
  }
  w.started = Clock::now();
  // The master's pid is taken before fork: read in the child it could already be that of
  // whoever adopted the orphan, and the check below would pass.
  pid_t master = ::getpid();
  w.pid = ::fork();
  if (w.pid == 0) runWorker(w, master);
  if (w.pid < 0) {
    spdlog::error("master: fork failed: {}", std::strerror(errno));
    board_.release(w.status);
    return false;
  }
  workers_.push_back(w);
  spdlog::info("master: worker {} started, pid {}, generation {}", slot, w.pid, generation_);
  return true;
}

void Master::runWorker(const WorkerProcess& self, pid_t master) {
  signals_.resetInChild();
  status_.closeInChild();
  pid_file_.release();
  // A worker must not outlive its master: the kernel sends TERM when the master dies.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != master) ::_exit(0);  // the master died before prctl took effect
  int code = worker::kExitBootFailure;
  std::string error;
  if (!sys::dropPrivileges(config_.user, error)) {
    spdlog::critical("worker {}: {}", self.slot, error);
  } else {
    worker::WorkerContext context{config_,     listeners_.fds(), site_files_,        self.slot,
                                  self.status, tls_.get(),       listeners_.tlsFds()};
    if (!site_boards_.empty() && site_boards_.back().generation == self.generation) {
      context.site_counts = site_boards_.back().board.row(self.slot);
    }
    code = worker::makeWorker(context)->run();
  }
  spdlog::default_logger()->flush();
  ::_exit(code);  // no atexit handlers or master destructors in a worker
}

void Master::stopWorkers(int signal, std::chrono::milliseconds grace) {
  ready_pending_ = false;
  for (const auto& w : workers_) ::kill(w.pid, signal);
  auto deadline = Clock::now() + grace;
  while (!workers_.empty() && Clock::now() < deadline) {
    pollfd pfd{signals_.readFd(), POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(kFastTick.count()));
    for (int s : signals_.drain()) {
      if (graceful_ && (s == SIGTERM || s == SIGINT)) {
        spdlog::info("master: {} during graceful stop, switching to fast stop", strsignal(s));
        graceful_ = false;
        for (const auto& w : workers_) ::kill(w.pid, SIGTERM);
        deadline = std::min(deadline, Clock::now() + kFastStopGrace);
      }
    }
    reapChildren();
  }
  for (const auto& w : workers_) {
    spdlog::warn("master: worker {} (pid {}) did not stop in time, killing it", w.slot, w.pid);
    ::kill(w.pid, SIGKILL);
  }
  while (!workers_.empty()) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    std::erase_if(workers_, [pid](const WorkerProcess& w) { return w.pid == pid; });
  }
}

std::uint64_t Master::requestsServed() const {
  std::uint64_t total = reaped_requests_;
  for (const auto& w : workers_) total += w.status->requests.load(std::memory_order_relaxed);
  return total;
}

// Serving threads over the current generation's workers, and the most they may grow to (pool
// models; both 0 for the others).
Master::PoolThreads Master::poolThreads() const {
  PoolThreads total;
  for (const auto& w : workers_) {
    if (w.phase != Phase::Retiring && w.generation == generation_) {
      total.now += w.status->threads.load(std::memory_order_relaxed);
      total.max += w.status->threads_max.load(std::memory_order_relaxed);
    }
  }
  return total;
}

void Master::reportToSystemd() {
  std::int64_t now_ms = worker::monotonicMs();
  unsigned current = 0;
  unsigned serving = 0;
  bool all_fresh = true;
  for (const auto& w : workers_) {
    if (isRetired(w.phase)) continue;
    std::int64_t beat = w.status->heartbeat_ms.load(std::memory_order_relaxed);
    if (w.generation == generation_) ++current;
    if (w.generation == generation_ && beat != 0) ++serving;
    if (beat == 0 || now_ms - beat > kHeartbeatFresh) all_fresh = false;
  }
  std::string state;
  if (ready_pending_ && current == wanted_ && serving == wanted_) {
    ready_pending_ = false;
    state = "READY=1\n";
    spdlog::info("master: generation {} ready, {} worker(s) serving", generation_, serving);
    retireReplaced();
  }
  std::string status = "STATUS=generation " + std::to_string(generation_) + ", " +
                       std::to_string(serving) + " worker(s) serving, " +
                       std::to_string(requestsServed()) + " request(s) served";
  if (PoolThreads threads = poolThreads(); threads.max > 0) {
    status += ", pool threads " + std::to_string(threads.now) + "/" + std::to_string(threads.max);
  }
  if (status != last_status_) {
    state += status;
    last_status_ = status;
  }
  // The watchdog is fed only while every worker is demonstrably alive, so systemd restarts a
  // service whose workers hang, not just one whose master hangs.
  if (watchdog_.count() > 0 && all_fresh && !ready_pending_ &&
      Clock::now() - last_watchdog_ >= watchdog_ / 4) {
    state += state.empty() || state.back() == '\n' ? "WATCHDOG=1" : "\nWATCHDOG=1";
    last_watchdog_ = Clock::now();
  }
  if (!state.empty()) sys::notifySystemd(state);
}

const std::string& Master::decide(Decision decision, std::string text) {
  decisions_.record(decision, wallClockMs(), std::move(text));
  return decisions_.recent().back().text;
}

// What the status listener shows: the worker table (both generations during a reload) with
// each process's counters read from the status board at this moment.
StatusSnapshot Master::snapshot() const {
  StatusSnapshot s;
  s.version = options_.version;
  s.master_pid = ::getpid();
  s.generation = generation_;
  s.workers_wanted = wanted_;
  s.model = config::modelName(config_.worker_model);
  s.now_unix_ms = wallClockMs();
  s.start_unix_ms = start_unix_ms_;
  s.uptime_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_at_).count();
  s.requests_total = requestsServed();
  s.sites = siteRows();
  s.decisions = &decisions_;
  const std::int64_t now_ms = worker::monotonicMs();
  const Clock::time_point now = Clock::now();
  for (const auto& w : workers_) {
    WorkerRow row;
    row.slot = w.slot;
    row.generation = w.generation;
    row.pid = w.pid;
    row.model = config::modelName(w.model);
    std::int64_t beat = w.status->heartbeat_ms.load(std::memory_order_relaxed);
    row.state = stateName(w.phase, beat != 0);
    row.heartbeat_age_ms = beat == 0 ? -1 : std::max<std::int64_t>(0, now_ms - beat);
    row.uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - w.started).count();
    row.requests = w.status->requests.load(std::memory_order_relaxed);
    row.connections = w.status->connections.load(std::memory_order_relaxed);
    row.threads_busy = w.status->threads_busy.load(std::memory_order_relaxed);
    row.threads_total = w.status->threads.load(std::memory_order_relaxed);
    // HTTP/2's counts first: each of them followed its HTTP/1 total's increment.
    row.http2_streams = w.status->http2_streams.load(std::memory_order_relaxed);
    row.http2_open = w.status->http2_open.load(std::memory_order_relaxed);
    row.http2_connections = w.status->http2_connections.load(std::memory_order_relaxed);
    row.http1_connections = w.status->http1_connections.load(std::memory_order_relaxed);
    row.restarts = w.restarts;
    s.workers.push_back(row);
  }
  std::sort(s.workers.begin(), s.workers.end(), [](const WorkerRow& a, const WorkerRow& b) {
    return a.generation != b.generation ? a.generation > b.generation : a.slot < b.slot;
  });
  return s;
}

}  // namespace learnhttpd::master

namespace learnhttpd::master {

bool Master::mapSiteBoard(const config::Config& config, unsigned generation, std::string& error) {
  SiteGeneration next;
  next.generation = generation;
  for (const config::SiteConfig& site : config::effectiveSites(config)) {
    next.names.push_back(site.names.empty() ? "(default)" : site.names.front());
  }
  if (!next.board.map(next.names.size())) {
    error = std::string("cannot map the per-site counters: ") + std::strerror(errno);
    return false;
  }
  site_boards_.push_back(std::move(next));
  return true;
}

void Master::foldSiteBoards() {
  while (site_boards_.size() > 1) {
    SiteGeneration& oldest = site_boards_.front();
    const bool serving = std::any_of(workers_.begin(), workers_.end(), [&](const auto& w) {
      return w.generation <= oldest.generation;
    });
    if (serving) return;
    for (std::size_t i = 0; i < oldest.names.size(); ++i) {
      const SiteTotals total = oldest.board.total(i);
      auto row = std::find_if(site_totals_.begin(), site_totals_.end(),
                              [&](const SiteRow& r) { return r.name == oldest.names[i]; });
      if (row == site_totals_.end())
        row = site_totals_.insert(site_totals_.end(), {oldest.names[i]});
      row->requests += total.requests;
      row->bytes += total.bytes;
    }
    site_boards_.pop_front();
  }
}

// The current generation's sites in its order, then any site only older generations served;
// each with everything counted for its name since the master started.
std::vector<SiteRow> Master::siteRows() const {
  std::vector<SiteRow> rows;
  const auto rowOf = [&rows](const std::string& name) -> SiteRow& {
    auto it =
        std::find_if(rows.begin(), rows.end(), [&](const SiteRow& r) { return r.name == name; });
    return it != rows.end() ? *it : rows.emplace_back(SiteRow{name});
  };
  for (auto generation = site_boards_.rbegin(); generation != site_boards_.rend(); ++generation) {
    for (std::size_t i = 0; i < generation->names.size(); ++i) {
      const SiteTotals total = generation->board.total(i);
      SiteRow& row = rowOf(generation->names[i]);
      row.requests += total.requests;
      row.bytes += total.bytes;
    }
  }
  for (const SiteRow& gone : site_totals_) {
    SiteRow& row = rowOf(gone.name);
    row.requests += gone.requests;
    row.bytes += gone.bytes;
  }
  return rows;
}

}  // namespace learnhttpd::master
