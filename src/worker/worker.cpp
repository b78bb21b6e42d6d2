#include "worker/worker.hpp"

#include "worker/event_worker.hpp"
#include "worker/threadpool_worker.hpp"

namespace learnhttpd::worker {

std::unique_ptr<Worker> makeWorker(const WorkerContext& context) {
  if (context.config.worker_model == config::WorkerModel::ThreadPool) {
    return std::make_unique<ThreadPoolWorker>(context);
  }
  return std::make_unique<EventWorker>(context);
}

}  // namespace learnhttpd::worker
