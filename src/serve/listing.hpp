// SPDX-License-Identifier: MIT
#pragma once
// Directory listings (config listing): the document made from a directory's entries, in HTML
// for people or JSON for programs. Every name is escaped for where it stands -- HTML text and
// attribute (http::appendHtmlText), JSON string (http::appendJsonString) -- and linked by its
// percent-encoded form (http::appendEncodedSegment), so a file named "\"><script>..." is shown
// as those characters and links to itself. Directories first, then by name (bytewise), each
// with its size and modification time (UTC). Pure: the entries come from fs::listDirectory.

#include <cstdint>
#include <string>
#include <string_view>

#include "fs/directory_listing.hpp"
#include "http/request.hpp"

namespace learnhttpd::serve {

enum class ListingFormat { Html, Json };

// JSON when the query has format=json, or Accept names application/json and not text/html (a
// browser's Accept names text/html); HTML otherwise.
ListingFormat listingFormat(const http::Request& request) noexcept;

// Sorts the entries: directories first, then by name.
void sortListing(fs::DirectoryListing& listing);

// The document for the directory `decoded_path` (ending with '/'); `max_entries` is named in
// the line that says the list was cut short.
std::string renderListing(ListingFormat format, std::string_view decoded_path,
                          const fs::DirectoryListing& listing, std::size_t max_entries);

// A digest of everything the document shows (the directory's change time, every entry's name,
// kind, size and time, whether it was cut short): its entity tag changes when the listing would.
std::uint64_t listingDigest(const fs::DirectoryListing& listing) noexcept;
// The newest of the directory's and its entries' modification times: its Last-Modified.
std::time_t listingModified(const fs::DirectoryListing& listing) noexcept;

}  // namespace learnhttpd::serve
