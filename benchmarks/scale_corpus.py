"""A synthetic corpus for the scale benchmark, generated at run time from a seed.

Each document is a short report on one fictional town: who founded what and when, how
many people live where, which river a bridge crosses. Names are made of syllables, so each
town, person and company is (almost always) unique to its document and a question about
one of them has one answer in the whole corpus. Prose only: no file is written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from service.core.documents import Document

_ONSETS = ["b", "br", "d", "dr", "f", "g", "h", "k", "kl", "l", "m", "n", "p", "r", "s", "st"]
_ONSETS += ["t", "tr", "v", "z", "sh", "ch", "gr", "pl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "ia"]
_CODAS = ["", "n", "r", "l", "s", "m", "th", "k", "nd", "st"]
_FIRST = "Ada Ben Cora Dmitri Elena Farid Greta Hugo Ines Jonas Kira Luca Mara Nils Olga Pavel"
_FIRST += " Quinn Rosa Sami Tara Ugo Vera Wim Xenia Yusuf Zora Anton Bianca Carlos Dana"
_TRADES = ["glassworks", "brewery", "shipyard", "printing house", "textile mill", "observatory"]
_TRADES += ["tram company", "school of music", "museum of clocks", "seed bank", "ferry line"]
_FILLER = [
    "Visitors often remark on the quiet streets and the smell of bread in the early morning.",
    "The local council publishes its minutes every month, and most of them concern roads.",
    "Winters are long, and the lake usually freezes for several weeks in January.",
    "Older residents still tell stories about the great flood that reshaped the valley.",
    "The market square hosts a small fair each autumn, with music, cider and old machines.",
    "Most families keep a garden, and the allotments near the station are rarely empty.",
    "The railway arrived late, which is why the old coaching inns survived for so long.",
    "Historians disagree about the origin of the town's name and about the date of its charter.",
    "A walking trail follows the ridge above the town and passes three ruined watchtowers.",
    "The library keeps a collection of maps, letters and photographs donated by residents.",
]


def _word(rng: random.Random, syllables: int) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)]
    return ("".join(parts) + rng.choice(_CODAS)).capitalize()


@dataclass(frozen=True)
class Fact:
    """A question about one document and the words its answer contains."""

    doc_id: str
    question: str
    answer: str


def _town(rng: random.Random, index: int) -> tuple[Document, list[Fact]]:
    town = _word(rng, 2) + _word(rng, 1).lower()
    river = _word(rng, 2)
    doc_id = f"town-{index:05d}"
    facts: list[Fact] = []
    lines: list[str] = []
    population = rng.randint(2_000, 900_000)
    founded = rng.randint(1100, 1890)
    lines.append(
        f"{town} is a town on the river {river}, founded in {founded}. In the last census it "
        f"had {population:,} inhabitants, and its mayor is {rng.choice(_FIRST.split())} "
        f"{_word(rng, 2)}."
    )
    facts.append(Fact(doc_id, f"How many inhabitants does {town} have?", f"{population:,}"))
    facts.append(Fact(doc_id, f"Which river is {town} on?", river))
    for _ in range(rng.randint(5, 7)):
        person = f"{rng.choice(_FIRST.split())} {_word(rng, 2)}{_word(rng, 1).lower()}"
        trade = rng.choice(_TRADES)
        company = f"{_word(rng, 2)} {trade}"
        year = rng.randint(founded + 10, 2020)
        workers = rng.randint(12, 4_000)
        street = f"{_word(rng, 2)} Street"
        lines.append(
            f"In {year}, {person} opened the {company} in {town}. It stands on {street} and "
            f"employs {workers:,} people. {rng.choice(_FILLER)} The {company} is known well "
            f"beyond {town}, and its founder, {person}, served on the town council for "
            f"{rng.randint(2, 30)} years. {rng.choice(_FILLER)}"
        )
        facts.append(Fact(doc_id, f"Who opened the {company}?", person))
        facts.append(Fact(doc_id, f"How many people does the {company} employ?", f"{workers:,}"))
        facts.append(Fact(doc_id, f"In which year was the {company} opened?", str(year)))
    bridge = f"{_word(rng, 2)} Bridge"
    lines.append(
        f"The {bridge} crosses the {river} at the eastern edge of {town}; it is "
        f"{rng.randint(40, 900)} metres long. {' '.join(rng.sample(_FILLER, 3))}"
    )
    facts.append(Fact(doc_id, f"Which river does the {bridge} cross?", river))
    text = f"{town}\n\n" + "\n\n".join(lines) + "\n"
    return Document(doc_id=doc_id, title=town, text=text, body_start=len(town) + 2), facts


def corpus(n: int, seed: int = 13) -> tuple[list[Document], list[Fact]]:
    """`n` documents (about 750 cl100k tokens each) and questions about them."""
    rng = random.Random(seed)
    docs: list[Document] = []
    facts: list[Fact] = []
    for i in range(n):
        doc, doc_facts = _town(rng, i)
        docs.append(doc)
        facts.extend(doc_facts)
    return docs, facts


def extra_document(i: int, seed: int = 13) -> Document:
    """One more document (for add/delete timings), not part of `corpus`."""
    doc, _ = _town(random.Random(seed * 1_000_003 + i), 900_000 + i)
    return doc
