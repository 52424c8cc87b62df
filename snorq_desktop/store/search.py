"""Search of the inbox: which of three plans finds a page of matches soonest,
and the page's condition, so that every page is one statement.

A conversation matches when its contact's name, or one of its messages, holds
every word typed (each as the start of a word).  Three ways to find a page:

- ``WALK``: walk the inbox newest first and test each conversation's thread
  until it shows a match.  Best when most conversations match (a common word):
  a page costs a few hundred conversations.
- ``WALK_FOUND``: first find the messages of the rarest word through the search
  index (each checked against every word), then walk the inbox against that
  set and the contact names.  Best when the words are rare in messages but the
  name is common (``ana``: a fifth of the contacts).
- ``FOUND``: sort only the conversations the two indexes found.  Best when few
  match (a rare word, a full name, a word nobody wrote).

A plan is chosen from PostgreSQL's own statistics of the two search indexes
(from ANALYZE), never from a time budget.  A word the statistics do not list
is rarer than every word they do, so it always goes through the index: walking
the inbox for a rare word would read every thread (the old cliff), whereas the
index costs what the word matches.
"""

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text

from snorq_desktop.store.compiled_reads import Reads

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8


def search_words(typed: str) -> list[str]:
    return list(_WORD.findall(typed.lower())[:MAX_WORDS])


def search_terms(typed: str) -> str | None:
    """A prefix tsquery for what the user typed: every word must match the start
    of a word (``"ana blu"`` finds "Ana" who asked about the "blue" dress)."""
    return " & ".join(f"{word}:*" for word in search_words(typed)) or None


class SearchPlan(enum.Enum):
    WALK = "walk"
    WALK_FOUND = "walk_found"
    FOUND = "found"


@dataclass(frozen=True)
class WordShares:
    """The share of rows (messages, or contacts) holding each common word, and
    a ceiling for the words not listed."""

    shares: Mapping[str, float] = field(default_factory=dict)
    unlisted: float = 0.0

    def share(self, word: str) -> float | None:
        """Rows holding a word that starts with ``word``; None when no listed word
        does (then it is rarer than ``unlisted``)."""
        found = [f for lexeme, f in self.shares.items() if lexeme.startswith(word)]
        return min(1.0, sum(found) + self.unlisted / 2) if found else None


@dataclass(frozen=True)
class SearchStatistics:
    messages: float = 0.0
    conversations: float = 0.0
    message_words: WordShares = WordShares()
    contact_words: WordShares = WordShares()
    # The words these answer for: None for every word (the login reads pg_stats
    # itself), else only these (a member's, through snorq_search_statistics).
    words: frozenset[str] | None = None

    def knows(self, words: Sequence[str]) -> bool:
        return self.words is None or set(words) <= self.words


# What one step of each plan costs, in units of testing one conversation's name:
# reading a message and parsing its words (a heap fetch and a to_tsvector), and
# fetching then sorting a conversation the indexes found.
_MESSAGE_COST = 5.0
_FOUND_COST = 2.0


def choose_plan(words: list[str], statistics: SearchStatistics, limit: int = 100) -> SearchPlan:
    """The plan expected to cost least for a page of ``limit`` matches."""
    conversations = max(statistics.conversations, 1.0)
    thread = max(statistics.messages / conversations, 1.0)
    message_shares = [statistics.message_words.share(w) for w in words]
    contact_shares = [statistics.contact_words.share(w) for w in words]
    unlisted_message = statistics.message_words.unlisted / 2
    unlisted_contact = statistics.contact_words.unlisted / 2
    known = [s for s in message_shares if s is not None]
    rarest = min(known) if len(known) == len(words) else unlisted_message
    joint = _product(s if s is not None else unlisted_message for s in message_shares)
    in_threads = 1 - (1 - joint) ** thread if joint > 0 else 0.0
    in_names = _product(s if s is not None else unlisted_contact for s in contact_shares)
    matching = 1 - (1 - in_threads) * (1 - in_names)
    walked = min(conversations, limit / matching) if matching > 0 else conversations
    found_messages = rarest * statistics.messages * _MESSAGE_COST
    costs = {SearchPlan.FOUND: found_messages + matching * conversations * _FOUND_COST}
    if all(s is not None for s in contact_shares):
        # Only names the statistics know are common: a walk counting on unlisted
        # words would test every conversation (400,000 at 20M messages: seconds).
        costs[SearchPlan.WALK_FOUND] = found_messages + walked
    if len(known) == len(words):
        # Only words the statistics know are common: a walk for an unlisted word
        # would test every thread.
        read = min(thread, 1 / joint) if joint > 0 else thread
        costs[SearchPlan.WALK] = walked * (1 + read * _MESSAGE_COST)
    return min(costs, key=lambda plan: costs[plan])


