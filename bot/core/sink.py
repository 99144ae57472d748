"""The seam every chat service plugs into: a sink that posts messages to channels."""

from __future__ import annotations

from typing import Protocol

from bot.core.message import Message


class ChannelGone(Exception):
    """The channel no longer exists or removed the bot: unsubscribe it, do not retry."""


class TransientError(Exception):
    """A failure worth retrying later (rate limit not waited out, network trouble)."""


class ChatSink(Protocol):
    """Posts alerts to the channels of one chat service.

    `service` is the prefix of the channels it serves ("console", "slack", "discord").
    `find` tells whether the alert with this key was already posted to the channel (for
    reconciling deliveries a crash left half-done); it returns the message reference, or
    None when it was not posted. With `thread` (the reference of the message a reply was
    posted under) it looks among that message's replies.
    `post` with `thread` posts the message as a reply to that message (in its thread);
    `edit` replaces the content of a message posted before (its key stays the same).
    """

    service: str

    async def post(self, channel_id: str, message: Message, *, thread: str | None = None) -> str | None: ...

    async def edit(self, channel_id: str, ref: str, message: Message) -> None: ...

    async def find(self, channel_id: str, key: str, *, thread: str | None = None) -> str | None: ...


def split_channel(channel: str) -> tuple[str, str]:
    """"slack:C0123" -> ("slack", "C0123")."""
    service, sep, channel_id = channel.partition(":")
    if not sep or not channel_id:
        raise ValueError(f"channel {channel!r} is not of the form service:id")
    return service, channel_id
