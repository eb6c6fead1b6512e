#!/usr/bin/env python3
"""Measure `listen transcribe` on long recordings made by joining labelled clips.

Three sets, each made afresh in a scratch folder with a fixed seed:
  dev     30 files of 6 clips of ../shared/data/speech-commands-dev back to back (real people,
          each clip with its own microphone and noise, no pause added)
  unseen  40 files of 5 held-out clips of the unseen synthetic voice (a synthesis manifest,
          default data/synth/manifest.tsv; clips whose words are all commands), back to back
  digits  30 files of 6 clips of ../shared/data/spoken-digits-8k (8 kHz, upsampled to 16 kHz)
          with 0.2-0.8 s of silence after each

Prints, per set, the words heard in order (longest common subsequence with the truth, over
all the truth's words) and the files heard exactly.

Usage: scripts/eval-long-recordings.py [--listen .build/release/listen] [--manifest data/synth/manifest.tsv]
       [-- extra listen transcribe options]
"""
import argparse
import difflib
import os
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
COMMANDS = set("yes no up down left right on off stop go zero one two three four five six seven eight nine "
               "bed bird cat dog happy house marvin sheila tree wow backward forward follow learn visual".split())
DIGITS = "zero one two three four five six seven eight nine".split()


def read16k(path):
    rate, samples = wavfile.read(path)
    samples = samples.astype(np.float64)
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    return resample_poly(samples, 16_000 // rate, 1) if rate == 8_000 else samples


def make(folder, name, clips, count, per_file, seed, pause):
    """Writes `count` files of `per_file` (path, words) clips; returns {file: words}."""
    rng = random.Random(seed)
    truth = {}
    for index in range(count):
        parts, words = [], []
        for path, text in rng.sample(clips, per_file):
            parts += [read16k(path), np.zeros(int(pause(rng) * 16_000))]
            words += text.split()
        file = os.path.join(folder, f"{name}-{index:02d}.wav")
        wavfile.write(file, 16_000, np.clip(np.concatenate(parts), -32768, 32767).astype(np.int16))
        truth[file] = words
    return truth


def score(listen, files, extra):
    result = subprocess.run([listen, "transcribe", *files, *extra], capture_output=True, text=True)
    if result.returncode not in (0, 1) or not result.stdout:
        sys.exit(f"eval-long-recordings: {listen} transcribe failed (exit {result.returncode}): {result.stderr.strip()}")
    heard = dict(line.split("\t", 1) if "\t" in line else (line, "") for line in result.stdout.splitlines())
    matched = exact = total = 0
    for file, words in files.items():
        said = heard.get(file, "").split()
        matched += sum(block.size for block in difflib.SequenceMatcher(a=words, b=said).get_matching_blocks())
        exact += said == words
        total += len(words)
    return matched, total, exact


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listen", default=os.path.join(ROOT, ".build", "release", "listen"))
    parser.add_argument("--manifest", default="data/synth/manifest.tsv")
    parser.add_argument("extra", nargs="*", help="options passed to listen transcribe (after --)")
    args = parser.parse_args()

    if shutil.which(args.listen) is None:
        sys.exit(f"eval-long-recordings: {args.listen}: no such program (build with swift build -c release, or pass --listen)")
    dev_root = os.path.join(SHARED, "speech-commands-dev")
    dev = [(os.path.join(dev_root, word, f), word) for word in sorted(os.listdir(dev_root))
           if os.path.isdir(os.path.join(dev_root, word)) for f in sorted(os.listdir(os.path.join(dev_root, word)))
           if f.endswith(".wav")] if os.path.isdir(dev_root) else []
    digits_root = os.path.join(SHARED, "spoken-digits-8k")
    digits = [(os.path.join(digits_root, f), DIGITS[int(f.split("_")[0])]) for f in sorted(os.listdir(digits_root))
              if f.endswith(".wav")] if os.path.isdir(digits_root) else []
    unseen = []
    if os.path.exists(args.manifest):
        base = os.path.dirname(os.path.abspath(args.manifest))
        with open(args.manifest) as manifest:
            header = manifest.readline().rstrip("\n").split("\t")
            for row in manifest:
                fields = dict(zip(header, row.rstrip("\n").split("\t")))
                if fields.get("split") == "heldout" and set(fields["text"].split()) <= COMMANDS:
                    unseen.append((os.path.join(base, fields["path"]), fields["text"]))

    with tempfile.TemporaryDirectory() as folder:
        sets = [("dev", dev, 30, 6, lambda rng: 0.0), ("unseen", unseen, 40, 5, lambda rng: 0.0),
                ("digits", digits, 30, 6, lambda rng: rng.uniform(0.2, 0.8))]
        for seed, (name, clips, count, per_file, pause) in enumerate(sets, start=1):
            if not clips:
                print(f"{name}: no clips (skipped)")
                continue
            files = make(folder, name, clips, count, per_file, seed, pause)
            matched, total, exact = score(args.listen, files, args.extra)
            print(f"{name}: words heard in order {matched}/{total} ({100 * matched / total:.1f} %), "
                  f"files exact {exact}/{count}")


if __name__ == "__main__":
    sys.exit(main())
