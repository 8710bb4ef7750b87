"""docker-compose.scale.yml: a three-member replica set with its init, the fixture loader, two API
replicas and a proxy in front of them (docs/operations/scale.md).

Docker can't run here, so these tests read the files instead of starting the stack.
"""

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).parent.parent
MEMBERS = ("mongo1", "mongo2", "mongo3")
REPLICAS = ("api1", "api2")


def _services() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.scale.yml").read_text())
    services: dict[str, Any] = compose["services"]
    for service in services.values():
        for volume in service.get("volumes", ()):
            name = volume.split(":")[0]
            assert name.startswith("./") or name in compose["volumes"], volume
    return services


def _argv(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_three_mongo_8_members_of_one_replica_set_each_with_its_volume_and_healthcheck() -> None:
    services = _services()

    volumes = set()
    for name in MEMBERS:
        member = services[name]
        assert re.fullmatch(r"mongo:8(\.[\d.]+)?", member["image"])
        argv = _argv(member)
        assert argv[argv.index("--replSet") + 1] == "rs0"
        assert "ping" in " ".join(member["healthcheck"]["test"])
        volumes |= {volume for volume in member["volumes"] if volume.endswith(":/data/db")}
    assert len(volumes) == len(MEMBERS)


def test_the_init_names_every_member_once_they_are_healthy_and_runs_once() -> None:
    init = _services()["mongo-init"]
    script = _argv(init)[-1]

    assert _argv(init)[0] == "mongosh"
    assert "rs.initiate" in script
    assert "rs0" in script
    assert all(f'host: "{name}:27017"' in script for name in MEMBERS)
    # Initiating twice would fail: a second run finds the set and leaves it.
    assert "rs.status()" in script
    assert all(init["depends_on"][name]["condition"] == "service_healthy" for name in MEMBERS)
    assert init["restart"] == "no"


def test_the_loader_and_both_replicas_reach_the_whole_set_after_its_init() -> None:
    services = _services()

    for name in ("fixtures", *REPLICAS):
        service = services[name]
        uri = urlsplit(service["environment"]["MONGODB_URI"])
        options = parse_qs(uri.query)
        hosts = {host.split(":")[0] for host in uri.netloc.split(",")}
        assert uri.scheme == "mongodb"
        assert hosts == set(MEMBERS)
        assert options["replicaSet"] == ["rs0"]
        # An acknowledged write survives the primary's loss (written to a majority).
        assert options["w"] == ["majority"]
        assert "directConnection" not in options
        assert service["environment"]["NEWSROOM_DATABASE"] == "newsroom"
        assert service["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully"
    assert _argv(services["fixtures"])[:3] == ["newsroom", "fixtures", "load"]


def test_two_api_replicas_behind_a_proxy_that_trusts_its_forwarded_for() -> None:
    services = _services()
    proxy = services["proxy"]
    mounted = [volume.split(":") for volume in proxy["volumes"]]
    ((config_path, _, _),) = mounted
    config = (ROOT / config_path).read_text()

    for name in REPLICAS:
        replica = services[name]
        assert replica["environment"]["NEWSROOM_HOST"] == "0.0.0.0"
        assert replica["environment"]["NEWSROOM_TRUSTED_PROXIES"]
        assert replica["depends_on"]["fixtures"]["condition"] == "service_completed_successfully"
        assert "ports" not in replica  # reached through the proxy only
        assert f"server {name}:8000" in config
        assert proxy["depends_on"][name]["condition"] == "service_healthy"
    assert "8000:8000" in proxy["ports"]
    assert "proxy_pass http://newsroom;" in config
    assert "X-Forwarded-For" in config
    assert "Upgrade $http_upgrade" in config  # subscriptions over WebSocket
