// SPDX-License-Identifier: MIT
// The status renderings over a hand-made snapshot: what each format says about the same facts.
// The integration suite (test_status) parses them from the real server, JSON with Python's
// parser and /metrics with promtool.

#include "master/status_report.hpp"

#include <gtest/gtest.h>

#include <string>

namespace learnhttpd::master {
namespace {

StatusSnapshot sample(const DecisionLog& log) {
  StatusSnapshot s;
  s.version = "1.2.3";
  s.master_pid = 100;
  s.generation = 2;
  s.workers_wanted = 1;
  s.model = "threadpool";
  s.now_unix_ms = 1'700'000'000'250;
  s.start_unix_ms = 1'700'000'000'000;
  s.uptime_ms = 250;
  s.requests_total = 42;
  WorkerRow current;
  current.slot = 0;
  current.generation = 2;
  current.pid = 201;
  current.model = "threadpool";
  current.state = "serving";
  current.heartbeat_age_ms = 120;
  current.requests = 7;
  current.connections = 3;
  current.threads_busy = 1;
  current.threads_total = 8;
  current.restarts = 1;
  current.http1_connections = 5;
  current.http2_connections = 2;
  current.http2_open = 1;
  current.http2_streams = 3;
  WorkerRow old = current;
  old.generation = 1;
  old.pid = 101;
  old.model = "event";
  old.state = "retiring";
  old.heartbeat_age_ms = -1;
  old.threads_busy = 0;
  old.threads_total = 0;
  old.restarts = 0;
  old.http2_connections = 0;
  old.http2_open = 0;
  old.http2_streams = 0;
  s.workers = {current, old};
  s.sites = {{"a.example", 5, 1234}, {"(default)", 2, 0}};
  s.decisions = &log;
  return s;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DecisionLog, KeepsTheLastOnesAndCountsThemAll) {
  DecisionLog log;
  for (std::size_t i = 0; i < DecisionLog::kKept + 5; ++i) {
    log.record(Decision::Respawn, static_cast<std::int64_t>(i), "respawn " + std::to_string(i));
  }
  log.record(Decision::Reload, 99, "reload");
  EXPECT_EQ(log.count(Decision::Respawn), DecisionLog::kKept + 5);
  EXPECT_EQ(log.count(Decision::Reload), 1U);
  EXPECT_EQ(log.count(Decision::Kill), 0U);
  ASSERT_EQ(log.recent().size(), DecisionLog::kKept);
  EXPECT_EQ(log.recent().front().text, "respawn 6");
  EXPECT_EQ(log.recent().back().text, "reload");
}

TEST(StatusJson, HasBothGenerationsAndTheDecisions) {
  DecisionLog log;
  log.record(Decision::Reload, 1'700'000'000'123, "generation 2: \"starting\" 1 worker(s)");
  const std::string json = renderJson(sample(log));
  EXPECT_TRUE(contains(json, "\"generation\": 2,")) << json;
  EXPECT_TRUE(contains(json,
                       "{\"slot\": 0, \"generation\": 2, \"pid\": 201, \"model\": "
                       "\"threadpool\", \"state\": \"serving\", \"heartbeat_age_ms\": 120"))
      << json;
  EXPECT_TRUE(contains(json,
                       "\"pid\": 101, \"model\": \"event\", \"state\": \"retiring\", "
                       "\"heartbeat_age_ms\": null"))
      << json;
  EXPECT_TRUE(contains(json,
                       "\"threads\": {\"busy\": 1, \"total\": 8}, \"restarts\": 1, "
                       "\"protocols\": {\"http/1.1\": {\"connections\": 5, \"open\": 2, "
                       "\"requests\": 4}, \"h2\": {\"connections\": 2, \"open\": 1, "
                       "\"requests\": 3}}}"))
      << json;
  EXPECT_TRUE(contains(json, "\"reload\": 1, \"reload_failed\": 0"));
  EXPECT_TRUE(contains(json,
                       "{\"time\": \"2023-11-14T22:13:20.123Z\", \"decision\": \"reload\", "
                       "\"text\": \"generation 2: \\\"starting\\\" 1 worker(s)\"}"))
      << json;
}

TEST(StatusJson, StringsAreEscapedAndValidUtf8) {
  std::string out;
  appendJsonString(out, std::string("a\"b\\c\n\x01\x7f", 8));
  EXPECT_EQ(out, "a\\\"b\\\\c\\u000a\\u0001\\u007f");
  out.clear();
  appendJsonString(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // kept as they are
  EXPECT_EQ(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  out.clear();
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
  appendJsonString(out, "\x80|\xc3|\xc0\xaf|\xed\xa0\x80|\xf5\x80\x80\x80");
  EXPECT_EQ(out,
            "\\ufffd|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
            "\\ufffd\\ufffd\\ufffd\\ufffd");
}

TEST(StatusPrometheus, NamesEveryWorkerByItsSlotAndGeneration) {
  DecisionLog log;
  log.record(Decision::Respawn, 0, "x");
  const std::string text = renderPrometheus(sample(log));
  EXPECT_TRUE(contains(text,
                       "# TYPE learnhttpd_requests_total counter\n"
                       "learnhttpd_requests_total{worker=\"0\",generation=\"2\"} 7\n"
                       "learnhttpd_requests_total{worker=\"0\",generation=\"1\"} 7\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "learnhttpd_worker_info{worker=\"0\",generation=\"2\",pid=\"201\","
                       "model=\"threadpool\",state=\"serving\"} 1\n"));
  EXPECT_TRUE(contains(text, "learnhttpd_pool_threads_busy{worker=\"0\",generation=\"2\"} 1\n"));
  EXPECT_TRUE(contains(text, "learnhttpd_master_decisions_total{decision=\"respawn\"} 1\n"));
  EXPECT_TRUE(contains(text, "learnhttpd_server_requests_total 42\n"));
  // No heartbeat yet: no sample, rather than a made-up age.
  EXPECT_TRUE(contains(text,
                       "learnhttpd_heartbeat_age_seconds{worker=\"0\",generation=\"2\"} "
                       "0.120\n"));
  EXPECT_FALSE(contains(text, "learnhttpd_heartbeat_age_seconds{worker=\"0\",generation=\"1\"}"));
  // Every family is introduced by HELP then TYPE.
  std::size_t types = 0;
  for (std::size_t at = text.find("# TYPE "); at != std::string::npos;
       at = text.find("# TYPE ", at + 1)) {
    ++types;
  }
  std::size_t helps = 0;
  for (std::size_t at = text.find("# HELP "); at != std::string::npos;
       at = text.find("# HELP ", at + 1)) {
    ++helps;
  }
  EXPECT_EQ(types, helps);
  EXPECT_EQ(types, 18U);
  EXPECT_TRUE(contains(text,
                       "# TYPE learnhttpd_site_requests_total counter\n"
                       "learnhttpd_site_requests_total{site=\"a.example\"} 5\n"
                       "learnhttpd_site_requests_total{site=\"(default)\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text, "learnhttpd_site_bytes_total{site=\"a.example\"} 1234\n"));
}

TEST(StatusSites, EveryFormatCountsRequestsAndBytesPerSite) {
  DecisionLog log;
  StatusSnapshot s = sample(log);
  const std::string json = renderJson(s);
  EXPECT_TRUE(contains(json,
                       "  \"sites\": [\n"
                       "    {\"site\": \"a.example\", \"requests\": 5, \"bytes\": 1234},\n"
                       "    {\"site\": \"(default)\", \"requests\": 2, \"bytes\": 0}\n"
                       "  ],\n"))
      << json;
  const std::string table = renderTable(s);
  EXPECT_TRUE(contains(table, "a.example")) << table;
  EXPECT_TRUE(contains(table, "1234")) << table;
  s.sites.clear();
  EXPECT_TRUE(contains(renderJson(s), "  \"sites\": [],\n"));
}

// HTTP/2's streams are requests too: by protocol, the two add up to learnhttpd_requests_total.
TEST(StatusPrometheus, CountsConnectionsAndRequestsByProtocol) {
  DecisionLog log;
  const std::string text = renderPrometheus(sample(log));
  const std::string current = "{worker=\"0\",generation=\"2\",protocol=";
  EXPECT_TRUE(contains(text, "learnhttpd_protocol_requests_total" + current + "\"http/1.1\"} 4\n"))
      << text;
  EXPECT_TRUE(contains(text, "learnhttpd_protocol_requests_total" + current + "\"h2\"} 3\n"));
  EXPECT_TRUE(contains(text, "learnhttpd_protocol_connections_total" + current + "\"h2\"} 2\n"));
  EXPECT_TRUE(
      contains(text, "learnhttpd_protocol_connections_total" + current + "\"http/1.1\"} 5\n"));
  EXPECT_TRUE(contains(text, "learnhttpd_protocol_connections_open" + current + "\"h2\"} 1\n"));
  EXPECT_TRUE(
      contains(text, "learnhttpd_protocol_connections_open" + current + "\"http/1.1\"} 2\n"));
  EXPECT_TRUE(contains(text,
                       "learnhttpd_protocol_requests_total{worker=\"0\",generation=\"1\","
                       "protocol=\"http/1.1\"} 7\n"));
}

TEST(StatusTable, OneRowPerWorkerAndControlCharactersDefused) {
  DecisionLog log;
  log.record(Decision::ReloadFailed, 0, "reload failed: bad \x1b[31mfile");
  const std::string table = renderTable(sample(log));
  EXPECT_TRUE(contains(table, "master pid 100")) << table;
  EXPECT_TRUE(contains(table, "generation 2: 1 threadpool worker(s) wanted")) << table;
  EXPECT_TRUE(contains(table, "serving")) << table;
  EXPECT_TRUE(contains(table, "retiring")) << table;
  EXPECT_TRUE(contains(table, "1/8")) << table;
  EXPECT_TRUE(contains(table, "H2-OPEN/REQS")) << table;
  EXPECT_TRUE(contains(table, " 1/3 ")) << table;
  EXPECT_TRUE(contains(table, "reload_failed")) << table;
  EXPECT_FALSE(contains(table, "\x1b")) << table;
  EXPECT_TRUE(contains(table, "bad ?[31mfile")) << table;
}

}  // namespace
}  // namespace learnhttpd::master
