"""What changed in a text between two versions, word by word.

`difflib`'s matcher is quadratic at worst, so the work is bounded: lines are matched first
(a body's paragraphs are mostly unique, which the matcher handles fast), then words only within
the lines that changed, after their common beginning and end are set aside; a changed stretch
of more than `MAX_WORDS` words is shown as removed and added whole. A long text (a
200,000-character body is about 35,000 words) is compared in the offload worker
(`cms.offload`), never on the loop; a short one (a few milliseconds' work) where it is asked for.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from cms.offload import off_loop

# Words and the spacing between them: joined back, the pieces are the text itself.
_WORD = re.compile(r"\S+|\s+")
# Most words and spaces of a changed stretch compared word by word.
MAX_WORDS = 4_000
# Longest pair of texts (in characters) compared on the loop.
ON_LOOP = 20_000


class Change(StrEnum):
    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True, slots=True)
class Piece:
    change: Change
    text: str


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _common_start(before: list[str], after: list[str]) -> int:
    count = 0
    for old, new in zip(before, after, strict=False):
        if old != new:
            break
        count += 1
    return count


def _by_words(old: str, new: str) -> list[Piece]:
    before, after = words(old), words(new)
    start = _common_start(before, after)
    end = _common_start(before[start:][::-1], after[start:][::-1])
    middle_before, middle_after = before[start : len(before) - end], after[start : len(after) - end]
    pieces = [Piece(Change.SAME, "".join(before[:start]))]
    if len(middle_before) + len(middle_after) > MAX_WORDS:
        pieces += [
            Piece(Change.REMOVED, "".join(middle_before)),
            Piece(Change.ADDED, "".join(middle_after)),
        ]
    else:
        matcher = SequenceMatcher(None, middle_before, middle_after)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pieces.append(Piece(Change.SAME, "".join(middle_before[i1:i2])))
                continue
            pieces.append(Piece(Change.REMOVED, "".join(middle_before[i1:i2])))
            pieces.append(Piece(Change.ADDED, "".join(middle_after[j1:j2])))
    pieces.append(Piece(Change.SAME, "".join(before[len(before) - end :])))
    return pieces


def word_diff(old: str, new: str) -> list[Piece]:
    """`old` turned into `new`: the runs of text kept, removed and added, in order. The kept
    and removed runs joined are `old`; the kept and added ones, `new`."""
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, before, after).get_opcodes():
        if tag == "equal":
            pieces.append(Piece(Change.SAME, "".join(before[i1:i2])))
        else:
            pieces += _by_words("".join(before[i1:i2]), "".join(after[j1:j2]))
    merged: list[Piece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if merged and merged[-1].change is piece.change:
            merged[-1] = Piece(piece.change, merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


def _as_tuples(old: str, new: str) -> list[tuple[str, str]]:
    return [(piece.change.value, piece.text) for piece in word_diff(old, new)]


async def compared(old: str, new: str) -> list[Piece]:
    """`word_diff`, in the offload worker unless the texts are short."""
    if len(old) + len(new) <= ON_LOOP:
        return word_diff(old, new)
    found = await off_loop(_as_tuples, old, new)
    return [Piece(Change(change), text) for change, text in found]
