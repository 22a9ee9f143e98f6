"""Every "§" citation in the code, the SDL and the docs leads to a section that exists.

The rules live in docs/ (docs/README.md); code cites them as ``docs/<file>.md §N.M``. A
citation of a document the repository does not have ("SPEC §", "reference §") fails, and
so does a "§" that is not part of a docs/ citation, or one naming a section its file lacks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCANNED = ("domain", "schema", "resolvers", "adapters", "server", "planswitch", "tests", "bench")
SUFFIXES = {".py", ".graphql", ".md"}
SKIPPED = {ROOT / "tests" / "fixtures"}
THIS_FILE = Path(__file__).resolve()

SECTION_LIST = r"§\d+(?:\.\d+)*(?:(?:\s*[-–]\s*|,\s*|\s+and\s+)§\d+(?:\.\d+)*)*"
# In code: "docs/plan-changes.md §3.5", "docs/wordpress.md §6.2, §6.3", "§3.2-§3.5".
CODE_CITATION = re.compile(r"docs/([\w-]+\.md)\s+(" + SECTION_LIST + ")")
# Inside docs/: the same, "wordpress.md §6" for another file, or a bare "§3.5" for this one.
DOC_CITATION = re.compile(r"(?:(?:docs/)?([\w-]+\.md)\s+)?(" + SECTION_LIST + ")")
# Documents that are not in the repository.
FORBIDDEN = re.compile(
    r"\b(?:SPEC|reference)\s*§|\bSPEC\.md\b|ultimate-multisite(?:-payments)?\.md", re.IGNORECASE
)
HEADING = re.compile(r"^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s", re.MULTILINE)


def _sections(doc: Path) -> set[str]:
    return set(HEADING.findall(doc.read_text(encoding="utf-8")))


def _cited(sections: str) -> list[str]:
    return re.findall(r"§(\d+(?:\.\d+)*)", sections)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _code_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            if path == THIS_FILE or any(parent in SKIPPED for parent in path.parents):
                continue
            files.append(path)
    return files


def _problems(path: Path, pattern: re.Pattern[str], default_doc: str | None) -> list[str]:
    text = path.read_text(encoding="utf-8")
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    problems = [
        f"{where}:{_line(text, m.start())}: cites a document the repository does not have: "
        f"{m.group(0)!r}"
        for m in FORBIDDEN.finditer(text)
    ]
    covered: set[int] = set()
    for match in pattern.finditer(text):
        doc_name = match.group(1) or default_doc
        covered.update(range(match.start(2), match.end(2)))
        doc = DOCS / doc_name if doc_name else None
        if doc is None or not doc.is_file():
            problems.append(f"{where}:{_line(text, match.start())}: no such file docs/{doc_name}")
            continue
        missing = [s for s in _cited(match.group(2)) if s not in _sections(doc)]
        problems.extend(
            f"{where}:{_line(text, match.start())}: docs/{doc_name} has no section §{s}"
            for s in missing
        )
    problems.extend(
        f"{where}:{_line(text, offset)}: '§' outside a docs/<file>.md citation"
        for offset in (m.start() for m in re.finditer("§", text))
        if offset not in covered
    )
    return problems


def test_the_docs_exist_with_numbered_sections():
    for name in ("README.md", "plan-changes.md", "wordpress.md", "api.md"):
        assert (DOCS / name).is_file(), name
    assert {"3.5", "5.2", "6", "7", "8.3", "9.3"} <= _sections(DOCS / "plan-changes.md")
    assert {"1.1", "6.3", "7.2", "9.1", "9.2"} <= _sections(DOCS / "wordpress.md")
    assert {"1", "5", "6"} <= _sections(DOCS / "api.md")
    assert (ROOT / "tests" / "fixtures" / "wordpress" / "README.md").is_file()


def test_code_cites_only_sections_that_exist():
    problems = [p for f in _code_files() for p in _problems(f, CODE_CITATION, None)]
    assert problems == []


@pytest.mark.parametrize("doc", sorted(p.name for p in DOCS.glob("*.md")))
def test_docs_cite_only_sections_that_exist(doc: str):
    assert _problems(DOCS / doc, DOC_CITATION, doc) == []


def test_the_public_sdl_cites_the_docs():
    sdl = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert "docs/plan-changes.md §3" in sdl
    assert _problems(ROOT / "schema" / "schema.graphql", CODE_CITATION, None) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see docs/plan-changes.md §3.5", []),
        ("see docs/plan-changes.md §3.2-§3.5, §8.3 step 11", []),
        ("(SPEC §3.5)", ["cites a document"]),
        ("(reference §6.3)", ["cites a document"]),
        ("see docs/plan-changes.md §42", ["has no section §42"]),
        ("see docs/nowhere.md §1", ["no such file"]),
        ("bare §10.4 provider", ["outside a docs/<file>.md citation"]),
    ],
)
def test_the_checker_catches_what_it_should(tmp_path: Path, text: str, expected: list[str]):
    # The checker itself must be able to fail: feed it each kind of bad citation.
    sample = tmp_path / "sample.py"
    sample.write_text(f'"""{text}"""\n', encoding="utf-8")
    problems = _problems(sample, CODE_CITATION, None)
    assert len(problems) >= len(expected)
    for fragment, problem in zip(expected, problems, strict=False):
        assert fragment in problem
    if not expected:
        assert problems == []
