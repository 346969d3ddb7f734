"""Staging folders: made in a folder, removed whole, never through a link; those not removed are listed."""

from __future__ import annotations

from redata import staging


def test_the_folders_not_removed_are_removed_at_once_and_a_link_never_followed(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("keep me", encoding="utf-8")
    made = [staging.make(tmp_path, ".staging-") for _ in range(2)]
    (made[0] / "part.csv").write_text("a,b\n", encoding="utf-8")
    (made[1] / "kept").symlink_to(kept)
    staging.remove(made[0])
    made[0].mkdir()  # another's folder now, by that name: not this process's to remove
    staging.remove_all()
    assert made[0].is_dir() and not made[1].exists()
    assert (kept / "notes.txt").read_text(encoding="utf-8") == "keep me"
    link = tmp_path / ".staging-link"
    link.symlink_to(kept)
    staging.remove(link)
    assert link.is_symlink() and (kept / "notes.txt").is_file()
