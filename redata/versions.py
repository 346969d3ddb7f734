"""Dataset versions, as SemVer 2.0 says (the `semver` library): parsing, precedence, and the bump between two.

Precedence ignores build metadata (`1.0.0+a` and `1.0.0+b` are the same version, so they must hold the same
content); a pre-release precedes its release (`1.1.0-rc.1` < `1.1.0`). Bumps are counted between releases'
`major.minor.patch`.
"""

from __future__ import annotations

from typing import Any

BUMPS = ("none", "patch", "minor", "major")


def parse(version: Any):
    """The `semver.Version` of a version string; ValueError if it is not SemVer 2.0."""
    import semver

    if not isinstance(version, str):
        raise ValueError(f"version {version!r} is not a string")
    return semver.Version.parse(version)


def is_semver(version: Any) -> bool:
    try:
        parse(version)
    except ValueError:
        return False
    return True


def is_release(version: str) -> bool:
    return parse(version).prerelease is None


def declared_bump(old: str, new: str) -> str:
    """The bump from release `old` to `new`, by their major.minor.patch."""
    before, after = parse(old), parse(new)
    if after.major != before.major:
        return "major"
    if after.minor != before.minor:
        return "minor"
    return "patch" if after.patch != before.patch else "none"


def newest(versions: list[str], prereleases: bool = False) -> str | None:
    """The version of highest precedence (releases only, unless `prereleases`)."""
    candidates = [v for v in versions if prereleases or is_release(v)]
    return max(candidates, key=parse, default=None)
