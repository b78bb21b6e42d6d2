# SPDX-License-Identifier: MIT
"""check_prometheus_text.py fails on each defect promtool reports, and passes good text.
Run by Debian's python3 (it imports python3-prometheus-client)."""

import unittest

from check_prometheus_text import problems

GOOD = """\
# HELP app_requests_total Requests served.
# TYPE app_requests_total counter
app_requests_total{worker="0",generation="1"} 12
app_requests_total{worker="1",generation="1"} 3
# HELP app_connections_open Connections open now.
# TYPE app_connections_open gauge
app_connections_open{worker="0",path="a \\"quoted\\" \\\\ back\\nslash"} 0
# HELP app_start_time_seconds When it started.
# TYPE app_start_time_seconds gauge
app_start_time_seconds 1.7e+09 1700000000000
app_start_time_seconds{x="nan"} NaN
app_start_time_seconds{x="inf"} +Inf
"""


class CheckPrometheusText(unittest.TestCase):
    def assertFinds(self, text, fragment):
        found = problems(text)
        self.assertTrue(any(fragment in p for p in found), (fragment, found))

    def test_good_text_passes(self):
        self.assertEqual(problems(GOOD), [])

    def test_grammar(self):
        cases = {
            "a_total 1\n# TYPE a_total counter\n": "TYPE after its samples",
            "# TYPE a gauge\n# TYPE a gauge\na 1\n": "a second TYPE line",
            "# HELP a x\n# HELP a y\n# TYPE a gauge\na 1\n": "a second HELP line",
            "# HELP a x\n# TYPE a gauge\na 1\n# HELP b y\n# TYPE b gauge\nb 1\na 2\n":
                "not in one group",
            "# HELP a x\n# TYPE a gauge\na 1\na 2\n": "the same series twice",
            "# HELP a x\n# TYPE a gauge\na{l=\"1\"} 1\na{l=\"1\"} 2\n": "the same series twice",
            "# HELP a x\n# TYPE a gauge\na one\n": "expected a value",
            "# HELP a x\n# TYPE a gauge\na 1 2.5\n": "timestamp is not an integer",
            "# HELP a x\n# TYPE a gauge\na{l=\"\\x\"} 1\n": "invalid escape",
            "# HELP a x\n# TYPE a gauge\na{l=\"1} 1\n": "unterminated value",
            "# HELP a x\n# TYPE a gauge\na{1l=\"1\"} 1\n": "expected a label name",
            "# HELP a x\n# TYPE a gauge\na{l=\"1\",l=\"2\"} 1\n": "a label named twice",
            "# HELP a x\n# TYPE a gauge\na{__l=\"1\"} 1\n": "reserved",
            "# HELP a x\n# TYPE a gauge\na{l=1} 1\n": "expected =\"",
            "# HELP a x\n# TYPE a meter\na 1\n": "unknown type",
            "# HELP a x\n# TYPE a gauge\n1a 1\n": "not a sample",
            "# HELP a x\n# TYPE a gauge\na 1": "line feed",
            "": "no metric families",
        }
        for text, fragment in cases.items():
            with self.subTest(text=text):
                self.assertFinds(text, fragment)

    def test_promtool_lint_rules(self):
        cases = {
            "# TYPE a_total counter\na_total 1\n": "no help text",
            "# HELP a x\n# TYPE a counter\na 1\n": 'should have "_total" suffix',
            "# HELP a_total x\n# TYPE a_total gauge\na_total 1\n": 'should not have "_total"',
            "# HELP a_milliseconds x\n# TYPE a_milliseconds gauge\na_milliseconds 1\n":
                "base unit",
            "# HELP a_ms x\n# TYPE a_ms gauge\na_ms 1\n": "abbreviated units",
            "# HELP a_gauge x\n# TYPE a_gauge gauge\na_gauge 1\n": "include type",
            "# HELP a_count x\n# TYPE a_count gauge\na_count 1\n": '"_count" or "_sum"',
            "# HELP a_bucket x\n# TYPE a_bucket gauge\na_bucket 1\n": '"_bucket" suffix',
            "# HELP a:b x\n# TYPE a:b gauge\na:b 1\n": "':'",
            "# HELP aB x\n# TYPE aB gauge\naB 1\n": "snake_case",
            "# HELP a x\n# TYPE a gauge\na{lA=\"1\"} 1\n": "snake_case",
            "# HELP a x\n# TYPE a gauge\na{le=\"1\"} 1\n": "reserved for histograms",
        }
        for text, fragment in cases.items():
            with self.subTest(text=text):
                self.assertFinds(text, fragment)


if __name__ == "__main__":
    unittest.main()
