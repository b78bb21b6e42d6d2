// SPDX-License-Identifier: MIT
// Which site a request is for: HostNames over the shapes a Host takes (case, port, final dot,
// IP literals, wildcards of one label), and Answerer answering from each site's own root and
// settings over two temporary roots, the default site taking every other name.

#include "serve/sites.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "config/config_loader.hpp"
#include "http/request_parser.hpp"
#include "http/status.hpp"
#include "serve/answerer.hpp"

namespace learnhttpd::serve::sites_test {
namespace {

namespace stdfs = std::filesystem;

TEST(HostNames, ExactNamesIgnoreCasePortAndFinalDot) {
  HostNames names;
  ASSERT_TRUE(names.add("a.example", 0));
  ASSERT_TRUE(names.add("b.example", 1));
  EXPECT_FALSE(names.add("a.example", 2));
  for (std::string_view host :
       {"a.example", "A.EXAMPLE", "a.example:8080", "a.example.", "A.Example.:443"}) {
    EXPECT_EQ(names.find(host), 0U) << host;
  }
  EXPECT_EQ(names.find("b.example"), 1U);
  for (std::string_view host : {"", "c.example", "a.example..", "xa.example", "a.example.x",
                                "[::1]", "[::1]:80", "a%2eexample", ":80", "."}) {
    EXPECT_EQ(names.find(host), std::nullopt) << host;
  }
  const std::string long_name(300, 'a');
  EXPECT_EQ(names.find(long_name), std::nullopt);
}

TEST(HostNames, AWildcardIsOneLabelAndAnExactNameWins) {
  HostNames names;
  names.add("*.example.org", 0);
  names.add("www.example.org", 1);
  EXPECT_EQ(names.find("a.example.org"), 0U);
  EXPECT_EQ(names.find("A.Example.Org:80"), 0U);
  EXPECT_EQ(names.find("www.example.org"), 1U);
  EXPECT_EQ(names.find("example.org"), std::nullopt);
  EXPECT_EQ(names.find("a.b.example.org"), std::nullopt);
  EXPECT_EQ(names.find(".example.org"), std::nullopt);
}

TEST(HostNames, WhatACertificateCovers) {
  const std::array<std::string, 2> names = {"a.example", "*.B.example"};
  EXPECT_TRUE(namesCover(names, "a.example"));
  EXPECT_TRUE(namesCover(names, "A.example:8443"));
  EXPECT_TRUE(namesCover(names, "x.b.example"));
  EXPECT_TRUE(namesCover(names, "x.b.example."));
  EXPECT_FALSE(namesCover(names, "b.example"));
  EXPECT_FALSE(namesCover(names, "y.x.b.example"));
  EXPECT_FALSE(namesCover(names, "c.example"));
  EXPECT_FALSE(namesCover(names, ""));
  EXPECT_FALSE(namesCover({}, "a.example"));
}

class SitesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (stdfs::temp_directory_path() / "lh-sites-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    for (const char* site : {"a", "b", "top"}) {
      stdfs::create_directories(base_ / site);
      std::ofstream(base_ / site / "who.txt") << site;
    }
    std::ofstream(base_ / "b" / "start.html") << "<p>b start</p>";
  }
  void TearDown() override {
    answerer_.reset();
    sites_.reset();
    files_.reset();
    stdfs::remove_all(base_);
  }

  void build(const std::string& yaml) {
    config_ = config::loadConfigString("document_root: " + (base_ / "top").string() + "\n" + yaml,
                                       "test.yaml");
    for (config::SiteConfig& site : config_.sites) {
      if (site.own_document_root) site.document_root = (base_ / site.document_root).string();
    }
    std::string error;
    files_ = std::make_unique<SiteFiles>();
    ASSERT_TRUE(SiteFiles::open(config_, *files_, error)) << error;
    sites_ = std::make_unique<Sites>(config_, *files_, counts_);
    answerer_ = std::make_unique<Answerer>(*sites_);
  }

  // The status and body of `raw`'s answer.
  std::pair<int, std::string> ask(const std::string& raw) {
    raw_ = raw;
    auto parsed = http::parse(raw_, http::ParseLimits{});
    auto* complete = std::get_if<http::Complete>(&parsed);
    EXPECT_NE(complete, nullptr) << raw_;
    if (complete == nullptr) return {};
    Response response;
    answerer_->answer(complete->request, response);
    std::string body;
    if (response.body == BodySource::File) {
      body = response.cached && response.cached->has_body ? response.cached->body : "";
      if (!response.cached) {
        body.resize(response.head.content_length);
        ssize_t n = ::pread(response.file.get(), body.data(), body.size(), 0);
        body.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
      }
    }
    return {http::code(response.head.status), body};
  }
  std::pair<int, std::string> get(const std::string& target, const std::string& host) {
    return ask("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
  }

  stdfs::path base_;
  config::Config config_;
  std::array<SiteCount, 4> counts_{};
  std::unique_ptr<SiteFiles> files_;
  std::unique_ptr<Sites> sites_;
  std::unique_ptr<Answerer> answerer_;
  std::string raw_;
};

TEST_F(SitesTest, EachHostGetsItsSiteAndEveryOtherNameTheDefault) {
  build(
      "sites:\n"
      "  - {names: [a.example, www.a.example], document_root: a}\n"
      "  - {names: '*.b.example', document_root: b, index: start.html, default: true}\n"
      "  - {names: top.example}\n");
  EXPECT_EQ(get("/who.txt", "a.example").second, "a");
  EXPECT_EQ(get("/who.txt", "WWW.A.Example.:8080").second, "a");
  EXPECT_EQ(get("/who.txt", "x.b.example").second, "b");
  EXPECT_EQ(get("/", "x.b.example"), (std::pair<int, std::string>{200, "<p>b start</p>"}));
  EXPECT_EQ(get("/", "a.example").first, 404) << "a's index is the top-level index.html";
  EXPECT_EQ(get("/who.txt", "top.example").second, "top");
  // Unknown names, names the wildcard does not cover, IP literals: the default site (b).
  for (std::string host : {"c.example", "b.example", "y.x.b.example", "127.0.0.1", "[::1]:80"}) {
    EXPECT_EQ(get("/who.txt", host).second, "b") << host;
  }
  // HTTP/1.0 without Host: the default site.
  EXPECT_EQ(ask("GET /who.txt HTTP/1.0\r\n\r\n").second, "b");
  // The absolute form's authority names the site, not the Host field (RFC 9112 section 3.2.2).
  EXPECT_EQ(ask("GET http://a.example/who.txt HTTP/1.1\r\nHost: top.example\r\n\r\n").second, "a");
  EXPECT_EQ(counts_[0].requests.load(), 4U);
  EXPECT_EQ(counts_[0].bytes.load(), 3U + http::errorBody(http::Status::NotFound).size())
      << "three bodies of one byte and the 404 page";
  EXPECT_EQ(counts_[1].requests.load(), 8U);
  EXPECT_EQ(counts_[2].requests.load(), 1U);
}

TEST_F(SitesTest, OneSiteAnswersEveryHost) {
  build("");
  EXPECT_EQ(sites_->size(), 1U);
  for (std::string host : {"a.example", "anything", "127.0.0.1:8080"}) {
    EXPECT_EQ(get("/who.txt", host).second, "top") << host;
  }
  EXPECT_EQ(counts_[0].requests.load(), 3U);
}

}  // namespace
}  // namespace learnhttpd::serve::sites_test
