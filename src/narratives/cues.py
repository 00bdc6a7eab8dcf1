"""Hand-written cue lexicons and patterns: knowledge the seed data cannot teach.

A model trained on a few thousand paragraphs has never seen most hedges, most
evaluative words or most page furniture. These small lists, written by the team
from the label guidelines, give it signals that carry to unseen coverage. Each cue
*group* yields a few numeric features; :data:`CUE_GROUPS` lists them in order.

Lexicons come in two kinds: ``exact`` words (function words and forms whose stems
collide with neutral words, e.g. *likely* stems to *like*) and ``families`` whose
every inflection counts (*rumour*, *rumours*, *rumoured*), matched by Snowball stem.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nltk.stem.snowball import EnglishStemmer


@dataclass(frozen=True)
class Lexicon:
    exact: frozenset[str]
    families: tuple[str, ...] = ()


def _lexicon(exact: str, families: str = "") -> Lexicon:
    return Lexicon(frozenset(exact.split()), tuple(families.split()))


LEXICONS: dict[str, Lexicon] = {
    # Modality and hedges: the proposition is not settled.
    "hedge": _lexicon(
        "may might could would perhaps maybe likely unlikely probably possibly possible "
        "reportedly allegedly apparently supposedly seemingly presumably whether if unless",
        "rumour rumor speculate unconfirmed unverified allege suspect believe appear seem suggest "
        "predict forecast scenario possibility probability chance risk potential uncertain "
        "doubt hypothesis theory wonder",
    ),
    # What comes next: predictions and expectations.
    "future": _lexicon(
        "will won't shall soon next upcoming coming tomorrow eventually ahead",
        "expect anticipate loom",
    ),
    # Attribution and reporting verbs: someone said or did something, on the record.
    "attribution": _lexicon(
        "said says told according spokesman spokeswoman spokesperson statement communique "
        "ministry officials official",
        "announce confirm declare state add insist deny tell report quote",
    ),
    # Judgement and prescription: what is good, bad, or must be done.
    "evaluative": _lexicon(
        "should must ought shameful disgraceful humiliating pathetic ridiculous absurd "
        "outrageous cowardly reckless foolish stupid naive sham farce fiasco blunder "
        "tyrant despot thug thugs clown clowns puppet puppets brave heroic noble admirable "
        "wise unwise shameless inexcusable unacceptable deplorable appalling disgusting "
        "grotesque cynical hypocritical incompetent arrogant delusional brutal barbaric "
        "criminal illegitimate unlawful worst terrible awful disastrous catastrophic "
        "obviously clearly frankly surely undoubtedly sadly shamefully so-called",
        "disgrace humiliate betray corrupt hypocrisy shame outrage travesty mockery nonsense "
        "catastrophe disaster tragedy failure folly cowardice courage",
    ),
    "person": _lexicon("i me my mine we us our ours you your yours myself ourselves"),
    "furniture": _lexicon(
        "subscribe subscribed subscription newsletter newsletters cookie cookies privacy "
        "advertisement advert sponsored share tweet whatsapp facebook telegram login "
        "register copyright rights reserved comment comments disclaimer terms",
        "photograph",
    ),
    "credit": _lexicon(
        "photo photos image images picture pictures credit credits getty afp reuters ap epa "
        "caption file video watch illustration shutterstock"
    ),
}

# Multi-word and shape patterns, matched on the lower-cased paragraph.
PATTERNS: dict[str, re.Pattern[str]] = {
    "hedge_phrase": re.compile(
        r"remains to be seen|time will tell|it is (?:thought|believed|understood|unclear|possible)"
        r"|(?:is|are|was|were) said to|(?:is|are) expected to|sources (?:say|said|suggest)"
        r"|there (?:are|were) (?:rumou?rs|reports|signs)|in the (?:coming|next) (?:days|weeks|months)"
    ),
    "prescription": re.compile(
        r"it is time|(?:has|have|need|needs) to|cannot be allowed|let us|we demand|high time"
    ),
    "read_more": re.compile(
        r"^(?:read (?:also|more)|related|see also|more (?:news|stories)|most read|trending|recommended"
        r"|watch|listen|editor'?s picks?)\b"
    ),
    "byline": re.compile(
        r"^(?:by|posted by|written by|reporting by|editing by)\s+\w|correspondent|staff writer"
        r"|contributor|(?:^|\s)editor\b|updated|published"
    ),
    "url": re.compile(r"https?://|www\.|\.(?:com|org|net)\b|@\w|\[email"),
    "copyright": re.compile(r"©|\(c\)|copyright|all rights reserved|reproduction"),
    "time": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b(?:gmt|utc|bst|cet|a\.m\.|p\.m\.)"),
    "date": re.compile(
        r"\b(?:january|february|march|april|may|june|july|august|september|october|november"
        r"|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(?:19|20)\d\d\b"
    ),
}

_QUOTES = re.compile(r"[\"“”«»„]")
_DIGIT_RUN = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
TOKEN_PATTERN = re.compile(r"\w+(?:['’-]\w+)*")

_stem = EnglishStemmer().stem


@lru_cache(maxsize=1 << 18)
def _lexicon_hits(token: str) -> tuple[int, ...]:
    """Indices of the lexicons ``token`` belongs to (cached: vocabularies are Zipfian)."""
    stem = _stem(token)
    return tuple(
        i for i, lexicon in enumerate(LEXICONS.values()) if token in lexicon.exact or stem in _FAMILY_STEMS[i]
    )


_FAMILY_STEMS = [frozenset(_stem(word) for word in lexicon.families) for lexicon in LEXICONS.values()]
_LEXICON_INDEX = {name: i for i, name in enumerate(LEXICONS)}


@dataclass(frozen=True)
class _Text:
    """One paragraph as the cue groups see it."""

    raw: str
    lower: str
    tokens: Sequence[str]
    hits: Sequence[int]  # matches per lexicon, in LEXICONS order

    def rate(self, lexicon: str) -> float:
        """Matches of ``lexicon`` per token, damped so long paragraphs do not dominate."""
        return self.hits[_LEXICON_INDEX[lexicon]] / math.sqrt(len(self.tokens) or 1)

    def count(self, pattern: str) -> float:
        return math.log1p(len(PATTERNS[pattern].findall(self.lower)))


def _hedging(t: _Text) -> list[float]:
    return [t.rate("hedge"), t.rate("future"), t.count("hedge_phrase"), float("?" in t.raw)]


def _attribution(t: _Text) -> list[float]:
    return [t.rate("attribution")]


def _evaluative(t: _Text) -> list[float]:
    return [t.rate("evaluative"), t.count("prescription"), float("!" in t.raw)]


def _person(t: _Text) -> list[float]:
    return [t.rate("person")]


def _quotes_numbers(t: _Text) -> list[float]:
    return [
        math.log1p(len(_QUOTES.findall(t.raw))),
        math.log1p(len(_DIGIT_RUN.findall(t.raw))),
        t.count("date"),
        t.count("time"),
    ]


def _furniture(t: _Text) -> list[float]:
    n = len(t.tokens)
    capitalised = sum(1 for word in t.raw.split() if word[:1].isupper())
    return [
        1.0 / (1.0 + n),  # very short lines are almost always furniture
        float(n <= 12),
        float(not _SENTENCE_END.search(t.raw)),  # headlines and labels end without a full stop
        capitalised / (len(t.raw.split()) or 1),  # Headline Case
        t.rate("furniture"),
        t.rate("credit"),
        t.count("read_more"),
        t.count("byline"),
        t.count("url"),
        t.count("copyright"),
    ]


CueGroup = Callable[[_Text], list[float]]

#: Cue groups by name: the function and the names of the features it yields.
CUE_GROUPS: dict[str, tuple[CueGroup, tuple[str, ...]]] = {
    "hedging": (_hedging, ("hedge_words", "future_words", "hedge_phrases", "question")),
    "attribution": (_attribution, ("attribution_words",)),
    "evaluative": (_evaluative, ("evaluative_words", "prescriptions", "exclamation")),
    "person": (_person, ("first_second_person",)),
    "quotes_numbers": (_quotes_numbers, ("quotes", "numbers", "dates", "times")),
    "furniture": (
        _furniture,
        (
            "shortness",
            "short_line",
            "no_final_stop",
            "capitalised_share",
            "furniture_words",
            "credit_words",
            "read_more",
            "byline",
            "url",
            "copyright",
        ),
    ),
}


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, inner apostrophes and hyphens)."""
    return TOKEN_PATTERN.findall(text.lower())


