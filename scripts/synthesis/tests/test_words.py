import argparse

import pytest

from synthesis import words


def test_command_list_normalises_and_refuses_what_the_model_cannot_spell(tmp_path):
    assert words.command_list("Lights On, lights  off,,stop") == ["lights on", "lights off", "stop"]
    listed = tmp_path / "words.txt"
    listed.write_text("Jarvis\n\nsmart mirror\n")
    assert words.command_list(f"@{listed}") == ["jarvis", "smart mirror"]
    for bad, message in [("café", "is not a word"), (" , ", "no command words"), ("@/nonexistent/x", "cannot read")]:
        with pytest.raises(argparse.ArgumentTypeError, match=message):
            words.command_list(bad)


def test_per_kind_counts_every_kind_and_names_what_is_missing():
    assert words.per_kind("command=6,phrase=2,unknown=1") == {"command": 6, "phrase": 2, "unknown": 1, "vocab": 1}
    assert words.per_kind("command=6,phrase=2,unknown=1,vocab=3")["vocab"] == 3
    with pytest.raises(argparse.ArgumentTypeError, match="no count for unknown"):
        words.per_kind("command=6,phrase=2")
    with pytest.raises(argparse.ArgumentTypeError, match="expected"):
        words.per_kind("command=six")


def test_texts_keep_the_recipe_then_add_commands_then_the_open_vocabulary():
    table = words.texts(commands=["lights on", "jarvis"], vocab=["water", "view glass"])
    kinds = dict(table)
    assert kinds["yes"] == "command" and kinds["go left"] == "phrase" and kinds["water"] == "unknown"
    assert kinds["lights on"] == "command", "a recipe phrase among the commands becomes a command"
    assert kinds["jarvis"] == "command" and kinds["view glass"] == "vocab"
    assert [t for t, _ in table].count("water") == 1, "a vocabulary text the recipe has is spoken once"
    assert words.texts(commands=["jarvis"], recipe=False) == [("jarvis", "command")]
    assert not set(words.UNKNOWN) & (set(words.COMMANDS) | words.HOMOPHONES), "no other word sounds like a command"


def test_manifest_texts_leave_out_held_out_words_and_empty_texts(tmp_path):
    manifest = tmp_path / "m.tsv"
    manifest.write_text("path\ttext\tspeaker\na.wav\tjarvis\tx\nb.wav\tsmart mirror\ty\nc.wav\tview glass\tz\n"
                        "d.wav\tView  Glass\tz\ne.wav\t\tz\n")
    assert words.manifest_texts(manifest) == ["view glass"]


def test_word_list_is_spellable_words_without_held_out_command_or_abbreviated_ones():
    pytest.importorskip("wordfreq", reason="needs wordfreq (scripts/install-python-packages)")
    found = words.word_list(2000, exclude=[t for t, _ in words.texts()])
    assert len(found) == 2000 and len(set(found)) == 2000
    assert all(len(w) >= 2 and w.isascii() and w.isalpha() and w.islower() and any(v in w for v in "aeiouy") for w in found)
    assert not set(found) & {"jarvis", "smart", "mirror", "yes", "stop", "tv", "uk", "mr", "the", "for"}


def test_slug_is_a_file_name():
    assert words.slug("go left") == "go_left" and words.slug("don't") == "dont"
