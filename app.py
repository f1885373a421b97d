"""voxlip's browser demo (Gradio): clone a voice, lip-sync a face, or both in one click.

python app.py [--host 127.0.0.1] [--port 7860]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import dataclasses
import decimal
import inspect
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

from core import checkpoints
from core.errors import VoxlipError
from core.memory import limit_allocator_arenas
from core.seeds import LARGEST_SEED
from pipeline import Pipeline
from pipeline.api import ProgressCallback
from pipeline.examples import Examples, make_examples
from pipeline.provenance import CONSENT_STATEMENT, record_path
from pipeline.results import Clip, Speech
from pipeline.stops import Stopped, unwinding_on_stop
from voice.cloning import CONVERTERS, REVOICING_CONVERTERS, SYNTHESIZERS, VOCODERS, choice_checkpoint
from voice.encoder import no_verdict, similarity
from voice.offline.config import OfflineConfig
from voice.offline.engine import TIMBRE_CONVERSION
from voice.speaker import Speaker
from voice.text.languages import OTHER_LANGUAGE_HINT

MAX_UPLOAD_MB = 50
MAX_UPLOAD = f"{MAX_UPLOAD_MB}mb"
REFUSED_UPLOADS = """() => {
    window.voxlipRefusedUploads = [];
    new MutationObserver(() => {
        document.querySelectorAll("[data-testid='toast-text']:not([data-voxlip-seen])").forEach((text) => {
            text.dataset.voxlipSeen = "1";
            if (/Invalid file type|exceed the maximum allowed size/.test(text.innerText)) {
                window.voxlipRefusedUploads.push(text.innerText);
            }
        });
    }).observe(document.body, {childList: true, subtree: true});
}"""
"""Run in the browser when the page loads: it keeps the browser's messages about files it did not upload (a type the
box does not take, a file over the limit), which go after a while, for the next click to say why a box is empty."""
ACCESSIBLE_NAMES = """() => {
    const labelled = (element) => {
        const label = element.closest(".block")?.querySelector("[data-testid='block-label']");
        return label ? label.innerText.split(":")[0].trim() : "";
    };
    const name = (element, said) => {
        if (said && element.getAttribute("aria-label") !== said) element.setAttribute("aria-label", said);
    };
    const named = () => {
        document.querySelectorAll("button.upload-container").forEach((upload) => {
            const what = labelled(upload);
            name(upload, what && `Upload ${what}`);
        });
        document.querySelectorAll("a[data-testid='download-link']").forEach((link) => {
            const what = labelled(link);
            const size = link.innerText.replace("⇣", "").trim();
            name(link, what && (size ? `Download ${what}, ${size}` : `Download ${what}`));
        });
        const controls = {
            "Clear": (what) => `Remove ${what} file`,
            "play-pause-replay-button": (what) => `Play or pause ${what}`,
            "full-screen": (what) => `Show ${what} full screen`,
        };
        Object.entries(controls).forEach(([said, saying]) => {
            document.querySelectorAll(`[aria-label='${said}']`).forEach((control) => {
                const what = labelled(control);
                name(control, what && saying(what));
            });
        });
        document.querySelectorAll(".block .info-text").forEach((info) => {
            info.id ||= `voxlip-info-${++infos}`;
            info.closest(".block").querySelectorAll("input[aria-label]").forEach((input) => {
                if (input.getAttribute("aria-describedby") !== info.id) input.setAttribute("aria-describedby", info.id);
            });
        });
    };
    let infos = 0;
    new MutationObserver(named).observe(document.body, {childList: true, subtree: true});
    named();
}"""
"""Run in the browser when the page loads, and again as the page changes: each upload box and each download link is
named by its box's label (the part before a colon), as a screen reader says it: "Upload Voice A", "Download
Provenance record, 1.9 KB". Gradio names every upload box "Click to upload or drop files", a download link by its
file's size alone, and a result's download link not at all; a file's remove button and a clip's play and full screen
buttons are named by their box too ("Remove Face file", "Play or pause Talking clip"), where gradio says "Clear",
"play-pause-replay-button" and "full-screen". A control gradio names by an aria-label of its own (a
dropdown, a slider and its number box) is described by its help text, which a screen reader does not say otherwise."""
REFUSAL_TITLE = "voxlip could not do this"
"""The title of the page's messages that something was not done, where gradio says "Error"."""
TITLED_REFUSALS = f"""() => {{
    const titled = () => {{
        document.querySelectorAll(".toast-title.error").forEach((title) => {{
            title.childNodes.forEach((node) => {{
                if (node.nodeType === Node.TEXT_NODE && node.nodeValue.trim() === "Error") {{
                    node.nodeValue = {json.dumps(REFUSAL_TITLE + " ")};
                }}
            }});
        }});
    }};
    new MutationObserver(titled).observe(document.body, {{childList: true, subtree: true}});
    titled();
}}"""
"""Run in the browser when the page loads, and again as the page changes: a message that something was not done is
titled REFUSAL_TITLE in its text, which is what a screen reader says too (gradio 6 titles every error message
"Error", whatever gr.Error's title says)."""
OUTCOMES = """() => {
    const told = () => {
        document.querySelectorAll(".block.outcome [data-testid='markdown']:not([role=status])").forEach((outcome) => {
            outcome.setAttribute("role", "status");
            outcome.setAttribute("aria-live", "polite");
        });
        document.querySelectorAll("[role=status][aria-live]").forEach((region) => {
            region.childNodes.forEach((node) => {
                if (node.nodeType === Node.TEXT_NODE && node.nodeValue.trim() === "common.complete") {
                    const tab = [...document.querySelectorAll(".tabitem")].find((tab) => tab.offsetParent);
                    node.nodeValue = tab?.querySelector(".block.outcome") ? "" : "Done";
                }
            });
        });
    };
    new MutationObserver(told).observe(document.body, {childList: true, subtree: true, characterData: true});
    told();
}"""
"""Run in the browser when the page loads, and again as the page changes: a job's outcome under its buttons
(_work_buttons) is a polite live region, so that a screen reader says "Stopped." or DONE as it shows; gradio's own
announcement of an ended request, the untranslated "common.complete", says "Done", or nothing on a tab whose outcome
says how its job ended."""
FOCUS_AFTER_STOP = """() => {
    let stop = null;
    let start = null;
    document.addEventListener("focusin", (event) => {
        stop = event.target.closest?.(".stops-work") || null;
        start = stop?.closest(".row")?.querySelector(".starts-work") || null;
    });
    const moved = () => {
        const lost = [document.body, null, stop].includes(document.activeElement);
        if (stop && start && (!stop.isConnected || !stop.offsetParent) && lost) {
            start.focus();
        }
    };
    new MutationObserver(moved).observe(document.body, {childList: true, subtree: true, attributes: true});
}"""
"""Run in the browser when the page loads: when a Stop button that has the focus goes (pressed, or its job ended),
the focus moves to the button that starts the work beside it (_work_buttons), where it falls to the page otherwise."""
PAGE_SCRIPT = (
    f"() => {{ ({REFUSED_UPLOADS})(); ({ACCESSIBLE_NAMES})(); ({TITLED_REFUSALS})(); ({OUTCOMES})(); "
    f"({FOCUS_AFTER_STOP})(); }}"
)
"""What runs in the browser when the page loads."""
DISMISS_MESSAGES = """() => {
    document.querySelectorAll("[data-testid='toast-close']").forEach((close) => close.click());
    return (window.voxlipRefusedUploads || []).splice(0).join("\\n");
}"""
"""Run in the browser on a click: the messages shown before it go (the browser's own about a file it did not upload,
an earlier request's), so that what the click gets is the one message shown; the refused uploads kept since the last
click (REFUSED_UPLOADS) go to the server, which names them if a box the request needs is empty."""
MAX_TEXT = 2000
"""Characters per request in the demo (the Python API and CLI take more): longer text is refused with a message, not
cut short in the text box."""
TEXT_INFO = f"Up to {MAX_TEXT} characters; the voxlip command line takes longer text."
CLIP_HEIGHT = 480
"""Pixels: the tallest a result clip is shown, so that what made it stays in view below it."""
LOWER_CASE_NAMES = ("voxlip", "ffmpeg")
"""Names a message may begin with that keep their lower case."""
READABLE_GREY = "var(--block-label-text-color)"
"""The colour of small help text: the labels' grey, 4.83:1 on white (#71717a; light on the dark theme)."""
RECORD_HEIGHT = 90
"""Pixels: a provenance record's box with its file (a file box is a large drop area otherwise)."""
RECORD_EMPTY_HEIGHT = 40
"""Pixels: the empty part of a provenance record's box before a result (gradio draws 236 px, whatever `height`)."""
WORK = "voxlip-work"
"""The concurrency group of the long jobs' work (gradio limits each event on its own otherwise)."""
QUICK = "voxlip-quick"
"""The concurrency group of Compare voices (under a second's work): in the long jobs' group it would wait behind every
long job queued, its area blank for 90 s and more."""
REFERENCE = "Voice to clone"
VOICE_LABEL = f"{REFERENCE}: a few seconds of speech, recorded or in a video"
CONVERSION = "voice conversion"
"""The role of the component that moves speech toward the reference."""
TIMBRE_ONLY = (
    "speech whose timbre alone was moved toward the reference, not its pitch (none could be read: see the notes)"
)
"""What a result's speech is when the offline conversion moved its timbre only (a noise or a tone as the reference)."""
FACE = "Face"
SPEECH = "Speech"
SOURCE = "Speech to say in that voice"
COMPARED = ("Voice A", "Voice B")
"""The Compare tab's recordings, as its labels and its messages name them."""
SEED_RANGE = f"give a whole number from 0 to {LARGEST_SEED}, or -1 for a different result each time"
ASKS = {
    "voice": "Give a voice to clone (a recording or a video, or a few seconds recorded with the microphone)",
    "text_to_clip": "Give a voice recording and a face (video or photo)",
    "lipsync": "Give a face (video or photo) and the speech to lip-sync",
    "convert": "Give the voice to clone and the speech (a recording or a video) to say in it",
    "compare": "Give two recordings",
}
"""What each button's request asks for, said when an input it needs is empty."""
STOPPED = "Stopped."
"""What a stopped job's details and outcome say (a stop is the user's choice, not an error)."""
DONE = "Done: the result and its details are below."
"""What a job's outcome says when its result is shown."""
SIMILARITY_STEP = 0.05
SIMILARITY_INFO = (
    "0: the Piper base voice as it is, most natural; 1: pitch, formants and timbre moved fully to the reference"
)


