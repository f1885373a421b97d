"""The README's Python, copied as it is, runs: every name its code blocks use is defined in them or a builtin."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


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
