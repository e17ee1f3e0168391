#!/usr/bin/python3
"""Layout lint for the tree: file sizes, comments and the README's layout table.

Fails (exit 1, one line a problem) when
  - a file in pkg/ has more than MAX_PKG_LINES lines;
  - a comment in pkg/, cmd/ or tests/ points at a document that is not in the repository
    (EXTERNAL_REFERENCES below), or names a Markdown file that does not exist here;
  - a top-level folder, or a folder of pkg/ or tests/, is missing from the first column of
    the Layout table in README.md.
Usage: /usr/bin/python3 tests/lint/check_layout.py [--root DIR]
Run by deploy/test.sh before the builds; tests/lint/test_check_layout.py tests it.
"""

import argparse
import ast
import io
import os
import re
import subprocess
import sys
import tokenize

MAX_PKG_LINES = 500
COMMENT_DIRS = ("pkg", "cmd", "tests")
LISTED_SUBDIRS = ("pkg", "tests")  # each of their folders must be in the layout table

# (what it means, pattern) for comment text that refers to something outside the repository.
EXTERNAL_REFERENCES = [
    ("a design document outside the repository", re.compile(r"\bdesign\.md\b")),
    ("a path outside the repository", re.compile(r"\.\./shared\b")),
    ("a section of an outside reference", re.compile(r"\breference\s*§")),
    ("notes outside the repository", re.compile(r"sidecar-anchors")),
    ("a handoff note outside the repository", re.compile(r"(?<!api/)\bhandoff\.md\b")),
    ("an issue of the tracker", re.compile(r"\b[Ii]ssues?\s+#?[0-9]")),
    ("an issue or pull-request number", re.compile(r"(?<![\w#&/])#[0-9]+\b")),
]
MARKDOWN_PATH = re.compile(r"(?<![\w./-])([\w.-][\w./-]*\.md)\b")

C_LIKE = {".cpp", ".hpp", ".cc", ".h", ".c", ".js", ".go"}
HASH_COMMENTS = {".sh", ".cmake", ".yaml", ".yml", ".supp"}


def tracked_files(root):
    """Paths relative to root, '/'-separated: when root is a git checkout, the files git tracks
    or would (not the ignored ones); else every file of the tree but hidden and build folders."""
    try:
        top = subprocess.run(["git", "-C", root, "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                             check=True).stdout.strip()
        if os.path.realpath(top) == os.path.realpath(root):
            out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                 capture_output=True, check=True).stdout
            return sorted({p for p in out.decode().split("\0") if p and os.path.isfile(os.path.join(root, p))})
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "build")) and d != "node_modules"]
        for name in filenames:
            files.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return sorted(files)


