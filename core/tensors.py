"""What a loaded model's `forward` is given, checked at its edge: researchers call it with their own arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError

if TYPE_CHECKING:  # torch is imported where a model runs, not with core
    import torch


def model_input(value: Any, model: torch.nn.Module, what: str) -> torch.Tensor:
    """`value`, a tensor or a numpy array of floating-point numbers, in the dtype and on the device of `model`'s
    weights (float64 or numpy input as it is meets torch's "Input type (double) and bias type (float) should be the
    same").

    Anything else is an InputError naming `what`: integers are refused, not converted, since their scale (a uint8
    image's 0-255) is not the one the model takes.
    """
    import torch

    if not isinstance(value, (torch.Tensor, np.ndarray)):
        raise InputError(f"{what} must be a torch tensor or a numpy array, not {type(value).__name__}")
    tensor = torch.as_tensor(value)
    if not tensor.is_floating_point():
        raise InputError(f"{what} must hold floating-point numbers, not {tensor.dtype}")
    weight = next(model.parameters(), None)
    return tensor if weight is None else tensor.to(weight.device, weight.dtype)
