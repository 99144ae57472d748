"""The layer rule of `bot/` (docs/design.md, "Layers"): no import runs back up.

    foundation (domain, config, analysis, io, store, ...)
        <- core (message, commands, router, the Protocols of the seams)
        <- render <- chat
        <- sources
    service wires everything; cli and `python -m bot` sit on top.

Every module under bot/ is parsed with `ast`, and every import counts: at the top, inside
functions, and under `if TYPE_CHECKING:`, since a type-only import is still a dependency
that runs the wrong way.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"

FOUNDATION = frozenset({"", "domain", "codec", "durations", "schedules", "config", "places", "progress", "addresses",
                        "io", "analysis", "store", "training"})
"""Plain data, configuration, language work and the store: they import no layer above."""
TOP = frozenset({"cli", "__main__"})
"""The command line may import anything."""
MAY_IMPORT: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "render": frozenset({"core"}),
    "sources": frozenset({"core"}),
    "chat": frozenset({"core", "render"}),
    "service": frozenset({"core", "render", "sources", "chat"}),
}
"""Besides the foundation and itself, what each layer may import."""


def layer_of(module: str) -> str:
    """"bot.chat.slack" -> "chat"; "bot.domain" -> "domain"; "bot" -> ""."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def allowed(importer: str, imported: str) -> bool:
    if importer in TOP or importer == imported or imported in FOUNDATION:
        return True
    if importer in FOUNDATION:
        return False
    return imported in MAY_IMPORT[importer]


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in the source, wherever it is."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "bot":  # from bot import config: the names are the modules
                for alias in node.names:
                    yield node.lineno, f"bot.{alias.name}"
            else:
                yield node.lineno, base


def violations(root: Path = BOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        importer = layer_of(module)
        for line, target in imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            if target != "bot" and not target.startswith("bot."):
                continue
            imported = layer_of(target)
            if not ((root / imported).is_dir() or (root / f"{imported}.py").is_file()):
                imported = ""  # from bot import __version__: a name in bot/__init__.py
            if not allowed(importer, imported):
                found.append(f"{path.relative_to(root.parent)}:{line}: {importer} imports {target}")
    return found


def test_no_module_under_bot_imports_a_higher_layer() -> None:
    found = violations()
    assert not found, "imports that run back up:\n" + "\n".join(found)


def test_every_package_under_bot_has_a_place_in_the_rule() -> None:
    packages = {layer_of(module_name(p, BOT)) for p in BOT.rglob("*.py")}
    unplaced = packages - FOUNDATION - TOP - set(MAY_IMPORT)
    assert unplaced == set(), "give each new package under bot/ a layer in tests/test_layers.py"


def test_imports_in_functions_and_for_type_checking_count(tmp_path: Path) -> None:
    root = tmp_path / "bot"
    for package in ("chat", "core", "service", "sources"):
        (root / package).mkdir(parents=True)
    (root / "chat" / "x.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from bot.core.message import Message\n"
        "if TYPE_CHECKING:\n"
        "    from bot.service.connector import Runtime\n"
        "def start() -> None:\n"
        "    from ..service import app\n"
        "    import bot.sources.feeds\n",
        encoding="utf-8")
    assert violations(root) == [
        "bot/chat/x.py:4: chat imports bot.service.connector",
        "bot/chat/x.py:6: chat imports bot.service",
        "bot/chat/x.py:7: chat imports bot.sources.feeds",
    ]
