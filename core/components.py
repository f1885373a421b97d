"""What made a result: each model or algorithm that took part, named for the user and the provenance record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    """One model or algorithm that took part: its role, its checkpoint (or method) name and sha256.

    `neural` is False for voxlip's offline signal-processing fallbacks, which the UI and API label as such.
    `config_sha256` is that of the config file read with the checkpoint (a Piper voice's .onnx.json, a HiFi-GAN's or
    OpenVoice's config.json), which sets what the same weights compute; empty for a model without one.
    """

    role: str
    checkpoint: str
    sha256: str = ""
    neural: bool = True
    config_sha256: str = ""

    @classmethod
    def of(cls, role: str, model: object) -> Component:
        """From a model `load_model` made (it keeps `checkpoint_name`, `checkpoint_sha256` and, if it was built from a
        config file, `config_sha256`)."""
        return cls(
            role,
            getattr(model, "checkpoint_name", "unknown"),
            getattr(model, "checkpoint_sha256", ""),
            config_sha256=getattr(model, "config_sha256", ""),
        )

    @classmethod
    def offline(cls, role: str, method: str) -> Component:
        return cls(role, method, "", neural=False)

    def describe(self) -> str:
        """E.g. "vocoder: rtvc-vocoder (neural, sha256 1a2b3c4d5e6f)" or "lip-sync: ... (offline signal processing)"."""
        if not self.neural:
            how = "offline signal processing"
        else:
            how = f"neural, sha256 {self.sha256[:12]}" if self.sha256 else "neural"
        return f"{self.role}: {self.checkpoint} ({how})"
