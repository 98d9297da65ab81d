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
    text = resources.files("bot.locales").joinpath(f"{language}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


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


def t(language: Language, key: str, **params: object) -> str:
    """The sentence ``key`` in ``language`` with ``params`` filled in."""
    return _catalogue(language)[key].format(**params)


class Texts:
    """The catalogue of one language, bound, so callers write ``texts("help.villager")``."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str, **params: object) -> str:
        return t(self.language, key, **params)
