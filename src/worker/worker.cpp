// SPDX-License-Identifier: MIT
#include "worker/worker.hpp"

#include "worker/blocking_worker.hpp"
#include "worker/event_worker.hpp"
#include "worker/polling_workers.hpp"
#include "worker/threaded_workers.hpp"
#include "worker/threadpool_worker.hpp"

namespace learnhttpd::worker {

std::unique_ptr<Worker> makeWorker(const WorkerContext& context) {
  using config::WorkerModel;
  switch (context.config.worker_model) {
    case WorkerModel::Event:
      break;
    case WorkerModel::ThreadPool:
      return std::make_unique<ThreadPoolWorker>(context);
    case WorkerModel::Blocking:
      return std::make_unique<BlockingWorker>(context);
    case WorkerModel::ProcessPerConnection:
      return std::make_unique<ProcessPerConnectionWorker>(context);
    case WorkerModel::ThreadPerConnection:
      return std::make_unique<ThreadPerConnectionWorker>(context);
    case WorkerModel::ThreadsAccept:
      return std::make_unique<ThreadsAcceptWorker>(context);
    case WorkerModel::ThreadsQueue:
      return std::make_unique<ThreadsQueueWorker>(context);
    case WorkerModel::BusyPoll:
      return std::make_unique<BusyPollWorker>(context);
    case WorkerModel::Select:
      return std::make_unique<SelectWorker>(context);
  }
  return std::make_unique<EventWorker>(context);
}

}  // namespace learnhttpd::worker