def cue_rows(
    texts: Sequence[str], token_lists: Sequence[Sequence[str]], groups: Sequence[str]
) -> list[list[float]]:
    """One row of cue features per paragraph, groups in the order given."""
    functions = [CUE_GROUPS[name][0] for name in groups]
    rows = []
    n_lexicons = len(LEXICONS)
    for raw, tokens in zip(texts, token_lists):
        hits = [0] * n_lexicons
        for token in tokens:
            for i in _lexicon_hits(token):
                hits[i] += 1
        view = _Text(raw, raw.lower(), tokens, hits)
        row: list[float] = []
        for function in functions:
            row.extend(function(view))
        rows.append(row)
    return rows


def cue_names(groups: Sequence[str]) -> list[str]:
    """Feature names of the given groups, prefixed ``cue:``."""
    return [f"cue:{name}" for group in groups for name in CUE_GROUPS[group][1]]


def lexicon_fingerprint() -> str:
    """sha256 of every lexicon and pattern, so a model knows which cues it was trained on."""
    content = {
        "lexicons": {k: [sorted(v.exact), list(v.families)] for k, v in LEXICONS.items()},
        "patterns": {k: v.pattern for k, v in PATTERNS.items()},
        "groups": {k: list(v[1]) for k, v in CUE_GROUPS.items()},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
