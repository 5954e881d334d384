"""Who is making a change: the lead's name recorded on check-ins, notes and decision steps.

`RAPPORT_USER`, else `user = "…"` in the config file (`config.toml` in the user's config
folder, when there is one), else the name one logged in with (on PostgreSQL the database role,
see store.db.Store.open; elsewhere the operating system's login name).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from store.tables import USER_LEN

CONFIG_NAME = "config.toml"


def config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("rapport", appauthor=False) / CONFIG_NAME


def _clean(value: object) -> str:
    """A name fit to store: one line, no control characters, within the column's size."""
    if not isinstance(value, str):
        return ""
    text = "".join(c for c in value if unicodedata.category(c)[0] != "C").strip()
    return text[:USER_LEN]


def configured_user(env: dict[str, str] | None = None, config: Path | None = None) -> str:
    """The lead's name from `RAPPORT_USER` or the config file; "" when neither names one."""
    env = dict(os.environ) if env is None else env
    if name := _clean(env.get("RAPPORT_USER", "")):
        return name
    path = config_path() if config is None else config
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""  # no config: the usual case, so the TOML parser is not even imported
    import tomllib

    try:
        settings = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return ""  # a config that cannot say who anyone is
    return _clean(settings.get("user", ""))


def login_name() -> str:
    import getpass

    try:
        return _clean(getpass.getuser())
    except (OSError, KeyError):  # no login name in this environment (a bare container)
        return ""
