// SPDX-License-Identifier: MIT
#pragma once
// The files of one configuration, for config/ alone: the main file and every file it includes
// (`include:` a file, a glob or a list of them, relative to the including file's folder), each
// read and parsed once, then applied over the defaults as one mapping (config_loader.hpp says
// what is an error).

#include <sys/types.h>

#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/yaml_fields.hpp"

namespace learnhttpd::config {

// A file's text, and its identity (device, inode) to tell a file included twice.
struct FileText {
  std::string text;
  std::pair<dev_t, ino_t> id;
};

// The main file and every file it includes, read in order, then applied as one mapping.
class ConfigFiles {
 public:
  // The main file: read, parsed, and its includes followed.
  void readMain(const std::string& path);
  // Text not read from a file: it may not include (an `include:` is an error there).
  void addText(std::string_view yaml, const std::string& source);
  // Every setting of every file, over the defaults; each key once (but the keys several
  // files may concatenate), then the checks across keys (settings.hpp).
  Config apply(const std::string& main_source) const;

 private:
  struct File {
    std::string path;
    YAML::Node root;
  };

  // `site`: the include item that named this file (nullptr for the main file).
  void add(const std::string& path, const FileText& file, std::size_t depth, const Origin* site);
  void collect(const File& file, std::size_t depth, bool may_include);
  void include(const Origin& origin, std::size_t depth);

  std::deque<File> files_;  // a deque: entries_ point at the paths of earlier files
  std::vector<Origin> entries_;
  std::set<std::pair<dev_t, ino_t>> ids_;
};

}  // namespace learnhttpd::config