def c_comments(text):
    """(line, text) of every // and /* */ comment, string and character literals skipped."""
    comments = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            comments.append((line, text[i + 2:end]))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end
            for k, part in enumerate(text[i + 2:end].split("\n")):
                comments.append((line + k, part))
            line += text.count("\n", i, end)
            i = end + 2
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            open_paren = text.find("(", i + 2)
            delimiter = ")" + text[i + 2:open_paren] + '"'
            end = text.find(delimiter, open_paren)
            end = n if end < 0 or open_paren < 0 else end + len(delimiter)
            line += text.count("\n", i, end)
            i = end
        elif c in "\"'`":
            # A ' between digits or hex digits is a C++14 digit separator, not a literal.
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n" and c != "`":
                    break  # unterminated: stop at the line's end
                j += 1
            line += text.count("\n", i, min(j, n))
            i = j + 1
        else:
            i += 1
    return comments


def python_comments(text):
    """(line, text) of every # comment and every docstring line."""
    comments = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments.append((tok.start[0], tok.string[1:]))
        tree = ast.parse(text)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return hash_comments(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
                    first.value.value, str):
                for k, part in enumerate(first.value.value.split("\n")):
                    comments.append((first.lineno + k, part))
    return comments


def hash_comments(text, marker="#"):
    """(line, text) after a marker that starts a line or follows white space (shell, CMake, YAML)."""
    comments = []
    for number, line_text in enumerate(text.split("\n"), 1):
        match = re.search(r"(?:^|\s)" + re.escape(marker), line_text)
        if match:
            comments.append((number, line_text[match.end():]))
    return comments


def comments_of(path, text):
    name = os.path.basename(path)
    ext = os.path.splitext(name)[1]
    if ext in C_LIKE:
        return c_comments(text)
    if ext == ".py":
        return python_comments(text)
    if ext in HASH_COMMENTS or name == "CMakeLists.txt":
        return hash_comments(text)
    if ext == ".lua":
        return hash_comments(text, "--")
    return []


def markdown_exists(md, path, files):
    """Whether `md`, named in a comment of `path`, is a file of the repository: relative to the
    file's folder or to any folder above it, up to the root."""
    folder = os.path.dirname(path)
    while True:
        candidate = os.path.normpath(os.path.join(folder, md)).replace(os.sep, "/")
        if not candidate.startswith("../") and candidate in files:
            return True
        if not folder:
            return False
        folder = os.path.dirname(folder)


def comment_problems(path, text, files):
    problems = []
    for line, comment in comments_of(path, text):
        reported = []  # spans already reported
        for meaning, pattern in EXTERNAL_REFERENCES:
            match = pattern.search(comment)
            if match:
                problems.append(f"{path}:{line}: comment refers to {meaning}: {match.group(0)!r}")
                reported.append(match.span())
        for match in MARKDOWN_PATH.finditer(comment):
            md = match.group(1)
            if re.search(r"\S*://\S*$", comment[:match.start()]):
                continue  # part of a URL
            if any(start < match.end() and match.start() < end for start, end in reported):
                continue
            if not markdown_exists(md, path, files):
                problems.append(f"{path}:{line}: comment names {md}, which is not in the repository")
    return problems


def layout_table_paths(readme_text):
    """The paths in backquotes in the first column of the table under '## Layout'."""
    paths = set()
    in_layout = False
    for line in readme_text.split("\n"):
        if line.startswith("## "):
            in_layout = line.strip() == "## Layout"
            continue
        if in_layout and line.startswith("|"):
            cells = line.split("|")
            if len(cells) > 2:
                for span in re.findall(r"`([^`]+)`", cells[1]):
                    paths.add(span.strip().rstrip("/"))
    return paths


def layout_problems(files, readme_text):
    listed = layout_table_paths(readme_text)
    if not listed:
        return ["README.md: no '## Layout' table with `path` entries found"]
    folders = set()
    for f in files:
        parts = f.split("/")
        if len(parts) > 1 and not parts[0].startswith("."):
            folders.add(parts[0])
            if parts[0] in LISTED_SUBDIRS and len(parts) > 2:
                folders.add(parts[0] + "/" + parts[1])
    problems = []
    for folder in sorted(folders):
        if not any(p == folder or p.startswith(folder + "/") for p in listed):
            problems.append(f"README.md: the Layout table does not name {folder}/")
    return problems


def size_problems(root, files):
    problems = []
    for f in files:
        if f.startswith("pkg/"):
            with open(os.path.join(root, f), "rb") as fh:
                lines = fh.read().count(b"\n")
            if lines > MAX_PKG_LINES:
                problems.append(f"{f}: {lines} lines, more than {MAX_PKG_LINES}: split it")
    return problems


def check(root):
    files = tracked_files(root)
    file_set = set(files)
    problems = size_problems(root, files)
    for f in files:
        if f.split("/")[0] in COMMENT_DIRS and os.path.isfile(os.path.join(root, f)):
            with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
                problems += comment_problems(f, fh.read(), file_set)
    readme = os.path.join(root, "README.md")
    if not os.path.isfile(readme):
        return problems + ["README.md: missing, so it has no layout table"]
    with open(readme, encoding="utf-8") as fh:
        problems += layout_problems(files, fh.read())
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = parser.parse_args()
    problems = check(os.path.abspath(args.root))
    for p in problems:
        print(p)
    if problems:
        print(f"check_layout.py: {len(problems)} problem(s)")
        return 1
    print("check_layout.py: file sizes, comment references and the README layout table are fine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
