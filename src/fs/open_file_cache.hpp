// SPDX-License-Identifier: MIT
#pragma once
// OpenFileCache: a per-worker cache of the files the worker serves — the open descriptor (large
// files), the stat() metadata (ETag and Last-Modified inputs, the size), whether the file is a
// directory's index (the MIME lookup needs it) and, for small files, the body bytes themselves —
// so a hit needs no open/fstat/pread/close. It never serves stale or forbidden data.
//
// What is cached: only paths that resolve under the root to a regular file WITHOUT any symlink
// on the way (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS). Everything else (a symlink
// anywhere, a missing file, a directory without its slash, a FIFO, EACCES) is not cacheable:
// lookup() returns nullptr and the caller resolves it the normal way, every time. So the cache
// can only ever answer what DocumentRoot::resolve would have answered for that path.
//
// Exactness. Definition: a change to the file or to any directory on its path (write,
// truncate, rename or delete of the file or a directory, chmod/chown, a directory or file
// swapped for a symlink, a new file created where a name was missing) that COMPLETED before
// sync() was called is seen by every lookup() after that sync(). serve::Answerer calls sync()
// after the recv() that brought a request's bytes and before the request's lookup, so: any
// change completed before the request's bytes were read is seen by that request.
// Proof sketch:
//   1. Filling an entry adds an inotify watch on the root, on every directory of the path
//      (top-down) and on the file itself BEFORE it opens and reads the file. A watch reports
//      every later change of its inode: names created, deleted or moved in a directory
//      (IN_CREATE, IN_DELETE, IN_MOVED_FROM/TO), its own attributes (IN_ATTRIB: mode, owner,
//      link count, times), content (IN_MODIFY, IN_CLOSE_WRITE) and its own end (IN_DELETE_SELF,
//      IN_MOVE_SELF, IN_IGNORED).
//   2. Top-down order closes the gap between "the name we watched" and "the inode we opened":
//      if component k is swapped after the watch on component k-1 exists, that watch reports
//      it; if it was swapped before, the watch on k and the open both see the new inode.
//      Watches are added through /proc/self/fd/<root fd>/..., so they name exactly the inodes
//      the openat2() relative to the root descriptor reaches, even if the root was renamed.
//   3. fsnotify queues the event inside the system call that makes the change, before that
//      call returns. A change that completed before sync() is therefore already queued on the
//      inotify descriptor when sync() drains it; sync() drops every entry that depends on a
//      watch with an event (IN_Q_OVERFLOW: everything).
//   4. An entry filled while a change is in flight may hold a mix, but the change's event is
//      then queued behind the watch and drops the entry at the next sync() — the same mix an
//      uncached read would have produced for that one request.
// Cost: sync() is one non-blocking read() of the inotify descriptor (EAGAIN when nothing
// changed); serve::Answerer calls it once per receive, not per request, unless its model already
// did after that recv(): the event model drains once per loop iteration, after all of the
// iteration's recv() calls and before the first lookup (EventWorker::endOfBatch), so there a hit
// costs no system call of its own before the send (docs/performance.md).
// Limits of inotify: writes through a shared mmap and changes made by another host to a network
// filesystem (NFS, CIFS) or below an overlay's upper layer raise no event. Serve such trees
// with `open_file_cache: {entries: 0}`.
//
// Bodies and descriptors. Small files (<= inline_max bytes) are kept as bytes, and their
// descriptor is closed: they cost memory, not descriptors. Larger files keep their descriptor
// open for sendfile(); at most a quarter of RLIMIT_NOFILE such descriptors are kept. An entry is
// shared (shared_ptr) by the cache and the replies sending it, so an entry dropped by sync() or
// evicted stays valid for an answer in flight: a file renamed over or deleted during a download
// is sent whole from the old inode.
//
// Bounds: at most `entries` entries and `max_bytes` of cached body bytes plus a fixed overhead
// per entry (key, record); least recently used entries go first. A file larger than inline_max
// is cached without its bytes (descriptor and metadata only); a small file whose cost alone
// exceeds max_bytes is served (lookup() returns it) but not kept.
// When the kernel refuses a watch (max_user_watches reached) the file is served uncached.
//
// Several roots: one cache serves every document root of the worker (one per site), each named
// by its directory descriptor in lookup(); entries and watches are those of one inotify
// descriptor, and the bounds are the worker's, whatever the number of roots (a server of 100
// sites must not open 100 inotify instances per worker: the kernel's default is 128 per user).
//
// Threads: every public member may be called from any thread; one mutex guards the cache (the
// thread-pool model's threads share one cache per worker). Misses do their system calls under
// the mutex, and so does sync()'s read on purpose: a thread holding events it has read but not
// yet applied would let another thread's sync() find the queue empty and serve stale data. Create
// it in the worker process (after fork): the inotify descriptor is per worker.

