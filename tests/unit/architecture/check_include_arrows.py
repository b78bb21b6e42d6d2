#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks every `#include "folder/..."` under src/ against the include-arrow table of
docs/architecture.md (between the include-arrows:begin/end markers).

A row names a folder ("protocol") or one file of a folder by its stem ("protocol/http2_session",
its .hpp and .cpp): a file's own row, when it has one, is the only one that applies to it. An
entry in angle brackets ("<nghttp2>") is a third-party library: once any row lists it, only the
files of those rows may include it (`#include <nghttp2/...>` or `<nghttp2.h>`); libraries no row
lists are not checked.

Fails, naming file and line, on an include the table does not allow, on a folder of src/ the
table has no row for, and on an allowed arrow that no file uses any more (so the page stays
true). Usage: check_include_arrows.py [REPO]  (default: the repository this file is in).
"""

import re
import sys
from pathlib import Path

DOC = Path("docs/architecture.md")
BEGIN, END = "<!-- include-arrows:begin -->", "<!-- include-arrows:end -->"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/([^"]+)"')
LIBRARY = re.compile(r'^\s*#\s*include\s+<([A-Za-z0-9_+.-]+?)(?:\.h|\.hpp)?(?:/[^>]*)?>')
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}


class DocError(Exception):
    pass


def parse_arrows(doc_text):
    """{folder: set of allowed entries}; an entry is a folder ("net") or a header
    ("net/socket.hpp")."""
    if BEGIN not in doc_text or END not in doc_text:
        raise DocError(f"{DOC}: the {BEGIN} ... {END} markers are missing")
    table = doc_text.split(BEGIN, 1)[1].split(END, 1)[0]
    arrows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[0] in ("folder", "") or set(cells[0]) <= {"-", ":"}:
            continue
        folder = cells[0].strip("`")
        if folder in arrows:
            raise DocError(f"{DOC}: two rows for {folder}")
        allowed = set(re.findall(r"`([^`]+)`", cells[1]))
        arrows[folder] = allowed
    if not arrows:
        raise DocError(f"{DOC}: the include-arrow table has no rows")
    return arrows


def folder_of(src, path):
    """The folder a source file is in under src/, or its name at the top."""
    rel = path.relative_to(src)
    return rel.parts[0] if len(rel.parts) > 1 else rel.name


def owner(src, path, rows=()):
    """The row a source file belongs to: its own ("folder/stem") when the table has one, else
    its folder's."""
    rel = path.relative_to(src)
    if len(rel.parts) > 1:
        own = f"{rel.parts[0]}/{path.stem}"
        if own in rows:
            return own
    return folder_of(src, path)


def scan(src, rows=(), libraries=frozenset()):
    """[(file, line number, owner, included folder or library, included header)] for every
    include of another folder of src/, and of a tracked third-party library ("<name>")."""
    folders = {p.name for p in src.iterdir() if p.is_dir()}
    found = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        me = owner(src, path, rows)
        mine = folder_of(src, path)
        for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(text)
            if match and match.group(1) in folders and match.group(1) != mine:
                found.append((path, number, me, match.group(1),
                              f"{match.group(1)}/{match.group(2)}"))
                continue
            library = LIBRARY.match(text)
            if library and f"<{library.group(1)}>" in libraries:
                name = f"<{library.group(1)}>"
                found.append((path, number, me, name, name))
    return found


def check(repo):
    """A list of problems, empty when the tree and the table agree."""
    repo = Path(repo)
    src = repo / "src"
    try:
        arrows = parse_arrows((repo / DOC).read_text())
    except (OSError, DocError) as error:
        return [str(error)]
    problems = []
    owners = {p.name for p in src.iterdir() if p.is_dir()}
    owners |= {p.name for p in src.iterdir() if p.is_file() and p.suffix in SOURCE_SUFFIXES}
    for name in sorted(owners - arrows.keys()):
        problems.append(f"src/{name}: no row in the include-arrow table of {DOC}; add one")
    for row in sorted(row for row in arrows if "/" in row):
        folder, stem = row.split("/", 1)
        if any((src / folder).glob(stem + ".*")):
            owners.add(row)
        else:
            problems.append(f"{DOC}: the row {row} names no file src/{row}.*; remove it")
    libraries = {entry for allowed in arrows.values() for entry in allowed
                 if entry.startswith("<")}
    used = set()
    for path, number, me, folder, header in scan(src, arrows.keys(), libraries):
        allowed = arrows.get(me, set())
        if folder in allowed:
            used.add((me, folder))
        elif header in allowed:
            used.add((me, header))
        elif me in arrows:
            shown = header if header.startswith("<") else f'"{header}"'
            problems.append(f"{path.relative_to(repo)}:{number}: {me} may not include "
                            f"{shown} ({DOC}, include arrows); change the code, or the "
                            f"table with a reason")
    for me in sorted(arrows.keys() & owners):
        for entry in sorted(arrows[me]):
            if (me, entry) not in used:
                problems.append(f"{DOC}: the arrow {me} -> {entry} is allowed but no file uses "
                                f"it; remove it so the map stays true")
    return problems


def main(argv):
    repo = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[3]
    problems = check(repo)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"include arrows: src/ matches {DOC}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
