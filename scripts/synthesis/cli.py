"""The command line of scripts/synthesize.py."""
import argparse
import glob
import os
import sys

from . import __doc__ as DESCRIPTION
from .effects import CONVERTED_SHARE, load_backgrounds
from .manifest import REAL_CONVERTED, augment_stage, real_sources
from .voices import ACCENT_VOICES, FESTIVAL_VOICES, clean_stage
from .words import command_list, manifest_texts, per_kind, texts, word_list


def main():
    parser = argparse.ArgumentParser(prog="synthesize.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    shared = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "one-speaker-train")
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
