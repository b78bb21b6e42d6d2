// SPDX-License-Identifier: MIT
#pragma once
// Http1Session driven by arbitrary bytes over a real socketpair, against a small fixture tree,
// and the properties every run must keep. Shared by the libFuzzer target (fuzz_http_session)
// and by lh_worker_tests, which replays the regression corpus on any compiler.
//
// Invariants: the output is a sequence of well-formed HTTP/1.x responses (status line, header
// lines, the blank line, then Content-Length bytes of body, or none for HEAD and 304); nothing
// follows a "Connection: close" answer; no byte of the secret file outside the document root
// is ever sent (unless the input itself contained it, e.g. echoed in a Location), nor, while
// hidden_files is deny, of the dot files inside it.

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"
#include "config/config.hpp"
#include "fs/document_root.hpp"
#include "protocol/http1_session.hpp"
#include "protocol/session_context.hpp"
#include "serve/site_files.hpp"

namespace learnhttpd::fuzz {

inline constexpr std::string_view kSecret = "SECRET-9d41c7-outside-the-document-root";
inline constexpr std::string_view kHidden = "HIDDEN-5e0b2a-a-dot-file-inside-the-root";
inline constexpr std::time_t kNow = 1'700'000'000;

// A temporary tree: <tmp>/secret.txt and <tmp>/outside/ (never to be served) and <tmp>/www,
// the document root, with files, an index, a directory without index, a big file (sendfile
// and would-block paths), symlinks leading out, and dot files (kHidden) beside a .well-known
// directory. Removed by the destructor.
class FixtureTree {
 public:
  FixtureTree() {
    char pattern[] = "/tmp/lh-session-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) std::abort();
    base_ = pattern;
    namespace fs = std::filesystem;
    write(base_ / "secret.txt", kSecret);
    fs::create_directories(base_ / "outside");
    write(base_ / "outside" / "secret.txt", kSecret);
    root_ = base_ / "www";
    fs::create_directories(root_ / "dir");
    fs::create_directories(root_ / "noindex");
    write(root_ / "index.html", "<html>root index</html>\n");
    write(root_ / "a.txt", "hello");
    write(root_ / "dir" / "index.html", "<html>dir index</html>\n");
    write(root_ / "noindex" / "file.txt", "in noindex");
    write(root_ / "big.bin", std::string(std::size_t{300} * 1024, 'b'));
    fs::create_symlink("../secret.txt", root_ / "link_out.txt");
    fs::create_symlink(base_ / "secret.txt", root_ / "link_abs.txt");
    fs::create_symlink("../outside", root_ / "outside_dir");
    fs::create_symlink("a.txt", root_ / "link_in.txt");
    fs::create_directories(root_ / ".git");
    fs::create_directories(root_ / ".well-known");
    write(root_ / ".env", kHidden);
    write(root_ / ".env.gz", kHidden);
    write(root_ / ".git" / "config", kHidden);
    write(root_ / ".git" / "index.html", kHidden);
    write(root_ / "dir" / ".hidden.txt", kHidden);
    write(root_ / ".well-known" / ".hidden", kHidden);
    write(root_ / ".well-known" / "token", "well-known token");
  }
  ~FixtureTree() {
    std::error_code ignored;
    std::filesystem::remove_all(base_, ignored);
  }
  FixtureTree(const FixtureTree&) = delete;
  FixtureTree& operator=(const FixtureTree&) = delete;

  std::string root() const { return root_.string(); }

 private:
  static void write(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::filesystem::path base_;
  std::filesystem::path root_;
};

// One worker's serving state over the fixture tree, built like a worker builds it.
struct SessionWorld {
  explicit SessionWorld(const config::Config& cfg = config::Config{})
      : config(withRoot(cfg, tree.root())),
        files(openRoots(config)),
        context(config, files, &requests) {}

  static config::Config withRoot(config::Config cfg, const std::string& path) {
    cfg.document_root = path;
    return cfg;
  }
  static serve::SiteFiles openRoots(const config::Config& cfg) {
    std::string error;
    serve::SiteFiles files;
    if (!serve::SiteFiles::open(cfg, files, error)) std::abort();
    return files;
  }

