// SPDX-License-Identifier: MIT
// `sites:`: several sites in one server, each chosen by the Host a request names (nginx's server
// blocks). A site is the top-level settings with the keys it sets replaced: it is read through
// the very rows of the top-level table, applied to a copy of the top level, so a key means the
// same in both places. Read after every other top-level key (ConfigFiles defers it), so the
// copy starts from the final defaults whichever file sets them.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/settings.hpp"

namespace learnhttpd::config {
namespace {

// The top-level keys a site may set; the others are the server's (listen, workers, log, ...).
constexpr std::array<std::string_view, 18> kSiteKeys = {
    "document_root", "index",    "missing_index_status",
    "mime_types",    "charset",  "precompressed",
    "gzip",          "headers",  "error_pages",
    "hidden_files",  "tls",      "redirect_to_https",
    "redirects",     "rewrites", "fallback",
    "listing",       "auth",     "cors"};

const Field& topField(std::string_view name) {
  const std::span<const Field> fields = topFields();
  return *std::find_if(fields.begin(), fields.end(),
                       [&](const Field& f) { return f.name == name; });
}

bool isLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// A DNS name as a Host names it (dot-separated labels of letters, digits, '-' and '_'; an IPv4
// address is one), or "*." and such a name: one label, whatever it is. Returned in lower case.
std::string readSiteName(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected =
      "expected a host name like example.org or *.example.org (one label)";
  if (!item.IsScalar() || item.Scalar().empty()) s.rejectItem(item, kExpected);
  std::string name = item.Scalar();
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (name == "*") {
    s.failAt(item, "'*' is not a name; give the site that answers every other name default: true");
  }
  if (name.find(':') != std::string::npos || name.front() == '[') {
    s.failAt(item, "'" + item.Scalar() +
                       "': names match the Host without its port; write the name alone");
  }
  if (name.back() == '.') {
    s.failAt(item, "'" + item.Scalar() +
                       "': names match the Host without its final dot; write it without");
  }
  std::string_view labels = name;
  if (labels.starts_with("*.")) labels.remove_prefix(2);
  bool ok = !labels.empty() && labels.size() <= 253;
  std::size_t label = 0;
  for (char c : labels) {
    if (c == '.') {
      ok = ok && label > 0;
      label = 0;
    } else {
      ok = ok && isLabelChar(c) && ++label <= 63;
    }
  }
  if (!ok || label == 0) s.rejectItem(item, kExpected);
  return name;
}

std::vector<std::string> readSiteNames(const Setting& s) {
  std::vector<YAML::Node> items;
  if (s.value().IsScalar()) {
    items.push_back(s.value());
  } else if (s.value().IsSequence()) {
    for (const YAML::Node& item : s.value()) items.push_back(item);
  }
  if (items.empty()) s.reject("expected a host name or a list of them, like [example.org]");
  std::vector<std::string> names;
  for (const YAML::Node& item : items) {
    std::string name = readSiteName(s, item);
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      s.failAt(item, "'" + item.Scalar() + "' is listed twice");
    }
    names.push_back(std::move(name));
  }
  return names;
}

// A site that names a certificate of its own serves that pair (and its `certificates`), not the
// top-level ones: the pairs are replaced as a whole, never mixed.
void readSiteTls(const Setting& s, Config& c) {
  if (s.value().IsMap() && (s.value()["certificate"] || s.value()["certificates"])) {
    c.tls.certificate.clear();
    c.tls.key.clear();
    c.tls.certificates.clear();
    c.sites.back().own_certificates = true;
  }
  topField("tls").apply(s, c);
}

void readSiteRoot(const Setting& s, Config& c) {
  topField("document_root").apply(s, c);
  c.sites.back().own_document_root = true;
}

// The keys of one site: its own (names, default) and those of kSiteKeys, which are applied to
// the copy of the top level being read (the site itself is c.sites.back()).
const std::vector<Field>& siteFields() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> table = {
        Field{"names",
              [](const Setting& s, Config& c) { c.sites.back().names = readSiteNames(s); }},
        Field{"default",
              [](const Setting& s, Config& c) { c.sites.back().is_default = readBool(s); }},
    };
    for (std::string_view key : kSiteKeys) {
      if (key == "tls") {
        table.push_back(Field{key, readSiteTls});
      } else if (key == "document_root") {
        table.push_back(Field{key, readSiteRoot});
      } else {
        table.push_back(topField(key));
      }
    }
    return table;
  }();
  return fields;
}

