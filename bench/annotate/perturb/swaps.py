"""Table-driven rules: change a number, shift a date, swap a quantifier or a word for its antonym."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bench.annotate.mentions import YEAR
from bench.annotate.perturb.edit import Proposal, edit_span, unique_proposals
from bench.lexicon import MONTHS, NUMBER_WORDS, WEEKDAYS, WORD_FOR

# ---------------------------------------------------------------------------------------- number

_DIGITS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(w for w in NUMBER_WORDS if w not in ("hundred", "dozen")) + r")\b",
                          re.IGNORECASE)


def _other(value: float) -> float:
    """A clearly different number: small ones + 2, larger ones x 1.5."""
    return value + 2 if value < 10 else value * 1.5


def number(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Change one number (digits or a number word); four-digit years are left to `date`."""
    out: list[Proposal] = []
    hits: list[tuple[int, int, str]] = []
    for m in _DIGITS.finditer(text):
        whole, frac = m.group(1), m.group(2)
        if YEAR.fullmatch(whole) and not frac:
            continue
        changed = _other(float(whole.replace(",", "") + (frac or "")))
        if frac:
            shown = f"{changed:.{len(frac) - 1}f}"
        else:
            shown = f"{round(changed):,}" if "," in whole else str(round(changed))
        hits.append((m.start(), m.end(), shown))
    for m in _NUMBER_WORD.finditer(text):
        new_value = round(_other(NUMBER_WORDS[m.group(1).lower()]))
        hits.append((m.start(), m.end(), WORD_FOR.get(new_value, str(new_value))))
    for start, end, new in sorted(hits):
        out.append(edit_span(text, start, end, new, "number"))
    return unique_proposals(out, text)


# ------------------------------------------------------------------------------------------ date

SEASONS = {"spring": "fall", "summer": "winter", "fall": "spring", "autumn": "spring", "winter": "summer"}
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
_SEASON = re.compile(r"\b(last|this|next|the|in|early|late)\s+(" + "|".join(SEASONS) + r")\b", re.IGNORECASE)


