// SPDX-License-Identifier: MIT
#include "serve/cors.hpp"

#include <algorithm>

namespace learnhttpd::serve {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

bool sameOrigin(std::string_view a, std::string_view lower) noexcept {
  return a.size() == lower.size() &&
         std::equal(a.begin(), a.end(), lower.begin(), [](char c, char l) {
           return (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == l;
         });
}

constexpr std::string_view kVaryOrigin = "Vary: Origin\r\n";

}  // namespace

CorsRule::CorsRule(const config::CorsRuleConfig& rule)
    : prefix_(rule.path), names_(rule.origins), any_(rule.any_origin), always_(rule.always) {
  for (const std::string& origin : rule.origins) {
    origins_.push_back("Access-Control-Allow-Origin: " + origin + "\r\n");
  }
  if (rule.credentials) credentials_ = "Access-Control-Allow-Credentials: true\r\n";
  preflight_ = "Access-Control-Allow-Methods: " + joined(rule.methods) + "\r\n";
  if (!rule.headers.empty()) {
    preflight_ += "Access-Control-Allow-Headers: " + joined(rule.headers) + "\r\n";
  }
  if (rule.max_age.count() > 0) {
    preflight_ += "Access-Control-Max-Age: " + std::to_string(rule.max_age.count() / 1000) + "\r\n";
  }
}

const std::string* CorsRule::match(std::string_view origin) const noexcept {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (sameOrigin(origin, names_[i])) return &origins_[i];
  }
  return nullptr;
}

void CorsRule::appendAnswerFields(std::string_view origin, std::string& out) const {
  if (any_) {
    // The same answer for every origin: no Vary needed (Fetch standard, CORS protocol).
    if (!origin.empty()) out += "Access-Control-Allow-Origin: *\r\n";
    return;
  }
  if (const std::string* allowed = origin.empty() ? nullptr : match(origin)) {
    out += *allowed;
    out += credentials_;
  }
  out += kVaryOrigin;  // with or without the fields, the answer depends on Origin
}

bool CorsRule::appendPreflightFields(std::string_view origin, std::string& out) const {
  if (any_) {
    out += "Access-Control-Allow-Origin: *\r\n";
    out += preflight_;
    return true;
  }
  const std::string* allowed = match(origin);
  if (allowed != nullptr) {
    out += *allowed;
    out += credentials_;
    out += preflight_;
  }
  out += kVaryOrigin;
  return allowed != nullptr;
}

}  // namespace learnhttpd::serve
