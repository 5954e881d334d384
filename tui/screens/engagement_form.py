"""The form for an engagement's own facts, used by the welcome screen and the picker."""

from __future__ import annotations

from store.fields import check_key, parse_optional_date
from store.tables import NAME_LEN, TEXT_LEN
from tui.widgets.form import Field, FormScreen, Save, text_parser


def engagement_form(save: Save) -> FormScreen:
    return FormScreen(
        "New engagement",
        [
            Field("name", "Name", parse=text_parser(NAME_LEN, required=True),
                  placeholder="Trailhead US shop rollout"),
            Field("key", "Key (short, unique: a-z 0-9 - _)", placeholder="trailhead-us",
                  parse=check_key),
            Field("client", "Client", parse=text_parser(NAME_LEN)),
            Field("goal", "Shared goal", "long", parse=text_parser(TEXT_LEN, multiline=True)),
            Field("kickoff", "Kickoff (YYYY-MM-DD)", parse=parse_optional_date),
        ],
        save=save,
    )  # fmt: skip
