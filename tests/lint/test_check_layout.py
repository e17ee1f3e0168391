"""Unit tests of check_layout.py on made-up files (the real tree is checked by deploy/test.sh)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import check_layout  # noqa: E402


def problems(path, text, files=()):
    return check_layout.comment_problems(path, text, set(files))


def test_cpp_comments_skip_string_literals():
    text = ('auto s = "// not a comment #12";\n'
            "char c = '\"';  // a comment\n"
            "/* block\n   line two */ int x = 1'000;\n"
            'auto r = R"x(// raw, not a comment)x";  // last\n')
    assert check_layout.c_comments(text) == [(2, " a comment"), (3, " block"), (4, "   line two "), (5, " last")]


def test_python_comments_and_docstrings():
    text = '"""Module doc."""\nx = "# not a comment"  # real\n\ndef f():\n    """Doc\n    two."""\n'
    assert sorted(check_layout.python_comments(text)) == [(1, "Module doc."), (2, " real"), (5, "Doc"),
                                                          (6, "    two.")]


def test_outside_documents_are_reported():
    for comment in ["see design.md", "as in ../shared/notes", "reference § 4.2", "sidecar-anchors list",
                    "handoff.md says", "Issue 4: inactivity", "fixed in #123", "issues 3 and 4"]:
        found = problems("pkg/a/a.cpp", f"int x;  // {comment}\n")
        assert len(found) == 1 and found[0].startswith("pkg/a/a.cpp:1: comment refers to"), comment


def test_ordinary_comments_pass():
    for comment in ["RFC 9112 §2.3", "api/handoff.md", "T81:4:from,3:seq,1:0#4:code,3:200#}", "&#39; entity",
                    "index #", "see README.md", "the handoff packet"]:
        assert problems("pkg/a/a.cpp", f"int x;  // {comment}\n", ["README.md", "api/handoff.md"]) == [], comment


def test_markdown_paths_must_exist_in_the_repository():
    files = ["README.md", "tests/bench/README.md", "api/zhttp.md"]
    assert problems("cmd/t/main.cpp", "// tests/bench/README.md\n", files) == []
    assert problems("tests/bench/bench.py", "# see README.md\n", files) == []
    assert problems("pkg/z/parse.cpp", "// api/zhttp.md, and https://example.org/x/design.txt\n", files) == []
    assert problems("pkg/z/parse.cpp", "// api/missing.md\n", files) == [
        "pkg/z/parse.cpp:1: comment names api/missing.md, which is not in the repository"]
    assert problems("pkg/z/parse.cpp", "// see https://example.org/notes.md\n", files) == []


def test_strings_in_code_are_not_comments():
    assert problems("tests/t.py", 'x = "design.md #12 Issue 4"\n') == []
    assert problems("pkg/a.cpp", 'const char* s = "design.md";\n') == []


README = """# x

## Layout

| path | what |
| --- | --- |
| `cmd/zedge` | the binary |
| `pkg/a`, `pkg/b` | cores; `pkg/c` in this column does not count |
| `tests/pkg` | unit tests |
| `docs/` | docs |

## Next
| `pkg/c` | not the layout table |
"""


def test_layout_table_names_every_folder():
    files = ["cmd/zedge/main.cpp", "pkg/a/a.cpp", "pkg/b/b.cpp", "pkg/CMakeLists.txt", "tests/pkg/a_test.cpp",
             "docs/x.md", "README.md", ".ci/run"]
    assert check_layout.layout_problems(files, README) == []
    missing = files + ["pkg/c/c.cpp", "tests/lint/x.py", "helm/Chart.yaml"]
    assert check_layout.layout_problems(missing, README) == [
        "README.md: the Layout table does not name helm/",
        "README.md: the Layout table does not name pkg/c/",
        "README.md: the Layout table does not name tests/lint/",
    ]


def test_long_pkg_files_fail_the_whole_check(tmp_path):
    for path, lines in [("pkg/a/long.cpp", 501), ("pkg/a/ok.cpp", 500), ("tests/long.py", 900)]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x\n" * lines)
    (tmp_path / "README.md").write_text("## Layout\n| `pkg/a` | a |\n| `tests/` | t |\n")
    result = subprocess.run([sys.executable, check_layout.__file__, "--root", str(tmp_path)], capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["pkg/a/long.cpp: 501 lines, more than 500: split it",
                                          "check_layout.py: 1 problem(s)"]
