"""The two pages `kassi serve` answers with: the till's, and the refusal (W-1, W-2)."""

from __future__ import annotations

import html
import json
from importlib.resources import files
from string import Template

from core.text.i18n import _, current_language


def _template(name: str) -> Template:
    return Template(files("tui.web").joinpath("templates", name).read_text("utf-8"))


def title(store_name: str, terminal_name: str) -> str:
    """The page title names the store and the terminal (W-1)."""
    return _("kassi — {store} · {terminal}").format(store=store_name, terminal=terminal_name)


def till_page(
    *, page_title: str, static: str, socket_base: str, claim_base: str, font_size: int
) -> str:
    """The till: textual-serve's terminal in the page, connected once this tab's claim
    on the terminal is granted (a reload of the same tab takes it back)."""
    return _template("till.html").substitute(
        lang=current_language(),
        title=html.escape(page_title),
        static=html.escape(static),
        # Inside <script>: JSON strings with "<" escaped cannot end the script element.
        socket_base=json.dumps(socket_base).replace("<", "\\u003c"),
        claim_base=json.dumps(claim_base).replace("<", "\\u003c"),
        font_size=int(font_size),
        retry=html.escape(_("Try again")),
        closed=html.escape(
            _("The till closed or the connection was lost. The basket and the session are kept.")
        ),
        reconnect=html.escape(_("Connect again")),
    )


def refusal_page(message: str) -> str:
    """What a browser without a valid pairing gets: never a till (W-2)."""
    return _template("refused.html").substitute(
        lang=current_language(),
        title=html.escape(_("kassi — no till here")),
        message=html.escape(message),
        hint=html.escape(
            _("A manager pairs this screen with its terminal: kassi terminal pair TERMINAL.")
        ),
    )


def not_paired() -> str:
    return _("This screen is not paired with a till, or its pairing was revoked.")


def in_use() -> str:
    return _(
        "This terminal's till is open in another window. Close that one first;"
        " a window whose connection was lost lets go within a minute."
    )
