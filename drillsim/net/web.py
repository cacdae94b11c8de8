"""The console in a browser: textual-serve runs `drillsim join URL` for every browser tab.

textual-serve starts one fixed command per connection, so the console cannot be given a token
on its command line; it asks for the participant's join code when it opens (see tokens.py: short
to type, about 50 bits, failed attempts limited by the session server).
"""

from __future__ import annotations

import shlex
import sys


def join_command(url: str, lang: str) -> str:
    """The command textual-serve runs for each browser tab (a shell command line)."""
    entry = "import sys; from drillsim.cli import main; sys.exit(main())"
    return shlex.join([sys.executable, "-c", entry, "--lang", lang, "join", url])


def serve_web(url: str, host: str, port: int, lang: str) -> None:
    """Serve the console at http://host:port/ until interrupted (blocks)."""
    from textual_serve.server import Server

    Server(join_command(url, lang), host=host, port=port, title="drillsim").serve()
