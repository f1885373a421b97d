"""The Python of the README and of each docs/ page, copied as it is, runs: every name a page's code blocks use is
defined in them or a builtin."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))


def _python_blocks(page: Path = README) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def _undefined(source: str) -> list[str]:
    """Names `source`, run as one script, reads without defining them before (or in the statement that reads them: a
    loop's variable, a function's own names)."""
    defined, missing = set(dir(builtins)), []
    for statement in ast.parse(source).body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.arg):
                defined.add(node.arg)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                defined.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in defined:
                missing.append(f"{node.id} (line {node.lineno})")
    return missing


def test_the_readme_python_defines_every_name_it_uses():
    """Its "More of the API" block had used long_text, play and rgb_image without defining them (NameError)."""
    blocks = _python_blocks()
    assert len(blocks) >= 2
    assert _undefined("\n".join(blocks)) == []


@pytest.mark.parametrize("page", [page for page in DOCS if _python_blocks(page)], ids=lambda page: page.name)
def test_a_docs_page_python_defines_every_name_it_uses(page):
    """Each page's blocks run as one script of their own, as the README's do."""
    assert _undefined("\n".join(_python_blocks(page))) == []


def test_every_progress_argument_of_the_api_is_documented():
    """docs/api.md had not said what a progress function is called with, and clone_voice's docstring had not named
    its `progress`."""
    import inspect

    from pipeline import Pipeline

    api = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert "`progress(done, total, rate)`" in api
    public = [(name, call) for name, call in inspect.getmembers(Pipeline, inspect.isfunction) if name[0] != "_"]
    for name, call in public:
        for argument in (a for a in inspect.signature(call).parameters if a.endswith("progress")):
            assert f"`{name}({argument}=)`" in api, (name, argument)
            assert f"`{argument}" in inspect.getdoc(call), (name, argument)


def test_the_streaming_example_plays_each_piece_while_the_next_is_made(monkeypatch):
    """The README had said to play each piece "e.g. with sounddevice.play": stream_voice makes a piece only when asked,
    so playing in the loop left gaps (0.25-1.3 s), and sounddevice.play alone stops the piece playing. docs/api.md's
    example is run here with a stand-in player and stream: each piece plays, in order, while the next is made."""
    import sys
    import threading
    import types

    (block,) = [block for block in _python_blocks(REPO / "docs" / "api.md") if "def speak(" in block]
    module = ast.parse(block)
    module.body = [node for node in module.body if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    made = [threading.Event() for _ in range(4)]
    played, overlapped = [], []

    def stream_voice(speaker, text, *, consent):
        for i, event in enumerate(made):
            event.set()
            yield types.SimpleNamespace(samples=i, sample_rate=16_000)

    def wait() -> None:  # the piece plays until the stream has made the next one (or has none)
        following = played[-1] + 1
        overlapped.append(following == len(made) or made[following].wait(timeout=30))

    player = types.SimpleNamespace(play=lambda samples, rate: played.append(samples), wait=wait)
    monkeypatch.setitem(sys.modules, "sounddevice", player)
    names: dict = {}
    exec(compile(module, "docs/api.md", "exec"), names)
    names["speak"](types.SimpleNamespace(stream_voice=stream_voice), None, "Some text.")
    assert played == [0, 1, 2, 3] and overlapped == [True] * 4
