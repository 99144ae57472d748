"""The chat-neutral message model: what the command layer and the router produce.

Each chat adapter (console, Slack, Discord) renders a `Message` in its own format and
within its own limits. All text in a message is plain text (no markup): renderers escape it
for their service, so nothing an article says can become a ping or a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["alert", "reply", "error"]


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A titled block: a paragraph, a list of items, or a table."""

    title: str
    text: str = ""
    items: tuple[str, ...] = ()
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes with a message: a chart (image/png) or an export (text/csv).

    Each chat uploads it its own way (Slack `files_upload_v2`, a Discord attachment); the
    CLI writes it to the file the user named."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Message:
    """One message to a channel or one answer to a command.

    `ephemeral` answers are shown only to the person who asked (errors always are).
    `key` identifies an alert for idempotent delivery; `facts` is the short line of
    metadata (date, score, tags), `footer` the source line. `attachment` is a file sent
    with the message (a chart, an export). `edit_of` and `thread_of` make it an edit of,
    or a reply to, a message posted before (issue 14: copies folded into an alert, updates
    of a measure in its alert's thread).
    """

    kind: Kind
    title: str
    text: str = ""
    sections: tuple[Section, ...] = ()
    url: str | None = None
    facts: str = ""
    footer: str = ""
    ephemeral: bool = False
    key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    attachment: Attachment | None = None
    edit_of: str | None = None
    """Not a new post: the new content of the message posted for this key in the channel."""
    thread_of: tuple[str, ...] = ()
    """A reply in the thread of the message posted for the first of these keys that the
    channel got (none got: a post of its own)."""

    @property
    def fallback(self) -> str:
        """A one-line plain text for notifications."""
        return f"{self.title}: {self.text}" if self.text else self.title


def reply(title: str, text: str = "", *sections: Section, ephemeral: bool = False) -> Message:
    return Message(kind="reply", title=title, text=text, sections=sections, ephemeral=ephemeral)


def error(text: str, *, title: str = "Sorry, that did not work") -> Message:
    return Message(kind="error", title=title, text=text, ephemeral=True)
