"""Resumable, verified downloads of public checkpoints into voxlip's cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import checkpoints
from core.checkpoints import Checkpoint
from core.errors import CheckpointError
from core.files import md5_file


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    size: int | None = None,
    progress: bool = True,
    check: Callable[[Path], None] | None = None,
    by_hand: str | None = None,
) -> Path:
    """Download `url` to `dest` through `dest`.part (resumed if present), verify, then rename.

    A file whose size or sha256 differs from the published one, or that `check(part)` refuses, never appears at
    `dest`; the folders made for it are removed again when nothing was kept in them. `by_hand` is what the errors
    tell the user to get by hand instead (by default this file, placed at `dest`).
    """
    made = _make_folder(dest.parent)
    try:
        return _download(
            url, dest, sha256, size, progress, check, by_hand or f"download {url} by hand and place it at {dest}"
        )
    except BaseException:
        for folder in made:  # deepest first; one holding a partial download to resume stays
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def _make_folder(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents; the ones made, deepest first."""
    made = [path for path in (folder, *folder.parents) if not path.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next(path for path in (folder, *folder.parents) if path.exists())
        raise CheckpointError(f"{blocking} is a file, not a folder: give --dir a folder") from None
    except OSError as e:
        raise CheckpointError(
            f"cannot make the folder {folder} ({e.strerror}): give --dir a folder you can write"
        ) from None
    return made


def _download(
    url: str,
    dest: Path,
    sha256: str | None,
    size: int | None,
    progress: bool,
    check: Callable[[Path], None] | None,
    by_hand: str,
) -> Path:
    from huggingface_hub.utils.logging import disable_propagation

    disable_propagation()  # its own handler prints its retries; passed on, a configured root logger printed them again

    part = dest.with_name(dest.name + ".part")
    resume_from = _bytes_kept(part)
    if size is not None and resume_from > size:
        part.unlink()
        resume_from = 0
    missing = size is None or resume_from < size
    if missing:
        _check_resolvable(url, dest, by_hand)
    try:
        if missing:
            _receive(url, part, size, progress, dest.name)
    except Exception as e:  # network and HTTP errors of any transport
        if part.exists() and part.stat().st_size == 0:  # nothing came: nothing to resume
            part.unlink()
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        status = getattr(getattr(e, "response", None), "status_code", None)
        if status == 404:
            raise CheckpointError(
                f"{url} has no such file (the server answered 404 Not Found): check the address, or {by_hand}"
            ) from None
        raise CheckpointError(
            f"could not download {url} ({reason}); {_retry_advice(status, part)}, or {by_hand}"
        ) from None
    try:
        checkpoints.verify(part, sha256, size, f"download of {url}", "it is not the published file, and was not kept")
        if check is not None:
            check(part)
    except CheckpointError as e:
        part.unlink()
        raise CheckpointError(str(e) if url in str(e) else f"download of {url}: {e}") from None
    os.replace(part, dest)
    return dest


def _retry_advice(status: int | None, part: Path) -> str:
    """What to do after a download failed with HTTP `status` (None: no answer), and whether the next run resumes."""
    if status == 429:
        advice = "the server limits how often it is asked: wait a few minutes and run the command again"
    elif status is not None and status >= 500:
        advice = f"the server failed (HTTP {status}): run the command again later"
    else:
        advice = "check your connection and run the command again"
    kept = _bytes_kept(part)
    return f"{advice} (it resumes from the {kept:,} bytes kept in {part})" if kept else advice


def _bytes_kept(part: Path) -> int:
    """How many bytes of a download its `.part` holds (0 when there is none)."""
    return part.stat().st_size if part.exists() else 0


_ATTEMPTS = 5
"""Connections in a row that bring nothing before a download gives up (one that brings bytes starts the count again)."""


def _receive(url: str, part: Path, size: int | None, progress: bool, name: str) -> None:
    """Append `url`'s bytes to `part` (from its length on, by a Range request), each piece written as it arrives, so
    that a dropped connection loses nothing: the next connection, or the next run, resumes where it ended."""
    import time

    from huggingface_hub.utils import httpx, tqdm

    have = _bytes_kept(part)
    failures = 0
    with tqdm(total=size, initial=have, unit="B", unit_scale=True, desc=name, disable=not progress) as bar:
        while True:
            try:
                _connect(url, part, bar)
                return
            except httpx.TransportError:  # refused, timed out, or dropped before the end
                kept = _bytes_kept(part)
                gained, have = kept > have, kept
                failures = 0 if gained else failures + 1
                if failures >= _ATTEMPTS:
                    raise
                if not gained:
                    time.sleep(1)


def _connect(url: str, part: Path, bar: Any) -> None:
    """One connection of `_receive`: ask for the bytes after those `part` holds, and append them as they come (all of
    them again when the server does not resume)."""
    from huggingface_hub import constants
    from huggingface_hub.utils import hf_raise_for_status, http_stream_backoff

    have = _bytes_kept(part)
    headers = {"Range": f"bytes={have}-"} if have else {}
    with http_stream_backoff(
        "GET",
        url,
        headers=headers,
        timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT,
        retry_on_exceptions=(),
        retry_on_status_codes=(408, 429),
    ) as response:
        if have and response.status_code == 416:  # nothing after what is here: it is whole (verify says if not)
            return
        hf_raise_for_status(response)
        if have and response.status_code != 206:  # the whole file again, not the rest
            bar.update(-have)
            have = 0
        with open(part, "ab" if have else "wb") as out:
            for chunk in response.iter_bytes():  # as the bytes come, none held back
                out.write(chunk)
                bar.update(len(chunk))


def _check_resolvable(url: str, dest: Path, by_hand: str) -> None:
    """Fail at once, not after the transport's retries, when the server's name does not resolve (no network), or
    when `url` is no web address."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise CheckpointError(f"{url} is no web address (http or https): give one, or copy the file to {dest}")
    host = parts.hostname or url
    if _proxied(parts.scheme, host):  # the proxy resolves the name, which this machine may not
        return
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError) as e:
        raise CheckpointError(
            f"could not reach {host} (no network, or its name does not resolve: {getattr(e, 'strerror', None) or e}); "
            f"connect to the internet and run the command again, or {by_hand}"
        ) from None


def _proxied(scheme: str, host: str) -> bool:
    """Whether a request for `host` goes through a proxy ($HTTP_PROXY, $HTTPS_PROXY or $ALL_PROXY, and not
    $NO_PROXY)."""
    from urllib.request import getproxies, proxy_bypass

    proxies = getproxies()
    return bool(proxies.get(scheme) or proxies.get("all")) and not proxy_bypass(host)


def fetch(name: str, root: Path | None = None, url: str | None = None, progress: bool = True) -> Path:
    """Put the registry checkpoint `name` (and its companion files) into the cache (or `root`).

    Files already there are verified, not downloaded again. `url` replaces the checkpoint's own link.
    """
    if name.startswith(checkpoints.PIPER_PREFIX):  # a speaker named after # is chosen at use: the voice is whole
        if url:
            raise CheckpointError(
                f"--url does not apply to {name}: a Piper voice is two files, each checked against "
                "rhasspy/piper-voices' voices.json, so it is fetched from huggingface.co only; to use a copy from "
                "elsewhere, give its .onnx file's path to --base-voice (its .onnx.json beside it)"
            )
        return fetch_piper_voice(name.partition("#")[0], root, progress)
    spec: Checkpoint = checkpoints.get(name)
    dest = checkpoints.local_path(spec, root)
    if spec.embedded_in:
        if not dest.is_file():
            raise CheckpointError(checkpoints.missing_message(spec, dest))
        checkpoints.verify_checkpoint(dest, spec)
        return dest
    if dest.is_file():
        checkpoints.verify_checkpoint(dest, spec)
        if spec.sha256 is None:  # no digest says which file it is: its weights' names say which model
            checkpoints.check_cached(dest, spec)
    else:
        source = url or spec.url
        if not source:
            files = " and ".join(Path(file).name for file in (spec.filename, *(c.filename for c in spec.companions)))
            raise CheckpointError(
                f"{name} has no direct download link: get {files} from {spec.source} and place "
                f"{checkpoints.placed_at(spec, dest)}; {checkpoints.README_HINT}"
            )
        beside = "".join(f" and {_companion_url(c, url) or spec.source}" for c in spec.companions)
        download(
            source,
            dest,
            sha256=spec.sha256,
            size=spec.size,
            progress=progress,
            check=lambda part: checkpoints.check_fetched(part, spec),
            by_hand=f"download {source}{beside} by hand and place {checkpoints.placed_at(spec, dest)}",
        )
    for companion in spec.companions:
        beside = (root or checkpoints.cache_dir()) / companion.filename
        damage = checkpoints.companion_damage(beside) if beside.is_file() else None
        if beside.is_file() and damage is None:
            continue
        link = _companion_url(companion, url)
        if not link:
            what = f"its {beside.name} at {beside} is {damage}" if damage else f"needs {companion.filename} beside it"
            raise CheckpointError(f"{name}: {what}: get it from {spec.source} and place it at {beside}")
        download(link, beside, progress=progress, check=_check_companion)
    return dest


def _check_companion(part: Path) -> None:
    """Refuse a downloaded file that should sit beside a checkpoint but is a web page or no JSON."""
    damage = checkpoints.companion_damage(part)
    if damage is not None:
        raise CheckpointError(f"the file downloaded is {damage}: it was not kept; run the command again later")


def _companion_url(companion: checkpoints.Companion, url: str | None) -> str | None:
    """Where a file beside a checkpoint is downloaded from: beside `url`, a mirror's link, if one was given."""
    return (url and f"{url.rsplit('/', 1)[0]}/{Path(companion.filename).name}") or companion.url


def fetch_piper_voice(name: str, root: Path | None = None, progress: bool = True) -> Path:
    """A public Piper voice (`piper:VOICE`): its .onnx and .onnx.json, each checked against the size and md5 that
    rhasspy/piper-voices publishes in its voices.json (it publishes no sha256); the files already here are checked,
    the others downloaded."""
    spec = checkpoints.get(name)
    catalogue = _piper_catalogue(spec, root)
    for target, (remote, size, md5) in checkpoints.published_piper_files(spec, catalogue, root).items():
        if target.is_file():
            differs = checkpoints.piper_file_differs(spec, target, size, md5)
            if differs:
                raise CheckpointError(differs)
            continue
        download(checkpoints.PIPER_VOICES_URL + remote, target, size=size, progress=progress)
        if md5 is not None and md5_file(target) != md5:
            target.unlink()
            raise CheckpointError(
                f"download of {remote}: its md5 differs from the one in voices.json: the file is corrupt; "
                "run the command again"
            )
    return checkpoints.local_path(spec, root)


def _piper_catalogue(spec: Checkpoint, root: Path | None) -> str:
    """The text of rhasspy/piper-voices' voices.json, downloaded and kept beside the voices (`voxlip checkpoints`
    compares their sizes with it); without a network, the copy kept from the last fetch, if there is one."""
    kept = checkpoints.piper_folder(root) / checkpoints.PIPER_CATALOGUE
    url = checkpoints.PIPER_VOICES_URL + "voices.json"
    try:
        return download(
            url,
            kept,
            progress=False,
            check=lambda part: _check_catalogue(part, spec),
            by_hand=_piper_by_hand(spec, root),
        ).read_text(encoding="utf-8")
    except CheckpointError:
        if not kept.is_file():
            raise
    return kept.read_text(encoding="utf-8")


def _check_catalogue(part: Path, spec: Checkpoint) -> None:
    """Refuse a downloaded voices.json that is no catalogue (a web page, cut short) or does not list `spec`'s voice,
    so that it never replaces the copy kept from the last fetch."""
    try:
        text = part.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CheckpointError("rhasspy/piper-voices' voices.json could not be read; run the command again") from None
    checkpoints.piper_voice_files(spec.name.removeprefix(checkpoints.PIPER_PREFIX), text)


def _piper_by_hand(spec: Checkpoint, root: Path | None) -> str:
    """What to do by hand when voices.json cannot be read: get the voice's files, or, when they are here, check them."""
    model = checkpoints.local_path(spec, root)
    config = model.with_name(model.name + ".json")
    if model.is_file() and config.is_file():
        return (
            f"compare {model.name} and {config.name} in {model.parent} with the sizes and md5 that "
            f"{checkpoints.PIPER_VOICES_URL}voices.json gives"
        )
    return (
        f"download {model.name} and {config.name} from {spec.source} and place them in {model.parent} (or give "
        "--base-voice the .onnx file's path)"
    )
