// SPDX-License-Identifier: MIT
// `sites:`: a site is the top-level settings with its own keys over them, whatever the order or
// the file they stand in; names, the default site, and every error with its file, line and key.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/cli.hpp"
#include "config/config.hpp"
#include "config/config_loader.hpp"

namespace learnhttpd::config::sites_test {
namespace {

Config load(std::string_view yaml) {
  return loadConfigString(yaml, "test.yaml");
}

std::string errorOf(std::string_view yaml) {
  try {
    load(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Sites, WithoutSitesTheTopLevelIsTheOneDefaultSite) {
  const Config config = load("document_root: /srv/www\nindex: home.html\n");
  EXPECT_TRUE(config.sites.empty());
  const std::vector<SiteConfig> sites = effectiveSites(config);
  ASSERT_EQ(sites.size(), 1U);
  EXPECT_TRUE(sites[0].is_default);
  EXPECT_TRUE(sites[0].names.empty());
  EXPECT_EQ(sites[0].document_root, "/srv/www");
  EXPECT_EQ(sites[0].index, "home.html");
  EXPECT_EQ(static_cast<const SiteSettings&>(sites[0]), static_cast<const SiteSettings&>(config));
}

TEST(Sites, ASiteIsTheTopLevelWithItsOwnKeysOverIt) {
  const Config config = load(
      "sites:\n"
      "  - names: [A.Example, www.a.example]\n"
      "    document_root: /srv/a\n"
      "  - names: '*.b.example'\n"
      "    index: start.html\n"
      "    charset: off\n"
      "    gzip: {enabled: true}\n"
      // Top-level keys after `sites:` are still the sites' defaults.
      "document_root: /srv/top\n"
      "index: top.html\n"
      "precompressed: false\n");
  ASSERT_EQ(config.sites.size(), 2U);
  const SiteConfig& a = config.sites[0];
  const SiteConfig& b = config.sites[1];
  EXPECT_EQ(a.names, (std::vector<std::string>{"a.example", "www.a.example"}));
  EXPECT_TRUE(a.is_default);  // the first, when none says default: true
  EXPECT_FALSE(b.is_default);
  EXPECT_EQ(a.document_root, "/srv/a");
  EXPECT_TRUE(a.own_document_root);
  EXPECT_EQ(a.index, "top.html");
  EXPECT_FALSE(a.precompressed);
  EXPECT_EQ(a.charset, "utf-8");
  EXPECT_EQ(b.names, (std::vector<std::string>{"*.b.example"}));
  EXPECT_EQ(b.document_root, "/srv/top");
  EXPECT_FALSE(b.own_document_root);
  EXPECT_EQ(b.index, "start.html");
  EXPECT_EQ(b.charset, "");
  EXPECT_TRUE(b.gzip.enabled);
  EXPECT_FALSE(a.gzip.enabled);
  EXPECT_EQ(b.key, "sites[1]");
  EXPECT_EQ(b.line, 4);
  EXPECT_EQ(effectiveSites(config), config.sites);
}

TEST(Sites, TheDefaultSite) {
  Config config = load("sites:\n  - names: a.example\n  - names: b.example\n    default: yes\n");
  EXPECT_FALSE(config.sites[0].is_default);
  EXPECT_TRUE(config.sites[1].is_default);
  EXPECT_EQ(defaultSiteIndex(config.sites), 1U);
  config = load("sites:\n  - default: true\n  - names: b.example\n");
  EXPECT_TRUE(config.sites[0].names.empty());
  EXPECT_EQ(siteLabel(config.sites[0]), "the default site");
  EXPECT_EQ(siteLabel(config.sites[1]), "b.example");
  EXPECT_EQ(errorOf("sites:\n  - {names: a.example, default: true}\n"
                    "  - {names: b.example, default: true}\n"),
            "test.yaml:3: sites[1].default: sites[0] (test.yaml:2) is the default site already; "
            "only one site may be");
  EXPECT_EQ(errorOf("sites:\n  - names: a.example\n  - document_root: /srv/x\n"),
            "test.yaml:3: sites[1]: a site other than the default needs names (or default: true)");
}

TEST(Sites, NamesAreHostNamesWithoutPortOrFinalDot) {
  EXPECT_EQ(errorOf("sites:\n  - names: [a.example, b.example]\n  - names: [c.example, "
                    "B.EXAMPLE]\n"),
            "test.yaml:3: sites[1].names: 'b.example' is already a name of sites[0] "
            "(test.yaml:2)");
  EXPECT_EQ(errorOf("sites:\n  - names: [a.example:8080]\n"),
            "test.yaml:2: sites[0].names: 'a.example:8080': names match the Host without its "
            "port; write the name alone");
  EXPECT_EQ(errorOf("sites:\n  - names: [a.example.]\n"),
            "test.yaml:2: sites[0].names: 'a.example.': names match the Host without its final "
            "dot; write it without");
  EXPECT_EQ(errorOf("sites:\n  - names: '*'\n"),
            "test.yaml:2: sites[0].names: '*' is not a name; give the site that answers every "
            "other name default: true");
  for (const std::string bad : {"a..example", "w*.example", "*.*.a", "a/b", "a b", ".a"}) {
    EXPECT_EQ(errorOf("sites:\n  - names: ['" + bad + "']\n"),
              "test.yaml:2: sites[0].names: expected a host name like example.org or "
              "*.example.org (one label), got '" +
                  bad + "'")
        << bad;
  }
  EXPECT_EQ(errorOf("sites:\n  - names: []\n"),
            "test.yaml:2: sites[0].names: expected a host name or a list of them, like "
            "[example.org], got an empty list");
  EXPECT_EQ(errorOf("sites:\n  - names: [a.example, A.example]\n"),
            "test.yaml:2: sites[0].names: 'A.example' is listed twice");
  EXPECT_EQ(load("sites:\n  - names: [192.0.2.1, x_y.example]\n").sites[0].names,
            (std::vector<std::string>{"192.0.2.1", "x_y.example"}));
}

TEST(Sites, KeysASiteMayNotSet) {
  EXPECT_EQ(errorOf("sites:\n  - names: a.example\n    workers: 2\n"),
            "test.yaml:3: sites[0]: 'workers' is a setting of the whole server; set it at the "
            "top level, not in a site");
  EXPECT_EQ(errorOf("sites:\n  - names: a.example\n    documentroot: /x\n"),
            "test.yaml:3: unknown key 'sites[0].documentroot', did you mean "
            "'sites[0].document_root'?");
  EXPECT_EQ(errorOf("sites: {names: a}\n"),
            "test.yaml:1: sites: expected a list of sites like - {names: [example.org], "
            "document_root: /srv/example}, got a mapping");
  EXPECT_EQ(errorOf("sites:\n  - a.example\n"),
            "test.yaml:2: sites[0]: expected a mapping like {names: [example.org], ...}, got "
            "'a.example'");
  // The errors inside a section name the site.
  EXPECT_EQ(errorOf("sites:\n  - names: a.example\n    gzip: {level: 10}\n"),
            "test.yaml:3: sites[0].gzip.level: expected a compression level 1-9, got '10'");
}

TEST(Sites, CertificatesOfTheirOwnReplaceTheTopLevelPairs) {
  const Config config = load(
      "listen: ['8443 ssl']\n"
      "tls: {certificate: /top.pem, key: /top.key, certificates: [{certificate: /x.pem, key: "
      "/x.key}], hsts: 1h}\n"
      "sites:\n"
      "  - names: a.example\n"
      "    tls: {certificate: /a.pem, key: /a.key}\n"
      "  - names: b.example\n"
      "    tls: {hsts: 0s}\n");
  const SiteConfig& a = config.sites[0];
  const SiteConfig& b = config.sites[1];
  EXPECT_TRUE(a.own_certificates);
  EXPECT_EQ(a.tls.certificate, "/a.pem");
  EXPECT_TRUE(a.tls.certificates.empty());
  EXPECT_EQ(a.tls.hsts, std::chrono::hours(1));
  EXPECT_FALSE(b.own_certificates);
  EXPECT_EQ(b.tls.certificate, "/top.pem");
  EXPECT_EQ(b.tls.certificates.size(), 1U);
  EXPECT_EQ(b.tls.hsts, Duration{0});
  EXPECT_EQ(errorOf("listen: ['8443 ssl']\nsites:\n  - names: a.example\n"),
            "test.yaml:3: sites[0]: an \"ssl\" address in listen needs a certificate for every "
            "site: set tls.certificate and tls.key in this site or at the top level");
  EXPECT_EQ(errorOf("sites:\n  - names: a.example\n    tls: {certificate: /a.pem}\n"),
            "test.yaml:3: sites[0]: tls: needs both certificate and key, key is missing");
  // With sites, the top level needs no pair when every site has its own.
  EXPECT_NO_THROW(
      load("listen: ['8443 ssl']\nsites:\n  - names: a.example\n"
           "    tls: {certificate: /a.pem, key: /a.key}\n"));
}

TEST(Sites, ChecksAcrossKeysPointAtTheSite) {
  EXPECT_EQ(errorOf("listen: [80]\nsites:\n  - names: a.example\n    redirect_to_https: true\n"),
            "test.yaml:4: sites[0]: redirect_to_https: no \"ssl\" address in listen to "
            "redirect to");
  EXPECT_EQ(errorOf("sites:\n  - names: a.example\n    index: .index.html\n"),
            "test.yaml:3: sites[0].index: '.index.html' is a hidden path (a component starts "
            "with '.'), never served while hidden_files is deny; rename it or set hidden_files: "
            "allow");
  EXPECT_NO_THROW(load("hidden_files: allow\nindex: .i.html\nsites:\n  - names: a.example\n"));
  EXPECT_EQ(errorOf("hidden_files: allow\nindex: .i.html\nsites:\n  - names: a.example\n"
                    "    hidden_files: deny\n"),
            "test.yaml:5: sites[0].hidden_files: the index '.i.html' it inherits is a hidden "
            "path, never served while hidden_files is deny");
}

TEST(Sites, TheRootFlagReplacesTheRootSitesInherit) {
  Config config = load(
      "sites:\n  - {names: a.example, document_root: /srv/a}\n"
      "  - names: b.example\n");
  CliOptions cli;
  cli.root = "/tmp/r";
  applyCli(cli, config);
  EXPECT_EQ(config.document_root, "/tmp/r");
  EXPECT_EQ(config.sites[0].document_root, "/srv/a");
  EXPECT_EQ(config.sites[1].document_root, "/tmp/r");
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lh_sites_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    std::string path = (path_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(Sites, IncludedFilesAddTheirSitesWhereTheIncludeStands) {
  const TempDir dir;
  std::filesystem::create_directory(dir.path() + "/sites-enabled");
  dir.write("sites-enabled/a.yaml", "sites:\n  - names: a.example\n    document_root: /srv/a\n");
  const std::string b =
      dir.write("sites-enabled/b.yaml", "# b\nsites:\n  - names: b.example\n    index: b.html\n");
  const std::string main =
      dir.write("main.yaml",
                "sites:\n  - {names: first.example}\ninclude: sites-enabled/*.yaml\n"
                "index: main.html\n");
  Config config = loadConfigFile(main);
  ASSERT_EQ(config.sites.size(), 3U);
  EXPECT_EQ(config.sites[0].names[0], "first.example");
  EXPECT_EQ(config.sites[1].names[0], "a.example");
  EXPECT_EQ(config.sites[1].index, "main.html");
  EXPECT_EQ(config.sites[2].names[0], "b.example");
  EXPECT_EQ(config.sites[2].index, "b.html");
  EXPECT_EQ(config.sites[2].source, b);
  EXPECT_EQ(config.sites[2].line, 3);
  EXPECT_EQ(config.sites[2].key, "sites[2]");
  // Errors name the included file, its line and the key.
  dir.write("sites-enabled/b.yaml", "sites:\n  - names: b.example\n    index: ''\n");
  try {
    loadConfigFile(main);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), b + ":3: sites[2].index: expected a file name, got ''");
  }
  dir.write("sites-enabled/b.yaml", "sites:\n  - names: A.example\n");
  try {
    loadConfigFile(main);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), b +
                                         ":2: sites[2].names: 'a.example' is already a name of "
                                         "sites[1] (" +
                                         dir.path() + "/sites-enabled/a.yaml:2)");
  }
}

TEST(Sites, TheLimit) {
  std::string yaml = "sites:\n";
  for (std::size_t i = 0; i <= kMaxSites; ++i) {
    yaml += "  - names: s" + std::to_string(i) + ".example\n";
  }
  EXPECT_EQ(errorOf(yaml), "test.yaml:" + std::to_string(kMaxSites + 2) + ": sites[" +
                               std::to_string(kMaxSites) + "]: more than " +
                               std::to_string(kMaxSites) + " sites");
}

}  // namespace
}  // namespace learnhttpd::config::sites_test

