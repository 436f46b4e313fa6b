"""Who may connect, as Home Assistant knows it.

Each charger entry's password hash, the policies for chargers without a
password and for unknown ids, the discovery cap, the repair issues for repeated
failures and for legacy access, and setting or rotating a charger's password
(stored hashed, sent to the charger over OCPP).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_IGNORE, ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import (
    CONF_OPEN_UNTIL_LOGIN,
    CONF_PASSWORD_HASH,
    CONF_PREVIOUS_HASH,
    DOMAIN,
    KIND_CHARGER,
    LOGGER_NAME,
)
from ..model.charger import Charger, PasswordState
from ..model.commands import CommandError
from ..transport.admission import Admission, AdmissionFacts, UnknownPolicy
from ..transport.passwords import PasswordHash, generate_password
from .bridge import raise_repair
from .options import DEFAULT_DISCOVERY_CAP

if TYPE_CHECKING:
    from ..transport.connections import ConnectionManager

_LOGGER = logging.getLogger(LOGGER_NAME)


def entry_hashes(entry: ConfigEntry) -> list[PasswordHash]:
    """Return the password hashes a charger entry holds (current, then previous)."""
    found = (
        PasswordHash.from_dict(entry.data.get(key))
        for key in (CONF_PASSWORD_HASH, CONF_PREVIOUS_HASH)
    )
    return [h for h in found if h is not None]


class ChargerAccess:
    """Who may connect: the facts admission asks, from the charger entries."""

    def __init__(self, hass: HomeAssistant, connections: ConnectionManager) -> None:
        """Serve the connection manager's admission with Home Assistant's facts."""
        self.hass = hass
        self._connections = connections
        self.admission: Admission = connections.admission
        self.unknown_policy = UnknownPolicy.ASK
        self.discovery_cap = DEFAULT_DISCOVERY_CAP
        self._unknown: set[str] = set()  # unknown ids let in (bounded by the cap)
        # Passwords generated at adoption, held in memory only until sent.
        self._to_send: dict[str, str] = {}
        self.admission.facts = AdmissionFacts(
            hashes=self._hashes,
            admit_unknown=self._admit_unknown,
            any_password=self._any_password,
            let_in_without_password=self._without_password,
            authenticated=self._authenticated,
            on_repeated_failures=self._repeated_failures,
            unsupported_version=self._unsupported_version,
            connected=self._connected,
            still_open=self._still_open,
            let_in_before_password=self._password_not_taken,
        )

    # ------------------------------------------------------------ facts
    def _entry(self, charger_id: str) -> ConfigEntry | None:
        return self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, charger_id)

    def _hashes(self, charger_id: str) -> list[PasswordHash] | None:
        entry = self._entry(charger_id)
        if entry is None or entry.source == SOURCE_IGNORE:
            return None
        return entry_hashes(entry)

    def _any_password(self) -> bool:
        return any(
            e.data.get(CONF_PASSWORD_HASH)
            for e in self.hass.config_entries.async_entries(DOMAIN)
            if e.data.get("kind") == KIND_CHARGER
        )

    def _admit_unknown(self, charger_id: str) -> bool:
        if self.unknown_policy is UnknownPolicy.REFUSE:
            return False
        entry = self._entry(charger_id)
        if entry is not None:  # only an ignored one comes here
            return False
        if charger_id in self._unknown:
            return True
        if len(self._unknown) >= self.discovery_cap:
            self._prune()
        if len(self._unknown) >= self.discovery_cap:
            return False
        self._unknown.add(charger_id)
        return True

    def _prune(self) -> None:
        """Keep the unknown ids still connected or with a discovery flow open."""
        flows = {
            flow["context"].get("unique_id")
            for flow in self.hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        }
        chargers = self._connections.csms.chargers
        self._unknown = {
            cid
            for cid in self._unknown
            if cid in flows or ((c := chargers.get(cid)) is not None and c.connected)
        }

    def adopted(self, charger_id: str) -> None:
        """Free the place of a charger that got its entry."""
        self._unknown.discard(charger_id)

    def _issue(self, issue_id: str, key: str, placeholders: dict[str, str]) -> None:
        raise_repair(self.hass, issue_id, key, placeholders)

    def _still_open(self, charger_id: str) -> bool:
        entry = self._entry(charger_id)
        return entry is not None and bool(entry.data.get(CONF_OPEN_UNTIL_LOGIN))

    def _password_not_taken(self, charger_id: str) -> None:
        """Tell the user a charger adopted with a new password came in without it."""
        self._issue(
            f"password_not_taken_{charger_id}", "password_not_taken", {"charger": charger_id}
        )
        self.show_password_state(charger_id)

    def _without_password(self, charger_id: str) -> None:
        self._issue(f"no_password_{charger_id}", "no_password", {"charger": charger_id})

    def _authenticated(self, charger_id: str, used: PasswordHash) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, f"auth_failures_{charger_id}")
        entry = self._entry(charger_id)
        old = (CONF_PREVIOUS_HASH, CONF_OPEN_UNTIL_LOGIN)
        if entry is None or not any(key in entry.data for key in old):
            return
        current = PasswordHash.from_dict(entry.data.get(CONF_PASSWORD_HASH))
        if used == current:  # the new password works: the old access is void now
            data = {k: v for k, v in entry.data.items() if k not in old}
            self.hass.config_entries.async_update_entry(entry, data=data)
            self.admission.forget(charger_id)
            ir.async_delete_issue(self.hass, DOMAIN, f"password_not_taken_{charger_id}")
            self.show_password_state(charger_id)

    def _connected(self, charger_id: str) -> None:
        """Clear the version repair of a charger that connected."""
        ir.async_delete_issue(self.hass, DOMAIN, f"unsupported_version_{charger_id}")

    def _unsupported_version(self, charger_id: str, offered: str) -> None:
        """Raise a repair issue for a charger with an entry whose versions we lack.

        Unknown ids only get the log line: made-up ids must not fill the repairs.
        """
        entry = self._entry(charger_id)
        if entry is None or entry.source == SOURCE_IGNORE:
            return
        pinned = self._connections.pinned_versions.get(charger_id)
        self._issue(
            f"unsupported_version_{charger_id}",
            "unsupported_version",
            {"charger": charger_id, "offered": offered, "pinned": pinned or "-"},
        )

    def _repeated_failures(self, charger_id: str, address: str, count: int) -> None:
        self._issue(
            f"auth_failures_{charger_id}",
            "auth_failures",
            {"charger": charger_id, "address": address, "count": str(count)},
        )

    # ------------------------------------------------------------ passwords
    @callback
    def show_password_state(self, charger_id: str) -> None:
        """Tell the charger's password sensor whether its password is in use."""
        charger = self._connections.csms.get_charger(charger_id)
        entry = self._entry(charger_id)
        if charger is None or entry is None:
            return
        if not entry.data.get(CONF_PASSWORD_HASH):
            state = PasswordState.NONE
        elif entry.data.get(CONF_OPEN_UNTIL_LOGIN) or entry.data.get(CONF_PREVIOUS_HASH):
            refused = ir.async_get(self.hass).async_get_issue(
                DOMAIN, f"password_not_taken_{charger_id}"
            )
            state = PasswordState.NOT_TAKEN if refused else PasswordState.WAITING
        else:
            state = PasswordState.REQUIRED
        if charger.password_state is not state:
            charger.password_state = state
            charger.notify()

    async def hash_of(self, password: str) -> dict[str, Any]:
        """Return the stored form of a password's hash (computed in the executor)."""
        return (await self.hass.async_add_executor_job(PasswordHash.of, password)).as_dict()

    def send_after_adoption(self, charger_id: str, password: str) -> None:
        """Send a generated password to a discovered charger, once adopted.

        It goes over OCPP once the entry is set up (the charger is connected,
        without credentials).
        """
        self._to_send[charger_id] = password

    @callback
    def entry_set_up(self, charger: Charger) -> None:
        """Send the password generated at adoption, now that the entry is set up."""
        self.show_password_state(charger.charger_id)
        password = self._to_send.pop(charger.charger_id, None)
        if password is not None:
            self._connections.spawn(charger.charger_id, self._send(charger, password))

    async def _send(self, charger: Charger, password: str) -> None:
        try:
            await charger.require_commands().set_basic_auth_password(password)
        except CommandError as err:
            _LOGGER.warning(
                "%s: the charger did not take its new password (%s); enter it in the "
                "charger's own settings (it is let in as before until it logs in with it)",
                charger.charger_id,
                err.answer,
            )
            self._password_not_taken(charger.charger_id)
        else:
            _LOGGER.info("%s: password set on the charger over OCPP", charger.charger_id)

    async def store(self, entry: ConfigEntry, password: str, *, keep_previous: bool) -> None:
        """Make ``password`` the entry's password (only its hash is kept)."""
        self._store_hash(entry, await self.hash_of(password), keep_previous=keep_previous)

    def _store_hash(
        self, entry: ConfigEntry, digest: dict[str, Any], *, keep_previous: bool
    ) -> None:
        data = dict(entry.data)
        previous = data.get(CONF_PASSWORD_HASH)
        data[CONF_PASSWORD_HASH] = digest
        if keep_previous and previous:
            data[CONF_PREVIOUS_HASH] = previous
        else:
            data.pop(CONF_PREVIOUS_HASH, None)
            data.pop(CONF_OPEN_UNTIL_LOGIN, None)
        self.hass.config_entries.async_update_entry(entry, data=data)
        charger_id = entry.data["charger_id"]
        self.admission.forget(charger_id)
        ir.async_delete_issue(self.hass, DOMAIN, f"no_password_{charger_id}")
        self.show_password_state(charger_id)

    def clear(self, entry: ConfigEntry) -> None:
        """Remove the charger's password."""
        gone = (CONF_PASSWORD_HASH, CONF_PREVIOUS_HASH, CONF_OPEN_UNTIL_LOGIN)
        data = {k: v for k, v in entry.data.items() if k not in gone}
        self.hass.config_entries.async_update_entry(entry, data=data)
        self.admission.forget(entry.data["charger_id"])
        self.show_password_state(entry.data["charger_id"])

    async def rotate(self, entry: ConfigEntry, charger: Charger, password: str | None) -> str:
        """Send a new password to the charger; store it once the charger took it.

        The old one stays valid until the charger logs in with the new one.
        """
        password = password or generate_password()
        digest = await self.hash_of(password)  # ready before the charger reconnects
        await charger.require_commands().set_basic_auth_password(password)
        self._store_hash(entry, digest, keep_previous=True)
        return password
