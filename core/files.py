"""Files voxlip writes appear whole or not at all, and are identified by their sha256."""

from __future__ import annotations

import array
import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError, VoxlipError
from .output_kinds import OUTPUT_SUFFIXES, suffixes_in_words
from .printable import printable


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def md5_file(path: str | os.PathLike) -> str:
    """Hex md5 of a file's bytes: what rhasspy/piper-voices publishes of its files (no sha256)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def check_path_characters(path: str | bytes | os.PathLike) -> None:
    """InputError when `path` holds a NUL character, which no file's name can (the system refuses such a path, and
    Python raises a bare ValueError, "embedded null byte")."""
    name = os.fsdecode(path)
    if "\x00" in name:
        raise InputError(
            f"{printable(name)} has a NUL character (\\x00) in it, which no file's name can have: give the path "
            "without it"
        )


def check_not_stream(path: str | os.PathLike) -> None:
    """Refuse standard input ("-") and what is not a regular file (a named pipe, a shell's <(...), /dev/stdin, a
    device): voxlip reads an input more than once (its header, its samples or frames, its sha256), and a pipe gives
    its bytes only once (the second read had hung for ever, or found the file empty and called it corrupt). A link
    that leads nowhere is refused too (check_link), and a path no file can have (check_path_characters); a path that
    does not exist is left to the caller's own message, but for a URL (check_not_url)."""
    check_path_characters(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if str(path) == "-":
            raise InputError(
                "voxlip does not read standard input (-) as a recording or a picture: give a file"
            ) from None
        check_link(Path(path), error)
        check_not_url(path)
        return
    kind = special_kind(mode)
    if kind is not None:
        raise InputError(
            f"{path} is {kind}, not a file: voxlip reads its inputs more than once; save it to a file first"
        )


URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):/+(.*)", re.S)
"""A URL as given ("https://host/face.jpg"), or as a pathlib.Path of it reads ("https:/host/face.jpg"): a scheme of two
or more letters (not a Windows drive) before a slash."""


def check_not_url(path: str | os.PathLike) -> None:
    """InputError when `path`, a file that does not exist, is a URL: voxlip reads local files only, and a URL made a
    Path loses a slash of its "//" ("https:/host/face.jpg"), which the error puts back."""
    found = URL.fullmatch(os.fsdecode(path))
    if found is not None:
        url = f"{found.group(1)}://{found.group(2)}"
        raise InputError(f"{printable(url)} is a URL: voxlip reads local files; download it first (e.g. with curl -LO)")


def special_kind(mode: int) -> str | None:
    """What a file of `mode` (os.stat's st_mode) is when it is neither a regular file nor a folder: "a pipe" (a named
    pipe, a socket, a shell's <(...)) or "a device" (/dev/zero, a terminal); None for a file or a folder."""
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    return "a pipe" if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) else "a device"


def check_link(
    path: Path, error: OSError, context: str = "", advice: str = "give the file itself, or mend the link"
) -> None:
    """InputError when `path` could not be followed (`error`, from os.stat) for a symbolic link on the way: one that
    loops, or one to a file that does not exist. `ls` lists such a link, so "does not exist" would mislead. `context`
    begins the message, `advice` ends it."""
    if error.errno == errno.ELOOP:
        where = "is a symbolic link that loops" if path.is_symlink() else "goes through a symbolic link that loops"
        raise InputError(f"{context}{path} {where} ({error.strerror}): {advice}")
    if error.errno == errno.ENOENT and path.is_symlink():
        target = os.path.realpath(path)
        raise InputError(f"{context}{path} is a link to {target}, which does not exist: {advice}")


@dataclass(frozen=True)
class InputFile:
    """An input file as it was when it was read: the provenance record names what was used, even if the file has
    since changed or gone."""

    path: Path
    """Absolute (`read` makes it so from the working folder of the time): after an os.chdir it is still the file that
    was read, which no output may overwrite. The record names it by its file name only."""
    sha256: str

    @classmethod
    def read(cls, path: str | os.PathLike) -> InputFile:
        return cls(Path(path).absolute(), sha256_file(path))


UNREADABLE_ARRAYS = (OSError, EOFError, ValueError, zipfile.BadZipFile)
"""What numpy's load raises for an array file that is gone, cut short or damaged (EOFError: an empty one; BadZipFile:
an .npz without its end), or that is not one."""


def sha256_array(array: np.ndarray) -> str:
    """Hex sha256 of an array's data: its values' bytes in its own dtype, in C order (what
    `hashlib.sha256(np.ascontiguousarray(array).tobytes())` gives). The one way voxlip hashes samples and pictures given
    in memory, for the provenance record and the prepared speakers kept on disk."""
    return ArrayDigest().update(array).hexdigest()