class JobStopped(Exception):
    """A job its user stopped (the Stop button, or the tab closed), raised from its next progress report."""


@dataclass
class _Job:
    """One session's job of one button: its stop flag, the stop flags of its requests that run, and whether a click
    waits to run after them."""

    flag: threading.Event = field(default_factory=threading.Event)
    running: list[threading.Event] = field(default_factory=list)
    waiting: bool = False

    def stop(self) -> None:
        """Stop the job: its running requests and those that start before its next click."""
        self.flag.set()
        for request in self.running:
            request.set()


class Jobs:
    """Each session's jobs (a tab's, by button) and their stop flags: the work runs in a thread that gradio cannot
    end, so the Stop button and the tab's closing set the flag of the job and of each of its running requests, and a
    request's next progress report raises JobStopped. A request cancelled on its own (an API client's cancel) sets its
    own flag only. A stop asked while a request waits in the queue stops it as it starts; the next click clears it.
    A job is busy while a request of it runs or a click waits to run after it (gradio runs a click made while the
    button's request runs once that one ends), which is while its Stop button shows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], _Job] = {}

    def clicked(self, session: str, button: str) -> None:
        """A new click: a stop asked before it lapses (the requests it stopped keep their flag)."""
        with self._lock:
            job = self._jobs.get((session, button))
            if job is not None and job.flag.is_set():
                job.flag = threading.Event()

    def waits(self, session: str, button: str) -> None:
        """A click passed its checks: its request is on its way, to run now or after the one running."""
        with self._lock:
            self._jobs.setdefault((session, button), _Job()).waiting = True

    def failed(self, session: str, button: str) -> None:
        """A request failed: gradio drops the click that waited to run after it."""
        with self._lock:
            job = self._jobs.get((session, button))
            if job is not None:
                job.waiting = False

    def busy(self, session: str, button: str) -> bool:
        """Whether a request of the session's `button` runs, or a click waits to run, and no stop was asked."""
        with self._lock:
            job = self._jobs.get((session, button))
            return job is not None and not job.flag.is_set() and (bool(job.running) or job.waiting)

    def asked_to_stop(self, session: str, button: str) -> bool:
        """Whether a stop of the session's requests of `button` was asked since its last click."""
        with self._lock:
            job = self._jobs.get((session, button))
            return job is not None and job.flag.is_set()

    def stop(self, session: str, button: str) -> None:
        """Stop the session's running and waiting requests of `button`."""
        with self._lock:
            self._jobs.setdefault((session, button), _Job()).stop()

    def closed(self, request: gr.Request) -> None:
        """The tab closed (gradio's unload event): its jobs stop and are forgotten."""
        with self._lock:
            for key in [key for key in self._jobs if key[0] == request.session_hash]:
                self._jobs.pop(key).stop()

    def run(
        self, session: str, button: str, work: Callable[[threading.Event], tuple], stop: threading.Event | None = None
    ) -> tuple:
        """`work(stop)` as one of the session's requests of `button`: `stop` is the request's own flag (a new one if
        not given), which the session's stop sets too."""
        stop = threading.Event() if stop is None else stop
        with self._lock:
            job = self._jobs.setdefault((session, button), _Job())
            job.running.append(stop)
            job.waiting = False
            if job.flag.is_set():
                stop.set()
        try:
            if stop.is_set():
                raise JobStopped
            return work(stop)
        finally:
            with self._lock:
                job.running.remove(stop)
                idle = not job.running and not job.waiting and not job.flag.is_set()
                if idle and self._jobs.get((session, button)) is job:
                    del self._jobs[(session, button)]


