"""`tradewatch slack manifest`: the Slack app manifest, filled in for your bot.

`--url https://your.host` gives the HTTP-mode manifest (slash commands POST to
https://your.host/slack/events); `--socket` the Socket Mode one (no public URL). Paste it
into https://api.slack.com/apps > Create New App > From an app manifest.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

TEMPLATE = "slack-manifest.yaml"
DEFAULT_PATH = "/slack/events"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,34}$")


class ManifestError(ValueError):
    """The manifest cannot be made; the message says why."""


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="slack_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("manifest", help="print the Slack app manifest (YAML) to create the app from",
                       description="Print the Slack app manifest: paste it into api.slack.com/apps > "
                                   "Create New App > From an app manifest.")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="the bot's public https URL (HTTP mode), e.g. https://tradewatch.example.org")
    where.add_argument("--socket", action="store_true", help="Socket Mode: no public URL needed")
    p.add_argument("--name", default="TradeWatch", help="the app's and bot's name (default: TradeWatch)")
    p.add_argument("--path", default=DEFAULT_PATH,
                   help=f"the path Slack's requests go to ([slack] path; default {DEFAULT_PATH})")
    p.add_argument("--template", type=Path, default=None,
                   help=f"a manifest template (default: config/{TEMPLATE})")


def request_url(url: str, path: str = DEFAULT_PATH) -> str:
    """https://host[/prefix] + path, checked: Slack only calls https URLs."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestError(f"--url must be the bot's public https URL (like https://tradewatch.example.org), not {url!r}")
    if re.search(r"[\s\"'\\#{}<>]", url) or parts.query or parts.fragment:
        raise ManifestError(f"--url {url!r} has characters a request URL cannot have")
    if not path.startswith("/") or re.search(r"[\s\"'\\#{}<>?]", path):
        raise ManifestError(f"--path must start with / and be a plain path, not {path!r}")
    base = url.rstrip("/")
    return base if base.endswith(path) else base + path


def fill(template: str, *, url: str | None, name: str = "TradeWatch", path: str = DEFAULT_PATH) -> str:
    """The manifest: the template with its {{NAME}}, {{REQUEST_URL}}, {{SOCKET_MODE}} filled in.
    Without a URL (Socket Mode) the lines that name the request URL are left out, and so are
    the template's full-line comments."""
    if not _NAME.match(name):
        raise ManifestError(f"--name must be 1-35 letters, digits, spaces, '.', '-' or '_', not {name!r}")
    target = request_url(url, path) if url is not None else None
    lines = []
    for line in template.splitlines():
        if line.lstrip().startswith("#"):
            continue
        if "{{REQUEST_URL}}" in line:
            if target is None:
                continue
            line = line.replace("{{REQUEST_URL}}", target)
        lines.append(line.replace("{{NAME}}", name)
                     .replace("{{SOCKET_MODE}}", "true" if target is None else "false"))
    text = "\n".join(lines) + "\n"
    left = re.findall(r"\{\{[A-Z_]+\}\}", text)
    if left:
        raise ManifestError(f"the template has placeholders this version does not know: {', '.join(sorted(set(left)))}")
    return text


def find_template(given: Path | None) -> Path:
    if given is not None:
        return given
    candidates = [Path(__file__).resolve().parents[2] / "config" / TEMPLATE, Path.cwd() / "config" / TEMPLATE]
    for c in candidates:
        if c.is_file():
            return c
    raise ManifestError(f"cannot find config/{TEMPLATE}; give it with --template FILE")


def run(args: argparse.Namespace) -> int:
    try:
        path = find_template(args.template)
        try:
            template = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ManifestError(f"cannot read {path}: {e}") from None
        manifest = fill(template, url=None if args.socket else args.url, name=args.name, path=args.path)
    except ManifestError as e:
        print(f"tradewatch slack manifest: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(manifest)
    return 0
