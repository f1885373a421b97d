"""The voice stage: a reference recording -> a speaker (GE2E embedding) -> that speaker saying a text.

`speaker.prepare_speaker` analyses the reference once; `cloning.VoiceCloner` makes the speech with the
best components on this machine (SV2TTS Tacotron + a vocoder, or the offline voice) and returns a
`synthesis.Synthesis` naming them. The submodules hold each model and front-end.
"""