class Demo:
    """The page's handlers around one Pipeline: models load once and serve every request.

    Each request writes into its own temporary folder, removed when the app stops or the folder
    holds more than `keep` finished results.
    """

    def __init__(self, pipeline: Pipeline, workdir: Path, keep: int = 64):
        self.pipeline = pipeline
        self.workdir = workdir
        self.keep = keep
        self._lock = threading.Lock()
        key = ("auto", "auto", pipeline.voice_settings.converter, pipeline.voice_settings.offline)
        self._voices: dict[tuple[str, str, str, OfflineConfig], Pipeline] = {key: pipeline}

    def _pipeline_for(
        self,
        synthesizer: str = "auto",
        vocoder: str = "auto",
        converter: str | None = None,
        *,
        similarity: float | None = None,
        revoicing_similarity: float | None = None,
        still: bool = False,
        face_index: int | None = None,
    ) -> Pipeline:
        """The pipeline with the chosen voice components and the offline voice's similarities (None: the default),
        made once per choice; `still` keeps a photo's head still (the offline lip-sync; blinks stay), `face_index`
        chooses the face that speaks (None: the largest)."""
        shares = {"similarity": similarity, "revoicing_similarity": revoicing_similarity}
        offline = dataclasses.replace(
            self.pipeline.voice_settings.offline,
            **{name: min(1.0, max(0.0, float(share))) for name, share in shares.items() if share is not None},
        )
        key = (synthesizer or "auto", vocoder or "auto", converter or self.pipeline.voice_settings.converter, offline)
        with self._lock:
            if key not in self._voices:
                self._voices[key] = self.pipeline.with_voice(key[0], key[1], offline=offline, converter=key[2])
            pipeline = self._voices[key]
        changes = {"still": True} if still else {}
        if face_index is not None:
            changes["face_index"] = face_index
        if changes:
            pipeline = copy.copy(pipeline)
            pipeline.lipsync_options = dataclasses.replace(pipeline.lipsync_options, **changes)
        return pipeline

    def _output(self, kind: str, suffix: str) -> Path:
        """Where a request's result goes: its own folder, and a name of its kind and time, so that downloads are told
        apart (`voxlip-clip-20261206-101502.mp4`, not `voxlip-clip (3).mp4`)."""
        with self._lock:
            finished = sorted(self.workdir.iterdir(), key=lambda p: p.stat().st_mtime)
            for old in finished[: max(0, len(finished) - self.keep)]:
                shutil.rmtree(old, ignore_errors=True)
            folder = Path(tempfile.mkdtemp(prefix="request-", dir=self.workdir))
        return folder / f"voxlip-{kind}-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"

    def _saved(
        self, result: Speech | Clip, kind: str, suffix: str, stop: threading.Event | None = None
    ) -> tuple[str, str]:
        """The result written into its request's folder: its file, and the provenance record written beside it; a
        clip's temporary MP4 is removed then. `stop` set after the work's last progress report: JobStopped, nothing
        written."""
        with result:
            if stop is not None and stop.is_set():
                raise JobStopped
            path = result.save(self._output(kind, suffix))
        return str(path), str(record_path(path))

    @staticmethod
    def _check(consent: bool, text: str | None = None) -> None:
        if not consent:
            raise _refusal("Tick the consent box first: voxlip only imitates people who agreed to it.")
        if text is not None and len(text) > MAX_TEXT:
            raise _refusal(
                f"The demo takes up to {MAX_TEXT} characters at once; use the voxlip command line for longer text."
            )

    @staticmethod
    def _made_by(result: Speech | Clip, inputs: dict[str, str | None], unconverted: str | None = None) -> str:
        """The result's details: the files it was made from (`inputs`: the page's name for each, its upload), by
        the names they were uploaded under, as a box may hold another file by the time the result shows; what made
        it (`unconverted`: what its speech is when it was not moved toward the reference; TIMBRE_ONLY when only its
        timbre was), each component, the notes, the seed it was made with (drawn at random for -1) and the time
        taken."""
        if not unconverted and TIMBRE_CONVERSION in result.components:
            unconverted = TIMBRE_ONLY
        offline = [c.role for c in result.components if not c.neural and not (unconverted and c.role == CONVERSION)]
        kinds = [unconverted] if unconverted else []
        if offline:
            kinds.append(f"offline fallbacks for the {', '.join(offline)} (no neural checkpoints fetched)")
        elif not unconverted:
            kinds.append("neural models")
        lines = [
            f"**Made with {' and '.join(kinds)}**; marked as AI-generated in the file (watermark, content credentials):"
        ]
        lines += [f"- {c.describe()}" for c in result.components]
        lines += [f"- note: {_for_the_page(note)}" for note in result.notes]
        named = [f"{role}: `{Path(upload).name}`" for role, upload in inputs.items() if upload]
        lines.append(f"\nMade from {', '.join(named)}.")
        if result.seed is not None:
            lines.append(f"\nSeed {result.seed}.")
        lines.append("\nTook " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
        return "\n".join(lines)

    @staticmethod
    def _speaker(pipeline: Pipeline, recording: str, role: str) -> Speaker:
        """The recording's speaker; one voxlip cannot use is refused naming it as the page does (`role`), for a tab that
        takes two recordings: "the recording is silent" would not say which, and two files may share a name."""
        try:
            return pipeline.speaker(recording)
        except VoxlipError as e:
            raise _refusal(f"{role}: {e}", recording) from None

    def voice(
        self,
        reference: str | None,
        text: str,
        seed: str | float | None,
        consent: bool,
        synthesizer: str = "auto",
        vocoder: str = "auto",
        similarity: float | None = None,
        converter: str | None = None,
        progress: gr.Progress = gr.Progress(),
        stop: threading.Event | None = None,
    ) -> tuple[str, str, str]:
        """The reference's voice saying the text: (audio, details, provenance record); `stop` set: JobStopped."""
        self._check(consent, text)
        _given("voice", {REFERENCE: reference})
        seed = _seed(seed)
        try:
            progress(0, desc="cloning the voice")
            pipeline = self._pipeline_for(synthesizer, vocoder, converter, similarity=similarity)
            sentences = _reporting(progress, stop, "cloning the voice")
            speech = pipeline.clone_voice(reference, text, consent=consent, seed=seed, progress=sentences)
            path, record = self._saved(speech, "voice", ".wav", stop)
        except VoxlipError as e:
            raise _refusal(str(e), reference) from None
        return path, self._made_by(speech, {REFERENCE: reference}, _base_voice(pipeline)), record

    def lipsync(
        self,
        face: str | None,
        audio: str | None,
        consent: bool,
        still: bool = False,
        face_index: float | None = -1,
        progress: gr.Progress = gr.Progress(),
        stop: threading.Event | None = None,
    ) -> tuple[str, str, str]:
        """The face saying the speech: (video, details, provenance record); `stop` set: JobStopped."""
        self._check(consent)
        _given("lipsync", {FACE: face, SPEECH: audio})
        try:
            pipeline = self._pipeline_for(still=still, face_index=_chosen(face_index))
            frames = _reporting(progress, stop, "lip-sync", "frames")
            clip = pipeline.lipsync(face, audio, consent=consent, progress=frames)
            path, record = self._saved(clip, "lipsync", ".mp4", stop)
        except VoxlipError as e:
            raise _refusal(str(e), face, audio) from None
        return path, self._made_by(clip, {FACE: face, SPEECH: audio}), record

    def text_to_clip(
        self,
        reference: str | None,
        face: str | None,
        text: str,
        seed: str | float | None,
        consent: bool,
        similarity: float | None = None,
        still: bool = False,
        face_index: float | None = -1,
        progress: gr.Progress = gr.Progress(),
        stop: threading.Event | None = None,
    ) -> tuple[str, str, str]:
        """The face saying the text in the reference's voice: (video, details, provenance record); `stop` set:
        JobStopped."""
        self._check(consent, text)
        _given("text_to_clip", {REFERENCE: reference, FACE: face})
        seed = _seed(seed)
        try:
            progress(0, desc="cloning the voice")
            pipeline = self._pipeline_for(similarity=similarity, still=still, face_index=_chosen(face_index))
            clip = pipeline.text_to_clip(
                reference,
                face,
                text,
                consent=consent,
                seed=seed,
                voice_progress=_reporting(progress, stop, "cloning the voice"),
                progress=_reporting(progress, stop, "lip-sync", "frames"),
            )
            path, record = self._saved(clip, "clip", ".mp4", stop)
        except VoxlipError as e:
            raise _refusal(str(e), reference, face) from None
        return path, self._made_by(clip, {REFERENCE: reference, FACE: face}, _base_voice(pipeline)), record

    def convert(
        self,
        reference: str | None,
        source: str | None,
        seed: str | float | None,
        consent: bool,
        converter: str | None = None,
        similarity: float | None = None,
        progress: gr.Progress = gr.Progress(),
        stop: threading.Event | None = None,
    ) -> tuple[str | None, str | None, str, str]:
        """The source recording (or a video's soundtrack) said in the reference's voice: (audio, video, details,
        provenance record); `stop` set: JobStopped."""
        self._check(consent)
        _given("convert", {REFERENCE: reference, SOURCE: source})
        seed = _seed(seed)
        try:
            progress(0, desc="converting the voice")
            pipeline = self._pipeline_for(converter=converter, revoicing_similarity=similarity)
            speaker = self._speaker(pipeline, reference, REFERENCE)
            result = pipeline.convert_voice(
                speaker,
                source,
                consent=consent,
                seed=seed,
                progress=_reporting(progress, stop, "converting the voice"),
                video_progress=_reporting(progress, stop, "writing the video", "frames"),
            )
            made_by = self._made_by(result, {REFERENCE: reference, SOURCE: source})
            if isinstance(result, Clip):
                video, record = self._saved(result, "converted", ".mp4", stop)
                return None, video, made_by, record
            audio, record = self._saved(result, "converted", ".wav", stop)
            return audio, None, made_by, record
        except VoxlipError as e:
            raise _refusal(str(e), reference, source) from None

    def compare(self, first: str | None, second: str | None) -> str:
        recordings = dict(zip(COMPARED, (first, second), strict=True))
        _given("compare", recordings)
        encoder = self.pipeline.encoder
        first, second = (self._speaker(self.pipeline, recording, role) for role, recording in recordings.items())
        score = similarity(first.embedding, second.embedding)
        threshold = encoder.config.same_speaker_threshold
        if threshold is None:
            return f"### Cosine similarity {score:.3f}\nGE2E encoder `{encoder.checkpoint_name}`: {no_verdict(encoder)}"
        return f"### Cosine similarity {_verdict(score, threshold)}\nGE2E encoder `{encoder.checkpoint_name}`."


def _verdict(score: float, threshold: float) -> str:
    """The score, the verdict and the threshold, both numbers to 3 decimals; where they round equal, which side of
    the threshold the score is on, so that the verdict never contradicts the numbers shown."""
    verdict = "the same speaker" if score >= threshold else "different speakers"
    side = "over" if score > threshold else "at" if score == threshold else "under"
    if side != "at" and f"{score:.3f}" == f"{threshold:.3f}":
        side = f"just {side}"
    return f"{score:.3f}: {verdict} ({side} the threshold, {threshold:.3f})"


def _base_voice(pipeline: Pipeline) -> str | None:
    """What the pipeline's speech from text is when it is the Piper base voice as it is (converter none, similarity
    0); None when it is in the reference's voice."""
    why = pipeline.unconverted_voice
    return why and f"the Piper base voice as it is, not in the reference's voice ({why})"


def _seed(value: str | float | None) -> int | None:
    """The seed box's text as a seed: empty or -1 for a different result each time; anything but a whole number in
    range is refused, quoting what was typed."""
    typed = "" if value is None else str(value).strip()
    try:
        number = decimal.Decimal(typed or "-1")
    except decimal.InvalidOperation:
        number = decimal.Decimal("NaN")
    if number.is_finite() and number == -1:
        return None
    if not (number.is_finite() and number == number.to_integral_value() and 0 <= number <= LARGEST_SEED):
        raise _refusal(f"Seed {typed}: {SEED_RANGE}.")
    return int(number)


def _seed_box() -> gr.Textbox:
    """The seed as typed: a number box rounds what it is given (3.7 to 4), where _seed refuses 3.7 (no whole number)."""
    info = f"-1: random; a whole number from 0 to {LARGEST_SEED} repeats a result"
    return gr.Textbox(label="Seed", value="-1", info=info, max_lines=1)


def _chosen(value: float | None) -> int | None:
    """A number box's value (a seed, a face index); -1 or empty: none chosen."""
    return None if value is None or value < 0 else int(value)


def _reporting(
    progress: gr.Progress, stop: threading.Event | None, stage: str, unit: str | None = None
) -> ProgressCallback:
    """A pipeline stage's progress callback: the page's bar moves with what it has done (`unit`: what its rate
    counts, shown per second), and the job stops (JobStopped) at its next report once `stop` is set."""

    def report(done: int, total: int, rate: float) -> None:
        if stop is not None and stop.is_set():
            raise JobStopped
        progress((done, total), desc=f"{stage} {rate:.0f} {unit}/s" if unit else stage)

    return report


def _stoppable(handler: Callable[..., tuple], jobs: Jobs, button: str, outputs: int) -> Callable[..., tuple]:
    """`handler` run as a job of its session that its Stop button and the tab's closing stop; a stopped job's
    outputs are empty but its details, which say STOPPED. Gradio passes the progress bar and the request (whose
    session) by the signature given here: the handler's inputs, then those two."""
    given = [p for p in inspect.signature(handler).parameters.values() if p.name not in ("progress", "stop")]

    async def run(*values) -> tuple:
        *inputs, progress, request = values
        stop = threading.Event()

        def work() -> tuple:
            try:
                return jobs.run(
                    request.session_hash, button, lambda flag: handler(*inputs, progress=progress, stop=flag), stop
                )
            except JobStopped:
                return _stopped_outputs(outputs)

        return await _until_cancelled(work, stop)

    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    run.__signature__ = inspect.Signature(
        [
            *given,
            inspect.Parameter("progress", keyword, default=gr.Progress()),
            inspect.Parameter("request", keyword, default=None, annotation=gr.Request),
        ]
    )
    run.__annotations__ = {"request": gr.Request}
    return run


async def _until_cancelled(work: Callable[[], tuple], stop: threading.Event) -> tuple:
    """`work()` run in a worker thread. Gradio cancels a request (the Stop button, an API client's cancel) by
    cancelling this coroutine, which cannot end the thread: `stop` is set, so the work ends at its next progress
    report, and the request keeps its place among those running (the concurrency limit) until it has, rather than
    leaving its work to run on beside the next request."""
    thread = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        return await asyncio.shield(thread)
    except asyncio.CancelledError:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.shield(thread)
        raise


def _stopped_outputs(outputs: int) -> tuple:
    """A stopped request's `outputs` values: empty but its details (the last but one), which say STOPPED."""
    return (*(None for _ in range(outputs - 2)), STOPPED, None)


def _face_input() -> gr.File:
    """The face upload (video or photo), with a webcam snapshot that fills it."""
    with gr.Column():
        face = gr.File(
            label=f"{FACE}: a video or a photo",
            file_types=["image", "video", ".heic", ".heif"],  # a phone's photos, which some pickers do not call images
            type="filepath",
        )
        with gr.Accordion("...or take a photo with the webcam", open=False):
            webcam = gr.Image(sources=["webcam"], type="filepath", label="Webcam photo", show_label=False)
    webcam.change(lambda photo: photo, webcam, face, show_progress="hidden", queue=False, api_visibility="private")
    return face


def _voice_input(label: str) -> gr.File:
    """A voice upload that takes a recording or a video (its soundtrack), with a microphone recording that fills it:
    gr.Audio's own upload refuses a video, and the .webm a browser or phone records (which browsers call video/webm)."""
    with gr.Column():
        voice = gr.File(label=label, file_types=["audio", "video"], type="filepath")
        with gr.Accordion("...or record it with the microphone", open=False):
            microphone = gr.Audio(sources=["microphone"], type="filepath", label="Microphone", show_label=False)
    microphone.change(
        lambda recording: recording, microphone, voice, show_progress="hidden", queue=False, api_visibility="private"
    )
    return voice


def _converter_choice(with_none: bool = True) -> gr.Dropdown:
    return _component_choice(
        CONVERTERS if with_none else REVOICING_CONVERTERS,
        "Converter",
        "auto: OpenVoice V2 if its checkpoint is fetched, else offline signal processing",
    )


def _component_choice(choices: tuple[str, ...], label: str, info: str, visible: bool = True) -> gr.Dropdown:
    """A choice of the voice components this server has; its info names those it lacks and how whoever runs the demo
    gets them, before a click rather than after it."""
    missing = _missing(choices)
    if missing:
        info += (
            f"; not on this server: {', '.join(missing)} (whoever runs the demo can run "
            f"`voxlip fetch {' '.join(missing.values())}`)"
        )
    return gr.Dropdown([c for c in choices if c not in missing], value="auto", label=label, info=info, visible=visible)


def _missing(choices: tuple[str, ...]) -> dict[str, str]:
    """The choices whose checkpoint is not on this server, each with that checkpoint's name."""
    needed = {choice: choice_checkpoint(choice) for choice in choices}
    return {choice: name for choice, name in needed.items() if name and not checkpoints.is_present(name)}


def _similarity_slider(value: float, info: str, minimum: float = 0.0) -> gr.Slider:
    label = f"Similarity (offline voice), from {minimum:g} to 1"
    return gr.Slider(minimum, 1.0, value=value, step=SIMILARITY_STEP, label=label, info=info)


def _still_box() -> gr.Checkbox:
    return gr.Checkbox(label="Keep the head still (a photo: only the mouth and the eyes move)", value=False)


def _face_index_box() -> gr.Number:
    return gr.Number(label="Face index (-1: the largest face; 0: the leftmost, 1: the next...)", precision=0, value=-1)


def _record_output() -> gr.File:
    """The result's provenance record, to download beside it: it stays on the server otherwise."""
    return gr.File(
        label="Provenance record: keep it beside the file, under the name it has",
        height=RECORD_HEIGHT,
        elem_classes=["record"],
    )


def _consent_box() -> gr.Checkbox:
    return gr.Checkbox(label=CONSENT_STATEMENT, value=False, elem_classes=["consent"])


def build_demo(demo: Demo, examples: Examples | None = None) -> gr.Blocks:
    """The page; `examples` (a voice and a face voxlip made itself) fill the inputs with one click."""
    offline = demo.pipeline.voice_settings.offline
    example_label = "Example: a synthetic voice and a drawn face, both made by voxlip (no real person)"
    voice_example_label = "Example: a synthetic voice made by voxlip (no real person)"
    # a label per example: gradio shows labelled examples as buttons that wrap, where a table of the files' paths is
    # wider than a phone
    # Uploads and results in Gradio's cache are deleted after an hour.
    jobs = Jobs()
    with gr.Blocks(title="voxlip", delete_cache=(600, 3600)) as page:
        refused = gr.Textbox(visible="hidden")  # the browser's messages about files it did not take (REFUSED_UPLOADS)
        gr.Markdown(
            "# voxlip\nClone a voice from a few seconds of speech and make a face speak it. "
            "Everything made here carries a visible *AI-generated* label (video), an inaudible watermark and "
            "signed content credentials; `voxlip detect FILE` finds them. Each result comes with its provenance "
            "record (what made it, from what): keep it beside the file, under the name it has, and `voxlip detect` "
            "reads it too."
        )
        with gr.Tabs(overflow_behavior="wrap"):  # a phone shows every tab, on two rows
            with gr.Tab("Text to clip"):
                with gr.Row():
                    reference = _voice_input(VOICE_LABEL)
                    face = _face_input()
                text = gr.Textbox(label="What the voice says", lines=3, info=TEXT_INFO)
                with gr.Row():
                    seed = _seed_box()
                    similarity = _similarity_slider(offline.similarity, SIMILARITY_INFO)
                    still = _still_box()
                    face_index = _face_index_box()
                consent = _consent_box()
                button, stop, outcome = _work_buttons("Make the clip")
                video = gr.Video(label="Talking clip", buttons=["download"], height=CLIP_HEIGHT)
                details = gr.Markdown()
                record = _record_output()
                _on_click(
                    button,
                    demo.text_to_clip,
                    [reference, face, text, seed, consent, similarity, still, face_index],
                    [video, details, record],
                    "text_to_clip",
                    {REFERENCE: reference, FACE: face},
                    refused,
                    jobs,
                    stop,
                    outcome,
                )
                if examples:
                    gr.Examples(
                        [[str(examples.voice), str(examples.face), examples.text]],
                        [reference, face, text],
                        label=example_label,
                        example_labels=["the voice, the face and the words"],
                    )
            with gr.Tab("Voice"):
                reference = _voice_input(VOICE_LABEL)
                text = gr.Textbox(label="What the voice says", lines=3, info=TEXT_INFO)
                with gr.Row():
                    seed = _seed_box()
                    synthesizer = _component_choice(
                        SYNTHESIZERS,
                        "Synthesizer",
                        "auto: Piper + OpenVoice V2 if fetched, else SV2TTS if fetched, else the offline voice",
                    )
                    vocoder = _component_choice(
                        VOCODERS,
                        "Vocoder (SV2TTS only)",
                        "auto: WaveRNN, else HiFi-GAN, else Griffin-Lim",
                        visible=not _missing(("sv2tts",)),  # its vocoders serve SV2TTS alone
                    )
                    converter = _converter_choice()
                similarity = _similarity_slider(offline.similarity, SIMILARITY_INFO)
                consent = _consent_box()
                button, stop, outcome = _work_buttons("Clone the voice")
                audio = gr.Audio(label="Cloned speech", type="filepath", buttons=["download"])
                details = gr.Markdown()
                record = _record_output()
                _on_click(
                    button,
                    demo.voice,
                    [reference, text, seed, consent, synthesizer, vocoder, similarity, converter],
                    [audio, details, record],
                    "voice",
                    {REFERENCE: reference},
                    refused,
                    jobs,
                    stop,
                    outcome,
                )
                if examples:
                    gr.Examples(
                        [[str(examples.voice), examples.text]],
                        [reference, text],
                        label=voice_example_label,
                        example_labels=["the voice and the words"],
                    )
            with gr.Tab("Lip-sync"):
                with gr.Row():
                    face = _face_input()
                    speech = _voice_input(f"{SPEECH}: a recording, or a video (its soundtrack)")
                with gr.Row():
                    still = _still_box()
                    face_index = _face_index_box()
                consent = _consent_box()
                button, stop, outcome = _work_buttons("Lip-sync")
                video = gr.Video(label="Lip-synced clip", buttons=["download"], height=CLIP_HEIGHT)
                details = gr.Markdown()
                record = _record_output()
                _on_click(
                    button,
                    demo.lipsync,
                    [face, speech, consent, still, face_index],
                    [video, details, record],
                    "lipsync",
                    {FACE: face, SPEECH: speech},
                    refused,
                    jobs,
                    stop,
                    outcome,
                )
                if examples:
                    gr.Examples(
                        [[str(examples.face), str(examples.voice)]],
                        [face, speech],
                        label=example_label,
                        example_labels=["the face and the speech"],
                    )
            with gr.Tab("Convert speech"):
                with gr.Row():
                    reference = _voice_input(VOICE_LABEL)
                    source = _voice_input(f"{SOURCE}: a recording or a video (its soundtrack)")
                with gr.Row():
                    seed = _seed_box()
                    converter = _converter_choice(with_none=False)
                    similarity = _similarity_slider(
                        offline.revoicing_similarity,
                        f"{SIMILARITY_STEP:g}: the recording moved a little; 1: pitch, formants and timbre moved fully "
                        "(loses more words)",
                        minimum=SIMILARITY_STEP,  # at 0 nothing would be converted: refused
                    )
                consent = _consent_box()
                button, stop, outcome = _work_buttons("Convert")
                with gr.Row():
                    audio = gr.Audio(label="Converted speech", type="filepath", buttons=["download"])
                    video = gr.Video(label="Video with the converted speech", buttons=["download"], height=CLIP_HEIGHT)
                details = gr.Markdown()
                record = _record_output()
                _on_click(
                    button,
                    demo.convert,
                    [reference, source, seed, consent, converter, similarity],
                    [audio, video, details, record],
                    "convert",
                    {REFERENCE: reference, SOURCE: source},
                    refused,
                    jobs,
                    stop,
                    outcome,
                )
            with gr.Tab("Compare voices"):
                with gr.Row():
                    first = _voice_input(f"{COMPARED[0]}: a recording or a video")
                    second = _voice_input(f"{COMPARED[1]}: a recording or a video")
                button = gr.Button("Compare")
                result = gr.Markdown()
                _on_click(
                    button,
                    demo.compare,
                    [first, second],
                    [result],
                    "compare",
                    dict(zip(COMPARED, (first, second))),
                    refused,
                    group=QUICK,
                )
        page.unload(jobs.closed)
    return page


def _for_the_page(message: str) -> str:
    """A message of the API or the command line in the page's terms: its options are the server's, not the user's."""
    missing = re.match(r"checkpoint '([^']+)' is not on this machine", message)
    if missing:
        return (
            f"This demo's server does not have the {missing[1]} checkpoint: choose auto, or ask whoever runs the demo "
            f"to run `voxlip fetch {missing[1]}`."
        )
    page_words = {
        OTHER_LANGUAGE_HINT: "this demo would need a Piper voice of it (whoever runs the demo can start it with one: "
        "app.py --base-voice)",
        "; --max-size raises the limit": "",
        "; --face-index)": ", in the face index box)",
        ", or leave it out": ", or -1",
        " (your own samples: pass them through mark_audio() first)": "",
        " (your own frames: pass them through protect_frames() first)": "",
        "or None for a different result each time": "or -1 for a different result each time",
        " (--similarity)": " (the Similarity slider)",
        "revoicing_similarity 0 ": "a similarity of 0 ",
        "(--converter none)": "(the Converter: none)",
    }
    for words, page in page_words.items():
        message = message.replace(words, page)
    return re.sub(
        r"; fetch (.+?) for neural (cloning|conversion)", r"; whoever runs the demo can fetch \1 for neural \2", message
    )


def _refusal(message: str, *uploads: str | None) -> gr.Error:
    """A message for the page that stays until it is closed (one that goes after 10 s leaves the last result's
    details under a bare "Error"), naming the uploaded files as the user named them, not the server's copies;
    the server's log gets no traceback for a request that was refused."""
    names = [Path(upload).name for upload in uploads if upload]
    for upload in uploads:
        if upload:
            message = message.replace(str(upload), Path(upload).name)
    return gr.Error(_sentence(_for_the_page(message), names), duration=None, title=REFUSAL_TITLE, print_exception=False)


def _sentence(message: str, names: list[str]) -> str:
    """The message begun with a capital, as the page's own are, unless it begins with a name (a file's, a tool's)."""
    first = message.split(" ", 1)[0].rstrip(":,")
    if first in names or first in LOWER_CASE_NAMES or not first.isalpha():
        return message
    return message[:1].upper() + message[1:]


def _page_css() -> str:
    """The page's own style: an empty record box is low; the help under each control, an upload box's "- or -" and a
    slider's ends are in the labels' colour (gradio's subdued grey is 1.91:1 on white, where WCAG AA asks 4.5:1); a
    slider focused from the keyboard has a ring, as a button has (gradio draws none)."""
    readable = f"--block-info-text-color: {READABLE_GREY}; --body-text-color-subdued: {READABLE_GREY};"
    return (
        f".record .empty.large {{ min-height: 0; height: {RECORD_EMPTY_HEIGHT}px; }}\n"
        f".info-text, .or, .min_value, .max_value {{ {readable} }}\n"
        ".block input[type=range]:focus-visible { outline: 2px solid var(--color-accent); outline-offset: 2px; }\n"
    )


def _given(request: str, inputs: dict[str, str | None], refused_uploads: str = "") -> None:
    """Refuse a request (ASKS' key) with an input it needs empty, naming each empty one by the page's name, and the
    files the browser did not upload before the click (`refused_uploads`: its messages, one a line), with why."""
    missing = [name for name, value in inputs.items() if not value]
    if missing:
        empty = f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} empty"
        raise _refusal(f"{ASKS[request]}: {empty}.{_not_taken(refused_uploads)}")


