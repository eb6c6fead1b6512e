import os

import numpy as np

from synthesis import audio, manifest


def test_copies_are_keyed_by_where_a_clip_is_not_by_how_its_path_was_typed(tmp_path):
    out = str(tmp_path / "set")
    synthetic = os.path.join(out, "clean", "flite-kal16-1.0", "yes.wav")
    assert manifest.source_name(synthetic, out, "flite-kal16-1.0") == os.path.join("clean", "flite-kal16-1.0", "yes.wav")
    assert manifest.source_name("/any/where/stop/a.wav", out, manifest.REAL_CONVERTED) == os.path.join("real", "stop", "a.wav")
    assert manifest.source_name("where/stop/a.wav", out, manifest.REAL_CONVERTED) == os.path.join("real", "stop", "a.wav")


def test_real_sources_take_speech_folders_and_skip_noise_unreadable_and_too_short_clips(tmp_path):
    for folder in ("stop", "none", "water"):
        (tmp_path / folder).mkdir()
    audio.write_wav(str(tmp_path / "stop" / "a.wav"), np.zeros(8000, dtype=np.float32))
    audio.write_wav(str(tmp_path / "water" / "b.wav"), np.zeros(8000, dtype=np.float32))
    audio.write_wav(str(tmp_path / "stop" / "short.wav"), np.zeros(800, dtype=np.float32))
    (tmp_path / "stop" / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    audio.write_wav(str(tmp_path / "none" / "n.wav"), np.zeros(8000, dtype=np.float32))
    sources, skipped = manifest.real_sources(str(tmp_path))
    assert [(os.path.basename(p), text, kind) for p, text, _, kind in sources] == [("a.wav", "stop", "command"), ("b.wav", "water", "unknown")]
    assert skipped == 2
