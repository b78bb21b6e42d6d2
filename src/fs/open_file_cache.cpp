// SPDX-License-Identifier: MIT
#include "fs/open_file_cache.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_set>

namespace learnhttpd::fs {
namespace {

// Every kind of change that can make a cached answer wrong, for directories and files alike.
constexpr std::uint32_t kWatchMask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                     IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
                                     IN_MOVE_SELF;
// Key, list node, index slot, watch bookkeeping: charged to max_bytes besides the body.
constexpr std::size_t kEntryOverhead = 256;

int openNoSymlinks(int dir, const char* relative) noexcept {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir, relative, &how, sizeof how);
    if (fd >= 0 || errno != EINTR) return static_cast<int>(fd);
  }
}

std::size_t descriptorBudget() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
  return static_cast<std::size_t>(limit.rlim_cur / 4);
}

// The root's directory as inotify_add_watch can name it: the /proc magic link of its descriptor.
std::string procPath(int root_fd) {
  return "/proc/self/fd/" + std::to_string(root_fd);
}

}  // namespace

struct OpenFileCache::Entry {
  int root = -1;    // the root's descriptor
  std::string key;  // the decoded path, index name appended for a directory
  std::shared_ptr<CachedFile> file;
  std::vector<int> wds;            // root, each directory, the file: one reference on each
  std::vector<std::string> names;  // per wd: the child name it depends on ("" for the file)
  std::size_t cost = 0;
  Lru::iterator self;
};

struct OpenFileCache::Watch {
  std::size_t references = 0;
  // Entries depending on this watch, by the child name they need ("" = the watched inode
  // itself). An event naming a child drops only that child's entries.
  std::unordered_map<std::string, std::unordered_set<Entry*>> dependents;
};

std::unique_ptr<OpenFileCache> OpenFileCache::create(const OpenFileCacheLimits& limits,
                                                     std::string& error) {
  if (limits.entries == 0) return nullptr;
  base::UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify) {
    error = std::string("open_file_cache: inotify_init1: ") + std::strerror(errno);
    return nullptr;
  }
  // The watches are named through /proc: without it the cache cannot prove anything.
  if (::access("/proc/self/fd", F_OK) != 0) {
    error = std::string("open_file_cache: /proc/self/fd: ") + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<OpenFileCache>(new OpenFileCache(limits, std::move(inotify)));
}

OpenFileCache::OpenFileCache(const OpenFileCacheLimits& limits, base::UniqueFd inotify)
    : limits_(limits), max_fds_(descriptorBudget()), inotify_(std::move(inotify)) {}

OpenFileCache::~OpenFileCache() = default;  // closing the inotify fd removes every watch

std::size_t OpenFileCache::entries() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

std::size_t OpenFileCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t OpenFileCache::watches() const {
  std::lock_guard lock(mutex_);
  return watches_.size();
}

void OpenFileCache::sync() {
  std::lock_guard lock(mutex_);
  drain();
}

std::shared_ptr<const CachedFile> OpenFileCache::hit(int root_fd, std::string_view path) {
  auto found = index_.find(Key{root_fd, path});
  if (found == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->file;
}

std::shared_ptr<const CachedFile> OpenFileCache::lookup(int root_fd,
                                                        const std::string& decoded_path,
                                                        bool trailing_slash,
                                                        const std::string& index) {
  std::lock_guard lock(mutex_);
  if (!trailing_slash) {
    if (auto file = hit(root_fd, decoded_path)) return file;
    return fill(root_fd, decoded_path, false);
  }
  std::string key = decoded_path;
  if (key.empty() || key.back() != '/') key.push_back('/');
  key += index;
  if (auto file = hit(root_fd, key)) return file;
  return fill(root_fd, key, true);
}

std::shared_ptr<CachedFile> OpenFileCache::openCacheable(int root_fd, const std::string& relative,
                                                         bool is_index) const {
  base::UniqueFd fd(openNoSymlinks(root_fd, relative.c_str()));
  if (!fd) return nullptr;
  auto file = std::make_shared<CachedFile>();
  if (::fstat(fd.get(), &file->st) != 0 || !S_ISREG(file->st.st_mode)) return nullptr;
  file->is_index = is_index;
  auto size = static_cast<std::size_t>(file->st.st_size);
  if (size > limits_.inline_max) {
    file->fd = std::move(fd);
    return file;
  }
  file->body.resize(size);
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd.get(), file->body.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return nullptr;  // shrank or failed while read: not worth caching
    got += static_cast<std::size_t>(n);
  }
  file->has_body = true;
  return file;
}

bool OpenFileCache::addWatch(int root_fd, const std::string& relative, bool is_file,
                             std::vector<int>& wds) {
  std::string path = procPath(root_fd);
  std::uint32_t mask = kWatchMask;
  if (!relative.empty()) {
    path += '/';
    path += relative;
    mask |= IN_DONT_FOLLOW;  // the root is reached through the /proc magic link; nothing else
  }
  if (!is_file) mask |= IN_ONLYDIR;
  int wd = ::inotify_add_watch(inotify_.get(), path.c_str(), mask);
  if (wd < 0) return false;
  ++watches_[wd].references;
  wds.push_back(wd);
  return true;
}

