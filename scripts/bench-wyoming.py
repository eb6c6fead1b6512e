#!/usr/bin/env python3
"""Measures `listen serve` with the `wyoming` client library: the time from `audio-stop` to
`transcript` for 2-second utterances (dev clips padded with silence to 2 s, sent as fast as the
socket takes them), and transcripts per second with 1 and 4 clients at once.

Usage: scripts/bench-wyoming.py [LISTEN_BINARY] [--clips N]   (LISTEN_SHARED: ../shared)
"""
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
args = [a for a in sys.argv[1:] if not a.startswith("--")]
LISTEN = os.path.abspath(args[0] if args else os.path.join(ROOT, ".build/release/listen"))
CLIPS = int(sys.argv[sys.argv.index("--clips") + 1]) if "--clips" in sys.argv else 120
DEV = os.path.join(os.environ.get("LISTEN_SHARED", os.path.join(ROOT, "../shared")), "data/speech-commands-dev")


def two_second_clips(folder):
    paths = sorted(os.path.join(DEV, w, f) for w in sorted(os.listdir(DEV)) if os.path.isdir(os.path.join(DEV, w))
                   for f in sorted(os.listdir(os.path.join(DEV, w))))
    step = max(1, len(paths) // CLIPS)
    out = []
    for index, path in enumerate(paths[::step][:CLIPS]):
        target = os.path.join(folder, f"{index:04d}.wav")
        subprocess.run(["sox", "-V1", path, "-r", "16000", "-c", "1", "-b", "16", target, "pad", "0", "2", "trim", "0", "2"], check=True)
        with wave.open(target) as audio:
            out.append(audio.readframes(audio.getnframes()))
    return out


async def transcribe(uri, pcm):
    """The seconds from sending audio-stop to reading the transcript."""
    async with AsyncClient.from_uri(uri) as client:
        await client.write_event(Transcribe().event())
        await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
        for start in range(0, len(pcm), 2048):
            await client.write_event(AudioChunk(rate=16000, width=2, channels=1, audio=pcm[start:start + 2048]).event())
        stop = time.perf_counter()
        await client.write_event(AudioStop().event())
        while True:
            event = await client.read_event()
            if Transcript.is_type(event.type):
                return time.perf_counter() - stop


async def clients(uri, clips, count):
    queue = list(clips)

    async def worker():
        while queue:
            await transcribe(uri, queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(count)))
    return len(clips) / (time.perf_counter() - started)


def main():
    port = 10300 + os.getpid() % 1000
    uri = f"tcp://127.0.0.1:{port}"
    server = subprocess.Popen([LISTEN, "serve", "--uri", uri], stderr=subprocess.PIPE, text=True)
    try:
        server.stderr.readline()  # "listen: serving Wyoming on …"
        with tempfile.TemporaryDirectory() as folder:
            clips = two_second_clips(folder)
        asyncio.run(transcribe(uri, clips[0]))  # warm up
        latencies = sorted(asyncio.run(run_latencies(uri, clips)))
        print(f"listen serve ({LISTEN}), {len(clips)} dev clips padded to 2.0 s, 16 kHz 16-bit mono")
        print(f"audio-stop to transcript: median {1000 * statistics.median(latencies):.1f} ms, "
              f"90th percentile {1000 * latencies[int(0.9 * (len(latencies) - 1))]:.1f} ms, max {1000 * latencies[-1]:.1f} ms")
        for count in (1, 4):
            print(f"{count} client{'s' if count > 1 else ''} at once: {asyncio.run(clients(uri, clips, count)):.1f} transcripts per second")
    finally:
        server.terminate()
        server.wait()


async def run_latencies(uri, clips):
    return [await transcribe(uri, pcm) for pcm in clips]


if __name__ == "__main__":
    main()