def _not_taken(refused_uploads: str) -> str:
    """The browser's messages about files it did not upload, in the page's words: which file, and why."""
    said = []
    for line in refused_uploads.splitlines():
        kind = re.search(r"Invalid file types?: (.+)\. Only (.+) allowed", line)
        if kind:
            said.append(f" The page did not take {kind[1]}: that box takes {_kinds(kind[2])}.")
        elif "exceed the maximum allowed size" in line:
            names = ", ".join(re.findall(r'"([^"]+)"', line)) or "a file"
            said.append(
                f" The page did not take {names}: an upload over {MAX_UPLOAD_MB} MB is not taken; a shorter "
                "recording or video will do."
            )
    return "".join(dict.fromkeys(said))


def _kinds(allowed: str) -> str:
    """A file box's kinds ("audio, video") in words ("a recording or a video")."""
    words = {"audio": "a recording", "video": "a video", "image": "a photo"}
    return " or ".join(words[kind] for kind in allowed.split(", ") if kind in words) or allowed


def _on_click(
    button: gr.Button,
    handler,
    inputs: list,
    outputs: list,
    api_name: str,
    needed: dict,
    refused: gr.Textbox,
    jobs: Jobs | None = None,
    stop: gr.Button | None = None,
    outcome: gr.Markdown | None = None,
    group: str = WORK,
) -> None:
    """`handler` run on a click, so that the page never shows a result under inputs it was not made from.

    The outputs are emptied first, and again after a refusal (gradio marks each "Error" otherwise); the messages shown
    before go (DISMISS_MESSAGES); an empty input the request needs (`needed`: the page's name for it, its box) is
    refused before the work, saying why (the browser's messages about files it did not take arrive in `refused`). A
    click while the last one's work runs is run after it, with the inputs as they are then ("always_last": gradio's
    default drops it). The buttons of one concurrency `group` share one limit (`--concurrency`): the machine's cores
    are one; the long jobs are one group (WORK).

    With `stop` (and the `jobs` it stops) the work is a job of its session that `stop`, shown while it waits or runs,
    stops: a waiting request leaves the queue at once (gradio's `cancels`), a running one ends at its next progress
    report, its details saying STOPPED. `stop` goes at every end of the request, on success and on failure each
    (gradio 6 runs no `.then` after an error), unless another click of the button waits to run after it (Jobs.busy).
    `outcome` (given with `stop`) says how the job ended, DONE or STOPPED (a refusal's message says it otherwise)."""
    empty = tuple(None for _ in outputs) if len(outputs) > 1 else None
    names = list(needed)
    quiet = dict(queue=False, api_visibility="private", show_progress="hidden")

    told = [] if outcome is None else [outcome]

    def emptied(said: str, request: gr.Request) -> tuple:
        if jobs is not None:
            jobs.clicked(request.session_hash, api_name)
        return (*(None for _ in outputs), *("" for _ in told), said)

    checked = button.click(
        emptied, refused, [*outputs, *told, refused], js=DISMISS_MESSAGES, trigger_mode="always_last", **quiet
    ).then(
        lambda said, *values: _given(api_name, dict(zip(names, values, strict=True)), said),
        [refused, *needed.values()],
        None,
        api_visibility="private",
        show_progress="hidden",
    )

    def shown(request: gr.Request) -> gr.Button:
        jobs.waits(request.session_hash, api_name)
        return gr.Button(visible=True)

    if stop is not None:
        checked = checked.success(shown, None, stop, **quiet)
        handler = _stoppable(handler, jobs, api_name, len(outputs))
    work = checked.success(
        handler,
        inputs,
        outputs,
        api_name=api_name,
        concurrency_id=group,
        trigger_mode="always_last",
        show_progress_on=outcome,
    )
    if stop is None:
        work.failure(lambda: empty, None, outputs, **quiet)
        return

    def done(request: gr.Request) -> gr.Button:
        return gr.Button(visible=jobs.busy(request.session_hash, api_name))

    def succeeded(request: gr.Request) -> tuple:
        stopped = jobs.asked_to_stop(request.session_hash, api_name)
        return STOPPED if stopped else DONE, done(request)

    def ended(request: gr.Request) -> tuple:
        stopped = jobs.asked_to_stop(request.session_hash, api_name)
        jobs.failed(request.session_hash, api_name)
        emptied = _stopped_outputs(len(outputs)) if stopped else (None for _ in outputs)
        return *emptied, STOPPED if stopped else "", done(request)

    def stopped(request: gr.Request) -> None:
        jobs.stop(request.session_hash, api_name)

    work.success(succeeded, None, [outcome, stop], **quiet)
    work.failure(ended, None, [*outputs, outcome, stop], **quiet)
    stop.click(stopped, None, None, cancels=[work], **quiet)


