"""The messages of `fold:`, `update:` and `change:` deliveries, built from the store.

Each is made again from what is stored whenever it is posted, so a retry or a restart
posts the same content: a fold lists every copy known by then (an edit after a crash
simply sets the message again), an update says what the story changed in the measure as
it stood before the story.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.core.follow import folded, measure_changes, update_message
from bot.core.message import Message
from bot.store import SqlStore
from bot.store.follow import FOLD, UPDATE, split_update_key
from bot.store.ledger import country_key

log = logging.getLogger(__name__)


async def follow_message(store: SqlStore, key: str,
                         alert: Callable[[str], Awaitable[Message | None]]) -> Message | None:
    if key.startswith(FOLD):
        copy_id = key.removeprefix(FOLD)
        first = await store.first_of(copy_id)
        if first is None:
            log.warning("%s: the story is not stored as a copy of an alert", key)
            return None
        card = await alert(first)
        return None if card is None else folded(card, await store.copies(first))
    article_id, measure_id = split_update_key(key)
    analysis = await store.get_analysis(article_id)
    if analysis is None:
        return None
    pairs = {(country_key(c.imposer), country_key(c.target)) for c in analysis.tariff_changes}
    for before, after in measure_changes(await store.ledger_rows(pairs), article_id):
        if after.id == measure_id:
            thread = tuple(s.article_id for s in before.sources) if key.startswith(UPDATE) else ()
            return update_message(key, analysis.article, before, after, thread)
    log.warning("%s: the story no longer changes measure %s", key, measure_id)
    return None