void OpenFileCache::releaseWatches(const std::vector<int>& wds) {
  for (int wd : wds) {
    auto it = watches_.find(wd);
    if (it == watches_.end() || --it->second.references > 0) continue;
    ::inotify_rm_watch(inotify_.get(), wd);  // EINVAL when the kernel dropped it already
    watches_.erase(it);
  }
}

std::shared_ptr<const CachedFile> OpenFileCache::fill(int root_fd, const std::string& key,
                                                      bool is_index) {
  std::string relative = key.substr(1);
  // Probe first: most uncacheable paths (404s, symlinks) end here at the price of one open.
  if (relative.empty() || !openCacheable(root_fd, relative, is_index)) return nullptr;
  // Watches BEFORE the open whose result is kept (see the header's proof): root, every
  // directory top-down, then the file. Two roots that share directories share their watches
  // (inotify gives one watch per inode), each entry holding its own reference.
  Entry entry;
  entry.root = root_fd;
  entry.key = key;
  bool watched = addWatch(root_fd, "", false, entry.wds);
  for (std::size_t slash = relative.find('/'); watched && slash != std::string::npos;
       slash = relative.find('/', slash + 1)) {
    watched = addWatch(root_fd, relative.substr(0, slash), false, entry.wds);
  }
  if (watched) watched = addWatch(root_fd, relative, true, entry.wds);
  std::shared_ptr<CachedFile> file = watched ? openCacheable(root_fd, relative, is_index) : nullptr;
  if (!file) {
    releaseWatches(entry.wds);
    return nullptr;
  }
  entry.file = file;
  const bool holds_fd = static_cast<bool>(file->fd);
  entry.cost = file->body.size() + key.size() + kEntryOverhead;
  if (entry.cost > limits_.max_bytes || (holds_fd && max_fds_ == 0)) {
    releaseWatches(entry.wds);
    return file;  // fresh, served once, not kept
  }
  evictFor(entry.cost, holds_fd);
  // Each wd depends on the next path component by name; the file's own watch on itself.
  std::size_t start = 0;
  for (std::size_t i = 0; i < entry.wds.size(); ++i) {
    if (i + 1 == entry.wds.size()) {
      entry.names.emplace_back();
      break;
    }
    std::size_t end = relative.find('/', start);
    entry.names.push_back(relative.substr(start, end - start));
    start = end + 1;
  }
  lru_.push_front(std::move(entry));
  Entry& stored = lru_.front();
  stored.self = lru_.begin();
  for (std::size_t i = 0; i < stored.wds.size(); ++i) {
    watches_[stored.wds[i]].dependents[stored.names[i]].insert(&stored);
  }
  index_.emplace(Key{stored.root, stored.key}, stored.self);
  bytes_ += stored.cost;
  if (holds_fd) ++fds_;
  return file;
}

void OpenFileCache::evictFor(std::size_t cost, bool holds_fd) {
  while (!lru_.empty() && (lru_.size() + 1 > limits_.entries || bytes_ + cost > limits_.max_bytes ||
                           (holds_fd && fds_ + 1 > max_fds_))) {
    auto victim = std::prev(lru_.end());
    if (holds_fd && fds_ + 1 > max_fds_ && lru_.size() + 1 <= limits_.entries &&
        bytes_ + cost <= limits_.max_bytes) {
      // Only descriptors are short: evict the oldest entry that holds one.
      while (!victim->file->fd) --victim;
    }
    erase(victim);
  }
}

void OpenFileCache::erase(Lru::iterator it) {
  Entry& entry = *it;
  for (std::size_t i = 0; i < entry.wds.size(); ++i) {
    auto w = watches_.find(entry.wds[i]);
    if (w == watches_.end()) continue;
    auto d = w->second.dependents.find(entry.names[i]);
    if (d == w->second.dependents.end()) continue;
    d->second.erase(&entry);
    if (d->second.empty()) w->second.dependents.erase(d);
  }
  releaseWatches(entry.wds);
  bytes_ -= entry.cost;
  if (entry.file->fd) --fds_;
  index_.erase(Key{entry.root, entry.key});
  lru_.erase(it);  // the file lives on in any reply still sending it
}

void OpenFileCache::invalidateWatch(int wd, std::string_view name) {
  auto w = watches_.find(wd);
  if (w == watches_.end()) return;
  std::vector<Entry*> doomed;
  for (auto& [child, entries] : w->second.dependents) {
    if (!name.empty() && child != name) continue;
    doomed.insert(doomed.end(), entries.begin(), entries.end());
  }
  for (Entry* entry : doomed) erase(entry->self);
}

void OpenFileCache::clear() {
  while (!lru_.empty()) erase(lru_.begin());
}

void OpenFileCache::drain() {
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::read(inotify_.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: nothing (more) changed
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        clear();  // events were lost: nothing cached can be trusted
        continue;
      }
      // A name means "this child of the watched directory changed"; none means the watched
      // inode itself (its content, attributes, its end, or the kernel dropping the watch).
      std::string_view name = event->len > 0 ? std::string_view(event->name) : std::string_view();
      invalidateWatch(event->wd, name);
    }
  }
}

}  // namespace learnhttpd::fs