def _work_buttons(label: str) -> tuple[gr.Button, gr.Button, gr.Markdown]:
    """A tab's button that starts its work, the Stop button beside it, shown while the work waits or runs, and under
    them the work's outcome (DONE, STOPPED), where a click's feedback is in view (a result may be far below on a
    phone), and which a screen reader says (OUTCOMES)."""
    with gr.Row():
        button = gr.Button(label, variant="primary", scale=4, elem_classes=["starts-work"])
        stop = gr.Button("Stop", variant="stop", visible=False, scale=1, elem_classes=["stops-work"])
    return button, stop, gr.Markdown(elem_classes=["outcome"])


def main() -> None:
    limit_allocator_arenas()
    parser = argparse.ArgumentParser(description="voxlip browser demo")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind; 0.0.0.0 exposes the demo to your network (default: %(default)s)",
    )
    parser.add_argument("--port", type=int, default=7860, help="port to serve on (default: %(default)s)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="requests processed at once, whichever of the page's buttons made them (default: %(default)s)",
    )
    parser.add_argument(
        "--queue-size",
        type=int,
        default=16,
        help="requests waiting at most; more get a queue-full message (default: %(default)s)",
    )
    parser.add_argument(
        "--device",
        default="auto",
        choices=["auto", "cpu", "cuda"],
        help="where to run the models (default: %(default)s)",
    )
    parser.add_argument(
        "--base-voice",
        default=OfflineConfig().base_voice,
        help="the offline voice's Piper base voice, as `voxlip say --base-voice` takes it: piper-joe (bundled), "
        "piper:NAME (`voxlip fetch piper:NAME`) or a VOICE.onnx, #SPEAKER after a voice of many speakers "
        "(default: %(default)s)",
    )
    args = parser.parse_args()
    try:
        with unwinding_on_stop() as stop:
            serve(args)
    except Stopped:  # before the server was up
        pass
    if stop.signum is not None:
        print(f"voxlip demo: stopped by {signal.Signals(stop.signum).name}; its temporary files are removed")
        sys.exit(stop.exit_code)


