"""redata: build, validate and load the US–China rare-earth data package.

The library API, imported lazily so that `import redata` stays light:
`validate(path) -> Report`, `build(source, out) -> Path`, `diff_packages(old, new) -> Diff`,
`load(table, path=None, version=None, *, labels=False, prerelease=False) -> pandas.DataFrame`,
`load_package(path=None, version=None, *, labels=False, prerelease=False) -> dict`,
`write_site(package, out) -> Path`.
"""

_API = {
    "__version__": ("version", "__version__"),
    "validate": ("validation", "validate"),
    "build": ("publish", "build"),
    "diff_packages": ("diff", "diff_packages"),
    "load": ("loader", "load"),
    "load_package": ("loader", "load_package"),
    "write_site": ("site", "write_site"),
}

__all__ = list(_API)


def __getattr__(name: str):
    if name in _API:
        from importlib import import_module

        module, attribute = _API[name]
        return getattr(import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module 'redata' has no attribute {name!r}")
