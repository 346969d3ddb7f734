"""No command opens a network connection: every property of a descriptor or schema that can hold a URL is
pointed at a socket this test listens on, and every command runs against it; the socket sees no connection."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading

import pytest
from conftest import cli, edit_json

import redata


@pytest.fixture
def listener():
    """A local socket that records every connection made to it; yields its URL and the connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    connections: list = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                connections.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    stop.set()
    thread.join()
    server.close()


def point_at(url: str):
    """Every URL-bearing property of a descriptor, its resources and their inline schemas, at `url`."""

    def change(descriptor: dict) -> None:
        descriptor.update({"$schema": f"{url}/datapackage.json", "profile": f"{url}/profile.json"})
        descriptor.update(homepage=f"{url}/home", image=f"{url}/image.png")
        descriptor["licenses"][0]["path"] = f"{url}/licence"
        descriptor.setdefault("sources", []).append({"title": "a source", "path": f"{url}/source"})
        for resource in descriptor["resources"]:
            resource.update({"$schema": f"{url}/resource.json", "profile": f"{url}/resource-profile.json"})
            resource["dialect"] = f"{url}/dialect.json"
            if isinstance(resource.get("schema"), dict):
                resource["schema"].update({"$schema": f"{url}/tableschema.json", "profile": f"{url}/ts.json"})

    return change


def test_validate_opens_no_connection_on_a_source_package(source, listener):
    url, connections = listener
    edit_json(source / "datapackage" / "datapackage.json", point_at(url))
    for table in ("figures", "units"):
        edit_json(source / "schemas" / f"{table}.json", lambda s: s.update({"$schema": f"{url}/ts.json"}))
    result = cli("validate", source / "datapackage")
    assert result.code in (0, 1) and "internal error" not in result.stderr, result.stderr
    assert connections == []


def test_build_opens_no_connection(source, tmp_path, listener):
    url, connections = listener
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d.update(homepage=f"{url}/home"))
    edit_json(source / "datapackage" / "datapackage.json", lambda d: d["licenses"][0].update(path=f"{url}/licence"))
    result = cli("build", source / "datapackage", "--out", tmp_path / "out")
    assert result.code == 0, result.stderr
    assert connections == []


def test_validate_diff_and_load_open_no_connection_on_a_release(built, tmp_path, listener):
    url, connections = listener
    copy = tmp_path / "release"
    shutil.copytree(built, copy)
    edit_json(copy / "datapackage.json", point_at(url))
    validated = cli("validate", copy)
    assert validated.code in (0, 1) and "internal error" not in validated.stderr, validated.stderr
    compared = cli("diff", built, copy)
    assert compared.code in (0, 1, 2) and "internal error" not in compared.stderr, compared.stderr
    with contextlib.suppress(redata.errors.CannotRun):
        redata.load("units", path=copy)
    assert connections == []


def test_a_url_in_place_of_a_path_is_refused_not_fetched(source, listener):
    url, connections = listener
    edit_json(
        source / "datapackage" / "datapackage.json",
        lambda d: (d["resources"][1].update(path=f"{url}/units.csv"), d["resources"][2].update(schema=f"{url}/m.json")),
    )
    result = cli("validate", source / "datapackage")
    assert result.code == 1 and "is a URL" in result.stdout
    assert connections == []
