import numpy as np
import pytest

from synthesis import audio, effects


def test_coloured_noise_has_unit_power_and_its_slope():
    rng = np.random.default_rng(1)
    n = 1 << 15
    for kind in ("white", "pink", "brown"):
        x = effects.colored_noise(rng, n, kind)
        assert len(x) == n and abs(np.std(x) - 1) < 0.05
    spectrum = lambda x: np.abs(np.fft.rfft(x)) ** 2
    low, high = slice(20, 200), slice(4000, 8000)
    ratios = {kind: spectrum(effects.colored_noise(rng, n, kind))[low].mean() / spectrum(effects.colored_noise(rng, n, kind))[high].mean()
              for kind in ("white", "pink", "brown")}
    assert ratios["white"] < 2 < ratios["pink"] < ratios["brown"], ratios


def test_trim_cuts_a_clip_to_its_speech():
    silence = np.zeros(8000, dtype=np.float32)
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(4800) / audio.RATE)).astype(np.float32)
    trimmed = effects.trim(np.concatenate([silence, tone, silence]))
    assert 4800 <= len(trimmed) <= 4800 + 2 * audio.RATE // 100
    assert len(effects.trim(silence)) == len(silence), "a silent clip stays as it is"


def test_a_background_stretch_is_as_long_as_asked_from_a_shorter_clip_at_unit_power():
    rng = np.random.default_rng(2)
    clip = np.random.default_rng(3).standard_normal(1000).astype(np.float32) * 0.1
    x = effects.background_stretch(rng, 2500, [clip])
    assert len(x) == 2500 and abs(np.std(x) - 1) < 0.05


def test_wav_files_round_trip_at_16_bits(tmp_path):
    x = np.linspace(-0.9, 0.9, 1600, dtype=np.float32)
    path = str(tmp_path / "x.wav")
    audio.write_wav(path, x)
    assert np.max(np.abs(audio.read_wav(path) - x)) < 1e-4


def test_a_noise_clip_is_deterministic_for_its_seed(tmp_path):
    first, second = str(tmp_path / "a.wav"), str(tmp_path / "b.wav")
    effects.noise_job((first, 7, ""))
    effects.noise_job((second, 7, ""))
    a, b = audio.read_wav(first), audio.read_wav(second)
    assert audio.RATE <= len(a) <= 1.6 * audio.RATE and np.array_equal(a, b)


def test_voice_conversion_moves_the_pitch_of_a_voiced_clip(tmp_path):
    pyworld = pytest.importorskip("pyworld", reason="needs pyworld (scripts/install-python-packages)")
    t = np.arange(audio.RATE) / audio.RATE
    voiced = (0.4 * np.sign(np.sin(2 * np.pi * 120 * t)) * np.hanning(len(t))).astype(np.float32)  # a 120 Hz buzz
    path = str(tmp_path / "v.wav")
    audio.write_wav(path, voiced)
    converted = effects.convert_voice(np.random.default_rng(5), path)
    assert converted is not None and np.max(np.abs(converted)) <= 0.9 + 1e-6
    f0, _ = pyworld.dio(converted.astype(np.float64), audio.RATE)
    heard = np.median(f0[f0 > 0])
    assert 80 <= heard <= 340 and abs(heard - 120) > 5, heard
