"""Stage 2's effects on one clip: another speaker's voice (the WORLD vocoder), sox's tempo,
pitch, equaliser, reverb and band limits, gain, position, trimming and background noise."""
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

from .audio import RATE, read_wav, to16k, write_wav

CONVERTED_SHARE = 0.6  # of the synthetic training clips, spoken by a WORLD-converted voice


WORLD_PERIOD = 5.0  # ms


TRIMMED_SHARE = 0.2  # of the augmented clips, cut to the speech (at most 30 ms of window around it)


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