namespace learnhttpd::config::features_test {
namespace {

Config load(std::string_view yaml) {
  return loadConfigString(yaml, "test.yaml");
}

std::string errorOf(std::string_view yaml) {
  try {
    load(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Redirects, RulesAndTheirErrors) {
  const Config c = load(
      "redirects:\n"
      "  - {from: /old.html, to: /new.html}\n"
      "  - {from: '/blog/*', to: '/posts/*', status: 308}\n"
      "  - {from: '/docs/*', to: 'https://docs.example.org/*', status: 302}\n"
      "rewrites:\n"
      "  - {from: '/app/*', to: /index.html}\n");
  ASSERT_EQ(c.redirects.size(), 3U);
  EXPECT_EQ(c.redirects[0], (PathRuleConfig{"/old.html", "/new.html", 301}));
  EXPECT_EQ(c.redirects[1], (PathRuleConfig{"/blog/*", "/posts/*", 308}));
  EXPECT_EQ(c.redirects[2].to, "https://docs.example.org/*");
  ASSERT_EQ(c.rewrites.size(), 1U);
  EXPECT_EQ(c.rewrites[0].to, "/index.html");
  EXPECT_EQ(errorOf("redirects:\n  - {from: /a, to: //evil.example/}\n"),
            "test.yaml:2: redirects[0].to: expected a path like /new/* or a URL like "
            "https://example.org/*, with at most one *, got '//evil.example/'");
  EXPECT_EQ(errorOf("redirects:\n  - {from: /a, to: /b, status: 303}\n"),
            "test.yaml:2: redirects[0].status: expected 301, 302, 307 or 308, got '303'");
  EXPECT_EQ(errorOf("redirects:\n  - {from: 'a*', to: /b}\n"),
            "test.yaml:2: redirects[0].from: expected a path like /old.html, or a pattern with "
            "one * like /blog/* or *.php, got 'a*'");
  EXPECT_EQ(errorOf("redirects:\n  - {from: '/a/*/*', to: /b}\n"),
            "test.yaml:2: redirects[0].from: expected a path like /old.html, or a pattern with "
            "one * like /blog/* or *.php, got '/a/*/*'");
  EXPECT_EQ(errorOf("redirects:\n  - {from: /a, to: '/b/*'}\n"),
            "test.yaml:2: redirects[0].to: has a * but from has none to fill it");
  EXPECT_EQ(errorOf("redirects:\n  - {from: /a, to: /b, code: 301}\n"),
            "test.yaml:2: redirects[0]: unknown key 'code', expected from, to and status");
  EXPECT_EQ(errorOf("rewrites:\n  - {from: /a, to: 'https://x.example/'}\n"),
            "test.yaml:2: rewrites[0].to: expected a path of this site like /index.html or "
            "/pages/*.html, with at most one *, got 'https://x.example/'");
  EXPECT_EQ(errorOf("rewrites:\n  - {from: /a, to: /x/../b}\n"),
            "test.yaml:2: rewrites[0].to: expected a path of this site like /index.html or "
            "/pages/*.html, with at most one *, got '/x/../b'");
  EXPECT_EQ(errorOf("rewrites:\n  - {from: /a, to: /b, status: 301}\n"),
            "test.yaml:2: rewrites[0]: unknown key 'status', expected from, to");
}

TEST(Fallback, APageOrAMapping) {
  EXPECT_EQ(load("fallback: /index.html").fallback, (FallbackConfig{"/index.html", false}));
  EXPECT_EQ(load("fallback: {page: /app.html, extensionless_only: true}").fallback,
            (FallbackConfig{"/app.html", true}));
  EXPECT_EQ(load("fallback: off").fallback, FallbackConfig{});
  EXPECT_EQ(errorOf("fallback: index.html"),
            "test.yaml:1: fallback: expected a page path under the root, like /index.html, got "
            "'index.html'");
  EXPECT_EQ(errorOf("fallback: {extensionless_only: true}"), "test.yaml:1: fallback: needs a page");
  // Per site, over the top-level default.
  const Config c = load(
      "fallback: /index.html\nsites:\n  - {names: a.example, fallback: off}\n"
      "  - names: b.example\n");
  EXPECT_EQ(c.sites[0].fallback, FallbackConfig{});
  EXPECT_EQ(c.sites[1].fallback.page, "/index.html");
}

TEST(Listing, TrueAPrefixAListOrAMapping) {
  EXPECT_TRUE(load("").listing.paths.empty()) << "off by default";
  EXPECT_EQ(load("listing: true").listing.paths, (std::vector<std::string>{"/"}));
  EXPECT_TRUE(load("listing: false").listing.paths.empty());
  EXPECT_EQ(load("listing: /pub/").listing.paths, (std::vector<std::string>{"/pub/"}));
  EXPECT_EQ(load("listing: [/pub/, /dl/]").listing.paths,
            (std::vector<std::string>{"/pub/", "/dl/"}));
  const Config c = load("listing: {paths: [/pub/], max_entries: 50}");
  EXPECT_EQ(c.listing, (ListingConfig{{"/pub/"}, 50}));
  EXPECT_EQ(load("listing: {max_entries: 5}").listing.paths, (std::vector<std::string>{"/"}));
  EXPECT_EQ(errorOf("listing: pub"),
            "test.yaml:1: listing: expected a path prefix like /downloads/, got 'pub'");
  EXPECT_EQ(errorOf("listing: {max_entries: 0}"),
            "test.yaml:1: listing.max_entries: expected a number of entries 1-100000, got '0'");
  EXPECT_EQ(load("sites:\n  - {names: a.example, listing: [/files/]}\n").sites[0].listing.paths,
            (std::vector<std::string>{"/files/"}));
}

TEST(Auth, RulesPerPathAndTheirErrors) {
  const Config c = load(
      "auth:\n"
      "  - {path: /private/, realm: Staff only, htpasswd: /etc/learnhttpd/staff}\n"
      "  - {realm: Everyone, htpasswd: /etc/learnhttpd/all}\n");
  ASSERT_EQ(c.auth.size(), 2U);
  EXPECT_EQ(c.auth[0], (AuthRuleConfig{"/private/", "Staff only", "/etc/learnhttpd/staff"}));
  EXPECT_EQ(c.auth[1].path, "/") << "the whole site by default";
  EXPECT_EQ(errorOf("auth:\n  - {path: /p/, htpasswd: /x}\n"),
            "test.yaml:2: auth[0]: expected a rule like {path: /private/, realm: Staff, "
            "htpasswd: /etc/learnhttpd/staff}, got a mapping");
  EXPECT_EQ(errorOf("auth:\n  - {realm: 'a\"b', htpasswd: /x}\n"),
            "test.yaml:2: auth[0].realm: expected a realm of letters, digits, spaces and "
            "punctuation (no quotes or backslashes), got 'a\"b'");
  EXPECT_EQ(errorOf("auth:\n  - {realm: a, htpasswd: /x, user: bob}\n"),
            "test.yaml:2: auth[0]: unknown key 'user', expected path, realm and htpasswd");
  EXPECT_EQ(errorOf("auth:\n  - {realm: a, htpasswd: /x}\n  - {realm: b, htpasswd: /y}\n"),
            "test.yaml:3: auth[1]: path / has a rule already");
  EXPECT_EQ(load("sites:\n  - names: a.example\n    auth: [{realm: A, htpasswd: /a}]\n")
                .sites[0]
                .auth.size(),
            1U);
}

TEST(Cors, RulesAndTheirErrors) {
  const Config c = load(
      "cors:\n"
      "  - path: /api/\n"
      "    origins: [https://App.Example, 'http://localhost:8080']\n"
      "    methods: [GET, HEAD, POST]\n"
      "    headers: [X-Token]\n"
      "    max_age: 10m\n"
      "    credentials: true\n"
      "    always: true\n"
      "  - {origins: '*'}\n");
  ASSERT_EQ(c.cors.size(), 2U);
  EXPECT_EQ(c.cors[0].origins,
            (std::vector<std::string>{"https://app.example", "http://localhost:8080"}));
  EXPECT_EQ(c.cors[0].methods, (std::vector<std::string>{"GET", "HEAD", "POST"}));
  EXPECT_EQ(c.cors[0].max_age, std::chrono::minutes(10));
  EXPECT_TRUE(c.cors[0].credentials && c.cors[0].always);
  EXPECT_TRUE(c.cors[1].any_origin);
  EXPECT_EQ(c.cors[1].path, "/");
  EXPECT_EQ(c.cors[1].methods, (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(errorOf("cors:\n  - {origins: '*', credentials: true}\n"),
            "test.yaml:2: cors[0]: credentials: true cannot go with origins \"*\": browsers "
            "refuse it, and allowing every origin with the user's credentials would hand them "
            "to any site; list the origins");
  for (std::string bad :
       {"null", "app.example", "https://app.example/", "https://a@b", "ftp://x", "https://"}) {
    EXPECT_EQ(errorOf("cors:\n  - {origins: ['" + bad + "']}\n"),
              "test.yaml:2: cors[0].origins: expected an origin like https://app.example:8443, "
              "got '" +
                  bad + "'")
        << bad;
  }
  EXPECT_EQ(errorOf("cors:\n  - {path: /a/}\n"),
            "test.yaml:2: cors[0]: expected a rule like {path: /api/, origins: "
            "[https://app.example]}, got a mapping");
  EXPECT_EQ(errorOf("cors:\n  - {origins: '*', methods: ['GE T']}\n"),
            "test.yaml:2: cors[0].methods: expected a list of methods like [GET, HEAD], got "
            "'GE T'");
}

}  // namespace
}  // namespace learnhttpd::config::features_test