#include <sys/stat.h>

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/unique_fd.hpp"

namespace learnhttpd::fs {

struct CachedFile {
  base::UniqueFd fd;      // open for files larger than the inline limit; closed otherwise
  struct stat st {};      // as fstat() returned it when the entry was filled
  std::string body;       // the whole file when st.st_size <= inline_max; else empty
  bool has_body = false;  // `body` holds the file (it may be legitimately empty)
  bool is_index = false;  // the path named a directory; the file is its index
};

struct OpenFileCacheLimits {
  std::size_t entries = 10000;  // 0: the cache is off
  std::size_t max_bytes = std::size_t{64} << 20;
  std::size_t inline_max = std::size_t{16} << 10;  // bodies up to this size are kept as bytes
};

class OpenFileCache {
 public:
  // Returns nullptr, and sets `error`, when the cache cannot work here (inotify or /proc
  // unavailable); then the server simply runs uncached. limits.entries == 0: nullptr, no error.
  static std::unique_ptr<OpenFileCache> create(const OpenFileCacheLimits& limits,
                                               std::string& error);
  ~OpenFileCache();
  OpenFileCache(const OpenFileCache&) = delete;
  OpenFileCache& operator=(const OpenFileCache&) = delete;

  // Applies every change queued so far (see "Exactness"). One read() when nothing changed.
  void sync();

  // `root_fd` is a document root's directory descriptor (not owned; it must outlive the
  // cache); `decoded_path` as DocumentRoot::resolve takes it (absolute, normalised); with
  // `trailing_slash` the directory's `index` file is meant. Returns the cached or freshly
  // cached file, or nullptr when the path is not cacheable (resolve it uncached).
  std::shared_ptr<const CachedFile> lookup(int root_fd, const std::string& decoded_path,
                                           bool trailing_slash, const std::string& index);

  // For tests and the status of the cache.
  std::size_t entries() const;
  std::size_t bytes() const;
  std::size_t watches() const;

 private:
  struct Entry;
  struct Watch;
  using Lru = std::list<Entry>;
  // An entry's key: the root it is under and its path there (viewing Entry::key).
  struct Key {
    int root;
    std::string_view path;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept {
      return std::hash<std::string_view>{}(key.path) ^ (static_cast<std::size_t>(key.root) << 1);
    }
  };

  OpenFileCache(const OpenFileCacheLimits& limits, base::UniqueFd inotify);
  std::shared_ptr<const CachedFile> hit(int root_fd, std::string_view path);
  std::shared_ptr<const CachedFile> fill(int root_fd, const std::string& key, bool is_index);
  std::shared_ptr<CachedFile> openCacheable(int root_fd, const std::string& relative,
                                            bool is_index) const;
  bool addWatch(int root_fd, const std::string& relative, bool is_file, std::vector<int>& wds);
  void releaseWatches(const std::vector<int>& wds);
  void drain();
  void invalidateWatch(int wd, std::string_view name);
  void erase(Lru::iterator it);
  void evictFor(std::size_t cost, bool holds_fd);
  void clear();

  const OpenFileCacheLimits limits_;
  const std::size_t max_fds_;
  base::UniqueFd inotify_;
  mutable std::mutex mutex_;
  Lru lru_;                                                // most recently used first
  std::unordered_map<Key, Lru::iterator, KeyHash> index_;  // keys view Entry::key
  std::unordered_map<int, Watch> watches_;
  std::size_t bytes_ = 0;
  std::size_t fds_ = 0;
};

}  // namespace learnhttpd::fs
