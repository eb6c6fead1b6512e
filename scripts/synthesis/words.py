"""The texts the synthetic voices speak: the 35 command words, phrases, other words, the open
vocabulary (wordfreq's frequent words, a manifest's transcripts) and the held-out words no
voice may speak."""
import argparse
import re

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
# these it accepts fewer of them but also hears fewer real commands (docs/TRAINING-HISTORY.md). After
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
