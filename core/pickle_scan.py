"""What a checkpoint's pickles would import, read without running them.

torch's safe loader names what it refuses only in a legacy file's first refused global, and reads no file saved with
pickle protocol 4 or 5 at all ("Unsupported operand 149"): without this, such a file of weights alone and one whose
pickle calls `os.system` looked the same. The opcodes are walked with `pickletools` and a stack of what each pushes,
so that protocol 4's STACK_GLOBAL, which takes its module and name from the two strings pushed before it, is named
as GLOBAL is.
"""

from __future__ import annotations

import _compat_pickle
import pickletools
import zipfile
from pathlib import Path
from typing import BinaryIO

LEGACY_PICKLES = 5
"""A legacy `torch.save` file is five pickles (magic number, protocol, system info, the object, its storages' keys)
before the storages' raw bytes."""
UNNAMED = "<a global whose name is computed>"
"""What a STACK_GLOBAL is called whose module or name is not a string pushed before it (nothing torch writes)."""

_MARK = object()
_STRING_OPS = frozenset(
    "STRING BINSTRING SHORT_BINSTRING UNICODE BINUNICODE SHORT_BINUNICODE BINUNICODE8 BINBYTES SHORT_BINBYTES".split()
)
_MEMO_PUTS = frozenset("PUT BINPUT LONG_BINPUT".split())
_MEMO_GETS = frozenset("GET BINGET LONG_BINGET".split())


def pickled_globals(path: Path) -> list[str] | None:
    """Every `module.name` the pickles of the torch.save file at `path` import, in order, each once; None if they
    cannot be parsed (then what the file would run cannot be told)."""
    return _scanned(path, set())


def pickled_strings(path: Path) -> set[str] | None:
    """Every string the pickles of the torch.save file at `path` hold (a state dict's weight names among them), read
    without running them or reading the tensors' bytes; None if they cannot be parsed."""
    strings: set[str] = set()
    return None if _scanned(path, strings) is None else strings


def _scanned(path: Path, strings: set[str]) -> list[str] | None:
    """`pickled_globals`, adding each string the pickles push to `strings`."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                member = next((n for n in archive.namelist() if n.endswith("data.pkl")), None)
                if member is None:
                    return None
                with archive.open(member) as stream:
                    return _unique(_globals(stream, strings))
        names = []
        with open(path, "rb") as stream:
            for _ in range(LEGACY_PICKLES):
                if not stream.peek(1):  # a plain pickle, not torch.save's five
                    break
                names += _globals(stream, strings)
        return _unique(names)
    except (ValueError, OSError, EOFError, IndexError, KeyError, zipfile.BadZipFile):
        return None


def _globals(stream: BinaryIO, strings: set[str]) -> list[str]:
    """The globals one pickle in `stream` imports, reading it up to its STOP; the strings it pushes go to `strings`."""
    names: list[str] = []
    stack: list = []
    memo: dict = {}
    for opcode, arg, _ in pickletools.genops(stream):
        name = opcode.name
        if name == "GLOBAL" or name == "INST":
            names.append(_python3_name(*arg.split(" ", 1)))
        elif name == "STACK_GLOBAL":
            attribute, module = stack.pop(), stack.pop()
            named = isinstance(module, str) and isinstance(attribute, str)
            names.append(_python3_name(module, attribute) if named else UNNAMED)
        if name in _MEMO_PUTS:
            memo[arg] = stack[-1]
            continue
        if name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
            continue
        if name in ("FRAME", "PROTO", "STOP"):
            continue
        if name == "DUP":
            stack.append(stack[-1])
            continue
        before = len(opcode.stack_before)
        if pickletools.markobject in opcode.stack_before:  # what lies above the mark, the mark, what lies under it
            while stack.pop() is not _MARK:
                pass
            before = opcode.stack_before.index(pickletools.markobject)
        elif name == "STACK_GLOBAL":
            before = 0  # popped above
        del stack[len(stack) - before :]
        if name == "MARK":
            stack.append(_MARK)
        elif name in _STRING_OPS:
            stack.append(arg)
            if isinstance(arg, str):
                strings.add(arg)
        elif name in _MEMO_GETS:
            stack.append(memo.get(arg))
        else:
            stack.extend([None] * len(opcode.stack_after))
    return names


def _python3_name(module: str, name: str) -> str:
    """`module.name` as Python 3 imports it: a protocol 2 pickle names Python 2's modules ("__builtin__.set"), which
    the unpickler maps as `pickle` does (`_compat_pickle`)."""
    module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
    return f"{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}"


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
