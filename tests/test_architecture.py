"""The shape of the code: data flows one way, from the foundation through the stages to the wiring.

    core/       errors, checkpoint loading, ffmpeg, files: imports no stage
    voice/      audio -> speaker -> speech: imports core only
    lipsync/    frames + speech -> frames: imports core and voice
    pipeline/   the API, the output layer, the CLI: imports all of them
    app.py      the demo, on top

The graph is read from the source (every import, including those inside functions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "voice", "lipsync", "pipeline")
ALLOWED = {
    "core": set(),
    "voice": {"core"},
    "lipsync": {"core", "voice"},
    "pipeline": {"core", "voice", "lipsync"},
    "app": {"core", "voice", "lipsync", "pipeline"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _product_files() -> dict[str, Path]:
    files = {_module_name(p): p for package in PACKAGES for p in (REPO / package).rglob("*.py")}
    files["app"] = REPO / "app.py"
    return files


def _imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Product modules `name` imports, with the packages whose __init__ runs on the way."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for target in targets:
            parts = target.split(".")
            found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & modules
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return found - ancestors - {name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = _product_files()
    return {name: _imports(name, path, set(files)) for name, path in files.items()}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_layers_import_only_downwards(graph):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if _top(target) != _top(module) and _top(target) not in ALLOWED[_top(module)]
    )
    assert wrong == [], "\n".join(wrong)


def test_stages_do_not_know_the_pipeline(graph):
    for stage in ("voice", "lipsync"):
        assert not {t for m, ts in graph.items() if _top(m) == stage for t in ts if _top(t) == "pipeline"}
    assert not {t for m, ts in graph.items() if _top(m) == "voice" for t in ts if _top(t) == "lipsync"}


def test_there_are_no_import_cycles(graph):
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def _source_lines(predicate) -> list[str]:
    hits = []
    for name, path in _product_files().items():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if predicate(line.strip()):
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    return hits


def test_no_wildcard_imports_or_sys_path_edits():
    assert _source_lines(lambda line: line.startswith("from ") and line.endswith("import *")) == []
    assert _source_lines(lambda line: "sys.path" in line) == []


def test_one_ffmpeg_layer_and_one_checkpoint_loader():
    ffmpeg = {h.split(":")[0] for h in _source_lines(lambda line: "imageio_ffmpeg" in line)}
    assert ffmpeg == {"core/ffmpeg.py"}
    loads = []
    for path in _product_files().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.func if isinstance(node, ast.Call) else None
            if isinstance(call, ast.Attribute) and call.attr == "load" and getattr(call.value, "id", None) == "torch":
                safe = any(k.arg == "weights_only" and getattr(k.value, "value", None) is True for k in node.keywords)
                loads.append((str(path.relative_to(REPO)), safe))
    assert loads == [("core/checkpoints.py", True)]


def test_every_command_line_flag_has_help():
    missing = []
    files = [*_product_files().values(), *(REPO / "benchmarks").glob("*.py"), *(REPO / "scripts").glob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
                keywords = {k.arg: k.value for k in node.keywords}
                is_version = isinstance(keywords.get("action"), ast.Constant) and keywords["action"].value == "version"
                if "help" not in keywords and not is_version:
                    missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert missing == []
