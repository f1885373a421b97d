"""The lip-sync stage: face tracking, a mouth renderer (Wav2Lip or the offline animator), blending, MP4.

`engine.run(face, audio, out, renderer)` makes the clip; `generation.Wav2LipRenderer` and
`animator.AnimatorRenderer` are the renderers; the submodules hold each model and step.
"""
