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

// charset: text/*, JavaScript, JSON, XML and the +json / +xml types; nothing else.
TEST(MimeTable, CharsetGoesOnTheTextualTypes) {
  const MimeTable t({}, "utf-8");
  for (std::string_view name : {"/a.html", "/a.htm", "/a.css", "/a.txt", "/a.csv", "/a.md"}) {
    EXPECT_EQ(t.lookup(name), std::string(MimeTable().lookup(name)) + "; charset=utf-8") << name;
  }
  EXPECT_EQ(t.lookup("/a.js"), "application/javascript; charset=utf-8");
  EXPECT_EQ(t.lookup("/a.mjs"), "application/javascript; charset=utf-8");
  EXPECT_EQ(t.lookup("/a.json"), "application/json; charset=utf-8");
  EXPECT_EQ(t.lookup("/a.js.map"), "application/json; charset=utf-8");
  EXPECT_EQ(t.lookup("/a.xml"), "application/xml; charset=utf-8");
  EXPECT_EQ(t.lookup("/a.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(t.lookup("/a.webmanifest"), "application/manifest+json; charset=utf-8");
  for (std::string_view name : {"/a.png", "/a.wasm", "/a.woff2", "/a.pdf", "/a.gz", "/a.mp4",
                                "/a.swf", "/Makefile", "/a.unknownext"}) {
    EXPECT_EQ(t.lookup(name), MimeTable().lookup(name)) << name;
  }
}

TEST(MimeTable, CharsetOnOverridesByTheirTypeUnlessTheyNameOne) {
  const MimeTable t({{".md", "text/markdown; charset=iso-8859-1"},
                     {".csv", "TEXT/CSV;Charset=\"UTF-16\""},
                     {".ics", "Text/Calendar"},
                     {".flow", "text/plain; format=flowed"},
                     {".jsonld", "application/ld+json"},
                     {".rss", "application/RSS+XML"},
                     {".geo", "application/geo+json-seq"},
                     {".ecma", "application/ecmascript"},
                     {".wasm", "application/wasm"}},
                    "UTF-8");
  EXPECT_EQ(t.lookup("/a.md"), "text/markdown; charset=iso-8859-1");
  EXPECT_EQ(t.lookup("/a.csv"), "TEXT/CSV;Charset=\"UTF-16\"");
  EXPECT_EQ(t.lookup("/a.ics"), "Text/Calendar; charset=UTF-8");
  EXPECT_EQ(t.lookup("/a.flow"), "text/plain; format=flowed; charset=UTF-8");
  EXPECT_EQ(t.lookup("/a.jsonld"), "application/ld+json; charset=UTF-8");
  EXPECT_EQ(t.lookup("/a.rss"), "application/RSS+XML; charset=UTF-8");
  EXPECT_EQ(t.lookup("/a.geo"), "application/geo+json-seq");  // +json-seq is no JSON document
  EXPECT_EQ(t.lookup("/a.ecma"), "application/ecmascript");   // not in the list
  EXPECT_EQ(t.lookup("/a.wasm"), "application/wasm");
}

TEST(MimeTable, WithoutACharsetTypesAreAsWritten) {
  const MimeTable t({{".jsonld", "application/ld+json"}}, "");
  EXPECT_EQ(t.lookup("/a.html"), "text/html");
  EXPECT_EQ(t.lookup("/a.jsonld"), "application/ld+json");
}

}  // namespace
}  // namespace learnhttpd::http
