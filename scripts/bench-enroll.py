#!/usr/bin/env python3
"""Measures personal enrolment (`listen enroll`, `listen calibrate`) the way docs/MODEL.md
reports it. Uses only the command-line contract.

1. A voice the model never heard: one-speaker-train's 10 word folders. For k = 1, 3, 5 takes
   per word, drawn at random (3 draws), enrol and test on all the other takes; the base model
   is tested on the same takes with the same vocabulary (its 35 words and back, front).
2. No harm elsewhere: speech-commands-dev (its 30 words) with each k = 3 personal model.
3. New words: 3 takes of 'jarvis' from real-train (never trained on), tested on the other
   jarvis clips (3 draws): recall, and false 'jarvis' in the dev set and the held-out noise.
4. Calibration of the first k = 3 personal model on the first half of each held-out noise
   recording (dishes, bike): false commands in their second halves before and after, and the
   misses of this speaker's held-out takes at the calibrated thresholds.
5. Times of enrolling 10 words x 3 takes and of calibrating, on this machine.

Usage: scripts/bench-enroll.py [LISTEN_BINARY]   (LISTEN_SHARED: the shared data, ../shared)
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LISTEN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/listen"))
SHARED = os.path.abspath(os.environ.get("LISTEN_SHARED", os.path.join(ROOT, "../shared")))
SPEAKER = os.path.join(SHARED, "data/one-speaker-train")
DEV = os.path.join(SHARED, "data/speech-commands-dev")
REAL = os.path.join(SHARED, "data/real-train")
NOISE = [os.path.join(REAL, "_background_noise_", name) for name in ("doing_the_dishes.flac", "exercise_bike.flac")]
DEFAULT35 = ("yes no up down left right on off stop go zero one two three four five six seven eight nine bed bird cat dog "
             "happy house marvin sheila tree wow backward forward follow learn visual").split()
WORDS = sorted(d for d in os.listdir(SPEAKER) if d != "none" and os.path.isdir(os.path.join(SPEAKER, d)))
VOCABULARY = DEFAULT35 + [w for w in WORDS if w not in DEFAULT35]
WORK = tempfile.mkdtemp(prefix="bench-enroll-")
ENV = dict(os.environ, XDG_DATA_HOME=os.path.join(WORK, "data"))  # never the user's personal model


def listen(*arguments):
    result = subprocess.run([LISTEN, *arguments], capture_output=True, text=True, env=ENV)
    if result.returncode not in (0, 1):
        sys.exit(f"bench-enroll: listen {' '.join(arguments[:3])}... failed: {result.stderr.strip()}")
    return result


def transcribe(paths, vocabulary, model=None):
    """Each file's text, in batches (command lines have a limit)."""
    out = {}
    for start in range(0, len(paths), 400):
        arguments = ["transcribe", *paths[start:start + 400], "--format", "jsonl", "--vocabulary", ",".join(vocabulary)]
        if model:
            arguments += ["--model", model]
        for line in listen(*arguments).stdout.splitlines():
            record = json.loads(line)
            if "file" in record and "event" not in record:
                out[os.path.abspath(record["file"])] = record.get("text", "").strip()
    return out


def errors(paths, truth, vocabulary, model=None):
    heard = transcribe(paths, vocabulary, model)
    return sum(heard.get(p) != truth[p] for p in paths)


def link_takes(folder, takes):
    for path, word in takes:
        os.makedirs(os.path.join(folder, word.replace(" ", "_")), exist_ok=True)
        os.symlink(path, os.path.join(folder, word.replace(" ", "_"), os.path.basename(path)))


def enrol(folder, output):
    started = time.monotonic()
    listen("enroll", "--from", folder, "--output", output)
    return time.monotonic() - started


