"""The static website of a package (`redata site`): pages, charts and downloads, fully offline.

`write_site(package, out)` is the entry point (see `writer`); `content` reads what the site shows,
`charts` draws it, `pages` renders it through the Jinja templates in `templates/`.
"""

from .writer import write_site

__all__ = ["write_site"]
