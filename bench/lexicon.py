"""The one table of cue words (numbers, months, weekdays, negation) for features and perturbations.

`bench.models.lexical` reads these words as features and `bench.annotate.perturb` rewrites them, so
both must agree on what counts as a number word or a negation. Plain data, no imports: any module
may use it without an import cycle.
"""

from __future__ import annotations

UNITS: dict[str, int] = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
TENS: dict[str, int] = {w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES: dict[str, float] = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
#: Other words that state an exact quantity ("a dozen", "doubled").
OTHER_NUMBERS: dict[str, float] = {"dozen": 12.0, "half": 0.5, "twice": 2.0, "once": 1.0, "thrice": 3.0,
                                   "double": 2.0, "doubled": 2.0, "tripled": 3.0, "triple": 3.0}
#: Number words a perturbation rewrites ("three" -> "five"), in regex alternation order.
NUMBER_WORDS: dict[str, int] = {**UNITS, **TENS, "hundred": int(SCALES["hundred"]),
                                "dozen": int(OTHER_NUMBERS["dozen"])}
VAGUE_QUANTITIES = frozenset({
    "several", "few", "many", "dozens", "hundreds", "thousands", "millions", "billions", "numerous",
    "multiple", "handful", "some", "scores", "most", "majority", "countless", "various",
})

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: "Sept" before "Sep", so a regex alternation takes the longer one.
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
#: Lower-cased month name or abbreviation -> month number (1-12).
MONTH_NUMBER: dict[str, int] = {
    **{m.lower(): i + 1 for i, m in enumerate(MONTHS)},
    **{a.lower(): next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(a)) for a in MONTH_ABBREVIATIONS},
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RELATIVE_DAYS = frozenset({"today", "yesterday", "tomorrow", "tonight", "overnight"})

#: Words that negate on their own; a perturbation never inserts a negation right before one.
NEGATORS = frozenset({"no", "not", "never", "none", "nothing", "nobody", "neither", "nor"})
#: Every negation cue a feature counts: the negators, contractions without the apostrophe, failure verbs.
NEGATION_WORDS = NEGATORS | frozenset({
    "nowhere", "without", "cannot", "cant", "dont", "didnt", "doesnt", "isnt", "wasnt", "werent", "arent",
    "wont", "hasnt", "havent", "hadnt", "couldnt", "shouldnt", "wouldnt", "unable", "failed", "fails", "fail",
    "lack", "lacked",
})
REFUTING_WORDS = frozenset({
    "deny", "denies", "denied", "denying", "denial", "decline", "declined", "declines", "refuse", "refused",
    "refuses", "refusal", "rebuff", "rebuffed", "rebuffs", "reject", "rejected", "rejects", "dismiss",
    "dismissed", "dismisses", "disputed", "disputes", "dispute", "false", "fake", "fraud", "hoax", "bogus",
    "debunk", "debunked", "retract", "retracted", "doubt", "doubts", "despite", "contrary", "untrue",
    "misleading", "wrongly", "falsely",
})
#: Number -> the word a perturbation writes for it (12 is "twelve", not "dozen").
WORD_FOR: dict[int, str] = {value: word for word, value in NUMBER_WORDS.items() if word != "dozen"}
