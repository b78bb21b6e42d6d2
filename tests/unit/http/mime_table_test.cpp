// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "http/mime_table.hpp"

namespace learnhttpd::http {
namespace {

TEST(MimeTable, BuiltInTypes) {
  const MimeTable t;
  EXPECT_EQ(t.lookup("/index.html"), "text/html");
  EXPECT_EQ(t.lookup("/a.htm"), "text/html");
  EXPECT_EQ(t.lookup("/s.css"), "text/css");
  EXPECT_EQ(t.lookup("/app.js"), "application/javascript");
  EXPECT_EQ(t.lookup("/m.mjs"), "application/javascript");
  EXPECT_EQ(t.lookup("/p.jpg"), "image/jpeg");
  EXPECT_EQ(t.lookup("/p.jpeg"), "image/jpeg");
  EXPECT_EQ(t.lookup("/p.png"), "image/png");
  EXPECT_EQ(t.lookup("/p.gif"), "image/gif");
  EXPECT_EQ(t.lookup("/f.swf"), "application/x-shockwave-flash");
  EXPECT_EQ(t.lookup("/r.txt"), "text/plain");
  EXPECT_EQ(t.lookup("/d.json"), "application/json");
  EXPECT_EQ(t.lookup("/x.map"), "application/json");
  EXPECT_EQ(t.lookup("/w.wasm"), "application/wasm");
  EXPECT_EQ(t.lookup("/f.woff2"), "font/woff2");
  EXPECT_EQ(t.lookup("/s.mp3"), "audio/mpeg");
  EXPECT_EQ(t.lookup("/i.tiff"), "image/tiff");
  EXPECT_EQ(t.lookup("/site.webmanifest"), "application/manifest+json");
}

TEST(MimeTable, CaseInsensitive) {
  const MimeTable t;
  EXPECT_EQ(t.lookup("/PHOTO.JPG"), "image/jpeg");
  EXPECT_EQ(t.lookup("/Logo.PnG"), "image/png");
  EXPECT_EQ(t.lookup("/INDEX.HTML"), "text/html");
}

TEST(MimeTable, ExtensionOfTheLastSegmentOnly) {
  const MimeTable t;
  EXPECT_EQ(t.lookup("/dir.d/file"), "application/octet-stream");
  EXPECT_EQ(t.lookup("/dir.html/readme"), "application/octet-stream");
  EXPECT_EQ(t.lookup("/.hidden"), "application/octet-stream");
  EXPECT_EQ(t.lookup("/.config/a.css"), "text/css");
  EXPECT_EQ(t.lookup("/a.tar.gz"), "application/gzip");
  EXPECT_EQ(t.lookup("/trailing."), "application/octet-stream");
  EXPECT_EQ(t.lookup("plain.txt"), "text/plain");
}

TEST(MimeTable, UnknownAndMissing) {
  const MimeTable t;
  EXPECT_EQ(t.lookup("/Makefile"), "application/octet-stream");
  EXPECT_EQ(t.lookup("/a.unknownext"), "application/octet-stream");
  EXPECT_EQ(t.lookup("/"), "application/octet-stream");
  EXPECT_EQ(t.lookup(""), "application/octet-stream");
  EXPECT_EQ(t.lookup("/a." + std::string(40, 'x')), "application/octet-stream");
}

TEST(MimeTable, OverridesReplaceAndAdd) {
  const MimeTable t({{".TXT", "text/plain; charset=utf-8"},
                     {"yaml", "application/yaml"},
                     {".Foo", "application/x-foo"}});
  EXPECT_EQ(t.lookup("/r.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(t.lookup("/c.YAML"), "application/yaml");
  EXPECT_EQ(t.lookup("/x.foo"), "application/x-foo");
  EXPECT_EQ(t.lookup("/p.png"), "image/png");
  EXPECT_EQ(MimeTable().lookup("/c.yaml"), "application/octet-stream");
}

}  // namespace
}  // namespace learnhttpd::http