// The unknown key of a site: a server-wide setting gets a sentence of its own.
void checkSiteKeys(const std::string& source, const YAML::Node& item, const std::string& key) {
  for (const auto& entry : item) {
    const YAML::Node& name = entry.first;
    if (!name.IsScalar()) continue;
    const auto& fields = siteFields();
    const bool known = std::any_of(fields.begin(), fields.end(),
                                   [&](const Field& f) { return f.name == name.Scalar(); });
    const std::span<const Field> top = topFields();
    const bool server_wide = std::any_of(top.begin(), top.end(),
                                         [&](const Field& f) { return f.name == name.Scalar(); });
    if (!known && server_wide) {
      fail(source, lineOf(name),
           key + ": '" + name.Scalar() +
               "' is a setting of the whole server; set it at the top level, not in a site");
    }
  }
}

// Where each key of the site's mapping stands, for the checks that look at several of them.
Origins originsOf(const std::string& source, const YAML::Node& item) {
  Origins where;
  for (const auto& entry : item) {
    if (entry.first.IsScalar())
      where.try_emplace(entry.first.Scalar(), Origin{&source, entry.first, entry.second});
  }
  return where;
}

// The checks of one site against the final top level: a certificate for every TLS listener,
// a port to redirect to, no hidden index or error page.
void checkSite(const Setting& s, const Origins& where, const Config& top, const SiteConfig& site) {
  const auto at = [&](std::string_view name) -> const YAML::Node& {
    const auto it = where.find(name);
    return it != where.end() ? it->second.value : s.value();
  };
  if (site.own_certificates && (site.tls.certificate.empty() || site.tls.key.empty())) {
    s.failAt(at("tls"), std::string("tls: needs both certificate and key, ") +
                            (site.tls.certificate.empty() ? "certificate" : "key") + " is missing");
  }
  if (hasTlsListener(top) && (site.tls.certificate.empty() || site.tls.key.empty())) {
    s.failAt(s.value(),
             "an \"ssl\" address in listen needs a certificate for every site: set "
             "tls.certificate and tls.key in this site or at the top level");
  }
  if (std::string problem = httpsRedirectProblem(site.redirect_to_https, top.listen);
      !problem.empty()) {
    s.failAt(at("redirect_to_https"), problem);
  }
  checkHiddenPaths(where, site, s.key() + ".");
}

}  // namespace

void readSites(const Setting& s, Config& config) {
  constexpr std::string_view kExpected =
      "expected a list of sites like - {names: [example.org], document_root: /srv/example}";
  if (!s.value().IsSequence()) s.reject(kExpected);
  // Each site is read over a copy of the top level; the sites read so far stay out of it.
  std::vector<SiteConfig> sites = std::move(config.sites);
  config.sites.clear();
  for (const YAML::Node& item : s.value()) {
    const std::string key = "sites[" + std::to_string(sites.size()) + "]";
    const Setting site(s.source(), key, item, item);
    if (!item.IsMap()) site.reject("expected a mapping like {names: [example.org], ...}");
    if (sites.size() == kMaxSites) {
      site.failAt(item, "more than " + std::to_string(kMaxSites) + " sites");
    }
    checkSiteKeys(s.source(), item, key);
    Config scratch = config;
    scratch.sites.emplace_back();
    readFields(s.source(), item, siteFields(), key + ".", scratch);
    SiteConfig read = std::move(scratch.sites.back());
    scratch.sites.clear();
    static_cast<SiteSettings&>(read) = std::move(static_cast<SiteSettings&>(scratch));
    read.source = s.source();
    read.line = lineOf(item);
    read.key = key;
    checkSite(site, originsOf(s.source(), item), config, read);
    sites.push_back(std::move(read));
  }
  config.sites = std::move(sites);
}

void checkSites(Config& config) {
  if (config.sites.empty()) return;
  const auto place = [](const SiteConfig& site) {
    return site.source + ":" + std::to_string(site.line);
  };
  SiteConfig* chosen = nullptr;
  std::map<std::string, const SiteConfig*, std::less<>> named;
  for (SiteConfig& site : config.sites) {
    if (site.is_default) {
      if (chosen != nullptr) {
        fail(site.source, site.line,
             site.key + ".default: " + chosen->key + " (" + place(*chosen) +
                 ") is the default site already; only one site may be");
      }
      chosen = &site;
    }
    for (const std::string& name : site.names) {
      const auto [it, fresh] = named.try_emplace(name, &site);
      if (!fresh) {
        fail(site.source, site.line,
             site.key + ".names: '" + name + "' is already a name of " + it->second->key + " (" +
                 place(*it->second) + ")");
      }
    }
  }
  if (chosen == nullptr) config.sites.front().is_default = true;
  for (const SiteConfig& site : config.sites) {
    if (site.names.empty() && !site.is_default) {
      fail(site.source, site.line,
           site.key + ": a site other than the default needs names (or default: true)");
    }
  }
}

std::vector<std::string> siteOnlySettingNames() {
  return {"sites.names", "sites.default"};
}

}  // namespace learnhttpd::config
