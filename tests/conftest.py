"""Fixtures: a real Home Assistant with the real integration, its server on a free
127.0.0.1 port, and simulated chargers connecting over real websockets."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_csms.const import (
    CONF_CHARGER_ID,
    CONF_KIND,
    DOMAIN,
    KIND_CHARGER,
    KIND_CSMS,
)
from custom_components.ocpp_csms.hub.runtime import CsmsRuntime
from custom_components.ocpp_csms.protocol.registry import VERSIONS

from .simulator import SIMULATORS

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load ocpp_csms."""


@pytest.fixture(autouse=True)
def every_entity_enabled(request: pytest.FixtureRequest) -> Generator[None]:
    """Enable the entities a user enables with one click, as a user of each feature would.

    Tests marked ``default_entities`` see the integration's own choice of what is
    enabled by default (the snapshots, the count of entities a charger costs).
    """
    if request.node.get_closest_marker("default_entities") is not None:
        yield
        return
    with patch.object(
        Entity, "entity_registry_enabled_default", new_callable=PropertyMock, return_value=True
    ):
        yield


@pytest.fixture(autouse=True)
def own_config_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """Each test's own config folder: the journal and uploads are real files."""
    hass.config.config_dir = str(tmp_path)


@pytest.fixture
def csms_options() -> dict[str, Any]:
    return {"response_timeout": 3}


@pytest.fixture
async def csms_entry(
    hass: HomeAssistant, socket_enabled: None, csms_options: dict[str, Any]
) -> MockConfigEntry:
    """The CSMS config entry, set up and listening on a free port."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="OCPP central system",
        data={CONF_KIND: KIND_CSMS, "host": "127.0.0.1", "port": 0},
        options=csms_options,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
def runtime(hass: HomeAssistant, csms_entry: MockConfigEntry) -> CsmsRuntime:
    """The CSMS entry's runtime_data (as Home Assistant hands it to the platforms)."""
    runtime: CsmsRuntime = csms_entry.runtime_data
    return runtime


@pytest.fixture
def url(runtime: CsmsRuntime) -> str:
    server = runtime.connections.server
    assert server is not None
    return f"ws://127.0.0.1:{server.port}/ocpp"


async def add_charger_entry(
    hass: HomeAssistant,
    charger_id: str,
    *,
    setup: bool = True,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """A charger's config entry (with ``options``), set up unless ``setup`` is False."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=charger_id,
        unique_id=charger_id,
        data={CONF_KIND: KIND_CHARGER, CONF_CHARGER_ID: charger_id},
        options=options or {},
    )
    entry.add_to_hass(hass)
    if setup:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    return entry


@pytest.fixture(params=sorted(VERSIONS))
def version(request: pytest.FixtureRequest) -> str:
    """The OCPP version the scenario runs over (parametrised suites)."""
    return request.param


SimFactory = Callable[..., Awaitable[Any]]


@pytest.fixture
async def connect_sim(url: str, version: str) -> AsyncGenerator[SimFactory]:
    """Connect simulated chargers; all are closed at teardown."""
    sims: list[Any] = []

    async def _connect(charger_id: str = "CP1", **kwargs: Any) -> Any:
        sim_version = kwargs.pop("sim_version", version)
        sim = await SIMULATORS[sim_version].connect(url, charger_id, **kwargs)
        sims.append(sim)
        return sim

    yield _connect
    for sim in sims:
        await sim.close()


@pytest.fixture
async def charger(hass: HomeAssistant, connect_sim: SimFactory) -> Any:
    """An adopted charger CP1 with 1 connector, booted and reporting status."""
    await add_charger_entry(hass, "CP1")
    sim = await connect_sim("CP1")
    assert await sim.boot() == "Accepted"
    await sim.send_all_status()
    await hass.async_block_till_done()
    return sim