def main():
    print(f"listen: {LISTEN}\n")
    by_word = {w: sorted(os.path.join(SPEAKER, w, f) for f in os.listdir(os.path.join(SPEAKER, w))) for w in WORDS}
    truth = {p: w for w, paths in by_word.items() for p in paths}
    dev_words = sorted(d for d in os.listdir(DEV) if os.path.isdir(os.path.join(DEV, d)))
    dev_files = sorted(os.path.join(DEV, w, f) for w in dev_words for f in os.listdir(os.path.join(DEV, w)))
    dev_truth = {p: os.path.basename(os.path.dirname(p)).replace("_", " ") for p in dev_files}
    dev_base = len(dev_files) - errors(dev_files, dev_truth, dev_words)

    print("1-2. one speaker, 10 words: errors on the held-out takes; dev accuracy (base: %d/%d)" % (dev_base, len(dev_files)))
    print(f"{'k':>2} {'draw':>4} {'test':>5} {'base errors':>12} {'personal':>9} {'ratio':>6} {'enrol s':>8} {'dev':>9}")
    first_k3 = None
    ratios = {}
    for k in (1, 3, 5):
        for draw in (1, 2, 3):
            generator = random.Random(1000 * k + draw)
            enrolled, tested = [], []
            for word, paths in by_word.items():
                chosen = set(generator.sample(paths, k))
                enrolled += [(p, word) for p in paths if p in chosen]
                tested += [p for p in paths if p not in chosen]
            folder = os.path.join(WORK, f"k{k}-{draw}")
            link_takes(folder, enrolled)
            model = folder + ".lstn"
            seconds = enrol(folder, model)
            base = errors(tested, truth, VOCABULARY)
            personal = errors(tested, truth, VOCABULARY, model)
            ratios.setdefault(k, []).append(personal / max(base, 1))
            dev = ""
            if k == 3:
                dev_ok = len(dev_files) - errors(dev_files, dev_truth, dev_words, model)
                dev = f"{100 * dev_ok / len(dev_files):.1f} %"
                if first_k3 is None:
                    first_k3 = (model, tested)
            print(f"{k:>2} {draw:>4} {len(tested):>5} {base:>12} {personal:>9} {personal / max(base, 1):>6.2f} {seconds:>8.1f} {dev:>9}")
    for k, values in ratios.items():
        print(f"k = {k}: personal errors / base errors, mean of 3 draws: {sum(values) / len(values):.2f}")
    print(f"dev, base model: {100 * dev_base / len(dev_files):.1f} %")

    print("\n3. new word 'jarvis': 3 takes from real-train, tested on the other jarvis clips")
    jarvis = sorted(os.path.join(REAL, "jarvis", f) for f in os.listdir(os.path.join(REAL, "jarvis")))
    noise_heard_base = transcribe(NOISE, DEFAULT35 + ["jarvis"])
    dev_heard_base = transcribe(dev_files, dev_words + ["jarvis"])
    base_recall = transcribe(jarvis, DEFAULT35 + ["jarvis"])
    print(f"base model (jarvis by text only): recall {sum(base_recall[p] == 'jarvis' for p in jarvis)}/{len(jarvis)}, "
          f"false 'jarvis' in dev {sum('jarvis' in t.split() for t in dev_heard_base.values())}, "
          f"in held-out noise {sum(t.split().count('jarvis') for t in noise_heard_base.values())}")
    for draw in (1, 2, 3):
        chosen = random.Random(draw).sample(jarvis, 3)
        folder = os.path.join(WORK, f"jarvis-{draw}")
        link_takes(folder, [(p, "jarvis") for p in chosen])
        model = folder + ".lstn"
        enrol(folder, model)
        tested = [p for p in jarvis if p not in chosen]
        heard = transcribe(tested, DEFAULT35 + ["jarvis"], model)
        dev_heard = transcribe(dev_files, dev_words + ["jarvis"], model)
        noise_heard = transcribe(NOISE, DEFAULT35 + ["jarvis"], model)
        print(f"draw {draw}: recall {sum(heard[p] == 'jarvis' for p in tested)}/{len(tested)}, "
              f"false 'jarvis' in dev {sum('jarvis' in t.split() for t in dev_heard.values())}/{len(dev_files)}, "
              f"in held-out noise {sum(t.split().count('jarvis') for t in noise_heard.values())}")

    print("\n4. calibration: the room = first half of each held-out noise, tested on the second halves")
    personal, tested = first_k3
    halves = []
    for index, path in enumerate(NOISE):
        seconds = float(subprocess.run(["soxi", "-D", path], capture_output=True, text=True).stdout)
        first, second = os.path.join(WORK, f"room-{index}.wav"), os.path.join(WORK, f"later-{index}.wav")
        subprocess.run(["sox", path, "-r", "16000", "-c", "1", first, "trim", "0", str(seconds / 2)], check=True)
        subprocess.run(["sox", path, "-r", "16000", "-c", "1", second, "trim", str(seconds / 2)], check=True)
        halves.append((first, second, seconds / 2))
    later = [h[1] for h in halves]
    hours = sum(h[2] for h in halves) / 3600
    for label, model in (("built-in model", None), ("personal model (k = 3, draw 1)", personal)):
        calibrated = (model or os.path.join(WORK, "built-in")) + ".calibrated.lstn"
        started = time.monotonic()
        table = listen("calibrate", *(["--model", model] if model else []), "--from", *[h[0] for h in halves], "--output", calibrated).stdout
        calibrate_seconds = time.monotonic() - started
        print(f"{label}: calibrated in {calibrate_seconds:.1f} s")
        for name, chosen in (("before", model), ("after", calibrated)):
            heard = transcribe(later, VOCABULARY, chosen)
            false = sum(len(t.split()) for t in heard.values())
            misses = errors(tested, truth, VOCABULARY, chosen)
            print(f"  {name}: false commands in {hours * 3600:.0f} s of held-out noise {false} ({false / hours:.0f} per hour); "
                  f"errors on this speaker's held-out takes {misses}/{len(tested)}")
        # The header and the words whose threshold calibration raised or that have takes.
        print("\n".join("  " + line for line in table.splitlines()
                        if line.startswith("word") or float(line.split()[1]) > 0.25 or line.split()[4] != "0"))
    print("5. time: enrolment in the table of 1-2, calibration above")


if __name__ == "__main__":
    main()
