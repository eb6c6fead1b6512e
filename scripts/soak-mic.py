#!/usr/bin/env python3
"""Soak test of `listen mic`: an hour of speech and noise played in real time through a private
PulseAudio null sink into `listen mic --hooks …`, its memory sampled every 5 s.

Reports: every played command heard once (missed, repeated, extra), audio dropped, hook
actions run, RSS over time (flat within ±2 MB after the first minute?) and peak RSS, and
writes the RSS plot as SVG.

Usage: scripts/soak-mic.py [--minutes 60] [--listen BINARY] [--svg docs/soak-rss.svg]
Needs pulseaudio, paplay and sox (scripts/install-system-packages), numpy, and ../shared for the
noise (LISTEN_SHARED).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RATE = 16000
COMMANDS = {"yes": "yes", "no": "no", "up": "up", "go": "go", "left": "left", "right": "right",
            "seven": "seven", "stop": "stop", "go_left": "go left"}


def read(path):
    """16 kHz mono float samples of any file (through sox)."""
    raw = subprocess.run(["sox", "-V1", path, "-t", "raw", "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768


def program(minutes, shared, generator):
    """The hour: command clips with quiet noise between them, over a −70 dBFS noise floor."""
    clips = {name: read(os.path.join(ROOT, "Examples", name + ".wav")) for name in COMMANDS}
    noises = [read(os.path.join(shared, "data/real-train/_background_noise_", n))
              for n in ("doing_the_dishes.flac", "exercise_bike.flac", "running_tap.flac")]
    total = int(minutes * 60 * RATE)
    audio = np.random.default_rng(1).normal(0, 10 ** (-70 / 20), total).astype(np.float32)
    truth, position = [], RATE
    while True:
        # 1.5–3 s of quiet noise (its RMS at −45 dBFS), then a command, then 1 s of the floor.
        noise = generator.choice(noises)
        length = int(generator.uniform(1.5, 3.0) * RATE)
        start = generator.randrange(0, len(noise) - length)
        stretch = noise[start:start + length]
        stretch = stretch * (10 ** (-45 / 20) / max(1e-9, float(np.sqrt(np.mean(stretch ** 2)))))
        name = generator.choice(sorted(COMMANDS))
        clip = clips[name]
        if position + length + len(clip) + RATE > total:
            break
        audio[position:position + length] += stretch
        position += length + int(0.3 * RATE)
        audio[position:position + len(clip)] += clip
        truth.append((position / RATE, COMMANDS[name]))
        position += len(clip) + RATE
    return np.clip(audio, -1, 1), truth


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def svg(points, path, title):
    """RSS (MB) over minutes, as a small SVG line plot."""
    width, height, left, bottom = 640, 300, 60, 40
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_max = max(xs) or 1
    y_min, y_max = min(ys) - 2, max(ys) + 2
    def x(v): return left + (width - left - 20) * v / x_max
    def y(v): return height - bottom - (height - bottom - 30) * (v - y_min) / (y_max - y_min)
    line = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in points)
    ticks = "".join(f'<text x="{left - 8}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:.0f}</text>'
                    f'<line x1="{left}" x2="{width - 20}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                    for v in np.linspace(y_min, y_max, 5))
    xticks = "".join(f'<text x="{x(v):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">{v:.0f}</text>'
                     for v in np.linspace(0, x_max, 7))
    with open(path, "w") as out:
        out.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">'
                  f'<rect width="100%" height="100%" fill="white"/>{ticks}{xticks}'
                  f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{line}"/>'
                  f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13">{title}</text>'
                  f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle" font-size="11">minutes</text>'
                  f'<text x="14" y="{height / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 {height / 2})">RSS (MB)</text></svg>')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--listen", default=os.path.join(ROOT, ".build/release/listen"))
    parser.add_argument("--svg", default=os.path.join(ROOT, "docs/soak-rss.svg"))
    options = parser.parse_args()
    shared = os.environ.get("LISTEN_SHARED", os.path.join(ROOT, "../shared"))
    folder = tempfile.mkdtemp(prefix="listen-soak-")
    os.makedirs(folder + "/xdg")
    env = dict(os.environ, HOME=folder, XDG_RUNTIME_DIR=folder + "/xdg", PULSE_SERVER=f"unix:{folder}/xdg/pulse/native",
               XDG_DATA_HOME=folder + "/data", XDG_CONFIG_HOME=folder + "/config")
    subprocess.run(["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "--system=false", "--disallow-exit",
                    "--enable-memfd=no", "-L", "module-native-protocol-unix",
                    "-L", "module-null-sink sink_name=virt rate=16000 channels=1 format=s16le"], env=env, check=True,
                   stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        audio, truth = program(options.minutes, shared, random.Random(1))
        stream = folder + "/soak.wav"
        with wave.open(stream, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes((audio * 32767).astype("<i2").tobytes())
        with open(folder + "/hooks.json", "w") as hooks:
            json.dump({"hooks": [{"keyword": "stop", "action": ["/bin/true"]}, {"keyword": "go left", "action": ["/bin/true"]}]}, hooks)
        listen = subprocess.Popen([options.listen, "mic", "--device", "virt.monitor", "--format", "jsonl", "--hooks", folder + "/hooks.json"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines, errors = [], []
        readers = [threading.Thread(target=lambda: lines.extend(listen.stdout)), threading.Thread(target=lambda: errors.extend(listen.stderr))]
        for reader in readers:
            reader.start()
        time.sleep(2)
        samples, started = [], time.monotonic()
        player = subprocess.Popen(["paplay", "-d", "virt", stream], env=env)
        while player.poll() is None:
            samples.append(((time.monotonic() - started) / 60, rss_kb(listen.pid) / 1024))
            time.sleep(5)
        time.sleep(3)
        peak = rss_kb(listen.pid, "VmHWM") / 1024
        anonymous, shared_files = rss_kb(listen.pid, "RssAnon") / 1024, rss_kb(listen.pid, "RssFile") / 1024
        listen.send_signal(signal.SIGTERM)
        listen.wait(timeout=30)
        for reader in readers:
            reader.join()
    finally:
        subprocess.run(["pulseaudio", "--kill"], env=env)

    records = [json.loads(line) for line in lines if line.strip()]
    heard = [r["text"] for r in records if "event" not in r and r.get("text")]
    actions = sum(1 for r in records if r.get("event") == "action_finished")
    # Played and heard, in order: an alignment by longest common subsequence.
    played = [text for _, text in truth]
    table = [[0] * (len(heard) + 1) for _ in range(len(played) + 1)]
    for i in range(len(played) - 1, -1, -1):
        for j in range(len(heard) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if played[i] == heard[j] else max(table[i + 1][j], table[i][j + 1])
    matched = table[0][0]
    after_first = [mb for minute, mb in samples if minute >= 1]
    print(f"listen mic soak: {options.minutes:.0f} min played through a PulseAudio null sink ({options.listen})")
    print(f"commands played {len(played)}, heard in order {matched} ({100 * matched / max(1, len(played)):.1f} %), "
          f"missed {len(played) - matched}, other words reported {len(heard) - matched}")
    print(f"hook actions finished: {actions} (for {sum(1 for t in played if t in ('stop', 'go left'))} played 'stop' and 'go left')")
    dropped = [e.strip() for e in errors if "dropped" in e]
    print("audio dropped: " + (dropped[0] if dropped else "none"))
    if after_first:
        print(f"RSS after the first minute: {min(after_first):.1f}–{max(after_first):.1f} MB "
              f"(spread {max(after_first) - min(after_first):.1f} MB); peak RSS (VmHWM) {peak:.1f} MB; at the end "
              f"{anonymous:.1f} MB anonymous + {shared_files:.1f} MB of mapped files (the binary and shared libraries)")
    other = [e.strip() for e in errors if "dropped" not in e and "recording from" not in e and "stopping" not in e]
    if other:
        print("stderr: " + " | ".join(other[:5]))
    svg(samples, options.svg, f"listen mic, RSS over {options.minutes:.0f} minutes of speech and noise")
    print(f"wrote {options.svg}")


if __name__ == "__main__":
    sys.exit(main())
