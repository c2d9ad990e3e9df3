"""The architecture kind's sequence layers as the spec writes them: recurrent (SimpleRNN/RNN, LSTM, GRU),
embeddings, layer normalization, multi-head attention and Transformer blocks (Keras and PyTorch)."""

from __future__ import annotations

SEQ_ALIASES = {
    "rnn": ("rnn", "simplernn", "vanillarnn", "elmanrnn"),
    "lstm": ("lstm", "lstmlayer"),
    "gru": ("gru", "grulayer"),
    "embedding": ("embedding", "embeddinglayer", "wordembedding", "tokenembedding"),
    "posembedding": ("positionembedding", "positionalembedding", "learnedpositionembedding",
                     "learnedpositionalembedding", "posembedding"),
    "layernorm": ("layernorm", "layernormalization", "ln"),
    "mha": ("multiheadattention", "mha", "multiheadselfattention", "selfattention"),
    "encoder": ("transformerencoder", "transformerencoderlayer", "encoderblock", "encoderlayer"),
    "decoder": ("transformerdecoder", "transformerdecoderlayer", "decoderblock", "decoderlayer"),
}
SEQ_DISPLAY = {
    "rnn": "Simple RNN", "lstm": "LSTM", "gru": "GRU", "embedding": "Embedding",
    "posembedding": "Position embedding", "layernorm": "Layer normalization",
    "mha": "Multi-head attention", "encoder": "Transformer encoder", "decoder": "Transformer decoder",
}
_RECURRENT_FIELDS = {"units", "hidden_size", "bias", "bidirectional", "num_layers", "return_sequences",
                     "reset_after", "proj_size"}
_BLOCK_FIELDS = {"num_heads", "dim_feedforward", "num_layers", "bias"}
SEQ_LAYER_FIELDS = {
    "rnn": _RECURRENT_FIELDS, "lstm": _RECURRENT_FIELDS, "gru": _RECURRENT_FIELDS,
    "embedding": {"vocabulary", "dim"},
    "posembedding": {"length"},
    "layernorm": {"bias"},
    "mha": {"num_heads", "key_dim", "value_dim", "output_dim", "bias"},
    "encoder": _BLOCK_FIELDS, "decoder": _BLOCK_FIELDS,
}
RECURRENT = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
SEQ_TYPES = tuple(SEQ_ALIASES)
MULTI_INPUT = ("mha", "decoder")        # may read a second (and, Keras attention, a third) layer
SEQ_PARAMETERS = ("units", "hidden_size", "proj_size", "num_layers", "bidirectional", "return_sequences",
                  "reset_after",
                  "vocabulary", "dim", "length", "num_heads", "key_dim", "value_dim", "output_dim",
                  "dim_feedforward")


def _flag(question, spec, table, key, default):
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise question.error(spec.field(key), f"layer '{spec.name}': {key} is true or false")
    return value


def read_sequence(question, spec, table, convention, whole):
    """The fields of one sequence layer into ``spec.extra``; ``whole`` reads a checked whole number."""
    t, f, name = spec.type, spec.field, spec.name
    if convention == "matlab":
        raise question.error(f("type"), f"layer '{name}': recurrent, embedding, attention and Transformer "
                                        "layers are written in the Keras or PyTorch convention")

    def need(key, what, minimum=1):
        if key not in table:
            raise question.error(f(key), f"layer '{name}': {what} needs '{key}'")
        return whole(question, f(key), table[key], minimum=minimum)

    def only(key, owner):
        if key in table and convention != owner:
            raise question.error(f(key), f"layer '{name}': {key} is a "
                                         f"{'Keras' if owner == 'keras' else 'PyTorch'} option")

    x = spec.extra
    if t in ("mha", "encoder", "decoder", "layernorm"):
        spec.bias = _flag(question, spec, table, "bias", True)
    if t in RECURRENT:
        if ("units" in table) == ("hidden_size" in table):
            raise question.error(f("units"), f"layer '{name}': give the hidden size once, as units "
                                             "(Keras) or hidden_size (PyTorch)")
        x["units"] = need("units" if "units" in table else "hidden_size", "a recurrent layer")
        spec.bias = _flag(question, spec, table, "bias", True)
        only("num_layers", "pytorch")
        only("return_sequences", "keras")
        only("reset_after", "keras")
        if "reset_after" in table and t != "gru":
            raise question.error(f("reset_after"), f"layer '{name}': reset_after is a GRU option")
        x["bidirectional"] = _flag(question, spec, table, "bidirectional", False)
        x["num_layers"] = whole(question, f("num_layers"), table.get("num_layers", 1), minimum=1)
        x["return_sequences"] = _flag(question, spec, table, "return_sequences", convention == "pytorch")
        x["reset_after"] = _flag(question, spec, table, "reset_after", True) and t == "gru"
        only("proj_size", "pytorch")
        if "proj_size" in table and t != "lstm":
            raise question.error(f("proj_size"), f"layer '{name}': proj_size is an LSTM option")
        x["proj_size"] = whole(question, f("proj_size"), table.get("proj_size", 0), minimum=0)
        if x["proj_size"] >= x["units"]:
            raise question.error(f("proj_size"), f"layer '{name}': proj_size must be smaller than hidden_size "
                                                 f"({x['units']}), as PyTorch requires")
    elif t == "embedding":
        x["vocabulary"], x["dim"] = need("vocabulary", "an embedding"), need("dim", "an embedding")
    elif t == "posembedding":
        x["length"] = need("length", "a position embedding")
    elif t == "mha":
        x["num_heads"] = need("num_heads", "multi-head attention")
        for key in ("key_dim", "value_dim", "output_dim"):
            only(key, "keras")
        if convention == "keras":
            x["key_dim"] = need("key_dim", "Keras's MultiHeadAttention")
            x["value_dim"] = whole(question, f("value_dim"), table.get("value_dim", x["key_dim"]), minimum=1)
            if "output_dim" in table:
                x["output_dim"] = whole(question, f("output_dim"), table["output_dim"], minimum=1)
    elif t in ("encoder", "decoder"):
        only("bias", "pytorch")
        x["num_heads"] = need("num_heads", "a Transformer block")
        if convention == "keras" and "dim_feedforward" not in table:
            raise question.error(f("dim_feedforward"), f"layer '{name}': a Keras Transformer block needs "
                                                       "'dim_feedforward' (its intermediate_dim)")
        x["dim_feedforward"] = whole(question, f("dim_feedforward"), table.get("dim_feedforward", 2048),
                                     minimum=1)
        x["num_layers"] = whole(question, f("num_layers"), table.get("num_layers", 1), minimum=1)
    most = 3 if t == "mha" else 2
    if t in MULTI_INPUT and len(spec.inputs) > most:
        raise question.error(f("inputs"), f"layer '{name}': reads at most {most} layers")
    if t == "decoder" and convention == "pytorch" and len(spec.inputs) != 2:
        raise question.error(f("inputs"), f"layer '{name}': PyTorch's decoder layer reads the target and the "
                                          "encoder's output (memory): inputs = [\"target\", \"memory\"]")
