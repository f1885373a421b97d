"""The offline voice: a bundled neural base voice (Piper) moved toward a reference speaker by signal processing."""
