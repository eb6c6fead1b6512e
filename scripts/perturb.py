#!/usr/bin/env python3
"""Writes a copy of a test set heard under one condition, for `listen eval`: how much a
model loses to noise, a lower voice, a faster speaker, a room or a telephone line.

The input is a synthesis manifest (TSV with path and text; the paths relative to the
manifest's folder or absolute) or a folder in the Speech Commands layout (<word>/*.wav).
The output folder gets the changed clips and a manifest.tsv (every row held out, so that
`listen eval OUT/manifest.tsv` scores them all). Conditions:

  snr=DB        a random stretch of a random background clip (--backgrounds) added at DB
                signal-to-noise ratio, the speech's power taken where it is louder than 2 %
                of its peak
  pitch=CENTS   sox pitch (the voice lower or higher, its tempo kept)
  tempo=FACTOR  sox tempo (the words faster or slower, their pitch kept)
  reverb=PCT    sox reverb at PCT reverberance (a room)
  telephone     sox sinc 300-3400 (a telephone line's band)
  gain=DB       sox gain (a quieter or louder recording)

Deterministic for a seed (sox runs with -R, its dither seeded too):

  python3 scripts/perturb.py ../shared/data/speech-commands-dev /tmp/dev-snr10 snr=10
  listen eval /tmp/dev-snr10/manifest.tsv
"""
import argparse, csv, glob, os, subprocess, sys

import numpy as np

from synthesize import RATE, background_stretch, load_backgrounds, read_wav, write_wav


def clips(source):
    """(path, text) of every clip of a manifest or a Speech Commands folder."""
    if os.path.isdir(source):
        return [(path, os.path.basename(os.path.dirname(path)))
                for path in sorted(glob.glob(os.path.join(source, "*", "*.wav")))]
    with open(source, newline="") as f:
        base = os.path.dirname(os.path.abspath(source))
        return [(os.path.join(base, row["path"]), row["text"]) for row in csv.DictReader(f, delimiter="\t")]


def with_noise(x, snr, backgrounds, rng):
    speech = x[np.abs(x) > 0.02 * np.max(np.abs(x))]
    power = np.mean(speech ** 2) if len(speech) else 0.0
    return x + background_stretch(rng, len(x), backgrounds) * np.sqrt(power / 10 ** (snr / 10))


def sox_effects(condition):
    name, _, value = condition.partition("=")
    effects = {"pitch": ["pitch", value], "tempo": ["tempo", value], "reverb": ["reverb", value, "50", "60"],
               "telephone": ["sinc", "300-3400"], "gain": ["gain", value]}
    if name not in effects or (name != "telephone" and not value):
        sys.exit(f"perturb.py: unknown condition '{condition}' (snr=DB, pitch=CENTS, tempo=FACTOR, "
                 "reverb=PCT, telephone, gain=DB)")
    return effects[name]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="a synthesis manifest or a Speech Commands folder")
    parser.add_argument("out", help="the folder to write the changed clips and manifest.tsv to")
    parser.add_argument("condition", help="snr=DB, pitch=CENTS, tempo=FACTOR, reverb=PCT, telephone or gain=DB")
    parser.add_argument("--seed", type=int, default=1)
    shared = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "one-speaker-train", "none")
    parser.add_argument("--backgrounds", default=shared, help="noise clips for snr= (default: the shared none/ folder)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    snr = None
    if args.condition.startswith("snr="):
        try:
            snr = float(args.condition[4:])
        except ValueError:
            sys.exit(f"perturb.py: '{args.condition}': the SNR is not a number of dB")
    effects = [] if snr is not None else sox_effects(args.condition)
    backgrounds = load_backgrounds(args.backgrounds) if snr is not None else []
    if snr is not None and not backgrounds:
        sys.exit(f"perturb.py: {args.backgrounds}: no background clips (*.wav of at least 0.25 s)")
    os.makedirs(args.out, exist_ok=True)
    failed = 0
    with open(os.path.join(args.out, "manifest.tsv"), "w") as manifest:
        manifest.write("path\ttext\tvoice\tsplit\n")
        for i, (path, text) in enumerate(clips(args.source)):
            target = os.path.join(args.out, f"{i:05d}.wav")
            try:
                subprocess.run(["sox", "-R", "-q", path, "-r", str(RATE), "-c", "1", "-b", "16", target, *effects],
                               check=True, capture_output=True)
                if snr is not None:
                    write_wav(target, with_noise(read_wav(target), snr, backgrounds, rng))
            except (subprocess.CalledProcessError, ValueError) as error:
                reason = error.stderr.decode(errors="replace").strip() if isinstance(error, subprocess.CalledProcessError) else str(error)
                sys.stderr.write(f"{path}: skipped, {reason or 'unreadable'}\n")
                failed += 1
                continue
            manifest.write(f"{os.path.abspath(target)}\t{text}\t{args.condition}\theldout\n")
    if failed:
        sys.exit(f"perturb.py: {failed} clips skipped (named above); the manifest lists the rest")


if __name__ == "__main__":
    main()
