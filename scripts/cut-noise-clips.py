#!/usr/bin/env python3
"""Cuts long noise recordings into short noise-only training clips (empty text), so that a
model hears real household noise as many separate clips of 1 to 2 seconds at varied levels,
not as one long clip per epoch.

Reads any format sox reads. Each clip: a random stretch of a random recording, its level
scaled to a peak drawn from 0.02 to 0.9 (deterministic for --seed). Writes OUT/*.wav and
OUT/manifest.tsv (path, text, source) for `listen train --data`.

  python3 scripts/cut-noise-clips.py ../shared/data/real-train/_background_noise_/{dude_miaowing,pink_noise,running_tap,white_noise}.flac \\
      ../shared/data/one-speaker-train/none --clips 800 --out data/noise-clips
"""
import argparse, os, subprocess, sys, tempfile, wave

import numpy as np

RATE = 16000


def read(path):
    """16 kHz mono float samples of any file sox reads."""
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "x.wav")
        subprocess.run(["sox", "-R", "-q", path, "-r", str(RATE), "-c", "1", "-b", "16", target], check=True, capture_output=True)
        with wave.open(target) as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help="noise recordings, or folders of them")
    parser.add_argument("--out", required=True)
    parser.add_argument("--clips", type=int, default=800)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", default="real-noise", help="the manifest's source column")
    args = parser.parse_args()
    paths = []
    for item in args.inputs:
        if os.path.isdir(item):
            paths += sorted(os.path.join(item, f) for f in os.listdir(item) if not f.startswith("."))
        else:
            paths.append(item)
    recordings = []
    for path in paths:
        try:
            x = read(path)
        except subprocess.CalledProcessError as error:
            sys.stderr.write(f"{path}: skipped, {error.stderr.decode(errors='replace').strip()[-200:]}\n")
            continue
        if len(x) >= RATE and np.max(np.abs(x)) > 0:
            recordings.append(x)
    if not recordings:
        sys.exit("cut-noise-clips.py: no readable recording of at least 1 s")
    # Long recordings give more clips: each is drawn with a weight of its length.
    weights = np.array([len(x) for x in recordings], dtype=np.float64)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for i in range(args.clips):
        x = recordings[rng.choice(len(recordings), p=weights / weights.sum())]
        n = min(len(x), int(rng.uniform(1.0, 2.0) * RATE))
        start = rng.integers(0, len(x) - n + 1)
        clip = x[start:start + n]
        clip = clip / (np.max(np.abs(clip)) + 1e-9) * rng.uniform(0.02, 0.9)
        name = f"noise-{i:05d}.wav"
        with wave.open(os.path.join(args.out, name), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
            w.writeframes((np.clip(clip, -1, 1) * 32767).astype("<i2").tobytes())
        rows.append(f"{name}\t\t{args.source}\n")
    with open(os.path.join(args.out, "manifest.tsv"), "w") as f:
        f.write("path\ttext\tsource\n" + "".join(rows))
    print(f"wrote {len(rows)} clips from {len(recordings)} recordings to {args.out}/manifest.tsv")


if __name__ == "__main__":
    main()
