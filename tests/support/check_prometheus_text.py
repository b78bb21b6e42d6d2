#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Validates Prometheus' text exposition format (version 0.0.4) read on stdin: exits 0 when it
is well formed and lint-clean, else prints one problem per line and exits 1.

Two readers look at the text. Our own, line by line, holds it to the format's grammar as the
Prometheus documentation states it (names, label syntax and escapes, Go float values, integer
timestamps, at most one HELP and one TYPE per family and TYPE before the samples, each family
in one group, each series once) and to the naming rules `promtool check metrics` lints (HELP
present, "_total" on counters and only there, base units, no unit abbreviations, no type names
or ':' or camelCase in names, the histogram/summary suffixes and labels kept for those types).
Then Debian's python3-prometheus-client parser (laxer: its docstring says so) must read the
same families. It replaces promtool, whose Debian package brings the Prometheus server daemon.

Run it with /usr/bin/python3, the interpreter python3-prometheus-client installs for."""

import math
import re
import sys

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
# Go's strconv.ParseFloat as the format uses it: decimal or exponent forms, NaN and +-Inf.
FLOAT = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:nan|inf|infinity))$")
TIMESTAMP = re.compile(r"-?\d+$")
# Units that promtool wants as their base unit, and abbreviations it wants spelled out.
NON_BASE_UNITS = {
    "nanoseconds": "seconds", "microseconds": "seconds", "milliseconds": "seconds",
    "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
    "kilobytes": "bytes", "megabytes": "bytes", "gigabytes": "bytes", "terabytes": "bytes",
    "kibibytes": "bytes", "mebibytes": "bytes", "gibibytes": "bytes", "bits": "bytes",
    "percent": "ratio", "percents": "ratio",
}
ABBREVIATIONS = {"ms", "us", "ns", "sec", "secs", "min", "mins", "hr", "hrs", "kb", "mb", "gb",
                 "kib", "mib", "gib", "pct"}
TYPE_WORDS = ("counter", "gauge", "histogram", "summary", "untyped")


class Family:
    def __init__(self, name, line):
        self.name = name
        self.first_line = line
        self.help = None
        self.type = None
        self.samples = 0


def _parse_labels(text, pos, lineno, problems):
    """Parses '{a="x",b="y"}' starting at text[pos] == '{'; returns (labels, next position) or
    (None, _) after recording a problem."""
    labels = []
    pos += 1
    while True:
        if pos < len(text) and text[pos] == "}":
            return labels, pos + 1
        match = LABEL_NAME.match(text, pos)
        if not match:
            problems.append(f"line {lineno}: expected a label name at column {pos + 1}")
            return None, pos
        name = match.group()
        pos = match.end()
        if not text.startswith('="', pos):
            problems.append(f"line {lineno}: expected =\" after label {name}")
            return None, pos
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                problems.append(f"line {lineno}: label {name}: unterminated value")
                return None, pos
            char = text[pos]
            if char == "\\":
                escaped = text[pos + 1:pos + 2]
                if escaped not in ("\\", '"', "n"):
                    problems.append(f"line {lineno}: label {name}: invalid escape \\{escaped}")
                    return None, pos
                value.append({"n": "\n"}.get(escaped, escaped))
                pos += 2
            elif char == '"':
                pos += 1
                break
            elif char == "\n":
                problems.append(f"line {lineno}: label {name}: raw newline in value")
                return None, pos
            else:
                value.append(char)
                pos += 1
        labels.append((name, "".join(value)))
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "}":
            problems.append(f"line {lineno}: expected , or }} after label {name}")
            return None, pos


def _family_of(sample_name, families_by_name, current):
    """The family a sample belongs to: its own name, or a histogram/summary base name."""
    if current is not None:
        allowed = {current.name}
        if current.type == "histogram":
            allowed |= {current.name + s for s in ("_bucket", "_sum", "_count")}
        if current.type == "summary":
            allowed |= {current.name + s for s in ("_sum", "_count")}
        if sample_name in allowed:
            return current
    return families_by_name.get(sample_name)


def check_grammar(text):
    """Problems with the format itself, and the families in order."""
    problems = []
    families = []
    by_name = {}
    current = None
    series = set()
    if text and not text.endswith("\n"):
        problems.append("the last line does not end with a line feed")
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.strip() == "":
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) < 2 or parts[1] not in ("HELP", "TYPE"):
                continue
            if len(parts) < 3 or not METRIC_NAME.fullmatch(parts[2]):
                problems.append(f"line {lineno}: {parts[1]} without a valid metric name")
                continue
            name = parts[2]
            family = by_name.get(name)
            if family is None:
                family = by_name[name] = Family(name, lineno)
                families.append(family)
            elif family is not current:
                problems.append(f"line {lineno}: {name}: its lines are not in one group")
            current = family
            if parts[1] == "HELP":
                if family.help is not None:
                    problems.append(f"line {lineno}: {name}: a second HELP line")
                family.help = parts[3] if len(parts) == 4 else ""
                if re.search(r"\\[^\\n]", family.help):
                    problems.append(f"line {lineno}: {name}: invalid escape in HELP")
            else:
                kind = parts[3].strip() if len(parts) == 4 else ""
                if kind not in TYPES:
                    problems.append(f"line {lineno}: {name}: unknown type '{kind}'")
                if family.type is not None:
                    problems.append(f"line {lineno}: {name}: a second TYPE line")
                if family.samples:
                    problems.append(f"line {lineno}: {name}: TYPE after its samples")
                family.type = kind
            continue
        match = METRIC_NAME.match(line)
        if not match:
            problems.append(f"line {lineno}: not a sample, HELP, TYPE or comment: {line!r}")
            continue
        name = match.group()
        pos = match.end()
        labels = []
        if pos < len(line) and line[pos] == "{":
            labels, pos = _parse_labels(line, pos, lineno, problems)
            if labels is None:
                continue
        names = [label for label, _ in labels]
        if len(set(names)) != len(names):
            problems.append(f"line {lineno}: {name}: a label named twice")
        if any(label.startswith("__") for label in names):
            problems.append(f"line {lineno}: {name}: label names starting with __ are reserved")
        rest = line[pos:]
        if not rest.startswith(" "):
            problems.append(f"line {lineno}: {name}: expected a space before the value")
            continue
        fields = rest.split()
        if not 1 <= len(fields) <= 2 or not FLOAT.match(fields[0]):
            problems.append(f"line {lineno}: {name}: expected a value and an optional "
                            f"timestamp, got {rest.strip()!r}")
            continue
        if len(fields) == 2 and not TIMESTAMP.match(fields[1]):
            problems.append(f"line {lineno}: {name}: the timestamp is not an integer")
        family = _family_of(name, by_name, current)
        if family is None:
            family = by_name[name] = Family(name, lineno)
            families.append(family)
        elif family is not current:
            problems.append(f"line {lineno}: {name}: its lines are not in one group")
        current = family
        family.samples += 1
        key = (name, tuple(sorted(labels)))
        if key in series:
            problems.append(f"line {lineno}: {name}{dict(labels)}: the same series twice")
        series.add(key)
        if name == family.name and family.type == "histogram":
            problems.append(f"line {lineno}: {name}: a histogram sample needs a suffix")
        if "le" in names and family.type != "histogram":
            problems.append(f"line {lineno}: {name}: label 'le' is reserved for histograms")
        if "quantile" in names and family.type != "summary":
            problems.append(f"line {lineno}: {name}: label 'quantile' is reserved for summaries")
        if any(c.isupper() for label in names for c in label):
            problems.append(f"line {lineno}: {name}: label names should be snake_case")
    return problems, families


def check_lint(families):
    """The naming rules `promtool check metrics` applies to each family."""
    problems = []
    for family in families:
        name, kind = family.name, family.type or "untyped"
        words = name.split("_")

        def report(text):
            problems.append(f"{name}: {text}")

        if not family.help:
            report("no help text")
        if kind == "counter" and not name.endswith("_total"):
            report('counter metrics should have "_total" suffix')
        if kind not in ("counter", "untyped") and name.endswith("_total"):
            report('non-counter metrics should not have "_total" suffix')
        for word in words:
            if word in NON_BASE_UNITS:
                report(f"use base unit {NON_BASE_UNITS[word]!r} instead of {word!r}")
            if word in ABBREVIATIONS:
                report(f"metric names should not contain abbreviated units ({word!r})")
            if word in TYPE_WORDS:
                report(f"metric name should not include type {word!r}")
        if kind != "histogram" and name.endswith("_bucket"):
            report('non-histogram metrics should not have "_bucket" suffix')
        if kind not in ("histogram", "summary") and (name.endswith("_count")
                                                     or name.endswith("_sum")):
            report('non-histogram and non-summary metrics should not have "_count" or "_sum" '
                   "suffix")
        if ":" in name:
            report("metric names should not contain ':'")
        if any(c.isupper() for c in name):
            report("metric names should be written in 'snake_case' not 'camelCase'")
    return problems


def check_with_client_library(text, families):
    """Debian's python3-prometheus-client must read the same families."""
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        return ["python3-prometheus-client is not installed "
                "(packaging/install-deps.sh test installs it)"]
    try:
        parsed = list(text_string_to_metric_families(text))
    except ValueError as e:
        return [f"prometheus_client cannot parse it: {e}"]
    samples = sum(len(f.samples) for f in parsed)
    expected = sum(f.samples for f in families)
    if samples != expected:
        return [f"prometheus_client read {samples} samples, this check {expected}"]
    if any(math.isnan(s.value) for f in parsed for s in f.samples if s.name.endswith("_total")):
        return ["a counter is NaN"]
    return []


def problems(text):
    grammar, families = check_grammar(text)
    if grammar:
        return grammar
    if not families:
        return ["no metric families"]
    return check_lint(families) + check_with_client_library(text, families)


if __name__ == "__main__":
    data = sys.stdin.buffer.read()
    try:
        found = problems(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        found = [f"not UTF-8: {e}"]
    for problem in found:
        print(problem)
    sys.exit(1 if found else 0)
