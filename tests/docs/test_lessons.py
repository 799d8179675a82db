"""Every lesson of the learning path runs, in English and in Korean, and the two
versions are the same program (only the prose differs)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

LEARN = Path(__file__).resolve().parents[2] / "docs" / "learn"
LESSONS = sorted(p.name for p in (LEARN / "en").glob("*.py"))


def test_there_are_at_least_eight_lessons_in_both_languages():
    assert len(LESSONS) >= 8
    assert sorted(p.name for p in (LEARN / "ko").glob("*.py")) == LESSONS
    index = (LEARN / "README.md").read_text(encoding="utf-8")
    for name in LESSONS:
        assert f"en/{name}" in index and f"ko/{name}" in index


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs(lang, name):
    proc = subprocess.run([sys.executable, str(LEARN / lang / name)], capture_output=True,
                          text=True, timeout=300, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()


def _code_shape(path: Path) -> list[str]:
    """The program without its strings: the statements and calls, not the prose."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    class Strip(ast.NodeTransformer):
        def visit_Constant(self, node):
            return ast.Constant(value="") if isinstance(node.value, str) else node

        def visit_JoinedStr(self, node):
            return ast.Constant(value="")

    return [ast.dump(s) for s in Strip().visit(tree).body]


@pytest.mark.parametrize("name", LESSONS)
def test_translations_run_the_same_code(name):
    assert _code_shape(LEARN / "en" / name) == _code_shape(LEARN / "ko" / name)
