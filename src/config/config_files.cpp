// SPDX-License-Identifier: MIT
#include "config/config_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <sstream>
#include <system_error>

#include "base/unique_fd.hpp"
#include "config/include_paths.hpp"
#include "config/settings.hpp"

namespace learnhttpd::config {
namespace {

// Counts the documents of a text without building them. yaml-cpp 0.7 reports an endless run
// of empty documents for a stray leading ',' (found by fuzz_config_loader); YAML::LoadAll
// would collect them until memory runs out, so the count is bounded first.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    last = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::size_t documents = 0;
  YAML::Mark last;
};

// More documents than any configuration has; past this the parser is not making progress.
constexpr std::size_t kMaxDocuments = 64;

void checkDocumentCount(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (counter.documents <= kMaxDocuments && parser.HandleNextDocument(counter)) {
  }
  if (counter.documents > kMaxDocuments) {
    fail(source, std::max(counter.last.line, 0) + 1,
         "the YAML parser makes no progress here (a stray ',' or flow indicator?)");
  }
}

// The one document of the text, or a null node when there is none (empty, only comments).
YAML::Node parseDocument(std::string_view yaml, const std::string& source) {
  std::vector<YAML::Node> all;
  try {
    const std::string text(yaml);
    checkDocumentCount(text, source);
    all = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  // Copied rather than erased in place: assigning a YAML::Node rebinds the node it refers to
  // instead of the handle, so std::erase_if would rewrite the documents themselves.
  std::vector<YAML::Node> documents;
  for (const YAML::Node& document : all) {
    if (!document.IsNull()) {
      documents.push_back(document);
    }
  }
  if (documents.size() > 1) {
    fail(source, lineOf(documents[1]), "expected one YAML document, found a second one");
  }
  return documents.empty() ? YAML::Node() : documents.front();
}

[[noreturn]] void failRead(const std::string& path, int error) {
  throw ConfigError(path + ": cannot read: " + std::generic_category().message(error));
}

FileText readFile(const std::string& path) {
  const base::UniqueFd owned(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!owned) failRead(path, errno);
  const int fd = owned.get();
  FileText file;
  struct stat st {};
  if (::fstat(fd, &st) != 0) failRead(path, errno);
  file.id = {st.st_dev, st.st_ino};
  std::array<char, 16384> chunk{};
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got == 0) {
      return file;
    }
    if (got < 0 && errno != EINTR) {
      failRead(path, errno);
    }
    if (got > 0) {
      file.text.append(chunk.data(), static_cast<std::size_t>(got));
    }
  }
}

// Top-level keys that several files may each set, their values concatenated in reading order
// (each included file where its `include:` stands): `sites:`, whose reader appends. Every other
// key may be set once in the whole configuration. They are applied after every other key, so
// a site starts from the final top-level settings wherever those stand.
constexpr std::array<std::string_view, 1> kConcatenatedKeys{"sites"};

bool concatenated(std::string_view name) {
  return std::find(kConcatenatedKeys.begin(), kConcatenatedKeys.end(), name) !=
         kConcatenatedKeys.end();
}

// Bounds, far above a real configuration, on what a mistake (a glob matching a huge folder, a
// chain of includes) can make the loader read.
constexpr std::size_t kMaxIncludeDepth = 8;
constexpr std::size_t kMaxFiles = 1000;

}  // namespace

void ConfigFiles::readMain(const std::string& path) {
  FileText file = readFile(path);
  add(path, file, 0, nullptr);
}

void ConfigFiles::addText(std::string_view yaml, const std::string& source) {
  files_.push_back({source, parseDocument(yaml, source)});
  collect(files_.back(), 0, false);
}

Config ConfigFiles::apply(const std::string& main_source) const {
  Config config;
  config.source = main_source;
  Origins where;
  std::vector<std::pair<const Field*, const Origin*>> later;
  for (const Origin& entry : entries_) {
    const Field& field = knownField(*entry.source, entry.key, topFields(), "");
    const std::string& name = entry.key.Scalar();
    const auto [first, fresh] = where.try_emplace(name, entry);
    if (!fresh && !concatenated(name)) {
      std::string message = "duplicate key '" + name + "'";
      if (first->second.source != entry.source) {
        message += ", already set at " + *first->second.source + ":" +
                   std::to_string(lineOf(first->second.key));
      }
      fail(*entry.source, lineOf(entry.key), message);
    }
    if (concatenated(name)) {
      later.emplace_back(&field, &entry);
      continue;
    }
    field.apply(Setting(*entry.source, name, entry.key, entry.value), config);
  }
  for (const auto& [field, entry] : later) {
    field->apply(Setting(*entry->source, entry->key.Scalar(), entry->key, entry->value), config);
  }
  checkSites(config);
  checkAcrossKeys(where, main_source, config);
  return config;
}

void ConfigFiles::add(const std::string& path, const FileText& file, std::size_t depth,
                      const Origin* site) {
  // Neither can happen to the main file (site == nullptr), the first one read.
  const std::string& where = site != nullptr ? *site->source : path;
  const int line = site != nullptr ? lineOf(site->value) : 1;
  if (!ids_.insert(file.id).second) {
    fail(where, line,
         "include: " + path +
             " is already part of the configuration (included twice, or an include cycle)");
  }
  if (files_.size() >= kMaxFiles) {
    fail(where, line, "include: more than " + std::to_string(kMaxFiles) + " files");
  }
  files_.push_back({path, parseDocument(file.text, path)});
  collect(files_.back(), depth, true);
}

void ConfigFiles::collect(const File& file, std::size_t depth, bool may_include) {
  const YAML::Node& root = file.root;
  if (!root.IsDefined() || root.IsNull()) return;
  if (!root.IsMap()) fail(file.path, lineOf(root), "expected a mapping of settings");
  bool included = false;
  for (const auto& entry : root) {
    const Origin origin{&file.path, entry.first, entry.second};
    if (!may_include || !entry.first.IsScalar() || entry.first.Scalar() != "include") {
      entries_.push_back(origin);
      continue;
    }
    if (included) fail(file.path, lineOf(entry.first), "duplicate key 'include'");
    included = true;
    include(origin, depth);
  }
}

void ConfigFiles::include(const Origin& origin, std::size_t depth) {
  const Setting setting(*origin.source, "include", origin.key, origin.value);
  constexpr std::string_view kExpected =
      "expected a file, a pattern like conf.d/*.yaml, or a list of them";
  std::vector<YAML::Node> items;
  if (origin.value.IsScalar()) {
    items.push_back(origin.value);
  } else if (origin.value.IsSequence()) {
    for (const YAML::Node& item : origin.value) items.push_back(item);
  } else {
    setting.reject(kExpected);
  }
  for (const YAML::Node& item : items) {
    if (!item.IsScalar() || item.Scalar().empty()) setting.rejectItem(item, kExpected);
    if (depth + 1 > kMaxIncludeDepth) {
      setting.failAt(item, "nested more than " + std::to_string(kMaxIncludeDepth) + " files deep");
    }
    std::vector<std::string> paths;
    try {
      paths = includedFiles(item.Scalar(), directoryOf(*origin.source));
    } catch (const std::runtime_error& e) {
      setting.failAt(item, e.what());
    }
    const Origin site{origin.source, origin.key, item};
    for (const std::string& path : paths) {
      FileText file;
      try {
        file = readFile(path);
      } catch (const ConfigError& e) {
        setting.failAt(item, e.what());  // a named file that is missing: an error, as nginx
      }
      add(path, file, depth + 1, &site);
    }
  }
}

}  // namespace learnhttpd::config