def date(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Shift a year (-1, +1), a month or weekday (to the next), or a season (to the opposite)."""
    hits: list[tuple[int, int, str]] = []
    for m in YEAR.finditer(text):
        hits.append((m.start(), m.end(), str(int(m.group(1)) - 1)))
        hits.append((m.start(), m.end(), str(int(m.group(1)) + 1)))
    for m in _MONTH.finditer(text):
        if m.group(1) == "May" and not re.search(r"\b(in|on|of|since|until|by|last|next|early|late)\s+$|^\d", text[: m.start()][-12:]):
            continue  # "May" is also a modal verb
        hits.append((m.start(), m.end(), MONTHS[(MONTHS.index(m.group(1)) + 1) % 12]))
    for m in _WEEKDAY.finditer(text):
        hits.append((m.start(), m.end(), WEEKDAYS[(WEEKDAYS.index(m.group(1)) + 1) % 7]))
    for m in _SEASON.finditer(text):
        hits.append((m.start(2), m.end(2), SEASONS[m.group(2).lower()]))
    return unique_proposals([edit_span(text, s, e, new, "date") for s, e, new in sorted(hits, key=lambda h: h[0])], text)


# ------------------------------------------------------------------------------------ quantifier

def _at_least(m: re.Match[str]) -> str:
    value = NUMBER_WORDS.get(m.group(1).lower()) if not m.group(1).isdigit() else int(m.group(1))
    return "at most one" if (value or 0) > 1 else "no"


def _at_most(m: re.Match[str]) -> str:
    value = NUMBER_WORDS.get(m.group(1).lower()) if not m.group(1).isdigit() else int(m.group(1))
    new = (value or 0) + 3
    return f"at least {WORD_FOR.get(new, str(new))}"


_N = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
QUANTIFIERS: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (r"at least " + _N, _at_least),
    (r"at most " + _N, _at_most),
    (r"more than", "fewer than"),
    (r"fewer than", "more than"),
    (r"less than", "more than"),
    (r"a handful of", "dozens of"),
    (r"(?:dozens|hundreds|thousands) of", "a handful of"),
    (r"a few", "many"),
    (r"several", "no"),
    (r"many", "few"),
    (r"(?<!a )few", "many"),
    (r"most", "few"),
    (r"all of", "none of"),
    (r"all(?=\s*[.,;]|$)", "none"),
    (r"all(?= the)", "none of"),
    (r"all", "no"),
    (r"every", "no"),
    (r"everyone|everybody", "no one"),
    (r"nobody|no one", "everyone"),
    (r"none", "all"),
    (r"some", "no"),
    (r"no(?=\s+[a-z])", "some"),
    (r"always", "never"),
    (r"both", "neither"),
]
_QUANTIFIER_RES = [(re.compile(r"\b" + p + r"\b", re.IGNORECASE), r) for p, r in QUANTIFIERS]


def quantifier(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Swap a quantifier for one that contradicts it ("at least three" -> "at most one", "several" -> "no")."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, Proposal]] = []
    for pattern, repl in _QUANTIFIER_RES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue  # covered by a longer phrase ("at least three" before "three")
            taken.append((m.start(), m.end()))
            new = repl(m) if callable(repl) else repl
            proposal = edit_span(text, m.start(), m.end(), new, "quantifier")
            if new == "neither":
                tail = proposal.text[m.start():]
                proposal = Proposal("quantifier", proposal.text[: m.start()] + re.sub(r"\band\b", "nor", tail, count=1),
                                    f"{m.group(0)!r} ... 'and' -> 'neither' ... 'nor'")
            out.append((m.start(), proposal))
    return unique_proposals([p for _, p in sorted(out, key=lambda x: x[0])], text)


# --------------------------------------------------------------------------------------- antonym

ANTONYM_PAIRS = [
    ("approved", "rejected"), ("approve", "reject"), ("provided", "refused"), ("accepted", "rejected"),
    ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"), ("increasing", "decreasing"),
    ("secret", "public"), ("secretly", "publicly"), ("private", "public"), ("privately", "publicly"),
    ("covert", "overt"), ("supported", "opposed"),
    ("confirmed", "denied"), ("admitted", "denied"), ("succeeded", "failed"), ("success", "failure"),
    ("won", "lost"), ("win", "lose"), ("rose", "fell"), ("raised", "lowered"), ("higher", "lower"),
    ("more", "less"), ("allowed", "prohibited"), ("legal", "illegal"), ("true", "false"),
    ("friendly", "hostile"), ("strong", "weak"), ("included", "excluded"), ("ally", "enemy"),
    ("allies", "enemies"), ("began", "ended"), ("started", "ended"), ("first", "last"), ("before", "after"),
    ("earlier", "later"), ("early", "late"), ("majority", "minority"), ("encouraged", "discouraged"),
    ("praised", "criticized"), ("agreed", "disagreed"), ("helped", "hindered"), ("willing", "unwilling"),
    ("likely", "unlikely"), ("possible", "impossible"), ("formal", "informal"),
    ("expanded", "reduced"), ("strengthened", "weakened"), ("accept", "reject"), ("agree", "refuse"),
    ("offered", "withheld"), ("continued", "stopped"), ("inside", "outside"),
    ("above", "below"), ("guilty", "innocent"), ("legitimate", "illegitimate"),
]
ANTONYMS: dict[str, str] = {}
for _left, _right in ANTONYM_PAIRS:
    ANTONYMS.setdefault(_left, _right)
    ANTONYMS.setdefault(_right, _left)
_ANTONYM = re.compile(r"\b(" + "|".join(sorted(ANTONYMS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def antonym(text: str, corpus: Sequence[str] = ()) -> list[Proposal]:
    """Swap a word for its antonym from a small table (approved/rejected, secret/public, ...)."""
    return unique_proposals([edit_span(text, m.start(), m.end(), ANTONYMS[m.group(1).lower()], "antonym")
                    for m in _ANTONYM.finditer(text)], text)
