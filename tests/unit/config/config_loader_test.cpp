// SPDX-License-Identifier: MIT
// Loading YAML text: every key, and the exact wording and line of every kind of error.

#include "config/config_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.hpp"

namespace learnhttpd::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Config load(std::string_view yaml) {
  return loadConfigString(yaml, "test.yaml");
}

// The what() of the ConfigError that loading `yaml` throws, or a marker when nothing is thrown.
std::string errorOf(std::string_view yaml) {
  try {
    load(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

Config defaultsFrom(const std::string& source) {
  Config config;
  config.source = source;
  return config;
}

TEST(ConfigDefaults, MatchTheArchitecture) {
  const Config config;
  ASSERT_EQ(config.listen.size(), 1U);
  EXPECT_EQ(config.listen[0], (ListenAddress{"0.0.0.0", 8080}));
  EXPECT_EQ(config.document_root, "/var/www/learnhttpd");
  EXPECT_EQ(config.index, "index.html");
  EXPECT_EQ(config.missing_index_status, 404);
  EXPECT_EQ(config.workers, 0U);
  EXPECT_EQ(config.worker_model, WorkerModel::Event);
  EXPECT_EQ(config.threads, 8U);
  EXPECT_EQ(config.min_threads, 0U);
  EXPECT_EQ(config.thread_idle_timeout, seconds(3));
  EXPECT_EQ(config.max_connections, 10000U);
  EXPECT_EQ(config.keepalive_timeout, seconds(75));
  EXPECT_EQ(config.keepalive_requests, 1000U);
  EXPECT_EQ(config.header_timeout, seconds(10));
  EXPECT_EQ(config.send_timeout, seconds(60));
  EXPECT_EQ(config.max_header_bytes, 16384U);
  EXPECT_EQ(config.shutdown_timeout, seconds(30));
  EXPECT_EQ(config.worker_timeout, seconds(30));
  EXPECT_EQ(config.user, "www-data");
  EXPECT_EQ(config.pid_file, "/run/learnhttpd.pid");
  EXPECT_EQ(config.log, (LogConfig{"info", "stderr", "stdout", false}));
  EXPECT_TRUE(config.mime_types.empty());
}

TEST(EffectiveWorkers, IsTheSettingOrTheCpuCount) {
  Config config;
  config.workers = 3;
  EXPECT_EQ(effectiveWorkers(config), 3U);
  config.workers = 0;
  const unsigned cpus = std::thread::hardware_concurrency();
  EXPECT_EQ(effectiveWorkers(config), cpus == 0 ? 1U : cpus);
  EXPECT_GE(effectiveWorkers(config), 1U);
}

TEST(LoadConfig, EmptyTextOrOnlyCommentsMeansDefaults) {
  EXPECT_EQ(load(""), defaultsFrom("test.yaml"));
  EXPECT_EQ(load("\n\n"), defaultsFrom("test.yaml"));
  EXPECT_EQ(load("# nothing here\n   # still nothing\n"), defaultsFrom("test.yaml"));
  EXPECT_EQ(load("---\n# comment\n...\n"), defaultsFrom("test.yaml"));
}

TEST(LoadConfig, StoresTheSourceName) {
  EXPECT_EQ(loadConfigString("workers: 2", "a/b.yaml").source, "a/b.yaml");
}

TEST(LoadConfig, ReadsEveryKey) {
  const Config config = load(R"(
listen: ["127.0.0.1:80", "[::1]:8443", "9000"]
document_root: /srv/www
index: default.htm
missing_index_status: 403
workers: 4
worker_model: threadpool
threads: 32
max_connections: 500
keepalive_timeout: 5s
keepalive_requests: 0
header_timeout: 1500ms
send_timeout: 2m
max_header_bytes: 8k
shutdown_timeout: 3
worker_timeout: 1h
user: nobody
pid_file: /tmp/x.pid
log:
  level: debug
  error_log: /var/log/learnhttpd/error.log
  access_log: "off"
  quiet: true
mime_types:
  .wasm: application/wasm
  .md: text/markdown; charset=utf-8
  txt: text/plain
)");
  const std::vector<ListenAddress> listen = {{"127.0.0.1", 80}, {"::1", 8443}, {"0.0.0.0", 9000}};
  EXPECT_EQ(config.listen, listen);
  EXPECT_EQ(config.document_root, "/srv/www");
  EXPECT_EQ(config.index, "default.htm");
  EXPECT_EQ(config.missing_index_status, 403);
  EXPECT_EQ(config.workers, 4U);
  EXPECT_EQ(config.worker_model, WorkerModel::ThreadPool);
  EXPECT_EQ(config.threads, 32U);
  EXPECT_EQ(config.max_connections, 500U);
  EXPECT_EQ(config.keepalive_timeout, seconds(5));
  EXPECT_EQ(config.keepalive_requests, 0U);
  EXPECT_EQ(config.header_timeout, milliseconds(1500));
  EXPECT_EQ(config.send_timeout, minutes(2));
  EXPECT_EQ(config.max_header_bytes, 8192U);
  EXPECT_EQ(config.shutdown_timeout, seconds(3));
  EXPECT_EQ(config.worker_timeout, std::chrono::hours(1));
  EXPECT_EQ(config.user, "nobody");
  EXPECT_EQ(config.pid_file, "/tmp/x.pid");
  EXPECT_EQ(config.log, (LogConfig{"debug", "/var/log/learnhttpd/error.log", "off", true}));
  const std::vector<std::pair<std::string, std::string>> types = {
      {".wasm", "application/wasm"},
      {".md", "text/markdown; charset=utf-8"},
      {"txt", "text/plain"}};
  EXPECT_EQ(config.mime_types, types);
}

TEST(LoadConfig, UnsetKeysKeepTheirDefaults) {
  Config expected = defaultsFrom("test.yaml");
  expected.threads = 2;
  expected.log.level = "warn";
  EXPECT_EQ(load("threads: 2\nlog: {level: warn}\n"), expected);
}

TEST(LoadConfig, ListenAcceptsOneAddressOrAList) {
  EXPECT_EQ(load("listen: 8081").listen, (std::vector<ListenAddress>{{"0.0.0.0", 8081}}));
  EXPECT_EQ(load("listen: '[::]:80'").listen, (std::vector<ListenAddress>{{"::", 80}}));
  EXPECT_EQ(load("listen:\n  - localhost:1\n  - '*:2'\n").listen,
            (std::vector<ListenAddress>{{"127.0.0.1", 1}, {"0.0.0.0", 2}}));
}

TEST(LoadConfig, WorkersAutoIsZeroAndLimitsAreInclusive) {
  EXPECT_EQ(load("workers: auto").workers, 0U);
  EXPECT_EQ(load("workers: 1").workers, 1U);
  EXPECT_EQ(load("workers: 1024").workers, 1024U);
  EXPECT_EQ(load("threads: 1").threads, 1U);
  EXPECT_EQ(load("threads: 1024").threads, 1024U);
  EXPECT_EQ(load("max_connections: 1").max_connections, 1U);
  EXPECT_EQ(load("max_connections: 1000000").max_connections, 1000000U);
  EXPECT_EQ(load("keepalive_requests: 4294967295").keepalive_requests, 4294967295U);
  EXPECT_EQ(load("missing_index_status: 404").missing_index_status, 404);
}

TEST(LoadConfig, QuotedNumbersAreNumbersToo) {
  EXPECT_EQ(load("workers: \"6\"").workers, 6U);
  EXPECT_EQ(load("max_header_bytes: '32k'").max_header_bytes, 32768U);
}

TEST(LoadConfig, KeepaliveTimeoutMayBeZero) {
  EXPECT_EQ(load("keepalive_timeout: 0").keepalive_timeout, Duration::zero());
  EXPECT_EQ(load("keepalive_timeout: 0s").keepalive_timeout, Duration::zero());
  EXPECT_EQ(load("keepalive_timeout: 90").keepalive_timeout, seconds(90));
}

TEST(LoadConfig, MaxHeaderBytesRangeIsOneKToOneM) {
  EXPECT_EQ(load("max_header_bytes: 1024").max_header_bytes, 1024U);
  EXPECT_EQ(load("max_header_bytes: 1k").max_header_bytes, 1024U);
  EXPECT_EQ(load("max_header_bytes: 1M").max_header_bytes, 1048576U);
  EXPECT_EQ(load("max_header_bytes: 1048576").max_header_bytes, 1048576U);
  const std::string expected = "expected a size from 1k to 1m, like 16384 or 16k";
  EXPECT_EQ(errorOf("max_header_bytes: 1023"),
            "test.yaml:1: max_header_bytes: " + expected + ", got '1023'");
  EXPECT_EQ(errorOf("max_header_bytes: 1025k"),
            "test.yaml:1: max_header_bytes: " + expected + ", got '1025k'");
  EXPECT_EQ(errorOf("max_header_bytes: lots"),
            "test.yaml:1: max_header_bytes: " + expected + ", got 'lots'");
}

TEST(LoadConfig, UserMayBeEmptyButNotMissing) {
  EXPECT_EQ(load("user: \"\"").user, "");
  EXPECT_EQ(load("user: ''").user, "");
  EXPECT_EQ(errorOf("user:"),
            "test.yaml:1: user: expected a user name, or \"\" to keep the current user, got "
            "nothing");
}

TEST(LoadConfig, BooleansAcceptTheUsualSpellings) {
  EXPECT_TRUE(load("log: {quiet: true}").log.quiet);
  EXPECT_TRUE(load("log: {quiet: yes}").log.quiet);
  EXPECT_TRUE(load("log: {quiet: on}").log.quiet);
  EXPECT_FALSE(load("log: {quiet: false}").log.quiet);
  EXPECT_FALSE(load("log: {quiet: no}").log.quiet);
  EXPECT_EQ(errorOf("log:\n  quiet: 1\n"),
            "test.yaml:2: log.quiet: expected true or false, got '1'");
}

TEST(LoadConfig, EveryLogLevel) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_EQ(load(std::string("log: {level: ") + level + "}").log.level, level);
  }
}

// ---- syntax and structure -------------------------------------------------------------------

TEST(LoadConfigErrors, SyntaxErrorNamesLineAndColumn) {
  const std::string error = errorOf("workers: 2\nlisten: [\"1:80\", \"2:80\"\n");
  EXPECT_EQ(error.rfind("test.yaml:3:1: ", 0), 0U) << error;
  EXPECT_EQ(error.find("yaml-cpp"), std::string::npos) << error;
  EXPECT_GT(error.size(), std::string("test.yaml:3:1: ").size());

  const std::string tab_error = errorOf("log:\n  level: info\n\tquiet: true\n");
  EXPECT_EQ(tab_error.rfind("test.yaml:3:1: ", 0), 0U) << tab_error;
}

TEST(LoadConfigErrors, TopLevelMustBeAMapping) {
  EXPECT_EQ(errorOf("- workers: 2\n"), "test.yaml:1: expected a mapping of settings");
  EXPECT_EQ(errorOf("hello"), "test.yaml:1: expected a mapping of settings");
  EXPECT_EQ(errorOf("# a comment\n\n[1, 2]\n"), "test.yaml:3: expected a mapping of settings");
}

TEST(LoadConfigErrors, OnlyOneDocument) {
  EXPECT_EQ(errorOf("workers: 2\n---\nworkers: 3\n"),
            "test.yaml:3: expected one YAML document, found a second one");
}

// Found by fuzz_config_loader: yaml-cpp 0.7 reads a stray leading ',' as an endless run of
// documents, and collecting them ran the process out of memory.
TEST(LoadConfigErrors, AStrayLeadingCommaIsAnErrorNotAnEndlessLoad) {
  EXPECT_EQ(errorOf(",\n"),
            "test.yaml:1: the YAML parser makes no progress here (a stray ',' or flow indicator?)");
  EXPECT_EQ(errorOf("# settings\n, workers: 2\n"),
            "test.yaml:2: the YAML parser makes no progress here (a stray ',' or flow indicator?)");
}

TEST(LoadConfigErrors, UnknownKeySuggestsTheNearestKnownOne) {
  EXPECT_EQ(errorOf("workers: 2\nworker: 3\n"),
            "test.yaml:2: unknown key 'worker', did you mean 'workers'?");
  EXPECT_EQ(errorOf("\n\nkeepalive_timout: 5s\n"),
            "test.yaml:3: unknown key 'keepalive_timout', did you mean 'keepalive_timeout'?");
  EXPECT_EQ(errorOf("wokrers: 2"), "test.yaml:1: unknown key 'wokrers', did you mean 'workers'?");
  EXPECT_EQ(errorOf("documentroot: /x"),
            "test.yaml:1: unknown key 'documentroot', did you mean 'document_root'?");
}

TEST(LoadConfigErrors, UnknownKeyWithoutACloseMatch) {
  EXPECT_EQ(errorOf("server_name: example.com"), "test.yaml:1: unknown key 'server_name'");
  EXPECT_EQ(errorOf("worker_count: 2"), "test.yaml:1: unknown key 'worker_count'");
  EXPECT_EQ(errorOf("Listen: 80"), "test.yaml:1: unknown key 'Listen', did you mean 'listen'?");
}

TEST(LoadConfigErrors, UnknownKeyInsideLog) {
  EXPECT_EQ(errorOf("log:\n  level: info\n  levle: warn\n"),
            "test.yaml:3: unknown key 'log.levle', did you mean 'log.level'?");
  EXPECT_EQ(errorOf("log: {format: json}"), "test.yaml:1: unknown key 'log.format'");
}

TEST(LoadConfigErrors, DuplicateKey) {
  EXPECT_EQ(errorOf("threads: 2\nworkers: 1\nthreads: 3\n"),
            "test.yaml:3: duplicate key 'threads'");
  EXPECT_EQ(errorOf("log:\n  quiet: true\n  quiet: false\n"),
            "test.yaml:3: duplicate key 'log.quiet'");
}

TEST(LoadConfigErrors, KeyMustBeAScalar) {
  EXPECT_EQ(errorOf("? [a, b]\n: 1\n"), "test.yaml:1: expected a setting name, got a list");
}

// ---- wrong types and bad values name the key and the value's line ---------------------------

TEST(LoadConfigErrors, DurationsNameKeyLineAndValue) {
  EXPECT_EQ(errorOf("workers: 1\n\nkeepalive_timeout: soon\n"),
            "test.yaml:3: keepalive_timeout: expected a duration like 75s or 500ms, got 'soon'");
  EXPECT_EQ(errorOf("send_timeout: -5s"),
            "test.yaml:1: send_timeout: expected a duration like 75s or 500ms, got '-5s'");
  EXPECT_EQ(errorOf("header_timeout: 1.5s"),
            "test.yaml:1: header_timeout: expected a duration like 75s or 500ms, got '1.5s'");
}

TEST(LoadConfigErrors, DurationsOtherThanKeepaliveMustBePositive) {
  for (const char* key : {"header_timeout", "send_timeout", "shutdown_timeout", "worker_timeout",
                          "thread_idle_timeout"}) {
    EXPECT_EQ(errorOf(std::string(key) + ": 0ms"),
              "test.yaml:1: " + std::string(key) +
                  ": expected a duration above zero, like 75s or 500ms, got '0ms'");
  }
}

TEST(LoadConfigErrors, NumbersOutOfRange) {
  EXPECT_EQ(errorOf("workers: 0"),
            "test.yaml:1: workers: expected a number of workers 1-1024 or auto, got '0'");
  EXPECT_EQ(errorOf("workers: 1025"),
            "test.yaml:1: workers: expected a number of workers 1-1024 or auto, got '1025'");
  EXPECT_EQ(errorOf("workers: -1"),
            "test.yaml:1: workers: expected a number of workers 1-1024 or auto, got '-1'");
  EXPECT_EQ(errorOf("workers: 0x10"),
            "test.yaml:1: workers: expected a number of workers 1-1024 or auto, got '0x10'");
  constexpr std::string_view kThreads =
      "test.yaml:1: threads: expected a number of threads 1-1024, or a range MIN..MAX like 4..64, "
      "got ";
  for (const char* bad : {"0", "2000", "0..4", "8..4", "4..", "..4", "4...8", "4..2000", "a..b"}) {
    EXPECT_EQ(errorOf(std::string("threads: ") + bad), std::string(kThreads) + "'" + bad + "'")
        << bad;
  }
  EXPECT_EQ(errorOf("max_connections: 1000001"),
            "test.yaml:1: max_connections: expected a number 1-1000000, got '1000001'");
  EXPECT_EQ(errorOf("max_connections: 0"),
            "test.yaml:1: max_connections: expected a number 1-1000000, got '0'");
  EXPECT_EQ(errorOf("keepalive_requests: 4294967296"),
            "test.yaml:1: keepalive_requests: expected a number of requests, 0 or more, got "
            "'4294967296'");
  EXPECT_EQ(errorOf("keepalive_requests: -1"),
            "test.yaml:1: keepalive_requests: expected a number of requests, 0 or more, got '-1'");
}

TEST(LoadConfigErrors, MissingIndexStatusIs403Or404) {
  EXPECT_EQ(errorOf("missing_index_status: 500"),
            "test.yaml:1: missing_index_status: expected 403 or 404, got '500'");
  EXPECT_EQ(errorOf("missing_index_status: not_found"),
            "test.yaml:1: missing_index_status: expected 403 or 404, got 'not_found'");
}

TEST(LoadConfig, EveryWorkerModelByName) {
  for (const char* name :
       {"event", "threadpool", "blocking", "process-per-connection", "thread-per-connection",
        "threads-accept", "threads-queue", "busy-poll", "select"}) {
    const Config config = load(std::string("worker_model: ") + name);
    EXPECT_EQ(modelName(config.worker_model), name);
  }
}

TEST(LoadConfig, ThreadsIsACountOrARange) {
  Config fixed = load("threads: 12");
  EXPECT_EQ(fixed.threads, 12U);
  EXPECT_EQ(fixed.min_threads, 0U);
  Config range = load("threads: 2..64");
  EXPECT_EQ(range.min_threads, 2U);
  EXPECT_EQ(range.threads, 64U);
  Config same = load("threads: 5..5");
  EXPECT_EQ(same.min_threads, 5U);
  EXPECT_EQ(same.threads, 5U);
}

TEST(LoadConfig, ThreadIdleTimeoutIsADuration) {
  EXPECT_EQ(load("threads: 1..8\nthread_idle_timeout: 500ms").thread_idle_timeout,
            milliseconds(500));
  EXPECT_EQ(load("thread_idle_timeout: 2m").thread_idle_timeout, minutes(2));
  EXPECT_EQ(errorOf("thread_idle_timeout: idle"),
            "test.yaml:1: thread_idle_timeout: expected a duration like 75s or 500ms, got 'idle'");
}

TEST(LoadConfigErrors, WorkerModelAndLogLevelAreChoices) {
  EXPECT_EQ(errorOf("worker_model: threads"),
            "test.yaml:1: worker_model: expected one of event, threadpool, blocking, "
            "process-per-connection, thread-per-connection, threads-accept, threads-queue, "
            "busy-poll, select, got 'threads'");
  EXPECT_EQ(errorOf("log:\n  level: verbose\n"),
            "test.yaml:2: log.level: expected one of trace, debug, info, warn, error, critical, "
            "off, got 'verbose'");
  EXPECT_EQ(errorOf("log:\n  level: INFO\n"),
            "test.yaml:2: log.level: expected one of trace, debug, info, warn, error, critical, "
            "off, got 'INFO'");
}

TEST(LoadConfigErrors, WrongTypesSayWhatWasFound) {
  EXPECT_EQ(errorOf("workers: [1, 2]"),
            "test.yaml:1: workers: expected a number of workers 1-1024 or auto, got a list");
  EXPECT_EQ(errorOf("document_root:\n  path: /srv\n"),
            "test.yaml:2: document_root: expected a directory path, got a mapping");
  EXPECT_EQ(errorOf("index:\n"), "test.yaml:1: index: expected a file name, got nothing");
  EXPECT_EQ(errorOf("index: ''"), "test.yaml:1: index: expected a file name, got ''");
  EXPECT_EQ(errorOf("pid_file: ~"),
            "test.yaml:1: pid_file: expected a file path, or \"\" for none, got nothing");
  EXPECT_EQ(loadConfigString("pid_file: \"\"", "test.yaml").pid_file, "");
  EXPECT_EQ(errorOf("log: quiet"),
            "test.yaml:1: log: expected a mapping of log settings, like { level: info }, got "
            "'quiet'");
  EXPECT_EQ(errorOf("log:\n  error_log: []\n"),
            "test.yaml:2: log.error_log: expected stderr, stdout or a file path, got an empty "
            "list");
  EXPECT_EQ(errorOf("log:\n  access_log:\n"),
            "test.yaml:2: log.access_log: expected stdout, stderr, off or a file path, got "
            "nothing");
}

TEST(LoadConfigErrors, NullValueIsReportedOnTheKeysLine) {
  EXPECT_EQ(errorOf("threads: 4\nworkers:\nuser: x\n"),
            "test.yaml:2: workers: expected a number of workers 1-1024 or auto, got nothing");
}

TEST(LoadConfigErrors, ListenNamesTheBadItemsLine) {
  const std::string expected =
      "expected an address like 0.0.0.0:8080, [::1]:8080 or 8080, optionally followed by \" ssl\"";
  EXPECT_EQ(errorOf("listen:\n  - 127.0.0.1:80\n  - example.com:80\n"),
            "test.yaml:3: listen: " + expected + ", got 'example.com:80'");
  EXPECT_EQ(errorOf("listen: ::1:80"), "test.yaml:1: listen: " + expected + ", got '::1:80'");
  EXPECT_EQ(errorOf("listen: 127.0.0.1:99999"),
            "test.yaml:1: listen: " + expected + ", got '127.0.0.1:99999'");
  EXPECT_EQ(errorOf("listen:\n  - [80]\n"), "test.yaml:2: listen: " + expected + ", got a list");
}

TEST(LoadConfigErrors, ListenMustNotBeEmptyOrRepeat) {
  EXPECT_EQ(errorOf("listen: []"),
            "test.yaml:1: listen: expected an address or a list of at least one address, got an "
            "empty list");
  EXPECT_EQ(errorOf("listen:"),
            "test.yaml:1: listen: expected an address or a list of at least one address, got "
            "nothing");
  EXPECT_EQ(errorOf("listen:\n  - 8080\n  - 127.0.0.1:80\n  - 0.0.0.0:8080\n"),
            "test.yaml:4: listen: address '0.0.0.0:8080' is listed twice");
  EXPECT_EQ(errorOf("listen: ['[::1]:80', '[0::1]:80']"),
            "test.yaml:1: listen: address '[0::1]:80' is listed twice");
}

TEST(LoadConfig, TlsListenersAndTheirPair) {
  Config c = load(
      "listen: ['127.0.0.1:8443 ssl', '[::1]:8443  ssl', 8080]\n"
      "tls: { certificate: /etc/ssl/chain.pem, key: /etc/ssl/key.pem }\n");
  ASSERT_EQ(c.listen.size(), 3U);
  EXPECT_TRUE(c.listen[0].tls);
  EXPECT_EQ(c.listen[0].host, "127.0.0.1");
  EXPECT_EQ(c.listen[0].port, 8443);
  EXPECT_TRUE(c.listen[1].tls);
  EXPECT_EQ(c.listen[1].host, "::1");
  EXPECT_FALSE(c.listen[2].tls);
  EXPECT_EQ(c.tls.certificate, "/etc/ssl/chain.pem");
  EXPECT_EQ(c.tls.key, "/etc/ssl/key.pem");
  EXPECT_EQ(c.tls.hsts, Duration{0});
  EXPECT_EQ(load("tls: { hsts: 8760h }").tls.hsts, std::chrono::hours(8760));
  EXPECT_TRUE(hasTlsListener(c));
  EXPECT_FALSE(hasTlsListener(load("listen: 8080\ntls: { certificate: a, key: b }\n")));
}

TEST(LoadConfigErrors, TlsListeners) {
  EXPECT_EQ(errorOf("listen: ['127.0.0.1:8443 tls']"),
            "test.yaml:1: listen: expected an address like 0.0.0.0:8080, [::1]:8080 or 8080, "
            "optionally followed by \" ssl\", got '127.0.0.1:8443 tls'");
  EXPECT_EQ(errorOf("workers: 1\nlisten: ['8443 ssl']\ntls: { certificate: a }\n"),
            "test.yaml:2: listen: an \"ssl\" address needs tls.certificate and tls.key");
  // One socket cannot be both.
  EXPECT_EQ(errorOf("listen: ['8443 ssl', '0.0.0.0:8443']\ntls: { certificate: a, key: b }\n"),
            "test.yaml:1: listen: address '0.0.0.0:8443' is listed twice");
  EXPECT_EQ(errorOf("tls: { cert: a }"), "test.yaml:1: unknown key 'tls.cert'");
  EXPECT_EQ(errorOf("tls: { key: '' }"),
            "test.yaml:1: tls.key: expected the path of a PEM private key, got ''");
}

TEST(LoadConfig, RedirectToHttps) {
  const std::string tls = "tls: { certificate: a, key: b }\n";
  EXPECT_EQ(load("").redirect_to_https, HttpsRedirectConfig{});  // off by default
  Config c = load("redirect_to_https: true\nlisten: [80, '443 ssl', '[::]:443 ssl']\n" + tls);
  EXPECT_TRUE(c.redirect_to_https.enabled);
  EXPECT_EQ(c.redirect_to_https.port, 0);  // the ssl listeners' one port
  c = load("listen: [80, '8443 ssl', '9443 ssl']\nredirect_to_https: 443\n" + tls);
  EXPECT_TRUE(c.redirect_to_https.enabled);
  EXPECT_EQ(c.redirect_to_https.port, 443);
  c = load("listen: [80]\nredirect_to_https: off\n");
  EXPECT_FALSE(c.redirect_to_https.enabled);
}

TEST(LoadConfigErrors, RedirectToHttps) {
  const std::string tls = "tls: { certificate: a, key: b }\n";
  EXPECT_EQ(errorOf("listen: [80]\nredirect_to_https: true\n"),
            "test.yaml:2: redirect_to_https: no \"ssl\" address in listen to redirect to");
  EXPECT_EQ(errorOf("redirect_to_https: 8443\n"),
            "test.yaml:1: redirect_to_https: no \"ssl\" address in listen to redirect to");
  EXPECT_EQ(
      errorOf("workers: 1\nredirect_to_https: yes\nlisten: [80, '8443 ssl', '9443 ssl']\n" + tls),
      "test.yaml:2: redirect_to_https: the \"ssl\" addresses use ports 8443 and 9443; "
      "name the one to redirect to, like redirect_to_https: 8443");
  const std::string expected =
      "test.yaml:2: redirect_to_https: expected true, false or a port "
      "1-65535, got ";
  for (const auto& [bad, got] :
       std::vector<std::pair<std::string, std::string>>{{"0", "'0'"},
                                                        {"65536", "'65536'"},
                                                        {"https", "'https'"},
                                                        {"''", "''"},
                                                        {"-1", "'-1'"},
                                                        {"[443]", "a list"}}) {
    EXPECT_EQ(errorOf("listen: ['443 ssl']\nredirect_to_https: " + bad + "\n" + tls),
              expected + got)
        << bad;
  }
}

TEST(LoadConfig, TlsCertificatesChosenBySni) {
  Config c = load(
      "listen: ['8443 ssl']\n"
      "tls:\n"
      "  certificate: /etc/ssl/default.pem\n"
      "  key: /etc/ssl/default.key\n"
      "  certificates:\n"
      "    - {certificate: /etc/ssl/a.pem, key: /etc/ssl/a.key}\n"
      "    - certificate: /etc/ssl/b.pem\n"
      "      key: /etc/ssl/b.key\n");
  ASSERT_EQ(c.tls.certificates.size(), 2U);
  EXPECT_EQ(c.tls.certificate, "/etc/ssl/default.pem");
  EXPECT_EQ(c.tls.certificates[0], (TlsPairConfig{"/etc/ssl/a.pem", "/etc/ssl/a.key"}));
  EXPECT_EQ(c.tls.certificates[1], (TlsPairConfig{"/etc/ssl/b.pem", "/etc/ssl/b.key"}));
  EXPECT_TRUE(load("tls: {certificates: []}").tls.certificates.empty());
}

TEST(LoadConfigErrors, TlsCertificates) {
  EXPECT_EQ(errorOf("tls: {certificates: /etc/ssl/a.pem}"),
            "test.yaml:1: tls.certificates: expected a list of pairs like - {certificate: "
            "/etc/ssl/a/fullchain.pem, key: /etc/ssl/a/key.pem}, got '/etc/ssl/a.pem'");
  EXPECT_EQ(errorOf("tls:\n  certificates:\n    - {certificate: a, key: b}\n    - c.pem\n"),
            "test.yaml:4: tls.certificates[1]: expected a mapping like {certificate: ..., key: "
            "...}, got 'c.pem'");
  EXPECT_EQ(errorOf("tls:\n  certificates:\n    - {certificate: a, key: b}\n"
                    "    - {certificate: c}\n"),
            "test.yaml:4: tls.certificates[1]: needs both certificate and key, key is missing");
  EXPECT_EQ(errorOf("tls:\n  certificates:\n    - key: b\n"),
            "test.yaml:3: tls.certificates[0]: needs both certificate and key, certificate is "
            "missing");
  EXPECT_EQ(errorOf("tls:\n  certificates:\n    - certificate: a\n      kye: b\n"),
            "test.yaml:4: unknown key 'tls.certificates[0].kye', did you mean "
            "'tls.certificates[0].key'?");
  EXPECT_EQ(errorOf("tls:\n  certificates:\n    - certificate: a\n      key: ''\n"),
            "test.yaml:4: tls.certificates[0].key: expected the path of a PEM private key, "
            "got ''");
  EXPECT_EQ(errorOf("tls:\n  certificates:\n    - {certificate: a, key: b, key: c}\n"),
            "test.yaml:3: duplicate key 'tls.certificates[0].key'");
}

TEST(TlsModel, OnlyTheProductionModelsServeTls) {
  Config c = load("listen: ['8443 ssl']\ntls: { certificate: a, key: b }\n");
  EXPECT_EQ(tlsModelProblem(c), "");
  c.worker_model = WorkerModel::ThreadPool;
  EXPECT_EQ(tlsModelProblem(c), "");
  c.worker_model = WorkerModel::Select;
  EXPECT_EQ(tlsModelProblem(c),
            "worker_model select does not serve TLS listeners (\"ssl\" in listen); use event or "
            "threadpool");
  c.listen[0].tls = false;
  EXPECT_EQ(tlsModelProblem(c), "");
}

TEST(LoadConfig, Http2) {
  EXPECT_EQ(load("").http2, Http2Config{});  // on over TLS, off in clear, 100 streams
  EXPECT_TRUE(Http2Config{}.tls);
  EXPECT_FALSE(Http2Config{}.plain);
  EXPECT_EQ(Http2Config{}.max_concurrent_streams, 100U);
  Config c = load("http2: {tls: off, plain: on, max_concurrent_streams: 1000}\n");
  EXPECT_FALSE(c.http2.tls);
  EXPECT_TRUE(c.http2.plain);
  EXPECT_EQ(c.http2.max_concurrent_streams, 1000U);
  c = load("http2:\n  plain: true\n");
  EXPECT_TRUE(c.http2.tls);  // what is not said keeps its default
  EXPECT_TRUE(c.http2.plain);
}

TEST(LoadConfigErrors, Http2) {
  EXPECT_EQ(errorOf("http2: on"),
            "test.yaml:1: http2: expected a mapping like { tls: true, plain: false }, got 'on'");
  EXPECT_EQ(errorOf("http2: {plian: true}"),
            "test.yaml:1: unknown key 'http2.plian', did you mean 'http2.plain'?");
  EXPECT_EQ(errorOf("http2: {max_concurrent_streams: 0}"),
            "test.yaml:1: http2.max_concurrent_streams: expected a number of streams 1-1000, "
            "got '0'");
  EXPECT_EQ(errorOf("http2: {max_concurrent_streams: 1001}"),
            "test.yaml:1: http2.max_concurrent_streams: expected a number of streams 1-1000, "
            "got '1001'");
}

// A model without HTTP/2 answers in HTTP/1.1 whatever http2 says; -t and a start warn when
// http2.plain asks one for HTTP/2 (over TLS they fail earlier: they serve no TLS listener).
TEST(Http2Model, OnlyTheProductionModelsServeIt) {
  Config c = load("http2: {plain: true}\n");
  EXPECT_TRUE(http2Plain(c));
  EXPECT_TRUE(http2OverTls(c));
  EXPECT_EQ(http2ModelNote(c), "");
  c.worker_model = WorkerModel::ThreadPool;
  EXPECT_TRUE(http2Plain(c));
  EXPECT_EQ(http2ModelNote(c), "");
  for (WorkerModel teaching :
       {WorkerModel::Blocking, WorkerModel::ProcessPerConnection, WorkerModel::ThreadPerConnection,
        WorkerModel::ThreadsAccept, WorkerModel::ThreadsQueue, WorkerModel::BusyPoll,
        WorkerModel::Select}) {
    c.worker_model = teaching;
    EXPECT_FALSE(http2Plain(c)) << modelName(teaching);
    EXPECT_FALSE(http2OverTls(c)) << modelName(teaching);
    EXPECT_EQ(http2ModelNote(c), "http2.plain: worker_model " + std::string(modelName(teaching)) +
                                     " speaks HTTP/1.1 only, so every connection is answered in "
                                     "HTTP/1.1 (HTTP/2 needs event or threadpool, docs/models.md)");
  }
  c.http2.plain = false;
  EXPECT_EQ(http2ModelNote(c), "");
}

TEST(LoadConfigErrors, MimeTypes) {
  EXPECT_EQ(errorOf("mime_types: [a]"),
            "test.yaml:1: mime_types: expected a mapping of extension to type, like .wasm: "
            "application/wasm, got a list");
  EXPECT_EQ(errorOf("mime_types:\n  .a: text/a\n  .b: ''\n"),
            "test.yaml:3: mime_types[.b]: expected a type like application/wasm, got ''");
  EXPECT_EQ(errorOf("mime_types:\n  .b:\n"),
            "test.yaml:2: mime_types[.b]: expected a type like application/wasm, got nothing");
  EXPECT_EQ(errorOf("mime_types:\n  .b: plain\n"),
            "test.yaml:2: mime_types[.b]: expected a type like application/wasm, got 'plain'");
  EXPECT_EQ(errorOf("mime_types:\n  .a: text/a\n  .a: text/b\n"),
            "test.yaml:3: mime_types: extension '.a' is listed twice");
  EXPECT_EQ(errorOf("mime_types:\n  '': text/a\n"),
            "test.yaml:2: mime_types: expected an extension like .wasm, got ''");
  // The value goes into the head of every answer of its type: it must stay one field value,
  // or a configuration could split those heads.
  EXPECT_EQ(errorOf("mime_types:\n  .x: \"text/plain\\r\\nSet-Cookie: a=b\"\n"),
            "test.yaml:2: mime_types[.x]: expected a type like application/wasm, got "
            "'text/plain\\x0d\\x0aSet-Cookie: a=b'");
  EXPECT_EQ(errorOf("mime_types:\n  .x: \" text/plain\"\n"),
            "test.yaml:2: mime_types[.x]: expected a type like application/wasm, got "
            "' text/plain'");
  EXPECT_EQ(load("mime_types:\n  .md: text/markdown; charset=utf-8\n").mime_types.front().second,
            "text/markdown; charset=utf-8");
}

TEST(LoadConfigErrors, MessagesUseTheGivenSourceName) {
  try {
    loadConfigString("threads: many", "/etc/learnhttpd/other.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "/etc/learnhttpd/other.yaml:1: threads: expected a number of threads 1-1024, "
                 "or a range MIN..MAX like 4..64, got 'many'");
  }
}

TEST(LoadConfig, OpenFileCache) {
  Config defaults;
  EXPECT_EQ(defaults.open_file_cache.entries, 10000U);
  EXPECT_EQ(defaults.open_file_cache.max_bytes, std::size_t{64} << 20);
  Config config = load("open_file_cache: { entries: 0, max_bytes: 1k }\n");
  EXPECT_EQ(config.open_file_cache.entries, 0U);
  EXPECT_EQ(config.open_file_cache.max_bytes, 1024U);
}

TEST(LoadConfigErrors, OpenFileCacheNamesFileLineAndKey) {
  EXPECT_EQ(errorOf("open_file_cache:\n  entries: -1\n")
                .rfind("test.yaml:2: open_file_cache.entries: ", 0),
            0U);
  EXPECT_EQ(errorOf("open_file_cache:\n  entries: 10\n  max_bytes: lots\n")
                .rfind("test.yaml:3: open_file_cache.max_bytes: expected a size", 0),
            0U);
  EXPECT_EQ(errorOf("open_file_cache:\n  entris: 10\n"),
            "test.yaml:2: unknown key 'open_file_cache.entris', did you mean "
            "'open_file_cache.entries'?");
  EXPECT_EQ(errorOf("open_file_cache: 100\n")
                .rfind("test.yaml:1: open_file_cache: expected a mapping", 0),
            0U);
}

TEST(LoadConfig, StatusListenerIsOffByDefaultAndLoopbackWhenOn) {
  EXPECT_FALSE(Config{}.status.listen.has_value());
  EXPECT_FALSE(load("status: {}\n").status.listen.has_value());
  Config config = load("status: { listen: \"127.0.0.1:8081\" }\n");
  ASSERT_TRUE(config.status.listen.has_value());
  EXPECT_EQ(config.status.listen->host, "127.0.0.1");
  EXPECT_EQ(config.status.listen->port, 8081);
  EXPECT_EQ(load("status: { listen: \"[::1]:0\" }\n").status.listen->host, "::1");
  EXPECT_EQ(load("status: { listen: \"localhost:9\" }\n").status.listen->host, "127.0.0.1");
  Config remote = load("status:\n  listen: 0.0.0.0:8081\n  allow_remote: true\n");
  EXPECT_EQ(remote.status.listen->host, "0.0.0.0");
  EXPECT_TRUE(remote.status.allow_remote);
}

TEST(LoadConfigErrors, StatusNamesFileLineAndKey) {
  EXPECT_EQ(errorOf("workers: 1\nstatus:\n  listen: 0.0.0.0:8081\n"),
            "test.yaml:3: status.listen: '0.0.0.0:8081' is not a loopback address; the status "
            "listener has no authentication, so bind 127.0.0.1 or ::1, or set "
            "status.allow_remote: true");
  // allow_remote read after listen still counts, and false says no.
  EXPECT_EQ(errorOf("status:\n  listen: \"[::]:1\"\n  allow_remote: false\n")
                .rfind("test.yaml:2: status.listen: '[::]:1' is not a loopback address", 0),
            0U);
  EXPECT_EQ(errorOf("status:\n  listen: nowhere\n"),
            "test.yaml:2: status.listen: expected an address like 127.0.0.1:8081 or "
            "[::1]:8081, got 'nowhere'");
  EXPECT_EQ(errorOf("status:\n  allow_remote: maybe\n"),
            "test.yaml:2: status.allow_remote: expected true or false, got 'maybe'");
  EXPECT_EQ(errorOf("status:\n  lisen: 127.0.0.1:1\n"),
            "test.yaml:2: unknown key 'status.lisen', did you mean 'status.listen'?");
  EXPECT_EQ(errorOf("status: 127.0.0.1:8081\n").rfind("test.yaml:1: status: expected a mapping", 0),
            0U);
}

TEST(LoadConfig, Precompressed) {
  EXPECT_TRUE(Config{}.precompressed);
  EXPECT_FALSE(load("precompressed: false\n").precompressed);
  EXPECT_TRUE(load("precompressed: on\n").precompressed);
  EXPECT_EQ(errorOf("index: a.html\nprecompressed: gzip\n"),
            "test.yaml:2: precompressed: expected true or false, got 'gzip'");
}

TEST(LoadConfig, Gzip) {
  const GzipConfig defaults;
  EXPECT_FALSE(defaults.enabled);
  EXPECT_EQ(defaults.level, 1U);
  EXPECT_EQ(defaults.min_length, 256U);
  EXPECT_EQ(defaults.max_length, 1U << 20);
  EXPECT_NE(std::find(defaults.types.begin(), defaults.types.end(), "text/html"),
            defaults.types.end());
  const Config config = load(
      "gzip:\n  enabled: true\n  level: 9\n  min_length: 0\n  max_length: 2m\n"
      "  types: [Text/CSS, image/svg+xml, \"*\"]\n");
  EXPECT_TRUE(config.gzip.enabled);
  EXPECT_EQ(config.gzip.level, 9U);
  EXPECT_EQ(config.gzip.min_length, 0U);
  EXPECT_EQ(config.gzip.max_length, 2U << 20);
  EXPECT_EQ(config.gzip.types, (std::vector<std::string>{"text/css", "image/svg+xml", "*"}));
  EXPECT_EQ(load("gzip: {enabled: on}\n").gzip.types, defaults.types);
}

TEST(LoadConfig, GzipErrorsNameTheLineAndKey) {
  EXPECT_EQ(errorOf("index: a.html\ngzip: on\n"),
            "test.yaml:2: gzip: expected a mapping like { enabled: true, level: 1 }, got 'on'");
  EXPECT_EQ(errorOf("gzip:\n  enabled: true\n  level: 10\n"),
            "test.yaml:3: gzip.level: expected a compression level 1-9, got '10'");
  EXPECT_EQ(errorOf("gzip:\n  level: 0\n"),
            "test.yaml:2: gzip.level: expected a compression level 1-9, got '0'");
  EXPECT_EQ(errorOf("gzip:\n  levle: 5\n"),
            "test.yaml:2: unknown key 'gzip.levle', did you mean 'gzip.level'?");
  EXPECT_EQ(errorOf("gzip:\n  max_length: 0\n"),
            "test.yaml:2: gzip.max_length: expected a size from 1 to 64m, like 1m, got '0'");
  EXPECT_EQ(errorOf("gzip:\n  min_length: 65m\n"),
            "test.yaml:2: gzip.min_length: expected a size from 0 to 64m, like 256 or 1m, got "
            "'65m'");
  EXPECT_EQ(errorOf("gzip:\n  min_length: 2k\n  max_length: 1k\n"),
            "test.yaml:3: gzip.max_length: 1024 is below gzip.min_length (2048)");
  EXPECT_EQ(errorOf("gzip:\n  min_length: 2m\n"),
            "test.yaml:2: gzip.min_length: 2097152 is above gzip.max_length (1048576)");
  EXPECT_EQ(errorOf("gzip:\n  types: []\n"),
            "test.yaml:2: gzip.types: expected a list of media types like [text/html, "
            "text/css], got an empty list");
  EXPECT_EQ(errorOf("gzip:\n  types:\n    - text/html\n    - text\n"),
            "test.yaml:4: gzip.types: expected a media type like text/html, or \"*\", got "
            "'text'");
  EXPECT_EQ(errorOf("gzip:\n  types: [\"text/html; charset=utf-8\"]\n"),
            "test.yaml:2: gzip.types: expected a media type like text/html, or \"*\", got "
            "'text/html; charset=utf-8'");
  EXPECT_EQ(errorOf("gzip:\n  types: [text/css, TEXT/css]\n"),
            "test.yaml:2: gzip.types: 'TEXT/css' is listed twice");
}

TEST(LoadConfig, HeaderRulesAndErrorPages) {
  Config config = load(
      "headers:\n"
      "  - {match: /assets/, set: {Cache-Control: \"public, max-age=60\", X-A: b}}\n"
      "  - {match: \"*.html\", set: {Expires: \"Thu, 01 Jan 1970 00:00:00 GMT\"}}\n"
      "error_pages: {404: /e/404.html, 500: /500.html}\n");
  ASSERT_EQ(config.headers.size(), 2U);
  EXPECT_EQ(config.headers[0].match, "/assets/");
  ASSERT_EQ(config.headers[0].set.size(), 2U);
  EXPECT_EQ(config.headers[0].set[0].second, "public, max-age=60");
  EXPECT_EQ(config.headers[1].match, "*.html");
  ASSERT_EQ(config.error_pages.size(), 2U);
  EXPECT_EQ(config.error_pages[0].first, 404);
  EXPECT_EQ(config.error_pages[0].second, "/e/404.html");
}

TEST(LoadConfigErrors, HeaderRulesNameFileLineAndKey) {
  EXPECT_EQ(errorOf("headers:\n  - match: /a/\n    set: {X-A: \"v\\r\\nY: z\"}\n")
                .rfind("test.yaml:3: headers[0].set[X-A]: expected a field value", 0),
            0U);
  EXPECT_EQ(errorOf("headers:\n  - match: /a/\n    set: {\"X A\": v}\n")
                .rfind("test.yaml:3: headers[0].set: expected a field name", 0),
            0U);
  EXPECT_EQ(errorOf("headers:\n  - match: /a/\n    set: {etag: v}\n"),
            "test.yaml:3: headers[0].set: 'etag' is written by the server itself");
  EXPECT_EQ(errorOf("headers:\n  - match: /a/\n    set: {X-A: v, x-a: w}\n"),
            "test.yaml:3: headers[0].set: 'x-a' is set twice");
  EXPECT_EQ(errorOf("headers:\n  - match: a.html\n    set: {X-A: v}\n")
                .rfind("test.yaml:2: headers[0].match: expected a path prefix", 0),
            0U);
  EXPECT_EQ(errorOf("headers:\n  - match: /a/\n    sett: {X-A: v}\n"),
            "test.yaml:3: headers[0]: unknown key 'sett', expected match and set");
  EXPECT_EQ(
      errorOf("headers:\n  - match: /a/\n").rfind("test.yaml:2: headers[0]: expected a rule", 0),
      0U);
  EXPECT_EQ(errorOf("headers: {match: /a/}\n").rfind("test.yaml:1: headers: expected a list", 0),
            0U);
}

TEST(LoadConfig, Charset) {
  EXPECT_EQ(Config().charset, "utf-8");
  EXPECT_EQ(load("charset: utf-8\n").charset, "utf-8");
  EXPECT_EQ(load("charset: ISO-8859-1\n").charset, "ISO-8859-1");
  EXPECT_EQ(load("charset: off\n").charset, "");
  EXPECT_EQ(load("charset: \"off\"\n").charset, "");
}

TEST(LoadConfigErrors, CharsetIsATokenOrOff) {
  constexpr std::string_view kExpected =
      "test.yaml:2: charset: expected a charset name like "
      "utf-8 (letters, digits, -, _, ...), or off, got ";
  EXPECT_EQ(errorOf("workers: 1\ncharset: utf 8\n"), std::string(kExpected) + "'utf 8'");
  EXPECT_EQ(errorOf("workers: 1\ncharset: \"\"\n"), std::string(kExpected) + "''");
  EXPECT_EQ(errorOf("workers: 1\ncharset: yes\n"), std::string(kExpected) + "'yes'");
  EXPECT_EQ(errorOf("workers: 1\ncharset: false\n"), std::string(kExpected) + "'false'");
  EXPECT_EQ(errorOf("workers: 1\ncharset: [utf-8]\n"), std::string(kExpected) + "a list");
  EXPECT_EQ(errorOf("workers: 1\ncharset: \"utf-8;x=y\"\n"),
            std::string(kExpected) + "'utf-8;x=y'");
  EXPECT_EQ(errorOf("workers: 1\ncharset: \"utf-8\\r\\nX: y\"\n"),
            std::string(kExpected) + "'utf-8\\x0d\\x0aX: y'");
  EXPECT_EQ(errorOf("charsets: utf-8\n"),
            "test.yaml:1: unknown key 'charsets', did you mean 'charset'?");
}

TEST(LoadConfig, HiddenFiles) {
  EXPECT_TRUE(Config().deny_hidden_files);
  EXPECT_TRUE(load("hidden_files: deny\n").deny_hidden_files);
  const Config allowed = load(
      "hidden_files: allow\nindex: .index.html\n"
      "error_pages: {404: /.errors/404.html}\n");
  EXPECT_FALSE(allowed.deny_hidden_files);
  EXPECT_EQ(allowed.index, ".index.html");
  EXPECT_EQ(load("index: index.html\nerror_pages: {404: /.well-known/404.html}\n").index,
            "index.html");
}

// An index or error page that the server would refuse to serve is a mistake to report at
// load, not a 404 to puzzle over; the key may come before or after hidden_files.
TEST(LoadConfigErrors, HiddenIndexAndErrorPagesNameFileLineAndKey) {
  constexpr std::string_view kTail =
      "is a hidden path (a component starts with '.'), never served while hidden_files is "
      "deny; rename it or set hidden_files: allow";
  EXPECT_EQ(errorOf("index: .index.html\n"),
            "test.yaml:1: index: '.index.html' " + std::string(kTail));
  EXPECT_EQ(errorOf("workers: 1\nindex: a/.b.html\nhidden_files: deny\n"),
            "test.yaml:2: index: 'a/.b.html' " + std::string(kTail));
  EXPECT_EQ(errorOf("error_pages:\n  403: /403.html\n  404: /.errors/404.html\n"),
            "test.yaml:3: error_pages[404]: '/.errors/404.html' " + std::string(kTail));
  EXPECT_EQ(errorOf("error_pages: {500: /.well-known/.500.html}\n"),
            "test.yaml:1: error_pages[500]: '/.well-known/.500.html' " + std::string(kTail));
  EXPECT_EQ(errorOf("hidden_files: yes\n"),
            "test.yaml:1: hidden_files: expected deny or allow, got 'yes'");
  EXPECT_EQ(errorOf("hidden_file: deny\n"),
            "test.yaml:1: unknown key 'hidden_file', did you mean 'hidden_files'?");
}

TEST(LoadConfigErrors, ErrorPagesNameFileLineAndKey) {
  EXPECT_EQ(errorOf("error_pages:\n  302: /x.html\n"),
            "test.yaml:2: error_pages: expected an error status 400-599, got '302'");
  EXPECT_EQ(errorOf("error_pages:\n  404: x.html\n"),
            "test.yaml:2: error_pages[404]: expected a page path under the root, like /404.html, "
            "got 'x.html'");
  EXPECT_EQ(errorOf("error_pages:\n  404: /a/../x.html\n")
                .rfind("test.yaml:2: error_pages[404]: expected a page path", 0),
            0U);
}

}  // namespace
}  // namespace learnhttpd::config
