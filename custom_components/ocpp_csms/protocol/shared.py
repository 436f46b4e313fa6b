"""Handlers and commands that read the same in every OCPP version: heartbeat,
DataTransfer both ways, firmware / log / security-event status, certificate
signing, the end of boot handling and the configuration status check. Each
version's ``call_result`` classes build the answers, so each is validated
against its own schemas."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on

from ..model.charger import BootStatus, ChargerIdentity
from ..model.commands import CommandError, CommandOutcome, DataTransferResult
from ..model.errors import InvalidCommand
from .adapter import AdapterBase
from .inputs import ocpp_now

CONFIGURATION_TAKEN = {"Accepted", "RebootRequired"}


class SharedHandlers(AdapterBase):
    # The messages this version's TriggerMessage can ask for; set by each adapter.
    triggerable: frozenset[str] = frozenset()

    # ------------------------------------------------------------ charger -> CSMS
    def answer_boot(self, identity: ChargerIdentity) -> Any:
        """The end of every version's boot handling: the model decides, the
        answer carries its status and interval."""
        status = self.csms.boot(self.charger, identity)
        return self._call_result.BootNotification(
            current_time=ocpp_now(), interval=self.csms.boot_interval(status), status=status.value
        )

    @property
    def accepted(self) -> bool:
        return self.charger.boot_status is BootStatus.ACCEPTED

    @on("Heartbeat")
    def on_heartbeat(self, **kw: Any) -> Any:
        self.csms.heartbeat(self.charger)
        return self._call_result.Heartbeat(current_time=ocpp_now())

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, **kw: Any) -> Any:
        self.charger.remember("DataTransfer", {"vendor_id": vendor_id, **kw})
        return self._call_result.DataTransfer(status="UnknownVendorId")

    @on("FirmwareStatusNotification")
    def on_firmware_status(self, status: str, **kw: Any) -> Any:
        self.charger.set_firmware_status(status)
        return self._call_result.FirmwareStatusNotification()

    @on("LogStatusNotification")
    def on_log_status(self, status: str, **kw: Any) -> Any:
        self.charger.set_diagnostics_status(status)
        return self._call_result.LogStatusNotification()

    @on("SecurityEventNotification")
    def on_security_event(self, type: str, timestamp: str, **kw: Any) -> Any:
        self.charger.remember(
            "SecurityEventNotification", {"type": type, "timestamp": timestamp, **kw}
        )
        return self._call_result.SecurityEventNotification()

    @on("SignCertificate")
    def on_sign_certificate(self, csr: str, **kw: Any) -> Any:
        self.charger.remember("SignCertificate", {"csr": csr, **kw})
        return self._call_result.SignCertificate(status="Rejected")  # we are no CA

    # ------------------------------------------------------------ CSMS -> charger
    async def data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> DataTransferResult:
        result = await self.request(
            self._call.DataTransfer(vendor_id=vendor_id, message_id=message_id, data=data)
        )
        return DataTransferResult(str(result.status), result.data)

    async def trigger_message(self, message: str, connector_id: int | None) -> CommandOutcome:
        if message not in self.triggerable:
            raise InvalidCommand(
                f"{message} cannot be triggered in OCPP {self.protocol_version}",
                ", ".join(sorted(self.triggerable)),
            )
        return await self.request_status(self.trigger_call(message, connector_id))

    def trigger_call(self, message: str, connector_id: int | None) -> Any:
        """The version's TriggerMessage."""
        raise NotImplementedError

    def configuration_outcome(self, action: str, status: str) -> CommandOutcome:
        """ChangeConfiguration / SetVariables: taken, or taken after a reboot."""
        if status not in CONFIGURATION_TAKEN:
            raise CommandError(action, status)
        return self.outcome(action, status)