class ArrayDigest:
    """sha256_array of arrays one after another (a clip's frames), as if they were one."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def update(self, array: np.ndarray) -> ArrayDigest:
        self._digest.update(np.ascontiguousarray(array))  # its buffer: no copy of a contiguous array
        return self

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass(frozen=True)
class InputData:
    """An input given in memory (samples, a picture, a moviepy clip), as the provenance record names it: what it was
    (e.g. "samples in memory, 16000 Hz, 3.2 s") and the sha256 of its data (sha256_array)."""

    what: str
    sha256: str


def check_output_name(
    path: Path, kind: str, inputs: Iterable[str | os.PathLike | None] = (), beside: Iterable[Path] = ()
) -> None:
    """InputError unless `path` names a file voxlip may write an output of `kind` ("audio", "video", "embeddings")
    to: not a folder, neither it nor the files written `beside` it (the pipeline's provenance record) one of `inputs`
    (not even through a link: voxlip never overwrites what it reads), a name ending as `kind`'s formats do
    (core.output_kinds), with no NUL in it (check_path_characters), not in a folder behind a link that leads nowhere
    (check_folder_link), and not a file that cannot be replaced (check_replaceable).
    What every stage and the pipeline check before any work."""
    check_path_characters(path)
    suffixes = OUTPUT_SUFFIXES[kind]
    if path.is_dir():
        raise InputError(f"{path} is a directory: give a file name in it, e.g. {path / ('output' + suffixes[0])}")
    check_folder_link(path)
    sources = [Path(source).expanduser() for source in inputs if source is not None]
    for written in (path, *beside):
        source = next((source for source in sources if _same_file(written, source)), None)
        if source is None:
            continue
        what = f"{path}" if written == path else f"{path} would write {written} beside it, which"
        raise InputError(f"{what} is also an input ({source}): voxlip never overwrites its inputs; give another name")
    if path.name.startswith(".") and path.name.lower() in suffixes:  # ".mp4": Python, and most tools, see no ending
        example = path.with_name("output" + path.name)
        raise InputError(f"{path} is only an ending: give a name before it, e.g. {example}")
    if path.suffix.lower() not in suffixes:
        raise InputError(
            f"{path}: voxlip writes {kind} as {suffixes_in_words(kind)}; give a file name ending in {suffixes[0]}"
        )
    check_replaceable(path)


def check_folder_link(path: Path) -> None:
    """InputError when the folder an output at `path` goes in is, or is inside, a symbolic link that leads nowhere or
    loops: the output's folders are made as it is written, so such a link is found here, before the work, rather than
    then ("could not write ... (File exists)")."""
    nearest = next((folder for folder in path.parents if os.path.lexists(folder)), None)
    if nearest is None or not nearest.is_symlink():
        return
    try:
        os.stat(nearest)
    except OSError as error:
        check_link(nearest, error, f"cannot write {path}: ", "mend the link, or choose another folder")


def check_replaceable(path: Path, context: str = "") -> None:
    """InputError when `path` is a file already there that an output could not replace: one made immutable or
    append-only (chattr +i, +a), which even root cannot change. Opening it for writing, with nothing written, tells
    before any work (EPERM); a file that is only read-only (EACCES) is let through, as a new file replaces it all the
    same. `context` begins the message: what the file is to the output checked."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):  # a link is replaced, not what it leads to
            return
        os.close(os.open(path, os.O_RDWR))
    except OSError as error:
        if error.errno == errno.EPERM:
            raise InputError(context + unreplaceable(path, error)) from None


def check_not_append_only(folder: Path, context: str = "") -> None:
    """InputError when `folder` is append-only (chattr +a): a file can be made there, but none renamed or removed, and
    every output is written under a temporary name first and then renamed. Told from the folder's flags, as a file made
    there to find out could not be removed again. `context` begins the message."""
    if _folder_flags(folder) & FS_APPEND_FL:
        raise InputError(
            f"{context}{folder} is append-only (chattr +a): files can be added there but not renamed or removed, and "
            "voxlip writes an output under a temporary name first; remove its protection (chattr -a) or choose "
            "another folder"
        )


FS_APPEND_FL = 0x20
"""Linux's inode flag of an append-only file or folder (chattr +a)."""


def _folder_flags(folder: Path) -> int:
    """Linux's inode flags of `folder` (FS_IOC_GETFLAGS, what lsattr shows); 0 where they cannot be read (another
    system, a file system without them)."""
    try:
        import fcntl  # POSIX
    except ImportError:
        return 0
    get_flags = 0x80000000 | struct.calcsize("l") << 16 | ord("f") << 8 | 1  # _IOR('f', 1, long)
    flags = array.array("i", [0])
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return 0
    try:
        fcntl.ioctl(handle, get_flags, flags, True)
    except OSError:
        return 0
    finally:
        os.close(handle)
    return flags[0]


def unreplaceable(path: Path, error: OSError) -> str:
    """What to tell a user whose output would replace `path`, a file the file system does not let be replaced."""
    why = error.strerror or error
    return f"{path} exists and cannot be replaced ({why}): remove its protection or choose another name"


def _same_file(output: Path, source: Path) -> bool:
    """Whether `output` is `source`: the same file (through links too) if both exist, else the same path. Both are
    resolved first: "new/../voice.wav" is voice.wav once the output's folders are made, though it does not exist
    before (its `..` goes through a folder not made yet)."""
    output, source = Path(os.path.realpath(output)), Path(os.path.realpath(source))  # Path.resolve raises on a loop
    if output.exists() and source.exists():
        return os.path.samefile(output, source)
    return output == source


@contextmanager
def atomic_output(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it replaces `path` only when the block succeeds.

    On any error the temporary file is removed, so a failed write never leaves a partial file; a
    file system's refusal (full disk, read-only folder) becomes a VoxlipError naming `path`.
    `suffix` (default: `path`'s own) lets libraries that pick a format by extension see the right one.
    """
    path = Path(path)
    with _temporary(path, suffix) as temporary:
        try:
            yield temporary
        except OSError as e:
            raise write_error(path, e) from None
        _replace(temporary, path)


@contextmanager
def atomic_pair(path: str | os.PathLike, companion: str | os.PathLike) -> Iterator[tuple[Path, Path]]:
    """Temporary paths beside `path` and its `companion` (its record, in the same folder) to write to; when the block
    succeeds they replace the two as a pair, under an exclusive `folder_lock`: two writers' pairs never mix, and a
    reader holding the lock shared sees one writer's pair.

    The companion is moved first, then `path`. An error or stop (KeyboardInterrupt too) before `path` is replaced puts
    the old companion back (from a link to it set aside) or removes the new one, so the old pair stays as it was;
    once `path` is replaced the new pair stays. Only a process killed outright between the two moves can leave the
    new companion beside the old file. The temporary files are removed whatever happens; a file system's refusal
    becomes a VoxlipError naming the file.
    """
    path, companion = Path(path), Path(companion)
    with _temporary(path, None) as partial, _temporary(companion, None) as partial_companion:
        try:
            yield partial, partial_companion
        except OSError as e:
            raise write_error(path, e) from None
        with folder_lock(path.parent):
            _replace_pair(partial, path, partial_companion, companion)


@contextmanager
def _temporary(path: Path, suffix: str | None) -> Iterator[Path]:
    """A new empty file beside `path` (its folder made if need be), removed when the block ends."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = _new_file(path, suffix)
    except OSError as e:
        raise write_error(path, e) from None
    try:
        yield temporary
    except BaseException:
        with contextlib.suppress(OSError):  # best effort: the error under way says what went wrong
            temporary.unlink()
        raise
    try:
        temporary.unlink(missing_ok=True)  # moved into place already, unless the block kept it from being
    except OSError as e:
        raise write_error(temporary, e) from None


def _replace_pair(partial: Path, path: Path, partial_companion: Path, companion: Path) -> None:
    """Move `partial_companion` to `companion`, then `partial` to `path`; a failure before `path` is replaced puts
    the old companion back."""
    new = os.stat(partial)
    try:
        kept = _set_aside(companion)
    except OSError as e:
        raise write_error(companion, e) from None
    try:
        _replace(partial_companion, companion)
        _replace(partial, path)
    except BaseException:
        if not _is_file(path, new):
            _put_back(kept, companion)
        raise
    finally:
        if kept is not None:
            kept.unlink(missing_ok=True)


def _replace(source: Path, target: Path) -> None:
    """os.replace, its refusal a VoxlipError naming `target`: one that cannot be replaced, when it is a file there
    (`source`, beside it, was made in its folder), else why its folder cannot be written to."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM) and target.exists():
            raise VoxlipError(unreplaceable(target, error)) from None
        raise write_error(target, error) from None


def _set_aside(path: Path) -> Path | None:
    """A hidden link to the file at `path` (a copy where the file system has no links), to put it back from; None
    when there is no file."""
    while True:
        kept = path.with_name(temporary_name(path, None, secrets.token_hex(TAG_BYTES)))
        try:
            os.link(path, kept)
            return kept
        except FileNotFoundError:
            return None
        except FileExistsError:
            continue
        except OSError:  # no hard links here (FAT, some network file systems)
            break
    kept = _new_file(path, None)
    try:
        shutil.copyfile(path, kept)
    except FileNotFoundError:
        kept.unlink(missing_ok=True)
        return None
    return kept


def _put_back(kept: Path | None, path: Path) -> None:
    """`path` as it was before: the file `kept` aside, or none; best effort, in the middle of a failure already."""
    with contextlib.suppress(OSError):
        if kept is None:
            path.unlink(missing_ok=True)
        else:
            os.replace(kept, path)


def _is_file(path: Path, file: os.stat_result) -> bool:
    """Whether `path` is now the file `file` was stat'ed from."""
    try:
        return os.path.samestat(os.stat(path), file)
    except OSError:
        return False


@contextmanager
def folder_lock(folder: str | os.PathLike, shared: bool = False) -> Iterator[bool]:
    """Hold voxlip's lock on `folder`: exclusive while an output and its record are moved into place (atomic_pair) or
    a kernel is built there, shared while a reader reads the pair. It is an flock of the folder itself, so no lock file
    is left behind, and it holds between threads and between processes, and goes when its process ends, however it
    ends. Where none can be taken (no fcntl, a folder that cannot be opened, a file system without flock) the block
    runs without it; what it yields says whether it holds."""
    handle = _locked(Path(folder), shared)
    try:
        yield handle is not None
    finally:
        if handle is not None:
            os.close(handle)


def _locked(folder: Path, shared: bool) -> int | None:
    """An open handle of `folder` holding its flock, or None when none could be taken."""
    try:
        import fcntl  # POSIX
    except ImportError:
        return None
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
    except OSError:
        os.close(handle)
        return None
    except BaseException:
        os.close(handle)
        raise
    return handle


TAG_BYTES = 6
"""Random bytes in a temporary file's name (twice as many hex digits)."""


def temporary_name(path: Path, suffix: str | None = None, tag: str = "0" * 2 * TAG_BYTES) -> str:
    """The name `atomic_output(path)` writes to first: hidden, beside it, with a random `tag` (as long as this
    one)."""
    return f".{path.name}.{tag}{path.suffix if suffix is None else suffix}"


def _new_file(path: Path, suffix: str | None) -> Path:
    """A new empty file beside `path`, of a name nobody else has, with the mode the umask gives any new file.

    (mkstemp makes its files private, 0600; chmod after it would need the umask, and reading the
    umask means setting it, which races with the other threads of the demo.)
    """
    while True:
        candidate = path.with_name(temporary_name(path, suffix, secrets.token_hex(TAG_BYTES)))
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return candidate
        except FileExistsError:
            continue


WRITE_LIMITS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EMFILE, errno.ENFILE})
"""The errors of a write that are the machine's limits, not the file's (a full disk, ulimit -f, ulimit -n): what a
library (phonemizer's copy of espeak-ng, a soundfile, a temporary file) raises is told as write_error tells it."""


def write_error(path: Path | None, error: OSError) -> VoxlipError:
    """What to tell a user whose file (None: one the error does not name) could not be written: why, and what to
    do."""
    if error.errno == errno.ENOSPC:
        advice = _full_disk_advice(path)
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        advice = "that folder cannot be written to: choose another one"
    elif error.errno == errno.EFBIG:
        advice = "the file size limit of this process (ulimit -f) is too small for it: raise it (ulimit -f unlimited)"
    elif error.errno in (errno.EMFILE, errno.ENFILE):
        advice = "too many files are open: raise the limit of open files (ulimit -n 4096)"
    else:
        advice = "choose another place to write it"
    return VoxlipError(f"could not write {path or 'a file'} ({error.strerror or error}): {advice}")


def _full_disk_advice(path: Path | None) -> str:
    """What to do where no space was left for `path`: one in the temporary folder (where voxlip, and the libraries it
    calls, put what they write on the way), on its disk, wants room there or another temporary folder."""
    temporary = os.path.realpath(tempfile.gettempdir())
    room = "free some space there, or set TMPDIR to a folder on a disk with room"
    if path is None:
        return f"a disk is full, most often that of the temporary folder {temporary}: {room}"
    if _on_disk_of(path, temporary):
        return f"the disk is full, that of the temporary folder {temporary}: {room}"
    return "the disk is full: free some space or write somewhere else"


def _on_disk_of(path: Path, folder: str) -> bool:
    """Whether `path` is in `folder` (resolved), on its file system: not on one mounted in it."""
    path = Path(os.path.realpath(path))
    nearest = next((parent for parent in path.parents if parent.exists()), None)
    try:
        return path.is_relative_to(folder) and os.stat(nearest).st_dev == os.stat(folder).st_dev
    except (OSError, TypeError):
        return False
