#include "worker/serve_context.hpp"

namespace learnhttpd::worker {

ServeContext::ServeContext(const config::Config& config, const fs::DocumentRoot& document_root,
                           log::AccessLog* log, WorkerStatus* worker_status)
    : root(document_root),
      mime(config.mime_types),
      index(config.index),
      missing_index_status(config.missing_index_status == 403 ? http::Status::Forbidden
                                                              : http::Status::NotFound),
      limits{std::min<std::size_t>(8192, config.max_header_bytes), config.max_header_bytes},
      keepalive_requests(config.keepalive_requests),
      keepalive_enabled(config.keepalive_timeout.count() > 0),
      // Room for a full head plus a pipelined neighbour, and one byte beyond the limit so the
      // parser can see that a head is too long.
      input_buffer_limit(config.max_header_bytes + 4096),
      access_log(config.log.quiet ? nullptr : log),
      status(worker_status) {}

}  // namespace learnhttpd::worker
