"""Which of the globals a checkpoint's pickles import (`pickle_scan`) would run code as the file is read.

A pickle runs code by calling what it imports, or by handing it to what it calls. A class called makes an object of
it; a function called does whatever it does (torch.hub.load fetches and runs a repository's code, numpy's runstring is
exec); a function only stored (a pickled layer's activation, torch.nn.functional.relu) is not run. So a global of
torch, numpy or the standard library that reading calls counts as code unless it is a class, and not one of the
modules that run code (CODE_RUNNING_MODULES: subprocess.Popen, functools.partial, ...), or it builds data (numpy's
arrays); those modules' globals count as code even stored. Those three are
installed libraries, looked up where they are; any other module is named only: importing it would run it, and a
class of the user's own (a pickled model) is an object to trust or not, not code voxlip can judge.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Iterable
from types import ModuleType

from .pickle_scan import UNNAMED

CODE_RUNNING_MODULES = frozenset(
    "os posix nt subprocess builtins sys shutil socket importlib runpy pty code codecs ctypes pickle marshal types "
    "webbrowser operator functools io tempfile pathlib urllib http multiprocessing threading signal asyncio "
    "platform".split()
)
"""Modules whose functions and classes a pickle can call to run code on reading (os.system, builtins.eval,
functools.partial, ...); their C halves (_io, _pickle, ...) are taken for them."""
LIBRARIES = frozenset({"torch", "numpy", *sys.stdlib_module_names})
"""The modules whose names are looked up (imported where they are not yet): installed, not the file's own code."""
ACT_ON_IMPORT = frozenset({"antigravity", "this", "__hello__", "__phello__", "idlelib", "turtledemo", "__main__"})
"""Modules of the standard library that do something when imported (open a browser, print, start a program): never
imported to look a name up; a name inside them is code."""


def runs_code(name: str, called: bool, harmless: Iterable[object] = ()) -> bool:
    """Whether the pickled global `name` (`module.qualname`) could run code when the file is read: it is computed
    (UNNAMED), in CODE_RUNNING_MODULES, or a torch, numpy or standard library name that reading calls or hands to a
    call (`called`) and that is no class (nor one of `harmless`, what builds data: torch's safe globals, numpy's
    arrays) or cannot be looked up. Other modules' names (the user's own classes) are objects, not code."""
    if name == UNNAMED or _runs_code_module(name):
        return True
    if name.split(".")[0] not in LIBRARIES or not called:
        return False
    found = _looked_up(name)
    if found is None:
        return True
    if any(found is known for known in harmless):
        return False
    return not isinstance(found, type) or _runs_code_module(str(getattr(found, "__module__", "")))


def _runs_code_module(name: str) -> bool:
    top = name.split(".")[0]
    return top in CODE_RUNNING_MODULES or top.removeprefix("_") in CODE_RUNNING_MODULES


def _looked_up(name: str) -> object | None:
    """What `name` of torch, numpy or the standard library is, importing the modules on its way where they are not yet
    (none of ACT_ON_IMPORT); None when it cannot be found."""
    parts = name.split(".")
    if any(part in ACT_ON_IMPORT for part in parts):
        return None
    found: object | None = _module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        if found is None:
            return None
        try:
            found = getattr(found, part)
            continue
        except Exception:
            pass
        is_package = isinstance(found, ModuleType) and hasattr(found, "__path__")
        found = _module(".".join(parts[: i + 1])) if is_package else None
    return found


def _module(name: str) -> ModuleType | None:
    """The module `name`, imported if it is not yet; None if it cannot be."""
    if name in sys.modules:
        return sys.modules[name]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except (Exception, SystemExit):
        return None
