"""Voice: speaker encoder, text front-end, synthesizer and vocoder."""
