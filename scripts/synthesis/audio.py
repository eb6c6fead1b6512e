"""Sound files and progress: 16 kHz mono WAV in and out (sox for conversion)."""
import subprocess
import sys
import time
import wave

import numpy as np

RATE = 16000


def to16k(src, dst, extra=()):
    subprocess.run(["sox", "-R", "-q", src, "-r", str(RATE), "-c", "1", "-b", "16", dst, *extra], check=True, capture_output=True)


def read_wav(path):
    with wave.open(path) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write_wav(path, x):
    with wave.open(path, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def progress(label, done, total, start):
    rate = done / max(time.time() - start, 1e-9)
    eta = (total - done) / rate if rate > 0 else 0
    sys.stderr.write(f"\r{label}: {done}/{total} {rate:.1f}/s ETA {eta:.0f}s   ")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
