#!/usr/bin/env python3
"""Reference mel frames and speech embeddings for the tests of listen's port of openWakeWord's
front end, computed by openWakeWord's own TensorFlow Lite models through the TensorFlow Lite C
library that the PyPI wheel pyopen-wakeword==1.1.0 bundles.

For a WAV file (16 kHz mono 16-bit), the samples are cut as openWakeWord's streaming code cuts
them: chunks of 1760 samples every 1280 (8 frames of 512 samples at hop 160 each), each run
through melspectrogram.tflite, then `mels / 10 + 2`. Embeddings are embedding_model.tflite run on
the 76 frames starting at every 4th frame (openWakeWord itself takes every 8th).

Writes OUT/samples.txt (the int16 samples / 32768, one per line), OUT/mels.txt ([frames, 32])
and OUT/embeddings.txt ([windows, 96]).

  python3 scripts/make-speech-embedding-fixtures.py Examples/go_left.wav --out Tests/Fixtures/speech-embedding
"""
import argparse, ctypes as C, os, sys, wave

import numpy as np

CHUNK, STEP, WINDOW, SHIFT = 1760, 1280, 76, 4


class Interpreter:
    """One TensorFlow Lite model run through the C library, input resized to `shape`."""

    def __init__(self, lib, path, shape):
        self.lib = lib
        self.model = lib.TfLiteModelCreateFromFile(path.encode())
        self.interpreter = lib.TfLiteInterpreterCreate(self.model, None)
        dims = (C.c_int32 * len(shape))(*shape)
        lib.TfLiteInterpreterResizeInputTensor(self.interpreter, C.c_int32(0), dims, C.c_int32(len(shape)))
        lib.TfLiteInterpreterAllocateTensors(self.interpreter)
        self.input = lib.TfLiteInterpreterGetInputTensor(self.interpreter, C.c_int32(0))
        self.output = lib.TfLiteInterpreterGetOutputTensor(self.interpreter, C.c_int32(0))

    def __call__(self, array):
        array = np.ascontiguousarray(array, dtype=np.float32)
        self.lib.TfLiteTensorCopyFromBuffer(self.input, array.ctypes.data_as(C.c_void_p), C.c_size_t(array.nbytes))
        self.lib.TfLiteInterpreterInvoke(self.interpreter)
        out = np.empty(self.lib.TfLiteTensorByteSize(self.output) // 4, dtype=np.float32)
        self.lib.TfLiteTensorCopyToBuffer(self.output, out.ctypes.data_as(C.c_void_p), C.c_size_t(out.nbytes))
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wav")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        import pyopen_wakeword
        from pyopen_wakeword.openwakeword import _find_tensorflowlite_c
        from pyopen_wakeword.wakeword import TfLiteWakeWord
    except ImportError:
        sys.exit("make-speech-embedding-fixtures.py: needs pyopen-wakeword==1.1.0 (pip)")
    with wave.open(args.wav) as w:
        if w.getframerate() != 16000 or w.getsampwidth() != 2 or w.getnchannels() != 1:
            sys.exit(f"{args.wav}: needs 16 kHz mono 16-bit")
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)
    lib = TfLiteWakeWord(_find_tensorflowlite_c()).lib
    models = os.path.join(os.path.dirname(pyopen_wakeword.__file__), "models")
    mel = Interpreter(lib, os.path.join(models, "melspectrogram.tflite"), (1, CHUNK))
    embedding = Interpreter(lib, os.path.join(models, "embedding_model.tflite"), (1, WINDOW, 32, 1))
    chunks = (len(samples) - CHUNK) // STEP + 1
    mels = np.concatenate([mel(samples[None, k * STEP:k * STEP + CHUNK]).reshape(-1, 32) for k in range(chunks)]) / 10 + 2
    windows = (len(mels) - WINDOW) // SHIFT + 1
    embeddings = np.stack([embedding(mels[None, s * SHIFT:s * SHIFT + WINDOW, :, None]) for s in range(windows)])
    os.makedirs(args.out, exist_ok=True)
    used = samples[:(chunks - 1) * STEP + CHUNK]
    np.savetxt(os.path.join(args.out, "samples.txt"), used / 32768, fmt="%.9g",
               header=f"{os.path.basename(args.wav)}: the {len(used)} samples the frames cover, int16 / 32768")
    np.savetxt(os.path.join(args.out, "mels.txt"), mels, fmt="%.9g",
               header=f"melspectrogram.tflite / 10 + 2, chunks of {CHUNK} samples every {STEP}: [{len(mels)}, 32]")
    np.savetxt(os.path.join(args.out, "embeddings.txt"), embeddings, fmt="%.9g",
               header=f"embedding_model.tflite on the {WINDOW} frames from every {SHIFT}th: [{windows}, 96]")
    print(f"{len(mels)} mel frames, {windows} embeddings written to {args.out}")


if __name__ == "__main__":
    main()