def serve(args: argparse.Namespace) -> None:
    """Build and serve the page until it is stopped; everything it writes lives in one temporary folder."""
    with tempfile.TemporaryDirectory(prefix="voxlip-demo-") as workdir:
        # Gradio keeps uploads and results in its cache folder: inside ours, it goes when we do.
        os.environ["GRADIO_TEMP_DIR"] = str(Path(workdir) / "gradio")
        requests = Path(workdir) / "requests"
        requests.mkdir()
        pipeline = Pipeline(args.device, offline_voice=dataclasses.replace(OfflineConfig(), base_voice=args.base_voice))
        try:
            pipeline.load_base_voice()
        except VoxlipError as error:
            sys.exit(f"voxlip demo: {error}")
        demo = Demo(pipeline, requests)
        try:
            examples = make_examples(Path(workdir) / "examples")
        except VoxlipError as error:  # the bundled voice that says the example missing: no example row
            print(f"voxlip demo: no examples ({error})")
            examples = None
        page = build_demo(demo, examples)
        page.queue(default_concurrency_limit=args.concurrency, max_size=args.queue_size)
        page.launch(
            server_name=args.host,
            server_port=args.port,
            max_file_size=MAX_UPLOAD,
            css=_page_css(),
            js=PAGE_SCRIPT,
            allowed_paths=[workdir],
            footer_links=["api"],
            show_error=True,  # a refused request says why (e.g. a file that was never uploaded), not "error: null"
        )


if __name__ == "__main__":
    main()
