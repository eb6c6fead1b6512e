#!/usr/bin/env python3
"""A Wyoming client built on the `wyoming` package (pinned in scripts/install-python-packages),
to try a `listen serve` by hand and to test it:

  wyoming-client.py describe URI                      the server's info, as JSON
  wyoming-client.py transcribe URI FILE...            one line per file: FILE<TAB>transcript
  wyoming-client.py detect URI FILE [--names W,...]   one line per event: detection NAME MS, or not-detected
  wyoming-client.py together URI FILE FILE            two clients at once, chunks interleaved
  wyoming-client.py broken URI KIND                   send a broken event (KIND: json, oversized,
                                                      half, audio), print the answer, then check
                                                      the server still answers describe

URI is tcp://HOST:PORT or unix://PATH. Files are WAV, sent in 1024-frame chunks at their own
rate, width and channels.
"""
import asyncio
import json
import socket
import sys
import wave

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient
from wyoming.event import async_read_event
from wyoming.info import Describe, Info
from wyoming.wake import Detect


def chunks(path):
    with wave.open(path) as audio:
        rate, width, channels = audio.getframerate(), audio.getsampwidth(), audio.getnchannels()
        frames = audio.readframes(audio.getnframes())
    step = 1024 * width * channels
    return (rate, width, channels), [frames[i:i + step] for i in range(0, len(frames), step)]


async def send_audio(client, path, before):
    (rate, width, channels), pieces = chunks(path)
    await client.write_event(before)
    await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
    for piece in pieces:
        await client.write_event(AudioChunk(rate=rate, width=width, channels=channels, audio=piece).event())
    await client.write_event(AudioStop().event())


async def describe(uri):
    async with AsyncClient.from_uri(uri) as client:
        await client.write_event(Describe().event())
        event = await client.read_event()
        info = Info.from_event(event)
        print(json.dumps(info.event().data, sort_keys=True))


async def transcribe_one(uri, path):
    async with AsyncClient.from_uri(uri) as client:
        await send_audio(client, path, Transcribe(language="en").event())
        while True:
            event = await client.read_event()
            if event is None:
                return "(closed)"
            if Transcript.is_type(event.type):
                return Transcript.from_event(event).text


async def transcribe(uri, paths):
    for path in paths:
        print(f"{path}\t{await transcribe_one(uri, path)}")


async def detect(uri, path, names):
    async with AsyncClient.from_uri(uri) as client:
        await send_audio(client, path, Detect(names=names or None).event())
        detected = False
        while True:
            try:
                # After a detection the server sends nothing more for this stream.
                event = await asyncio.wait_for(client.read_event(), timeout=2 if detected else 30)
            except asyncio.TimeoutError:
                return
            if event is None:
                print("(closed)")
                return
            if event.type == "detection":
                print(f"detection {event.data.get('name')} {event.data.get('timestamp')}")
                detected = True
            elif event.type == "not-detected":
                print("not-detected")
                return


async def together(uri, first, second):
    """Two clients, their chunks sent alternately, so both streams are open at once."""
    clients = [AsyncClient.from_uri(uri), AsyncClient.from_uri(uri)]
    for client in clients:
        await client.connect()
    streams = [chunks(first), chunks(second)]
    for client, ((rate, width, channels), _) in zip(clients, streams):
        await client.write_event(Transcribe().event())
        await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
    for index in range(max(len(s[1]) for s in streams)):
        for client, ((rate, width, channels), pieces) in zip(clients, streams):
            if index < len(pieces):
                await client.write_event(AudioChunk(rate=rate, width=width, channels=channels, audio=pieces[index]).event())
    for client in clients:
        await client.write_event(AudioStop().event())
    for client, path in zip(clients, (first, second)):
        event = await client.read_event()
        print(f"{path}\t{Transcript.from_event(event).text if event and Transcript.is_type(event.type) else event}")
        await client.disconnect()


async def broken(uri, kind):
    if uri.startswith("unix://"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(uri[len("unix://"):])
    else:
        host, port = uri[len("tcp://"):].rsplit(":", 1)
        connection = socket.create_connection((host, int(port)))
    messages = {
        "json": b'{"type": "describe", oops\n',
        "oversized": b'{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}, "payload_length": 999999999}\n',
        "half": b'{"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1}, "payload_length": 3200}\n' + bytes(100),
        "audio": b'{"type": "audio-start", "data": {"rate": 16000, "width": 3, "channels": 1}}\n',
    }
    connection.sendall(messages[kind])
    if kind == "half":
        connection.shutdown(socket.SHUT_WR)  # the client goes away mid-event
    reader, writer = await asyncio.open_connection(sock=connection)
    event = await asyncio.wait_for(async_read_event(reader), timeout=10)
    print(f"{event.type if event else '(closed)'}\t{event.data.get('text') if event else ''}")
    writer.close()
    await describe(uri)


def main():
    command, uri, *rest = sys.argv[1:]
    if command == "describe":
        asyncio.run(describe(uri))
    elif command == "transcribe":
        asyncio.run(transcribe(uri, rest))
    elif command == "detect":
        names = rest[2].split(",") if len(rest) > 2 and rest[1] == "--names" else []
        asyncio.run(detect(uri, rest[0], names))
    elif command == "together":
        asyncio.run(together(uri, rest[0], rest[1]))
    elif command == "broken":
        asyncio.run(broken(uri, rest[0]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
