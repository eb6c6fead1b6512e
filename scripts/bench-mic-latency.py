#!/usr/bin/env python3
"""Mic latency benchmark: time from the end of speech to the printed result.

Starts a private PulseAudio daemon with a 16 kHz null sink, runs
`listen mic --device virt.monitor --format jsonl`, plays the example clips into the sink
with paplay (each padded with 0.3 s of silence before and 1 s after), and measures, per
clip, the time from the end of its speech (the last 10 ms frame above -45 dBFS, counted from
the moment paplay was started) to the arrival of its JSON line. paplay's own start-up delay
is counted as latency, so the figures are an upper bound.

    python3 scripts/bench-mic-latency.py [--listen .build/release/listen] [--rounds 3] [-- listen mic options]

(e.g. `-- --recheck-below 1` hears every utterance at both warps: the example clips are heard
confidently, so by default they take one run of the network, the fast path.)
"""
import argparse, os, statistics, subprocess, sys, tempfile, threading, time, wave
import numpy as np

def speech_end(path):
    with wave.open(path) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768
        rate = w.getframerate()
    frames = len(x) // 160
    level = 10 * np.log10(np.mean(x[:frames * 160].reshape(frames, 160) ** 2, axis=1) + 1e-10)
    loud = np.nonzero(level > -45)[0]
    return (loud[-1] + 1) * 160 / rate

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", default=".build/release/listen")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--examples", default="Examples")
    parser.add_argument("extra", nargs="*", help="options passed to listen mic (after --)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    os.makedirs(folder + "/xdg")
    env = dict(os.environ, HOME=folder, XDG_RUNTIME_DIR=folder + "/xdg", PULSE_SERVER=f"unix:{folder}/xdg/pulse/native")
    subprocess.run(["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "--system=false", "--disallow-exit",
                    "--enable-memfd=no", "-L", "module-native-protocol-unix",
                    "-L", "module-null-sink sink_name=virt rate=16000 channels=1 format=s16le"], env=env, check=True,
                   stderr=subprocess.DEVNULL)
    time.sleep(1)
    clips = []
    for name in sorted(os.listdir(args.examples)):
        if name.endswith(".wav"):
            padded = f"{folder}/{name}"
            subprocess.run(["sox", f"{args.examples}/{name}", "-r", "16000", "-c", "1", "-b", "16", padded, "pad", "0.3", "1.0"], check=True)
            clips.append((name, padded, speech_end(padded)))
    listen = subprocess.Popen([args.listen, "mic", "--device", "virt.monitor", "--format", "jsonl", *args.extra], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    arrivals = []
    def reader():
        for line in listen.stdout:
            arrivals.append((time.monotonic(), line.strip()))
    threading.Thread(target=reader, daemon=True).start()
    time.sleep(1.5)
    latencies = []
    try:
        for _ in range(args.rounds):
            for name, path, end in clips:
                before = len(arrivals)
                started = time.monotonic()
                subprocess.run(["paplay", "-d", "virt", path], env=env, check=True)
                time.sleep(0.2)
                mine = arrivals[before:]
                if not mine:
                    print(f"{name}: no result", file=sys.stderr)
                    continue
                latency = mine[0][0] - (started + end)
                latencies.append(latency)
                print(f"{name}: {1000 * latency:.0f} ms  {mine[0][1][:100]}")
    finally:
        listen.terminate()
        listen.wait()
        subprocess.run(["pulseaudio", "--kill"], env=env)
    if latencies:
        ms = sorted(1000 * l for l in latencies)
        print(f"latency from end of speech to result over {len(ms)} utterances: median {statistics.median(ms):.0f} ms, "
              f"p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms")

if __name__ == "__main__":
    main()
