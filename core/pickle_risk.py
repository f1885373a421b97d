"""Why torch's safe loader refused a checkpoint, told from what its pickles import and call (`pickle_scan`): code,
Python objects besides weights, or weights alone in a format it does not read.

A pickle runs code by calling what it imports, or by handing it to what it calls. A class called makes an object of
it; a function called does whatever it does (torch.hub.load fetches and runs a repository's code, numpy's runstring is
exec); a function only stored (a pickled layer's activation, torch.nn.functional.relu) is not run. So a global of
torch, numpy or the standard library that reading calls counts as code unless it is a class, and not one of the
modules that run code (CODE_RUNNING_MODULES: subprocess.Popen, functools.partial, ...), or it builds data (numpy's
arrays); those modules' globals count as code even stored. Those three are installed libraries, looked up where they
are; any other module is named only: importing it would run it, and a class of the user's own (a pickled model) is an
object to trust or not, not code voxlip can judge.
"""

from __future__ import annotations

import importlib
import json
import shlex
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from .errors import CheckpointError
from .pickle_scan import UNNAMED, scan

CODE_RUNNING_MODULES = frozenset(
    "os posix nt subprocess builtins sys shutil socket importlib runpy pty code codecs ctypes pickle marshal types "
    "webbrowser operator functools io tempfile pathlib urllib http multiprocessing threading signal asyncio "
    "platform".split()
)
"""Modules whose functions and classes a pickle can call to run code on reading (os.system, builtins.eval,
functools.partial, ...); their C halves (_io, _pickle, ...) are taken for them."""
LIBRARIES = frozenset({"torch", "numpy", *sys.stdlib_module_names})
"""The modules whose names are looked up (imported where they are not yet): installed, not the file's own code."""
CYTHON_UNPICKLE = "__pyx_unpickle_"
"""What Cython names the function that unpickles one of its classes (numpy's random generators' SeedSequence): it
makes an object of that class, as calling a class does."""
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
    if any(found is known for known in harmless) or name.rsplit(".", 1)[-1].startswith(CYTHON_UNPICKLE):
        return False
    return not isinstance(found, type) or _runs_code_module(str(getattr(found, "__module__", "")))


def _runs_code_module(name: str) -> bool:
    top = name.split(".")[0]
    return top in CODE_RUNNING_MODULES or top.removeprefix("_") in CODE_RUNNING_MODULES


def _looked_up(name: str) -> object | None:
    """What `name` of torch, numpy or the standard library is, as pickle finds it: the attribute path under the longest
    leading part that is a module (torch.nn.utils.weight_norm.WeightNorm, where torch.nn.utils.weight_norm is also a
    function), imported where it is not yet (none of ACT_ON_IMPORT); None when it cannot be found."""
    parts = name.split(".")
    if any(part in ACT_ON_IMPORT for part in parts):
        return None
    for split in range(len(parts) - 1, 0, -1):
        found: object | None = _module(".".join(parts[:split]))
        if found is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy 2's numpy.core names, deprecated
            for part in parts[split:]:
                found = getattr(found, part, None)
        if found is not None:
            return found
    return None


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


def refusal(path: Path, reason: str) -> CheckpointError:
    """Why torch's safe loader refused `path` (`reason`, its words), from what the file's pickles import, read without
    running them (`pickle_scan.scan`): code it would run (`runs_code`), Python objects besides its weights (with the
    command that keeps its weights alone), or weights alone in a format the safe loader does not read (with the command
    that saves them again); where that cannot be told, only that it is not loaded."""
    scanned = scan(path)
    if scanned is None:
        return CheckpointError(
            f"refused to load {path}: torch's safe loader cannot read it ({reason}), and what it holds cannot be told "
            "without running it: use the original published file"
        )
    loadable = _loadable_globals()
    objects = [name for name in scanned.globals if name not in loadable]
    harmless = _data_building_globals()
    running = [name for name in objects if runs_code(name, name in scanned.called, harmless)]
    if running:
        return CheckpointError(
            f"refused to load {path}: reading it would run code ({', '.join(running)}); it is not a checkpoint to "
            "trust: delete it and use the original published file"
        )
    weights = json.dumps(str(path.with_suffix(".weights.pth")))
    code = (  # a pickled model gives its state_dict; a dict its tensors and its dicts of tensors: weights, not objects
        f"import torch; c = torch.load({json.dumps(str(path))}, weights_only=False); c = c.state_dict() if hasattr(c, "
        '"state_dict") else {k: v for k, v in c.items() if isinstance(v, torch.Tensor) or isinstance(v, dict) and '
        f"all(isinstance(x, torch.Tensor) for x in v.values())}}; torch.save(c, {weights})"
    )
    if not objects:
        return CheckpointError(
            f"{path} holds weights alone (its pickles, read without running them, import nothing else), in a form "
            f"torch's safe loader does not read ({reason}: it was saved with a pickle protocol above 2): save them "
            f"again with torch.save's default: python -c {shlex.quote(code)}"
        )
    modules = sorted({name.rsplit(".", 1)[0] for name in objects if name.split(".")[0] not in LIBRARIES})
    where = f" (where {', '.join(modules)} can be imported: the code that made it)" if modules else ""
    return CheckpointError(
        f"refused to load {path}: besides weights it holds Python objects ({', '.join(objects[:4])}"
        f"{' ...' if len(objects) > 4 else ''}), and unpickling objects could run code. Use the original published "
        f"file, or, if you trust this one, keep its weights alone{where}: python -c {shlex.quote(code)}"
    )


def _torch_safe_globals() -> dict[str, object]:
    """What torch's safe loader imports, by `module.name`; none if this torch does not say."""
    try:
        from torch._weights_only_unpickler import _get_allowed_globals
    except ImportError:
        return {}
    return dict(_get_allowed_globals())


def _loadable_globals() -> set[str]:
    """The globals torch's safe loader imports, as `module.name`, with the numpy scalars torch_load lets it read
    (`numpy_scalar_globals`); none known if this torch does not say (then every global is taken for an object)."""
    torch_safe = _torch_safe_globals()
    if not torch_safe:
        return set()
    return set(torch_safe) | {f"{g.__module__}.{g.__qualname__}" for g in numpy_scalar_globals()}


def _data_building_globals() -> list:
    """What a pickle may call to build data, whatever the name it is found by (numpy 1's numpy.core for numpy 2's
    numpy._core): torch's safe globals, numpy's numbers, arrays (pickle protocol 5's too), masked arrays and random
    generators."""
    numpy_builders = [
        _looked_up(f"{module}.{name}")
        for module, name in [
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.numeric", "_frombuffer"),
            ("numpy.core.numeric", "_frombuffer"),
            ("numpy.ma.core", "_mareconstruct"),
            ("numpy.random._pickle", "__generator_ctor"),
            ("numpy.random._pickle", "__randomstate_ctor"),
            ("numpy.random._pickle", "__bit_generator_ctor"),
        ]
    ]
    found = [builder for builder in numpy_builders if builder is not None]
    return [*_torch_safe_globals().values(), *numpy_scalar_globals(), *found]


def numpy_scalar_globals() -> list:
    """What a numpy number in a checkpoint unpickles through (a training script's `global_step`, np.int64): a dtype
    and bytes, no code run."""
    import numpy as np

    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy 1
        from numpy.core.multiarray import scalar
    dtypes = [getattr(np.dtypes, name) for name in dir(np.dtypes) if name.endswith("DType")]
    return [scalar, np.dtype, *dtypes]
