"""Stage 2 over the whole set: the augmented copies of every source clip (synthetic and
real recordings spoken again by converted voices), noise-only clips, and the manifest."""
import hashlib
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from .audio import progress
from .effects import augment_job, noise_job
from .voices import HELD_OUT
from .words import COMMANDS, slug

REAL_CONVERTED = "real-converted"  # the voice of --real clips, all spoken by converted voices


def real_sources(folder):
    """The speech clips of a Speech Commands folder (<word>/*.wav) as sources spoken anew by
    converted voices: real timing and articulation, other speakers' pitch and vocal tracts.
    Returns them and how many clips were skipped (each named on stderr)."""
    sources, skipped = [], 0
    for word in sorted(os.listdir(folder)) if folder and os.path.isdir(folder) else []:
        if word in ("none", "_silence_", "_background_noise_", "_unknown_") or not os.path.isdir(os.path.join(folder, word)):
            continue
        for name in sorted(os.listdir(os.path.join(folder, word))):
            if not name.endswith(".wav"):
                continue
            path = os.path.join(folder, word, name)
            probe = subprocess.run(["soxi", "-D", path], capture_output=True, text=True)
            if probe.returncode != 0:
                reason = (probe.stderr.strip().splitlines() or ["unreadable"])[-1]
                sys.stderr.write(f"{path}: skipped, {reason}\n")
                skipped += 1
            elif float(probe.stdout) < 0.1:
                sys.stderr.write(f"{path}: skipped, {float(probe.stdout):.2f} s of audio\n")
                skipped += 1
            else:
                sources.append((path, word, REAL_CONVERTED, "command" if word in COMMANDS else "unknown"))
    return sources, skipped


def source_name(source, out, voice):
    """What a source clip's copies are keyed by: its path within `out` for a synthesised clip,
    <word>/<file> for a real recording. Never the paths as typed, so a seed gives the same
    clips whether --out or --real is spelt relative or absolute, and from any folder."""
    if voice == REAL_CONVERTED:
        return os.path.join("real", os.path.basename(os.path.dirname(source)), os.path.basename(source))
    return os.path.relpath(source, out)


def augment_stage(out, seed, jobs, sources, copies, noise_clips, backgrounds_dir):
    """copies(voice, kind) -> (augmented copies per source, share of them spoken by a converted voice).
    Writes the manifest of the clips made; returns how many could not be made."""
    work, rows, noise_work = [], [], []
    for source, text, voice, kind in sources:
        split = "heldout" if voice.startswith(HELD_OUT) else "train"
        count, converted_share = copies(voice, kind)
        name = source_name(source, out, voice)
        for v in range(count):
            key = hashlib.sha1(f"{seed}:{name}:{v}".encode()).hexdigest()[:12]
            target = os.path.join(out, "clips", split, f"{slug(text)}-{key}.wav")
            work.append((source, target, int(key, 16), backgrounds_dir, converted_share if split == "train" else 0))
            rows.append((target, text, voice, split))
    for i in range(noise_clips):
        key = hashlib.sha1(f"{seed}:noise:{i}".encode()).hexdigest()[:12]
        target = os.path.join(out, "clips", "train", f"_noise_-{key}.wav")
        rows.append((target, "", "noise", "train"))
        noise_work.append((target, int(key, 16), backgrounds_dir))
    start = time.time()
    total = len(work) + noise_clips
    done = 0
    failed = set()
    with ProcessPoolExecutor(jobs) as pool:
        for job, made in zip(work, pool.map(augment_job, work, chunksize=32)):
            if made is None:
                failed.add(job[1])
            done += 1
            if done % 100 == 0:
                progress("augment", done, total, start)
        for _ in pool.map(noise_job, noise_work, chunksize=32):
            done += 1
    progress("augment", total, total, start)
    rows = [row for row in rows if row[0] not in failed]
    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        f.write("path\ttext\tvoice\tsplit\n")
        for path, text, voice, split in rows:
            f.write(f"{os.path.relpath(path, out)}\t{text}\t{voice}\t{split}\n")
    sys.stderr.write(f"wrote {len(rows)} clips to {out}/manifest.tsv\n")
    return len(failed)
