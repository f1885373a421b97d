"""Piper's ONNX graph, made repeatable and talkative: its noise fed in, its phoneme durations read out.

Piper's exported VITS draws its noise inside the graph (two RandomNormalLike nodes, for the
duration predictor and the prior), so the same text never comes out the same. Each such node is
replaced by a slice of a standard-normal vector given as an input, which voxlip draws from a
seeded generator; and the ceil'ed durations, in frames per phoneme id, become a second output.
"""

from __future__ import annotations

from dataclasses import dataclass

DURATIONS = "durations"
NOISE_PREFIX = "noise_"


@dataclass(frozen=True)
class RewrittenGraph:
    model: bytes
    noise_inputs: tuple[str, ...]
    """Names of the inputs that take the noise, each a flat float32 vector at least as long as needed."""
    has_durations: bool


def rewrite(model_bytes: bytes) -> RewrittenGraph:
    """The graph with its random nodes fed from inputs and its durations as an output."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(model_bytes)
    graph = model.graph
    nodes, noise_inputs = [], []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        name = f"{NOISE_PREFIX}{len(noise_inputs)}"
        noise_inputs.append(name)
        shape, count = f"{name}/shape", f"{name}/count"
        flat, start = f"{name}/flat", f"{name}/start"
        nodes += [
            helper.make_node("Shape", [node.input[0]], [shape]),
            helper.make_node("ReduceProd", [shape], [count], keepdims=1),
            helper.make_node("Constant", [], [start], value=helper.make_tensor(start, TensorProto.INT64, [1], [0])),
            helper.make_node("Slice", [name, start, count], [flat]),
            helper.make_node("Reshape", [flat, shape], [node.output[0]]),
        ]
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [f"{name}_length"]))
    del graph.node[:]
    graph.node.extend(nodes)
    ceil = next((n.output[0] for n in nodes if n.op_type == "Ceil"), None)
    if ceil is not None:
        graph.node.append(helper.make_node("Identity", [ceil], [DURATIONS]))
        graph.output.append(helper.make_tensor_value_info(DURATIONS, TensorProto.FLOAT, None))
    return RewrittenGraph(model.SerializeToString(), tuple(noise_inputs), ceil is not None)
