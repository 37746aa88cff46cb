"""S101 counts words; a single regular expression answers "at least N words" the same way."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kpigov.checks.smart import _at_least, count_words


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet="ab1é_ -'’.,\n日", max_size=30), words=st.integers(1, 6))
@example(text="Deals won per month.", words=8)
@example(text="rock-'n'-roll  _x_ o’clock", words=3)
def test_at_least_agrees_with_counting(text: str, words: int) -> None:
    assert bool(_at_least(words).match(text)) == (count_words(text, words) >= words)


def test_words_are_counted_whole() -> None:
    assert count_words("Deals won per month.") == 4
    assert count_words("o’clock rock-n-roll") == 2
