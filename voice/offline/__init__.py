"""The offline voice: flite's speech moved toward a reference speaker by signal processing, no weights needed."""
