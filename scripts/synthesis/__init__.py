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

The package: words (the texts), voices (stage 1), effects (one clip's augmentation),
manifest (stage 2 and the manifest), audio (files), cli (the options).
"""
