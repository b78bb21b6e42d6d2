// SPDX-License-Identifier: MIT
#include "master/status_report.hpp"

#include <ctime>
#include <iterator>

#include <spdlog/fmt/fmt.h>

namespace learnhttpd::master {
namespace {

constexpr std::array<std::string_view, kDecisionKinds> kDecisionNames = {
    "start", "reload", "reload_failed", "resize",       "retire",
    "abort", "kill",   "respawn",       "boot_failure", "lost"};

constexpr std::array<Decision, kDecisionKinds> kDecisions = {
    Decision::Start,       Decision::Reload, Decision::ReloadFailed, Decision::Resize,
    Decision::Retire,      Decision::Abort,  Decision::Kill,         Decision::Respawn,
    Decision::BootFailure, Decision::Lost};

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

double seconds(std::int64_t ms) {
  return static_cast<double>(ms) / 1000.0;
}

// "2024-05-01T12:00:01.123Z"
std::string isoTime(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char text[32];
  std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", std::string_view(text, n), unix_ms % 1000);
}

// "0.4s", "12s", "3m05s", "2h07m", "3d04h": short enough for a table column.
std::string humanDuration(std::int64_t ms) {
  if (ms < 0) return "-";
  std::int64_t s = ms / 1000;
  if (s < 10) return fmt::format("{:.1f}s", seconds(ms));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

// A table goes to a terminal: no byte of a logged text may be read as an escape sequence.
std::string printableText(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// ---- JSON -----------------------------------------------------------------------------------

void putJsonString(std::string& out, std::string_view text) {
  out += '"';
  appendJsonString(out, text);
  out += '"';
}

void putJsonWorker(std::string& out, const WorkerRow& w) {
  put(out, "    {{\"slot\": {}, \"generation\": {}, \"pid\": {}, \"model\": ", w.slot, w.generation,
      w.pid);
  putJsonString(out, w.model);
  out += ", \"state\": ";
  putJsonString(out, w.state);
  if (w.heartbeat_age_ms < 0) {
    out += ", \"heartbeat_age_ms\": null";
  } else {
    put(out, ", \"heartbeat_age_ms\": {}", w.heartbeat_age_ms);
  }
  put(out,
      ", \"uptime_seconds\": {:.3f}, \"requests\": {}, \"connections\": {}, "
      "\"threads\": {{\"busy\": {}, \"total\": {}}}, \"restarts\": {}, \"protocols\": "
      "{{\"http/1.1\": {{\"connections\": {}, \"open\": {}, \"requests\": {}}}, "
      "\"h2\": {{\"connections\": {}, \"open\": {}, \"requests\": {}}}}}}}",
      seconds(w.uptime_ms), w.requests, w.connections, w.threads_busy, w.threads_total, w.restarts,
      w.http1_connections, w.http1Open(), w.http1Requests(), w.http2_connections, w.http2_open,
      w.http2_streams);
}

void putJsonDecisions(std::string& out, const DecisionLog* log) {
  out += "  \"decisions_total\": {";
  for (Decision d : kDecisions) {
    put(out, "{}\"{}\": {}", d == Decision::Start ? "" : ", ", decisionName(d),
        log != nullptr ? log->count(d) : 0);
  }
  out += "},\n  \"decisions\": [";
  bool first = true;
  if (log != nullptr) {
    for (const DecisionRecord& r : log->recent()) {
      put(out, "{}\n    {{\"time\": \"{}\", \"decision\": \"{}\", \"text\": ", first ? "" : ",",
          isoTime(r.unix_ms), decisionName(r.decision));
      putJsonString(out, r.text);
      out += '}';
      first = false;
    }
  }
  out += first ? "]\n" : "\n  ]\n";
}

// ---- Prometheus -----------------------------------------------------------------------------

void putFamily(std::string& out, std::string_view name, std::string_view type,
               std::string_view help) {
  put(out, "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// The labels that tell one worker process from another: two generations share slot numbers
// while a reload drains the old one.
std::string workerLabels(const WorkerRow& w) {
  return fmt::format("worker=\"{}\",generation=\"{}\"", w.slot, w.generation);
}

// One sample per worker and protocol (the ALPN names: "http/1.1", "h2").
template <typename Http1, typename Http2>
void putProtocolFamily(std::string& out, const StatusSnapshot& s, std::string_view name,
                       std::string_view type, std::string_view help, Http1 http1, Http2 http2) {
  putFamily(out, name, type, help);
  for (const WorkerRow& w : s.workers) {
    put(out, "{}{{{},protocol=\"http/1.1\"}} {}\n", name, workerLabels(w), http1(w));
    put(out, "{}{{{},protocol=\"h2\"}} {}\n", name, workerLabels(w), http2(w));
  }
}

template <typename Value>
void putWorkerFamily(std::string& out, const StatusSnapshot& s, std::string_view name,
                     std::string_view type, std::string_view help, Value value) {
  putFamily(out, name, type, help);
  for (const WorkerRow& w : s.workers) put(out, "{}{{{}}} {}\n", name, workerLabels(w), value(w));
}

// A label value of the text format: backslash, quote and line feed escaped (site names hold
// none, but the rule is the format's, not ours to assume).
void appendLabelValue(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace

std::string_view decisionName(Decision decision) noexcept {
  return kDecisionNames[static_cast<std::size_t>(decision)];
}

void DecisionLog::record(Decision decision, std::int64_t unix_ms, std::string text) {
  ++counts_[static_cast<std::size_t>(decision)];
  if (recent_.size() == kKept) recent_.pop_front();
  recent_.push_back({unix_ms, decision, std::move(text)});
}

std::string renderJson(const StatusSnapshot& s) {
  std::string out = "{\n  \"version\": ";
  putJsonString(out, s.version);
  put(out, ",\n  \"pid\": {},\n  \"generation\": {},\n  \"workers_wanted\": {},\n  \"model\": ",
      s.master_pid, s.generation, s.workers_wanted);
  putJsonString(out, s.model);
  put(out,
      ",\n  \"time\": \"{}\",\n  \"started\": \"{}\",\n  \"uptime_seconds\": {:.3f},\n"
      "  \"requests_total\": {},\n  \"workers\": [",
      isoTime(s.now_unix_ms), isoTime(s.start_unix_ms), seconds(s.uptime_ms), s.requests_total);
  for (std::size_t i = 0; i < s.workers.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    putJsonWorker(out, s.workers[i]);
  }
  out += s.workers.empty() ? "],\n" : "\n  ],\n";
  out += "  \"sites\": [";
  for (std::size_t i = 0; i < s.sites.size(); ++i) {
    out += i == 0 ? "\n    {\"site\": " : ",\n    {\"site\": ";
    putJsonString(out, s.sites[i].name);
    put(out, ", \"requests\": {}, \"bytes\": {}}}", s.sites[i].requests, s.sites[i].bytes);
  }
  out += s.sites.empty() ? "],\n" : "\n  ],\n";
  putJsonDecisions(out, s.decisions);
  out += "}\n";
  return out;
}

// Names follow Prometheus' conventions (promtool check metrics): a learnhttpd_ prefix, base
// units (seconds), counters ending in _total, and one metric per fact with the worker in labels.
std::string renderPrometheus(const StatusSnapshot& s) {
  std::string out;
  putFamily(out, "learnhttpd_generation", "gauge",
            "Generation of workers the master runs now (1 at start, one more per reload).");
  put(out, "learnhttpd_generation {}\n", s.generation);
  putFamily(out, "learnhttpd_workers_wanted", "gauge",
            "Worker processes the current generation should have.");
  put(out, "learnhttpd_workers_wanted {}\n", s.workers_wanted);
  putFamily(out, "learnhttpd_start_time_seconds", "gauge",
            "When the master started, in seconds since the Unix epoch.");
  put(out, "learnhttpd_start_time_seconds {:.3f}\n", seconds(s.start_unix_ms));
  putFamily(out, "learnhttpd_server_requests_total", "counter",
            "Requests answered by every worker since the master started, exited ones included.");
  put(out, "learnhttpd_server_requests_total {}\n", s.requests_total);
  putFamily(out, "learnhttpd_master_decisions_total", "counter",
            "Decisions of the master since it started, by kind.");
  for (Decision d : kDecisions) {
    put(out, "learnhttpd_master_decisions_total{{decision=\"{}\"}} {}\n", decisionName(d),
        s.decisions != nullptr ? s.decisions->count(d) : 0);
  }
  putFamily(out, "learnhttpd_worker_info", "gauge",
            "One per worker process, always 1; its pid, model and state are labels.");
  for (const WorkerRow& w : s.workers) {
    put(out, "learnhttpd_worker_info{{{},pid=\"{}\",model=\"{}\",state=\"{}\"}} 1\n",
        workerLabels(w), w.pid, w.model, w.state);
  }
  putWorkerFamily(out, s, "learnhttpd_requests_total", "counter",
                  "Requests answered by this worker process.",
                  [](const WorkerRow& w) { return w.requests; });
  putWorkerFamily(out, s, "learnhttpd_connections_open", "gauge",
                  "Connections this worker process has open (event and threadpool models).",
                  [](const WorkerRow& w) { return w.connections; });
  putProtocolFamily(
      out, s, "learnhttpd_protocol_requests_total", "counter",
      "Requests answered by this worker process, by protocol (an HTTP/2 stream is a request).",
      [](const WorkerRow& w) { return w.http1Requests(); },
      [](const WorkerRow& w) { return w.http2_streams; });
  putProtocolFamily(
      out, s, "learnhttpd_protocol_connections_total", "counter",
      "Connections this worker process served, by the protocol they spoke (event and "
      "threadpool models).",
      [](const WorkerRow& w) { return w.http1_connections; },
      [](const WorkerRow& w) { return w.http2_connections; });
  putProtocolFamily(
      out, s, "learnhttpd_protocol_connections_open", "gauge",
      "Connections this worker process has open, by protocol (event and threadpool models; one "
      "whose protocol is not known yet counts as http/1.1).",
      [](const WorkerRow& w) { return w.http1Open(); },
      [](const WorkerRow& w) { return w.http2_open; });
  putWorkerFamily(out, s, "learnhttpd_pool_threads", "gauge",
                  "Serving threads of this worker's pool; 0 when its model has no pool.",
                  [](const WorkerRow& w) { return w.threads_total; });
  putWorkerFamily(out, s, "learnhttpd_pool_threads_busy", "gauge",
                  "Pool threads serving a connection right now (threadpool model).",
                  [](const WorkerRow& w) { return w.threads_busy; });
  putWorkerFamily(out, s, "learnhttpd_worker_restarts_total", "counter",
                  "Times this slot of this generation was respawned after an unexpected exit.",
                  [](const WorkerRow& w) { return w.restarts; });
  putWorkerFamily(out, s, "learnhttpd_worker_uptime_seconds", "gauge",
                  "Seconds since this worker process was started.",
                  [](const WorkerRow& w) { return fmt::format("{:.3f}", seconds(w.uptime_ms)); });
  putFamily(out, "learnhttpd_site_requests_total", "counter",
            "Requests answered for this site since the master started.");
  for (const SiteRow& site : s.sites) {
    out += "learnhttpd_site_requests_total{site=\"";
    appendLabelValue(out, site.name);
    put(out, "\"}} {}\n", site.requests);
  }
  putFamily(out, "learnhttpd_site_bytes_total", "counter",
            "Body bytes answered for this site since the master started.");
  for (const SiteRow& site : s.sites) {
    out += "learnhttpd_site_bytes_total{site=\"";
    appendLabelValue(out, site.name);
    put(out, "\"}} {}\n", site.bytes);
  }
  putFamily(
      out, "learnhttpd_heartbeat_age_seconds", "gauge",
      "Seconds since this worker's loop last stamped its heartbeat (absent until its first).");
  for (const WorkerRow& w : s.workers) {
    if (w.heartbeat_age_ms < 0) continue;
    put(out, "learnhttpd_heartbeat_age_seconds{{{}}} {:.3f}\n", workerLabels(w),
        seconds(w.heartbeat_age_ms));
  }
  return out;
}

std::string renderTable(const StatusSnapshot& s) {
  std::string out;
  put(out, "learnhttpd {} - master pid {}, up {}\n", s.version, s.master_pid,
      humanDuration(s.uptime_ms));
  put(out, "generation {}: {} {} worker(s) wanted; {} request(s) served since start\n\n",
      s.generation, s.workers_wanted, s.model, s.requests_total);
  put(out, "{:>6} {:>4} {:>8}  {:<22} {:<13} {:>9} {:>10} {:>6} {:>13} {:>9} {:>8} {:>7}\n",
      "WORKER", "GEN", "PID", "MODEL", "STATE", "HEARTBEAT", "REQUESTS", "CONNS", "H2-OPEN/REQS",
      "THREADS", "RESTARTS", "UP");
  for (const WorkerRow& w : s.workers) {
    std::string threads =
        w.threads_total == 0 ? "-" : fmt::format("{}/{}", w.threads_busy, w.threads_total);
    const std::string http2 = fmt::format("{}/{}", w.http2_open, w.http2_streams);
    put(out, "{:>6} {:>4} {:>8}  {:<22} {:<13} {:>9} {:>10} {:>6} {:>13} {:>9} {:>8} {:>7}\n",
        w.slot, w.generation, w.pid, w.model, w.state, humanDuration(w.heartbeat_age_ms),
        w.requests, w.connections, http2, threads, w.restarts, humanDuration(w.uptime_ms));
  }
  if (!s.sites.empty()) {
    put(out, "\n{:<40} {:>12} {:>16}\n", "SITE", "REQUESTS", "BYTES");
    for (const SiteRow& site : s.sites) {
      put(out, "{:<40} {:>12} {:>16}\n", printableText(site.name), site.requests, site.bytes);
    }
  }
  if (s.decisions == nullptr || s.decisions->recent().empty()) return out;
  out += "\nLast decisions of the master (oldest first):\n";
  for (const DecisionRecord& r : s.decisions->recent()) {
    put(out, "  {}  {:<13} {}\n", isoTime(r.unix_ms), decisionName(r.decision),
        printableText(r.text));
  }
  return out;
}

}  // namespace learnhttpd::master
