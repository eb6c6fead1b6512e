#!/usr/bin/env python3
"""Makes Sources/CDefaultModel/enrollment-rehearsal.bin: what the built-in model hears (its
front end's frames, `listen features --of-model built-in`) for real speech of other speakers,
which `listen enroll` trains on next to the takes so that the personal model keeps hearing
everyone else. Clips from real-train's training split only (no held-out speaker, none of the
held-out words or noise): 8 of each of the 35 command words and 2 of each other text.
Speech Commands, CC BY 4.0; Picovoice wake-word benchmark, Apache-2.0; Mycroft Precise
community data, public domain.

Format, little-endian: b"LSTNRH01", u32 clips, u32 dimension; per clip: u16 bytes of text,
the UTF-8 text, u32 frames, frames x dimension IEEE half floats.

Usage: scripts/make-enrollment-rehearsal.py [LISTEN_BINARY]  (after `swift build -c release`)
"""
import csv
import io
import os
import random
import struct
import subprocess
import sys

import numpy as np

COMMANDS = ("yes no up down left right on off stop go zero one two three four five six seven eight nine "
            "bed bird cat dog happy house marvin sheila tree wow backward forward follow learn visual").split()
EXCLUDED = {"jarvis", "smart mirror", "doing_the_dishes", "exercise_bike"}


def bucket(speaker: str) -> int:
    """The speaker split of `listen` (LabelledData.speakerBucket): FNV-1a modulo 100."""
    h = 0xCBF29CE484222325
    for byte in speaker.encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h % 100


def main() -> None:
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    listen = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/listen")
    shared = os.environ.get("LISTEN_SHARED", os.path.join(root, "../shared"))
    real = os.path.join(shared, "data/real-train")
    rows = list(csv.DictReader(open(os.path.join(real, "manifest.tsv")), delimiter="\t"))
    by_text: dict[str, list[str]] = {}
    for row in rows:
        text = row["text"]
        if not text or text in EXCLUDED or bucket(row["speaker"] or os.path.basename(row["path"])) < 10:
            continue
        by_text.setdefault(text, []).append(row["path"])
    generator = random.Random(1)
    chosen = []
    for text in sorted(by_text):
        paths = sorted(by_text[text])
        generator.shuffle(paths)
        chosen += [(text, path) for path in paths[:8 if text in COMMANDS else 2]]
    out = io.BytesIO()
    dimension = None
    clips = []
    for text, path in chosen:
        npy = subprocess.run([listen, "features", "--of-model", "built-in", "--format", "npy", os.path.join(real, path)],
                             check=True, capture_output=True).stdout
        frames = np.load(io.BytesIO(npy)).astype("<f2")
        dimension = frames.shape[1]
        clips.append((text, frames))
    out.write(b"LSTNRH01" + struct.pack("<II", len(clips), dimension))
    for text, frames in clips:
        encoded = text.encode()
        out.write(struct.pack("<H", len(encoded)) + encoded + struct.pack("<I", frames.shape[0]) + frames.tobytes())
    target = os.path.join(root, "Sources/CDefaultModel/enrollment-rehearsal.bin")
    with open(target, "wb") as file:
        file.write(out.getvalue())
    print(f"wrote {target}: {len(clips)} clips, {len(out.getvalue()) // 1024} KB")


if __name__ == "__main__":
    main()
