// SPDX-License-Identifier: MIT
#pragma once
// Sites: every site of a worker and which one a request is for -- the site whose names
// (config sites.names) cover the host the request names, else the default site (nginx's
// default_server). Also the worker's open-file cache, one for all sites. Built once per worker
// process after fork from the generation's configuration and the roots the master opened;
// then read by every connection and thread (Site's contract).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "fs/open_file_cache.hpp"
#include "serve/credential_checks.hpp"
#include "serve/host_names.hpp"
#include "serve/site.hpp"
#include "serve/site_count.hpp"
#include "serve/site_files.hpp"

namespace learnhttpd::serve {

class Sites {
 public:
  // The sites of config::effectiveSites(config), over `files` (opened for that configuration,
  // not owned, outlives this); `counts`: one SiteCount per site in shared memory, or empty.
  Sites(const config::Config& config, const SiteFiles& files, std::span<SiteCount> counts = {});
  Sites(const Sites&) = delete;
  Sites& operator=(const Sites&) = delete;

  // The site the host of `authority` ("host[:port]") names; the default site when it names
  // none that a site has. A lookup only with several sites: one site answers everything.
  Site& forHost(std::string_view authority) noexcept {
    if (sites_.size() == 1) return *sites_.front();
    std::optional<std::size_t> found = names_.find(authority);
    return *sites_[found ? *found : default_];
  }
  Site& defaultSite() noexcept { return *sites_[default_]; }
  std::size_t size() const noexcept { return sites_.size(); }
  Site& operator[](std::size_t index) noexcept { return *sites_[index]; }

  // The worker's open-file cache (shared by every site), or nullptr.
  fs::OpenFileCache* fileCache() noexcept { return file_cache_.get(); }
  // "ssl" on port 0 (any free port): the redirect to HTTPS names the port the master bound.
  void useHttpsPort(std::uint16_t bound) noexcept;
  // Whether some site has an auth rule (then the client's address is wanted, and a worker that
  // must not block hands the verifications to credentialChecks()' thread).
  bool hasAuth() const noexcept { return has_auth_; }
  // The worker's checks of basic-auth credentials, shared by every site and thread.
  CredentialChecks& credentialChecks() noexcept { return checks_; }

 private:
  std::unique_ptr<fs::OpenFileCache> file_cache_;
  std::vector<std::unique_ptr<Site>> sites_;
  HostNames names_;
  std::size_t default_ = 0;
  bool has_auth_ = false;
  CredentialChecks checks_;
};

}  // namespace learnhttpd::serve
