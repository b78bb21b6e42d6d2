// SPDX-License-Identifier: MIT
#include "config/worker_model.hpp"

#include <array>

namespace learnhttpd::config {
namespace {

using enum WorkerModel;

// clang-format off
constexpr std::array<ModelTraits, 9> kModels = {{
    // model             name                      prod   tls    cache  threads http2  pool
    {Event,                "event",                  true,  true,  true,  false, true,  PoolRange::None, {}},
    {ThreadPool,           "threadpool",             true,  true,  true,  true,  true,  PoolRange::Grows, {}},
    {Blocking,             "blocking",               false, false, false, false, false, PoolRange::None, {}},
    {ProcessPerConnection, "process-per-connection", false, false, false, false, false, PoolRange::None, {}},
    {ThreadPerConnection,  "thread-per-connection",  false, false, false, true,  false, PoolRange::None, {}},
    {ThreadsAccept,        "threads-accept",         false, false, false, true,  false, PoolRange::FixedMax, {}},
    {ThreadsQueue,         "threads-queue",          false, false, false, true,  false, PoolRange::Grows, {}},
    {BusyPoll,             "busy-poll",              false, false, false, false, false, PoolRange::None,
     "worker_model busy-poll never waits: each worker burns 100% of a CPU even when idle "
     "(a teaching model, see docs/models.md)"},
    {Select,               "select",                 false, false, false, false, false, PoolRange::None, {}},
}};
// clang-format on

}  // namespace

const ModelTraits& traitsOf(WorkerModel model) noexcept {
  for (const ModelTraits& row : kModels) {
    if (row.model == model) return row;
  }
  return kModels.front();  // unreachable: every enumerator has its row
}

std::string_view modelName(WorkerModel model) noexcept {
  return traitsOf(model).name;
}

std::optional<WorkerModel> modelNamed(std::string_view name) noexcept {
  for (const ModelTraits& row : kModels) {
    if (row.name == name) return row.model;
  }
  return std::nullopt;
}

std::string_view modelWarning(WorkerModel model) noexcept {
  return traitsOf(model).warning;
}

std::string modelNames() {
  std::string names;
  for (const ModelTraits& row : kModels) {
    names += names.empty() ? "" : ", ";
    names += row.name;
  }
  return names;
}

}  // namespace learnhttpd::config
