"""The skeleton key of a name: one spelling for every rendering of it, so that Hangul, Revised
Romanization, McCune–Reischauer (with or without breves and apostrophes, North Korean "Ri",
"Chol"), Cyrillic renderings of Korean names ("Ким Чхоль Су") and the common transliterations of
Russian and Ukrainian names meet.

How it works: Hangul is spelled out syllable by syllable (Revised Romanization, without sound
changes), Cyrillic is transliterated, and every Latin spelling is then reduced by the same rules
to classes of sounds that renderings confuse: voiced/voiceless/aspirated/tense stops are one
(g k kk k' kh → K, d t tt t' th → T, b p pp p' ph → P, j ch tch ch' ts → C), r and l are one,
v f w are one, ng and n are one, and the vowels fall into four classes (a; e ae; o eo ŏ; and
i u eu ŭ y ы и, which spellings of ㅡ straddle). Spaces and hyphens are dropped from the key, so
"Kim Chol-su", "Kim Cholsu" and "김철수" meet; the words keep their order.

What the key does not do, on purpose (the duplicate score separates these later):
- 철 "Cheol/Chŏl/Chol" and 출 "Chul" stay apart (o and u), so the common private spelling
  "Chul-soo" of 철수 does not meet; Pak (박) and Paek (백) stay apart (a and ae).
- Ivanov and Ivanova stay apart: they are different people (a man and a woman), the key keeps
  every letter class.
- The initial-sound rule (North "Ri", "Rim", "Ryu", "Ro" for South "I/Lee", "Im", "Yu", "No")
  applies at the start of each word only: "Kim Chol Ryong" does not meet 김철룡.
- Russian and Ukrainian forms of a name meet where only the letter differs (Сергій/Сергей,
  Serhiy/Sergei, Oleh/Oleg, Olha/Olga); a Ukrainian h before a vowel (Halyna/Galina,
  Hryhoriy/Grigoriy, Ihor/Igor) is not guessed, since Korean h (Han, Hong, Jiho) must stay apart
  from g (Kan, Kong, Jigo).
- ng and n are one (Cyrillic writes both н): 정 Jeong and 전 Jeon meet.
- English-style spellings of ㅓ as u ("Sung", "Chun") do not meet Song/Chŏn; nor does German
  "Lj" (Ljudmila) meet Lyudmila, since Korean writes l + j (Cheoljin).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_INITIALS = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
]  # fmt: skip
_VOWELS = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
]  # fmt: skip
# Finals as they sound at the end of a syllable.
_FINALS = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
]  # fmt: skip

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
# Letters whose diacritic carries a sound of its own (the rest lose theirs: ŏ → o, ŭ → u).
_LATIN_LETTERS = {
    "č": "ch", "ć": "ch", "š": "sh", "ś": "sh", "ž": "zh", "ź": "zh", "ł": "l", "ß": "ss",
}  # fmt: skip

# Whole words spelled idiosyncratically: the common Korean surnames and North Korean forms.
_WORDS = {
    **dict.fromkeys(["lee", "rhee", "yi", "yee", "ree", "li", "ri", "i"], "i"),
    **dict.fromkeys(["park", "pak", "bak", "bahk", "pag"], "pak"),
    **dict.fromkeys(["choi", "choe", "chwe", "choy", "tsoi", "tsoy", "chve", "chey"], "choe"),
    **dict.fromkeys(["roh", "noh", "rho", "ro", "no"], "no"),
    **dict.fromkeys(["oh", "o"], "o"),
    **dict.fromkeys(["suh", "seo", "so"], "so"),
    **dict.fromkeys(["woo", "wu", "u"], "u"),
    **dict.fromkeys(["jung", "chung", "jeong", "jong", "chong"], "jong"),
}

_VOWEL = "aeiouy"
_CLASSES = {
    "a": "A", "e": "E", "o": "O", "i": "I", "u": "I", "y": "I",
    "g": "K", "k": "K", "q": "K", "d": "T", "t": "T", "b": "P", "p": "P", "j": "C", "c": "C",
    "s": "S", "z": "Z", "l": "L", "r": "L", "m": "M", "n": "N", "h": "H", "f": "V", "v": "V",
    "w": "V", "x": "KS",
}  # fmt: skip
_WORD_SPLIT = re.compile(r"[\s,;/()]+")
_SYLLABLE_SPLIT = re.compile(r"[-‐‑–—.]+")


def _hangul(word: str) -> str:
    """Spell Hangul syllables out, hyphen between syllables; North Korean initial ㄹ of the first
    syllable read as the South writes it (리 → 이, 로 → 노)."""
    out: list[str] = []
    for char in word:
        code = ord(char)
        if not _HANGUL_FIRST <= code <= _HANGUL_LAST:
            out.append(char)
            continue
        index = code - _HANGUL_FIRST
        initial, vowel, final = index // 588, (index % 588) // 28, index % 28
        first = _INITIALS[initial]
        if first == "r" and not out:
            first = "" if _VOWELS[vowel][0] in "iy" else "n"
        out.append(("-" if out else "") + first + _VOWELS[vowel] + _FINALS[final])
    return "".join(out)


def _cyrillic(word: str) -> str:
    out: list[str] = []
    for position, char in enumerate(word):
        if char == "х" and position and word[position - 1] in "чтпк":
            continue  # Korean aspiration: Чхоль, Тхэ, Пхеньян
        out.append(_CYRILLIC.get(char, char))
    return "".join(out)


def _latin(text: str) -> str:
    text = "".join(_LATIN_LETTERS.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _syllable(part: str, *, word_start: bool) -> str:
    """Reduce one syllable or unhyphenated word (lower-case ASCII letters) to sound classes."""
    if word_start:
        # Initial-sound rule: North Ri, Rim, Ryu, Lee's L; Ukrainian Hr-, Hl- for Russian Gr-, Gl-
        part = re.sub(r"^rh", "r", part)
        part = re.sub(r"^[rl](?=[iy])", "", part)
        part = re.sub(r"^h(?=[rl])", "g", part)
        # Yevgeny, Jewgeni, Evgeniy; Yelena, Jelena, Elena
        part = re.sub(r"^[yj]e(?=[^aeiou])", "e", part)
        part = re.sub(r"^yi", "i", part)
    part = part.replace("tsch", "ch").replace("sch", "sh")  # German: Schewtschenko
    part = re.sub(r"(?<=[aeiou])j(?=[^aeiou]|$)", "y", part)  # Sergej, Nikolaj, Jurij
    # Aspiration marks, and Ukrainian h for Russian g after r, l and in -eh (Serhiy, Olha, Oleh)
    part = re.sub(r"(?<=[rl])h", "g", part)
    part = re.sub(r"eh$", "eg", part)
    part = re.sub(r"(?<=[aeiou])h(?=[^aeiouy]|$)", "", part)  # Ahn, Bahk
    part = part.replace("kh", "H")
    part = re.sub(r"(?<=[tp])h", "", part)
    # Slavic glides and endings: Alekseyev/Alekseev, Mariya/Maria, Sergei/Sergey/Serhiy/Sergij
    part = re.sub(r"(?<=[aeiou])ye", "e", part)
    part = re.sub(r"i[yj](?=[aeiou])", "i", part)
    part = re.sub(r"(?:[ie][iy]|[iy])$", "i", part)
    part = re.sub(r"ff$", "v", part)
    part = re.sub(r"(?:tch|tsch|dzh|dj|ch|ts|tz|j)", "C", part)
    part = part.replace("sh", "s").replace("zh", "z")
    part = re.sub(r"c(?=[eiy])", "s", part)
    part = part.replace("ck", "k").replace("c", "k")
    # Vowels of the romanizations: eo ŏ → o, eu ŭ → u, ae → e, oo → u, ee → i
    part = part.replace("eo", "o").replace("eu", "u").replace("ae", "e").replace("oo", "u")
    part = part.replace("ee", "i").replace("oung", "ong").replace("ou", "u")  # Young, Youn
    part = part.replace("ng", "n")
    out: list[str] = []
    for position, char in enumerate(part):
        if char == "y":
            following = part[position + 1 : position + 2]
            out.append("Y" if following and following in _VOWEL else "I")
        elif char.isupper():
            out.append(char)
        else:
            out.append(_CLASSES.get(char, ""))
    return "".join(out)


@lru_cache(maxsize=65536)
def name_skeleton(text: str) -> str:
    """The skeleton key of a name in any script: upper-case ASCII, no spaces; "" for no name."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"['’ʼ‘`´ʹ\"]", "", text)
    keys: list[str] = []
    for word in _WORD_SPLIT.split(text):
        if not word:
            continue
        word = _latin(_cyrillic(_hangul(word)))
        whole = re.sub(r"[^a-z]", "", word)
        if whole in _WORDS:
            keys.append(_syllable(_WORDS[whole], word_start=False))
            continue
        parts = [re.sub(r"[^a-z]", "", part) for part in _SYLLABLE_SPLIT.split(word)]
        keys.extend(
            _syllable(part, word_start=index == 0) for index, part in enumerate(parts) if part
        )
    key = "".join(keys)
    return re.sub(r"(.)\1+", r"\1", key)


# --- forms: a name divided into family name and given names (the duplicate lookup's keys) --------

# Korean family names of two syllables: 남궁민 is 남궁 + 민, not 남 + 궁민.
_TWO_SYLLABLE_FAMILIES = frozenset({"남궁", "황보", "선우", "제갈", "독고", "사공", "서문", "동방"})
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")
_NAME_WORDS = re.compile(r"[\s,;/()]+")
# Patronymics (Ivanovich, Petrivna, Іванович, Петрівна): left out of the given names, since one
# list records them and another does not.
_PATRONYMIC = re.compile(r"(?:vich|vych|vitch|witsch|vna|wna|ichna|ична|вич|вна|ич)$")


# The longest keys of a form (cases.models.NameKey's columns). A key can be several times longer
# than the name it is made of (a Hangul syllable spells out to three letters, "x" to two), and
# the duplicate lookup's unique index on PostgreSQL refuses a row of more than ~2,700 bytes: so
# a form's keys are cut to these, the same whether it is stored or asked for, and they meet.
# Past 200 letters of key no two names of real people still differ only by what is cut.
FAMILY_KEY_MAX = 200
GIVEN_KEY_MAX = 400


@dataclass(frozen=True)
class Form:
    """A rendering of a name split into the skeleton keys of its family name and given names
    (cut to FAMILY_KEY_MAX and GIVEN_KEY_MAX)."""

    family: str
    given: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", self.family[:FAMILY_KEY_MAX])
        object.__setattr__(self, "given", self.given[:GIVEN_KEY_MAX])


def name_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").strip()
    return [word for word in _NAME_WORDS.split(text) if word]


def _given_key(words: list[str]) -> str:
    kept = [w for w in words if not _PATRONYMIC.search(w.lower())] or words
    return name_skeleton(" ".join(kept))


@lru_cache(maxsize=65536)
def name_forms(text: str) -> tuple[Form, ...]:
    """The ways a name written in one string may divide into family name and given names:
    family name first or last; a Hangul name of one word after its first syllable (or its
    first two, for 남궁, 황보…)."""
    words = name_words(text)
    if not words:
        return ()
    if len(words) == 1:
        word = words[0]
        if _HANGUL.match(word) and len(word) >= 2:
            split = 2 if word[:2] in _TWO_SYLLABLE_FAMILIES and len(word) >= 3 else 1
            return (Form(name_skeleton(word[:split]), name_skeleton(word[split:])),)
        return (Form(name_skeleton(word), ""),)
    forms = [
        Form(name_skeleton(words[0]), _given_key(words[1:])),
        Form(name_skeleton(words[-1]), _given_key(words[:-1])),
    ]
    return tuple(dict.fromkeys(forms))


def structured_forms(family_name: str, given_names: str) -> list[Form]:
    """Forms of a name given as family name and given names (either may hold both, swapped)."""
    return list(_structured_forms(family_name, given_names))


@lru_cache(maxsize=65536)
def _structured_forms(family_name: str, given_names: str) -> tuple[Form, ...]:
    family, given = " ".join(name_words(family_name)), " ".join(name_words(given_names))
    if not family and not given:
        return ()
    if not given or not family:
        return name_forms(family or given)
    forms = [Form(name_skeleton(family), _given_key(name_words(given)))]
    # A list that wrote the given name first: Ivan Ivanov as family "Ivan", given "Ivanov".
    forms.append(Form(name_skeleton(given), name_skeleton(family)))
    if len(name_words(family)) > 1:
        forms.extend(name_forms(f"{family} {given}"))
    return tuple(dict.fromkeys(f for f in forms if f.family))


def captive_forms(family_name: str, given_names: str, name_original: str) -> list[Form]:
    """The forms of a captive's own names: his Latin name and his name in its original script."""
    forms = structured_forms(family_name, given_names) + list(name_forms(name_original))
    return list(dict.fromkeys(forms))


@lru_cache(maxsize=65536)
def name_patronymics(text: str, *, given_only: bool = False) -> frozenset[str]:
    """The skeleton keys of the patronymics in a name (Gennadevich, Геннадьевич, Petrivna): words
    after the first of the given names (`given_only`), or after the first two of a whole name
    written in one string (family name and given name come first, or given name and patronymic
    before the family name)."""
    words = name_words(text)
    start = 1 if given_only else 2
    if not given_only and len(words) < 3:
        return frozenset()
    found = {name_skeleton(w) for w in words[start:] if _PATRONYMIC.search(w.lower())}
    if not given_only and len(words) >= 3 and _PATRONYMIC.search(words[1].lower()):
        found.add(name_skeleton(words[1]))  # Nikita Gennadevich Ivanov
    return frozenset(found - {""})


_SCRIPTS = [
    ("hangul", re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("han", re.compile(r"[\u4e00-\u9fff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff]")),
]


def script_of(text: str) -> str:
    """The script a name is written in (a cases.choices.Script value): the first of Hangul,
    Cyrillic, Chinese characters and Arabic found in it, else Latin."""
    for script, pattern in _SCRIPTS:
        if pattern.search(text):
            return script
    return "latin"


# Characters no name is written with: controls, and the marks that reorder or hide text (bidi
# overrides and isolates, zero-width spaces); a name must also hold a letter.
_NOT_IN_NAMES = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def name_text_validator(value: str) -> None:
    """Refuse a name that holds a control character or a hidden mark, or no letter at all."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _

    if not value:
        return
    if _NOT_IN_NAMES.search(value):
        raise ValidationError(
            _("A name may not hold control characters or hidden marks."), code="invalid_name"
        )
    if not any(unicodedata.category(char).startswith("L") for char in value):
        raise ValidationError(_("A name needs at least one letter."), code="invalid_name")
