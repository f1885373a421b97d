"""The foundation every stage stands on: errors, checkpoint loading, ffmpeg, files. It imports no stage."""
