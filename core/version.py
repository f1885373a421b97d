"""voxlip's version: the package's, the provenance record's, and a part of every cache key."""

__version__ = "0.1.0"
