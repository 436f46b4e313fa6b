"""The simulated 1.6 charger's operations beyond charging: reservations,
firmware (plain and signed), diagnostics and security logs uploaded over real
HTTP, certificates and ExtendedTriggerMessage."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result

from .operations import SimOperations


class SimOps16(SimOperations):
    """Mixed in front of SimBase by the 1.6 simulator."""

    # ------------------------------------------------------------ reservations
    @on("ReserveNow")
    def on_reserve_now(
        self, connector_id: int, expiry_date: str, id_tag: str, reservation_id: int, **kw: Any
    ):
        self._record(
            "reserve",
            connector_id=connector_id or None,
            id_tag=id_tag,
            reservation_id=reservation_id,
            group=kw.get("parent_id_tag"),
            expires=expiry_date,
        )
        status = self.take_reservation(reservation_id, connector_id or None, id_tag)
        return call_result.ReserveNow(status=status)

    @on("CancelReservation")
    def on_cancel_reservation(self, reservation_id: int, **kw: Any):
        self._record("cancel_reservation", reservation_id=reservation_id)
        return call_result.CancelReservation(status=self.drop_reservation(reservation_id))

    # ------------------------------------------------------------ firmware and logs
    @on("UpdateFirmware")
    def on_update_firmware(self, location: str, retrieve_date: str, **kw: Any):
        self._record("firmware", location=location, retrieve=retrieve_date, signed=False, **kw)
        self._spawn(self.run_firmware_update(None, self._firmware_status_16))
        return call_result.UpdateFirmware()

    @on("SignedUpdateFirmware")
    def on_signed_update_firmware(self, request_id: int, firmware: dict, **kw: Any):
        self._record("firmware", location=firmware["location"], signed=True, request_id=request_id)
        self._spawn(self.run_firmware_update(request_id, self._signed_status_16))
        return call_result.SignedUpdateFirmware(status="Accepted")

    async def _firmware_status_16(self, status: str, request_id: int | None) -> None:
        await self.call(call.FirmwareStatusNotification(status=status))

    async def _signed_status_16(self, status: str, request_id: int | None) -> None:
        await self.call(call.SignedFirmwareStatusNotification(status=status, request_id=request_id))

    @on("GetDiagnostics")
    def on_get_diagnostics(self, location: str, **kw: Any):
        self._record("logs", location=location, log_type="diagnostics", **kw)
        if self.log_content is None:
            return call_result.GetDiagnostics()
        self._spawn(self.run_upload(location, None, self._diagnostics_status))
        return call_result.GetDiagnostics(file_name="diagnostics.log")

    async def _diagnostics_status(self, status: str, request_id: int | None) -> None:
        words = {"UploadFailure": "UploadFailed"}
        await self.call(call.DiagnosticsStatusNotification(status=words.get(status, status)))

    @on("GetLog")
    def on_get_log(self, log: dict, log_type: str, request_id: int, **kw: Any):
        self._record("logs", location=log["remote_location"], log_type=log_type)
        self._spawn(self.run_upload(log["remote_location"], request_id, self._log_status_16))
        return call_result.GetLog(status="Accepted", filename="security.log")

    async def _log_status_16(self, status: str, request_id: int | None) -> None:
        await self.call(call.LogStatusNotification(status=status, request_id=request_id))

    # ------------------------------------------------------------ certificates, triggers
    @on("GetInstalledCertificateIds")
    def on_get_installed_certificates(self, certificate_type: str, **kw: Any):
        found = [c["hash"] for c in self.certificates if c["type"] == certificate_type]
        if not found:
            return call_result.GetInstalledCertificateIds(status="NotFound")
        return call_result.GetInstalledCertificateIds(
            status="Accepted", certificate_hash_data=found
        )

    @on("InstallCertificate")
    def on_install_certificate(self, certificate_type: str, certificate: str, **kw: Any):
        self._record("install_certificate", type=certificate_type)
        return call_result.InstallCertificate(
            status=self.add_certificate(certificate_type, certificate)
        )

    @on("DeleteCertificate")
    def on_delete_certificate(self, certificate_hash_data: dict, **kw: Any):
        return call_result.DeleteCertificate(status=self.remove_certificate(certificate_hash_data))

    @on("ExtendedTriggerMessage")
    def on_extended_trigger(self, requested_message: str, **kw: Any):
        self._record("trigger", message=requested_message, connector_id=kw.get("connector_id"))
        if requested_message == "LogStatusNotification":
            self._spawn(self._log_status_16("Idle", None))
            return call_result.ExtendedTriggerMessage(status="Accepted")
        return call_result.ExtendedTriggerMessage(status="NotImplemented")
