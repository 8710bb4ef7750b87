"""The word-by-word comparison of two texts (`cms.text.diff`): pure logic, with properties."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from cms.text.diff import MAX_WORDS, Change, Piece, word_diff

TEXT = st.text(alphabet="ab \n.", max_size=120)


def joined(pieces: list[Piece], keep: Change) -> str:
    return "".join(piece.text for piece in pieces if piece.change in {Change.SAME, keep})


@given(old=TEXT, new=TEXT)
def test_the_pieces_rebuild_both_texts(old: str, new: str) -> None:
    pieces = word_diff(old, new)

    assert joined(pieces, Change.REMOVED) == old
    assert joined(pieces, Change.ADDED) == new
    assert all(piece.text for piece in pieces)
    assert all(a.change is not b.change for a, b in itertools.pairwise(pieces))


@given(text=TEXT)
def test_a_text_compared_with_itself_is_all_kept(text: str) -> None:
    assert all(piece.change is Change.SAME for piece in word_diff(text, text))


def test_words_changed_inside_a_paragraph_are_shown_alone() -> None:
    pieces = word_diff("The cat sat.\n\nThe end.", "The dog sat.\n\nThe end.")

    assert pieces == [
        Piece(Change.SAME, "The "),
        Piece(Change.REMOVED, "cat"),
        Piece(Change.ADDED, "dog"),
        Piece(Change.SAME, " sat.\n\nThe end."),
    ]


def test_a_changed_stretch_too_long_to_match_is_removed_and_added_whole() -> None:
    old = " ".join(f"a{index}" for index in range(MAX_WORDS))
    new = " ".join(f"b{index}" for index in range(MAX_WORDS))

    assert word_diff(f"start {old} end", f"start {new} end") == [
        Piece(Change.SAME, "start "),
        Piece(Change.REMOVED, old),
        Piece(Change.ADDED, new),
        Piece(Change.SAME, " end"),
    ]
