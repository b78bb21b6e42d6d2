// Runs every request of corpus/ (NAME.req raw bytes + NAME.expect) through parse(), whole and
// split at every byte offset.
//
// NAME.expect: first line "complete", "needmore" or a status code; for "complete", further
// "key=value" lines name Request fields to check (\xHH and \t escapes allowed). "consumed"
// defaults to the size of the .req file.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "http/request_parser.hpp"

namespace learnhttpd::http {
namespace {

namespace fs = std::filesystem;

struct CorpusCase {
  std::string name;
  std::string bytes;
  std::string outcome;  // "complete", "needmore" or a status code
  std::map<std::string, std::string> fields;
};

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == 't') {
      out.push_back('\t');
      ++i;
    } else if (v[i] == '\\' && i + 3 < v.size() && v[i + 1] == 'x') {
      unsigned value = 0;
      std::from_chars(v.data() + i + 2, v.data() + i + 4, value, 16);
      out.push_back(static_cast<char>(value));
      i += 3;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

CorpusCase loadCase(const fs::path& req) {
  CorpusCase c;
  c.name = req.stem().string();
  c.bytes = readFile(req);
  fs::path expect = req;
  expect.replace_extension(".expect");
  std::istringstream lines(readFile(expect));
  std::getline(lines, c.outcome);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) c.fields[line.substr(0, eq)] = unescape(line.substr(eq + 1));
  }
  if (!c.fields.contains("consumed")) c.fields["consumed"] = std::to_string(c.bytes.size());
  return c;
}

std::vector<CorpusCase> loadCorpus() {
  std::vector<CorpusCase> cases;
  for (const auto& entry : fs::directory_iterator(LH_HTTP_CORPUS_DIR)) {
    if (entry.path().extension() == ".req") cases.push_back(loadCase(entry.path()));
  }
  std::sort(cases.begin(), cases.end(),
            [](const CorpusCase& a, const CorpusCase& b) { return a.name < b.name; });
  return cases;
}

std::string methodName(Method m) {
  switch (m) {
    case Method::Get:
      return "GET";
    case Method::Head:
      return "HEAD";
    case Method::Options:
      return "OPTIONS";
    case Method::Other:
      return "OTHER";
  }
  return "?";
}

std::string connectionName(ConnectionOption c) {
  switch (c) {
    case ConnectionOption::Unspecified:
      return "none";
    case ConnectionOption::Close:
      return "close";
    case ConnectionOption::KeepAlive:
      return "keep-alive";
  }
  return "?";
}

// Every If-None-Match line, joined by '|'.
std::string joinLines(const FieldLines& list) {
  std::string out;
  for (std::size_t i = 0; i < list.count; ++i) {
    if (i > 0) out += '|';
    out += list.lines[i];
  }
  return out;
}

// The Request fields in the corpus vocabulary, so that expectations compare as text.
std::map<std::string, std::string> describe(const Complete& c) {
  const Request& r = c.request;
  return {
      {"consumed", std::to_string(c.consumed)},
      {"method", methodName(r.method)},
      {"method_text", std::string(r.method_text)},
      {"target", std::string(r.target)},
      {"minor", std::to_string(r.version_minor)},
      {"host", std::string(r.host)},
      {"has_host", r.has_host ? "true" : "false"},
      {"connection", connectionName(r.connection)},
      {"user_agent", std::string(r.user_agent)},
      {"referer", std::string(r.referer)},
      {"if_modified_since", std::string(r.if_modified_since)},
      {"content_length", std::to_string(r.content_length)},
      {"chunked", r.chunked ? "true" : "false"},
      {"if_none_match", joinLines(r.if_none_match)},
      {"range", std::string(r.range)},
      {"if_range", std::string(r.if_range)},
  };
}

std::string outcomeOf(const ParseResult& r) {
  if (std::holds_alternative<Complete>(r)) return "complete";
  if (std::holds_alternative<NeedMore>(r)) return "needmore";
  return std::to_string(code(std::get<ParseError>(r).status));
}

// Parses a private copy of exactly `n` bytes, so that ASan flags any read past the end.
ParseResult parsePrefix(const std::string& bytes, std::size_t n) {
  auto copy = std::make_unique<char[]>(std::max<std::size_t>(n, 1));
  std::copy_n(bytes.data(), n, copy.get());
  ParseResult r = parse(std::string_view(copy.get(), n), ParseLimits{});
  // The views would dangle once `copy` dies; re-parse the original for the caller.
  if (std::holds_alternative<Complete>(r)) return parse(std::string_view(bytes).substr(0, n), {});
  return r;
}

class CorpusTest : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(CorpusTest, WholeBufferGivesExpectedOutcome) {
  const CorpusCase& c = GetParam();
  const ParseResult r = parsePrefix(c.bytes, c.bytes.size());
  ASSERT_EQ(outcomeOf(r), c.outcome);
  if (c.outcome != "complete") return;
  const auto actual = describe(std::get<Complete>(r));
  for (const auto& [key, want] : c.fields) {
    ASSERT_TRUE(actual.contains(key)) << "unknown key in .expect: " << key;
    EXPECT_EQ(actual.at(key), want) << key;
  }
}

TEST_P(CorpusTest, EveryPrefixNeedsMoreOrFailsTheSameWay) {
  const CorpusCase& c = GetParam();
  const ParseResult whole = parse(c.bytes, ParseLimits{});
  const std::size_t consumed =
      std::holds_alternative<Complete>(whole) ? std::get<Complete>(whole).consumed : c.bytes.size();
  for (std::size_t k = 0; k < c.bytes.size(); ++k) {
    const ParseResult r = parsePrefix(c.bytes, k);
    const std::string got = outcomeOf(r);
    if (k < consumed) {
      // A prefix may only need more bytes or fail with the status of the whole request.
      EXPECT_TRUE(got == "needmore" || got == c.outcome) << "prefix " << k << " gave " << got;
    } else {
      // Past the end of the first head (pipelining, a body) the first request is already whole.
      ASSERT_EQ(got, "complete") << "prefix " << k;
      EXPECT_EQ(describe(std::get<Complete>(r)), describe(std::get<Complete>(whole)));
    }
  }
}

std::string caseName(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string n = info.param.name;
  const auto not_alnum = [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); };
  std::replace_if(n.begin(), n.end(), not_alnum, '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusTest, ::testing::ValuesIn(loadCorpus()), caseName);

TEST(CorpusSanity, HasEnoughCasesOfEveryKind) {
  const auto cases = loadCorpus();
  EXPECT_GE(cases.size(), 30U);
  std::map<std::string, int> by_outcome;
  for (const auto& c : cases) ++by_outcome[c.outcome];
  for (const char* o : {"complete", "needmore", "400", "414", "431", "501", "505"}) {
    EXPECT_GT(by_outcome[o], 0) << o;
  }
}

}  // namespace
}  // namespace learnhttpd::http
