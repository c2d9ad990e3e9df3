"""The receptive field by brute force: every unit's set of input positions, layer by layer, from the
windows themselves (the recurrences of ``receptive`` are never used); each axis on its own."""

from __future__ import annotations


def independent(stack) -> dict:
    """Per layer (and per axis, when the axes differ): the span of the input positions unit 0 and unit 1
    read, their centres and distance."""
    if stack.square:
        return _one_axis(stack.axis(0))
    out = {}
    for a, tag in ((0, ".h"), (1, ".w")):
        out.update({k + tag: v for k, v in _one_axis(stack.axis(a)).items()})
    return out


def _one_axis(stack) -> dict:
    out = {}
    reach = {}                       # layer-below position -> (lowest, highest) input position, 1-based

    def below(level, position):
        if level == 0:
            return position, position
        key = (level, position)
        if key not in reach:
            layer = stack.layers[level - 1]
            taps = [position * layer.stride - layer.pad[0] + t * layer.dilation for t in range(layer.kernel)]
            spans = [below(level - 1, q) for q in taps]
            reach[key] = (min(s[0] for s in spans), max(s[1] for s in spans))
        return reach[key]

    n = stack.input_size
    for level in range(1, len(stack.layers) + 1):
        lo0, hi0 = below(level, 0)       # positions of every level 0-based; input pixel q is q + 1
        lo1, hi1 = below(level, 1)
        out[f"rf.{level}"] = hi0 - lo0 + 1
        out[f"start.{level}"] = (lo0 + hi0) / 2 + 1
        out[f"jump.{level}"] = (lo1 + hi1) / 2 - (lo0 + hi0) / 2
        if n is not None:
            layer = stack.layers[level - 1]
            count = 0
            while (count * layer.stride + (layer.kernel - 1) * layer.dilation
                   <= n + layer.pad[0] + layer.pad[1] - 1):
                count += 1
            n = count
            out[f"size.{level}"] = n
    return out
