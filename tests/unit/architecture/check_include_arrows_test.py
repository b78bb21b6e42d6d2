# SPDX-License-Identifier: MIT
"""The include-arrow check: the real tree passes, and each kind of drift in a small synthetic
tree is caught with the file and line named."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import check_include_arrows as arrows

REPO = Path(__file__).resolve().parents[3]

DOC = """\
# map
<!-- include-arrows:begin -->
| folder | may include | why |
|---|---|---|
| `http` | — | pure |
| `net` | — | bottom |
| `fs` | `net/unique_fd.hpp` | one header |
| `worker` | `http`, `fs` | |
| `main.cpp` | `worker` | |
<!-- include-arrows:end -->
"""

FILES = {
    "src/http/parser.hpp": "#pragma once\n#include <string>\n",
    "src/net/unique_fd.hpp": "#pragma once\n",
    "src/net/socket.hpp": '#pragma once\n#include "net/unique_fd.hpp"\n',
    "src/fs/root.hpp": '#pragma once\n#include "net/unique_fd.hpp"\n',
    "src/worker/session.cpp": '#include "worker/session.hpp"\n#include "http/parser.hpp"\n'
                              '#include "fs/root.hpp"\n',
    "src/worker/session.hpp": "#pragma once\n",
    "src/main.cpp": '#include "worker/session.hpp"\n',
}


class RealTreeTest(unittest.TestCase):
    def test_src_matches_docs_architecture(self):
        self.assertEqual(arrows.check(REPO), [])

    def test_command_line(self):
        done = subprocess.run([sys.executable, arrows.__file__, str(REPO)],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)


class SyntheticTreeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="arrows-test-")
        self.repo = Path(self.tmp.name)
        for name, text in {**FILES, "docs/architecture.md": DOC}.items():
            path = self.repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        (self.repo / name).parent.mkdir(parents=True, exist_ok=True)
        (self.repo / name).write_text(text)

    def test_clean_tree_passes(self):
        self.assertEqual(arrows.check(self.repo), [])

    def test_new_arrow_fails_with_file_and_line(self):
        self.write("src/http/parser.cpp", '#include "http/parser.hpp"\n#include "net/socket.hpp"\n')
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("src/http/parser.cpp:2: http may not include \"net/socket.hpp\"", problems[0])

    def test_header_entry_allows_only_that_header(self):
        self.write("src/fs/root.cpp", '#include "fs/root.hpp"\n#include "net/socket.hpp"\n')
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("src/fs/root.cpp:2: fs may not include \"net/socket.hpp\"", problems[0])

    def test_stale_arrow_fails(self):
        self.write("src/main.cpp", "int main() {}\n")
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("main.cpp -> worker is allowed but no file uses it", problems[0])

    def test_folder_without_row_fails(self):
        self.write("src/tls/context.cpp", '#include "net/socket.hpp"\n')
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("src/tls: no row", problems[0])

    def test_missing_table_fails(self):
        self.write("docs/architecture.md", "# map without a table\n")
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1)
        self.assertIn("markers are missing", problems[0])

    def test_a_file_row_applies_to_that_file_alone(self):
        doc = DOC.replace("| `worker` | `http`, `fs` | |",
                          "| `worker` | `http`, `fs` | |\n| `worker/wire` | `<zlib>`, `net` | one file |")
        self.write("docs/architecture.md", doc)
        self.write("src/worker/wire.cpp", '#include <zlib.h>\n#include "net/socket.hpp"\n'
                                          '#include "worker/session.hpp"\n')
        self.assertEqual(arrows.check(self.repo), [])
        # The folder's row does not apply to the file, nor the file's to the folder.
        self.write("src/worker/wire.cpp", '#include <zlib.h>\n#include "net/socket.hpp"\n'
                                          '#include "http/parser.hpp"\n')
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("src/worker/wire.cpp:3: worker/wire may not include \"http/parser.hpp\"",
                      problems[0])

    def test_a_listed_library_is_only_for_its_rows(self):
        doc = DOC.replace("| `worker` | `http`, `fs` | |",
                          "| `worker` | `http`, `fs` | |\n| `worker/wire` | `<zlib>` | one file |")
        self.write("docs/architecture.md", doc)
        self.write("src/worker/wire.cpp", "#include <zlib.h>\n")
        self.write("src/fs/root.hpp", '#pragma once\n#include "net/unique_fd.hpp"\n'
                                      "#include <zlib.h>\n#include <string>\n")
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("src/fs/root.hpp:3: fs may not include <zlib>", problems[0])

    def test_a_row_for_a_missing_file_fails(self):
        doc = DOC.replace("| `worker` | `http`, `fs` | |",
                          "| `worker` | `http`, `fs` | |\n| `worker/gone` | `http` | |")
        self.write("docs/architecture.md", doc)
        problems = arrows.check(self.repo)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("the row worker/gone names no file", problems[0])

    def test_command_line_exit_code(self):
        self.write("src/net/socket.cpp", '#include "worker/session.hpp"\n')
        done = subprocess.run([sys.executable, arrows.__file__, str(self.repo)],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 1)
        self.assertIn("src/net/socket.cpp:1: net may not include", done.stderr)


if __name__ == "__main__":
    unittest.main()
