"""Message catalogues: every user-facing sentence, keyed by id, in Chinese and English."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


@cache
def _catalogue(language: Language) -> dict[str, str]:
    """``zh.toml`` and every ``zh.<part>.toml`` beside it (one file per feature), merged."""
    merged: dict[str, str] = {}
    for entry in sorted(resources.files("bot.locales").iterdir(), key=lambda e: e.name):
        name = entry.name
        if name == f"{language}.toml" or (
            name.startswith(f"{language}.") and name.endswith(".toml")
        ):
            part = _flatten(tomllib.loads(entry.read_text("utf-8")))
            clash = merged.keys() & part.keys()
            if clash:
                raise ValueError(f"{name}: keys defined twice: {sorted(clash)}")
            merged.update(part)
    return merged


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def keys(language: Language) -> set[str]:
    return set(_catalogue(language))


def template(language: Language, key: str) -> str:
    """The sentence ``key`` with its ``{blanks}`` unfilled."""
    return _catalogue(language)[key]


def t(language: Language, key: str, **params: object) -> str:
    """The sentence ``key`` in ``language`` with ``params`` filled in."""
    return _catalogue(language)[key].format(**params)


class Texts:
    """The catalogue of one language, bound, so callers write ``texts("help.villager")``."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str, **params: object) -> str:
        return t(self.language, key, **params)
