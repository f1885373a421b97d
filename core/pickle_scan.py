"""What a checkpoint's pickles would import and call, read without running them.

torch's safe loader names what it refuses only in a legacy file's first refused global, and reads no file saved with
pickle protocol 4 or 5 at all ("Unsupported operand 149"): without this, such a file of weights alone and one whose
pickle calls `os.system` looked the same. The opcodes are walked with `pickletools` and a stack of what each pushes,
so that protocol 4's STACK_GLOBAL, which takes its module and name from the two strings pushed before it, is named
as GLOBAL is, and so that a global reading calls, or hands to what it calls, is told from one it only stores (a
pickled layer's activation function).
"""

from __future__ import annotations

import _compat_pickle
import pickletools
import zipfile
from dataclasses import dataclass
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
_CALLS = frozenset("REDUCE NEWOBJ NEWOBJ_EX OBJ INST BINPERSID".split())
"""Opcodes that call what they take (a persistent id goes to torch's persistent_load), with what they take."""
_FILLS = {"BUILD": 1, "SETITEM": 2, "APPEND": 1, "SETITEMS": None, "APPENDS": None, "ADDITEMS": None}
"""Opcodes that put what they take (this many, or down to a mark) into the object left under it."""


@dataclass(frozen=True)
class Scan:
    """What the pickles of a torch.save file hold, read without running them."""

    globals: list[str]
    """Every `module.name` they import, in order, each once."""
    called: frozenset[str]
    """Those of `globals` that reading calls, or hands to what it calls (which may call them); the rest it stores."""
    strings: frozenset[str]
    """Every string they hold (a state dict's weight names among them)."""


@dataclass(frozen=True)
class _Global:
    name: str


class _Value:
    """Something reading builds, with what went into it (what is put into it later included)."""

    def __init__(self, held: list) -> None:
        self.held = held


def scan(path: Path) -> Scan | None:
    """What the pickles of the torch.save file at `path` hold, its tensors' bytes unread; None if they cannot be
    parsed (then what the file would run cannot be told)."""
    names: list[str] = []
    called: set[str] = set()
    strings: set[str] = set()
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                member = next((n for n in archive.namelist() if n.endswith("data.pkl")), None)
                if member is None:
                    return None
                with archive.open(member) as stream:
                    _read(stream, names, called, strings)
        else:
            with open(path, "rb") as stream:
                for _ in range(LEGACY_PICKLES):
                    if not stream.peek(1):  # a plain pickle, not torch.save's five
                        break
                    _read(stream, names, called, strings)
    except (ValueError, OSError, EOFError, IndexError, KeyError, zipfile.BadZipFile):
        return None
    return Scan(list(dict.fromkeys(names)), frozenset(called), frozenset(strings))


def _read(stream: BinaryIO, names: list[str], called: set[str], strings: set[str]) -> None:
    """Walk one pickle in `stream` up to its STOP with a stack of what each opcode pushes: the globals it imports go
    to `names`, those it calls or hands to a call to `called`, the strings it pushes to `strings`."""
    stack: list = []
    memo: dict = {}
    for opcode, arg, _ in pickletools.genops(stream):
        name = opcode.name
        if name in _MEMO_PUTS:
            memo[arg] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name == "DUP":
            stack.append(stack[-1])
        elif name in ("FRAME", "PROTO", "STOP"):
            pass
        elif name in _FILLS:
            taken = _take(stack, opcode, _FILLS[name])
            if isinstance(stack[-1], _Value):
                stack[-1].held.extend(taken)
        else:
            taken = _take(stack, opcode, len(opcode.stack_before))
            if name == "STACK_GLOBAL":
                module, attribute = taken
                named = isinstance(module, str) and isinstance(attribute, str)
                stack.append(_Global(_python3_name(module, attribute) if named else UNNAMED))
            elif name in ("GLOBAL", "INST"):
                stack.append(_Global(_python3_name(*arg.split(" ", 1))))
            if name in ("GLOBAL", "INST", "STACK_GLOBAL"):
                names.append(stack[-1].name)
            if name in _CALLS:
                called.update(_globals_in([*taken, stack.pop()] if name == "INST" else taken))
                stack.append(_Value([]))
            elif name == "MARK":
                stack.append(_MARK)
            elif name in _STRING_OPS:
                stack.append(arg)
                if isinstance(arg, str):
                    strings.add(arg)
            elif name in _MEMO_GETS:
                stack.append(memo.get(arg))
            elif opcode.stack_after and name not in ("GLOBAL", "STACK_GLOBAL"):
                stack.append(_Value(taken))


def _take(stack: list, opcode: pickletools.OpcodeInfo, count: int | None) -> list:
    """Take off `stack` what `opcode` consumes: down to its mark and the mark where it takes one (an object under
    the mark stays), else its `count` topmost; in stack order."""
    if pickletools.markobject in opcode.stack_before:
        at = len(stack) - 1 - stack[::-1].index(_MARK)
        taken = stack[at + 1 :]
        del stack[at:]
        return taken
    taken = stack[len(stack) - count :] if count else []
    del stack[len(stack) - len(taken) :]
    return taken


def _globals_in(values: list) -> set[str]:
    """The names of the globals among `values` and inside what they hold."""
    found: set[str] = set()
    seen: set[int] = set()
    pending = list(values)
    while pending:
        value = pending.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, _Global):
            found.add(value.name)
        elif isinstance(value, _Value):
            pending.extend(value.held)
    return found


def _python3_name(module: str, name: str) -> str:
    """`module.name` as Python 3 imports it: a protocol 2 pickle names Python 2's modules ("__builtin__.set"), which
    the unpickler maps as `pickle` does (`_compat_pickle`)."""
    module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
    return f"{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}"
