#!/usr/bin/env python3
"""Chooses the vocabulary decoder's defaults on held-out real speakers and training noise.

For every pair of --unknown-penalty and --rejection-threshold in the grid, measures with the
`listen` binary:
  * on the held-out speakers of a real-speech manifest (`listen eval MANIFEST`, its default
    10 % speaker split, the held-out words and noise files excluded): accuracy on the default
    vocabulary's words and false accepts on their other speech;
  * on noise recordings that training may use (never the held-out ones): false commands
    (`listen transcribe`, every accepted word counts), per hour.
Prints one line per pair, and the pair with the best accuracy among those with at most
--max-false-accepts non-vocabulary false accepts and --max-noise-per-hour false commands.
Never reads the dev set, the digits or the held-out noise.

  python3 scripts/tune-decoder.py .build/release/listen --model data/runs/mine.lstn
"""
import argparse, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "..", "..", "shared", "data", "real-train")
EXCLUDE = ["jarvis", "smart mirror", "doing_the_dishes", "exercise_bike"]
TRAINING_NOISE = ["dude_miaowing.flac", "pink_noise.flac", "running_tap.flac", "white_noise.flac"]


def measure(binary, model, manifest, noise, penalty, threshold, extra):
    options = (["--model", model] if model else []) + ["--unknown-penalty", str(penalty),
                                                       "--rejection-threshold", str(threshold)] + extra
    command = [binary, "eval", manifest, "--summary", "-"] + [a for e in EXCLUDE for a in ("--exclude", e)] + options
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode not in (0, 1) or not result.stdout.strip():
        sys.exit(f"tune-decoder.py: {' '.join(command)} failed: {result.stderr.strip()[-300:]}")
    summary = json.loads(result.stdout)
    heard = subprocess.run([binary, "transcribe", *noise, "--format", "jsonl"] + options, capture_output=True, text=True)
    false = sum(len(json.loads(line).get("text", "").split()) for line in heard.stdout.splitlines() if line.strip())
    seconds = sum(json.loads(line).get("duration", 0) for line in heard.stdout.splitlines() if line.strip())
    nonvocabulary = summary["false_accepts"]["non_vocabulary"]
    return summary["accuracy"], summary["correct"], summary["command_clips"], nonvocabulary["rate"], false, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=".build/release/listen")
    parser.add_argument("--model")
    parser.add_argument("--manifest", default=os.path.join(REAL, "manifest.tsv"))
    parser.add_argument("--penalties", default="-2,-3,-4,-5,-6")
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7")
    parser.add_argument("--max-false-accepts", type=float, default=0.05)
    parser.add_argument("--max-noise-per-hour", type=float, default=60)
    parser.add_argument("extra", nargs="*", help="more options for listen, after --")
    args = parser.parse_args()
    noise = [os.path.join(REAL, "_background_noise_", n) for n in TRAINING_NOISE]
    best = None
    print(f"{'penalty':>8} {'threshold':>9} {'accuracy':>14} {'non-vocab FA':>12} {'noise false':>11} {'per hour':>8}")
    for penalty in [float(p) for p in args.penalties.split(",")]:
        for threshold in [float(t) for t in args.thresholds.split(",")]:
            accuracy, correct, clips, rate, false, seconds = measure(args.binary, args.model, args.manifest, noise,
                                                                     penalty, threshold, args.extra)
            hourly = false * 3600 / max(seconds, 1)
            print(f"{penalty:8.1f} {threshold:9.2f} {100 * accuracy:6.1f} % {correct:3d}/{clips:<3d} {100 * rate:10.1f} % "
                  f"{false:11d} {hourly:8.0f}", flush=True)
            if rate <= args.max_false_accepts and hourly <= args.max_noise_per_hour and (best is None or accuracy > best[0]):
                best = (accuracy, penalty, threshold)
    print("best within the limits:", f"--unknown-penalty {best[1]} --rejection-threshold {best[2]}" if best else "none")


if __name__ == "__main__":
    main()