def rarest_word(words: list[str], statistics: SearchStatistics) -> str:
    """The word whose index entry is smallest: the one the index reads (the
    others are checked on the messages it found)."""

    def share(word: str) -> float:
        found = statistics.message_words.share(word)
        return found if found is not None else 0.0

    return min(words, key=lambda w: (share(w), -len(w)))


def _product(values: object) -> float:
    result = 1.0
    for value in values:  # type: ignore[attr-defined]
        result *= value
    return result


_INDEX_STATISTICS = text(
    "SELECT tablename, most_common_elems::text::text[], most_common_elem_freqs "
    "FROM pg_stats WHERE tablename IN "
    "('messages_content_search_idx', 'conversations_contact_search_idx')"
)
_ROWS = text(
    "SELECT relname, reltuples FROM pg_class WHERE relname IN ('messages', 'conversations')"
)


def read_statistics(session: Reads, words: Sequence[str] = ()) -> SearchStatistics:
    """PostgreSQL's statistics of the two search indexes (refreshed by ANALYZE).

    ``pg_stats`` shows an index's statistics only to its table's owner side (a
    superuser, the owner role); a member's login sees none, and gets what the
    plan needs about ``words`` from ``snorq_search_statistics`` (migration
    0026) instead, without which it would take every word for a rare one."""
    rows = {name: max(float(count), 0.0) for name, count in session.execute(_ROWS)}
    shares = {
        name: _word_shares(elems, freqs)
        for name, elems, freqs in session.execute(_INDEX_STATISTICS)
    }
    answered: frozenset[str] | None = None
    if not shares and words:
        answered = frozenset(words)
        shares = {
            name: _shares_of(dict(zip(elems, freqs, strict=True)), listed, lowest, total)
            for name, elems, freqs, listed, lowest, total in session.execute(
                _SEARCH_STATISTICS, {"words": list(words)}
            )
            if listed
        }
    return SearchStatistics(
        messages=rows.get("messages", 0.0),
        conversations=rows.get("conversations", 0.0),
        message_words=shares.get("messages_content_search_idx", WordShares()),
        contact_words=shares.get("conversations_contact_search_idx", WordShares()),
        words=answered,
    )


_SEARCH_STATISTICS = text(
    "SELECT index_name, words, shares, listed, lowest, total "
    "FROM snorq_search_statistics(CAST(:words AS text[]))"
)


# ANALYZE keeps a lexeme only if it is in at least this share of sampled rows
# for each lexeme a row holds on average (ts_typanalyze.c: a cutoff of
# 9/bucket_width of the lexemes seen, bucket_width = (10 * target + 10) * 1000/7
# at the default statistics target of 100).
_CUTOFF_PER_LEXEME = 9 * 7 / ((10 * 100 + 10) * 1000)
_LISTED_AT_MOST = 10 * 100


def _word_shares(elems: list[str] | None, freqs: list[float] | None) -> WordShares:
    if not elems or not freqs:
        return WordShares()
    shares = dict(zip(elems, freqs[: len(elems)], strict=True))
    # After the lexemes' own come the lowest and the highest of them.
    lowest = freqs[len(elems)] if len(freqs) > len(elems) else min(shares.values())
    return _shares_of(shares, len(elems), lowest, sum(shares.values()))


def _shares_of(shares: dict[str, float], listed: int, lowest: float, total: float) -> WordShares:
    """``shares``: the listed words' (all, or those asked about); ``listed``,
    ``lowest``, ``total``: the whole list's length, lowest share and sum."""
    if listed >= _LISTED_AT_MOST:
        unlisted = lowest  # the list is full: an unlisted word is below its last
    else:
        unlisted = min(lowest, _CUTOFF_PER_LEXEME * max(total, 1.0))
    return WordShares(shares=shares, unlisted=unlisted)
