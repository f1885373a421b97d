"""voxlip's browser demo (Gradio): compare two voices with the speaker encoder.

    python app.py [--host 127.0.0.1] [--port 7860]
"""

from __future__ import annotations

import argparse

import gradio as gr

from pipeline.errors import VoxlipError
from voice.encoder import SpeakerEncoder, load_encoder, similarity

MAX_UPLOAD = "50mb"


def compare_voices(encoder: SpeakerEncoder, first: str | None, second: str | None) -> str:
    """Markdown verdict for two recordings (file paths from the page); errors become page messages."""
    if not first or not second:
        raise gr.Error("Give two recordings: upload a file or record with the microphone in both boxes.")
    try:
        a, b = encoder.embed_utterance(first), encoder.embed_utterance(second)
    except VoxlipError as e:
        raise gr.Error(str(e)) from None
    score = similarity(a, b)
    threshold = encoder.config.same_speaker_threshold
    verdict = "the same speaker" if score >= threshold else "different speakers"
    return (
        f"### Cosine similarity {score:.3f}: {verdict}\n"
        f"Threshold {threshold:.2f} (equal-error point on LibriSpeech). "
        f"Speaker encoder: GE2E with `{encoder.checkpoint_name}` weights "
        f"(sha256 `{encoder.checkpoint_sha256[:12]}…`), running offline."
    )


def build_demo(encoder: SpeakerEncoder) -> gr.Blocks:
    with gr.Blocks(title="voxlip") as demo:
        gr.Markdown(
            "# voxlip\nUpload or record two voices to see how alike the speaker encoder finds them. "
            "A few seconds of speech each is enough."
        )
        with gr.Row():
            first = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Voice A")
            second = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Voice B")
        button = gr.Button("Compare voices", variant="primary")
        result = gr.Markdown()
        button.click(lambda a, b: compare_voices(encoder, a, b), [first, second], result, api_name="compare")
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description="voxlip browser demo")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind; 0.0.0.0 exposes the demo to your network (default: %(default)s)")
    parser.add_argument("--port", type=int, default=7860, help="port to serve on (default: %(default)s)")
    parser.add_argument("--concurrency", type=int, default=2, help="requests processed at once (default: %(default)s)")
    parser.add_argument("--queue-size", type=int, default=16, help="requests waiting at most before new ones are refused (default: %(default)s)")
    args = parser.parse_args()
    demo = build_demo(load_encoder("resemblyzer"))
    demo.queue(default_concurrency_limit=args.concurrency, max_size=args.queue_size)
    demo.launch(server_name=args.host, server_port=args.port, max_file_size=MAX_UPLOAD, footer_links=["api"])


if __name__ == "__main__":
    main()
