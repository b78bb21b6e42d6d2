// SPDX-License-Identifier: MIT
#include "worker/pool_sizer.hpp"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

namespace learnhttpd::worker {

// ---- PoolSizer ------------------------------------------------------------------------------

PoolSizer::PoolSizer(unsigned min, unsigned max, std::chrono::milliseconds idle_period) noexcept
    : min_(std::max(1U, min)), max_(std::max(min_, max)), idle_period_(idle_period) {}

PoolSizer PoolSizer::fromConfig(const config::Config& config) noexcept {
  unsigned max = std::max(1U, config.threads);
  unsigned min = config.min_threads == 0 ? max : std::min(config.min_threads, max);
  return PoolSizer(min, max, config.thread_idle_timeout);
}

bool PoolSizer::shouldGrow(std::size_t waiting_work, std::size_t idle_threads,
                           unsigned threads) const noexcept {
  return waiting_work > idle_threads && threads < max_;
}

PoolSizer::Clock::time_point PoolSizer::retireAt(Clock::time_point idle_since) const noexcept {
  return idle_since + idle_period_;
}

bool PoolSizer::shouldRetire(Clock::time_point idle_since, Clock::time_point now,
                             unsigned threads) const noexcept {
  return mayShrink(threads) && now >= retireAt(idle_since);
}

// ---- PoolCountLog ---------------------------------------------------------------------------

bool PoolCountLog::changed(unsigned threads, Clock::time_point now) {
  if (last_ && now < *last_ + kInterval) {
    held_ = threads;
    holding_ = threads != logged_;  // back where the log last left it: nothing to say
    return false;
  }
  holding_ = false;
  if (last_ && threads == logged_) return false;
  logged_ = threads;
  last_ = now;
  return true;
}

std::optional<unsigned> PoolCountLog::due(Clock::time_point now) {
  if (!holding_ || now < *last_ + kInterval) return std::nullopt;
  holding_ = false;
  logged_ = held_;
  last_ = now;
  return held_;
}

std::optional<PoolCountLog::Clock::time_point> PoolCountLog::dueAt() const noexcept {
  if (!holding_) return std::nullopt;
  return *last_ + kInterval;
}

// ---- PoolReport -----------------------------------------------------------------------------

PoolReport::PoolReport(std::string_view model, unsigned slot, const PoolSizer& sizer,
                       WorkerStatus* status) noexcept
    : model_(model), slot_(slot), min_(sizer.min()), max_(sizer.max()), status_(status) {}

void PoolReport::update(unsigned threads, Clock::time_point now) {
  if (status_ != nullptr) {
    status_->threads_max.store(max_, std::memory_order_relaxed);
    status_->threads.store(threads, std::memory_order_relaxed);
  }
  unsigned before = log_.logged();
  if (!log_.changed(threads, now)) return;
  write(!started_ ? "started" : threads > before ? "grew" : "shrank", threads);
  started_ = true;
}

void PoolReport::flush(Clock::time_point now) {
  unsigned before = log_.logged();
  if (std::optional<unsigned> threads = log_.due(now)) {
    write(*threads > before ? "grew" : "shrank", *threads);
  }
}

void PoolReport::startFailed(int error, Clock::time_point now) {
  if (last_failure_ && now < *last_failure_ + std::chrono::minutes(1)) return;
  last_failure_ = now;
  spdlog::error("worker {}: {} pool cannot start a thread: {}; it stays smaller", slot_, model_,
                std::strerror(error));
}

void PoolReport::write(const char* why, unsigned threads) const {
  spdlog::info("worker {}: {} pool {}: {} thread(s) ({}..{})", slot_, model_, why, threads, min_,
               max_);
}

}  // namespace learnhttpd::worker