  FixtureTree tree;
  config::Config config;
  serve::SiteFiles files;
  std::atomic<std::uint64_t> requests{0};  // the worker counts answers here
  protocol::SessionContext context;
};

// Reads everything the peer has sent so far (non-blocking) and appends it to `out`.
inline void drainPeer(int fd, std::string& out) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) return;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

struct SessionRun {
  std::string output;
  bool closed = false;  // the session asked to close after its output
};

// Feeds `input` to a fresh session in pieces of `chunk` bytes (0: all at once), processing and
// flushing through a non-blocking socketpair after each piece, as a worker would; `drain`
// switches to graceful-stop answers after the first piece.
inline SessionRun runSession(protocol::SessionContext& context, std::string_view input,
                             std::size_t chunk = 0, bool drain = false) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  base::UniqueFd server(fds[0]);
  base::UniqueFd client(fds[1]);
  protocol::Http1Session session(context, "fuzz");
  SessionRun run;
  std::size_t fed = 0;
  const std::size_t step = chunk == 0 ? input.size() : chunk;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    bool progress = false;
    if (fed < input.size()) {
      auto space = session.inputSpace();
      std::size_t n = std::min({step, space.size(), input.size() - fed});
      std::copy_n(input.data() + fed, n, space.data());
      session.received(n);
      fed += n;
      progress = n > 0;
    }
    if (drain && fed > 0) session.drain();
    session.process(kNow);
    while (session.hasOutput()) {
      protocol::FlushResult r = session.writeTo(server.get());
      drainPeer(client.get(), run.output);
      if (r == protocol::FlushResult::Error) return run;
      progress = true;
    }
    if (session.closeAfterOutput()) {
      run.closed = true;
      return run;
    }
    if (!progress && (fed == input.size() || session.inputSpace().empty())) return run;
  }
  return run;
}

// "HTTP/1.1 200 " or, answering an HTTP/1.0 request, "HTTP/1.0 200 ".
inline bool isStatusLine(std::string_view s) {
  auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(s[i])) != 0; };
  return s.size() >= 13 && s.substr(0, 7) == "HTTP/1." && (s[7] == '0' || s[7] == '1') &&
         s[8] == ' ' && digit(9) && digit(10) && digit(11) && s[12] == ' ';
}

// nullptr when `out` is a sequence of well-formed responses, else what is wrong.
inline const char* checkResponses(std::string_view out) {
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::string_view rest = out.substr(pos);
    if (!isStatusLine(rest)) return "output does not start with an HTTP/1.x status line";
    std::size_t head_end = rest.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return "response head is not terminated";
    std::string_view head = rest.substr(0, head_end + 2);
    std::size_t length = 0;
    bool has_length = false;
    bool close = false;
    std::size_t line_start = head.find("\r\n") + 2;
    while (line_start < head.size()) {
      std::size_t line_end = head.find("\r\n", line_start);
      std::string_view line = head.substr(line_start, line_end - line_start);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return "header line without a name";
      if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos) {
        return "bare CR or LF inside a header line";
      }
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-length") {
        if (has_length) return "two Content-Length fields";
        if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) {
          return "Content-Length is not a number";
        }
        length = std::stoull(std::string(value));
        has_length = true;
      } else if (name == "connection" && value == "close") {
        close = true;
      }
      line_start = line_end + 2;
    }
    const std::size_t body_start = pos + head_end + 4;
    // A body of Content-Length bytes, or none (HEAD, 304): the next response, or the end,
    // must follow one of the two.
    auto fits = [&](std::size_t body) {
      std::size_t next = body_start + body;
      return next == out.size() || (next < out.size() && isStatusLine(out.substr(next)));
    };
    std::size_t next;
    if (has_length && fits(length)) {
      next = body_start + length;
    } else if (fits(0)) {
      next = body_start;
    } else {
      return has_length ? "body does not match Content-Length" : "no Content-Length";
    }
    if (close && next != out.size()) return "bytes after a Connection: close answer";
    pos = next;
  }
  return nullptr;
}

inline const char* checkSession(protocol::SessionContext& context, std::string_view input,
                                std::size_t chunk, bool drain) {
  SessionRun run = runSession(context, input, chunk, drain);
  if (const char* e = checkResponses(run.output)) return e;
  if (run.output.find(kSecret) != std::string::npos && input.find(kSecret) == std::string::npos) {
    return "served a file from outside the document root";
  }
  if (context.sites.defaultSite().deny_hidden && run.output.find(kHidden) != std::string::npos &&
      input.find(kHidden) == std::string::npos) {
    return "served a hidden file";
  }
  return nullptr;
}

// The fuzzer's view: the first byte picks the feeding (chunk size, graceful stop), the rest is
// what the client sent.
inline const char* checkSessionBytes(protocol::SessionContext& context, std::string_view data) {
  if (data.empty()) return nullptr;
  const auto mode = static_cast<unsigned char>(data[0]);
  const std::size_t chunks[] = {0, 1, 2, 3, 7, 16, 64, 1000};
  return checkSession(context, data.substr(1), chunks[mode & 7], (mode & 8) != 0);
}

}  // namespace learnhttpd::fuzz
