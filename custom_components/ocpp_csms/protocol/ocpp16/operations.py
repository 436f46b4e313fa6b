"""OCPP 1.6 operations beyond charging.

Reservations, firmware (UpdateFirmware, or SignedUpdateFirmware of the security
extension when a signature is given), logs (GetDiagnostics, or GetLog of the
security extension for the security log) and the extension's certificate
management. What 1.6 lacks stays refused by VersionGaps.
"""

from __future__ import annotations

from dataclasses import asdict

from ...model.commands import CommandError, CommandOutcome
from ...model.errors import InvalidCommand
from ...model.operations import (
    CertificateHash,
    FirmwareRequest,
    LogRequest,
    Report,
    Reservation,
)
from ..inputs import ocpp_time
from ..shared import SharedHandlers, firmware_of

# Certificate types as the model (and 2.x) name them, in 1.6 security-extension terms.
CERTIFICATE_TYPES = {
    "CSMSRootCertificate": "CentralSystemRootCertificate",
    "ManufacturerRootCertificate": "ManufacturerRootCertificate",
}
# Messages only ExtendedTriggerMessage (the security extension) can ask for.
EXTENDED_TRIGGERS = frozenset({"LogStatusNotification", "SignChargePointCertificate"})


def _certificate_type(name: str) -> str:
    if (found := CERTIFICATE_TYPES.get(name)) is None:
        raise InvalidCommand(
            f"OCPP 1.6 has no certificate type {name}", ", ".join(sorted(CERTIFICATE_TYPES))
        )
    return found


class V16Operations(SharedHandlers):
    """The 1.6 operations; mixed before the 1.6 ocpp class."""

    async def reserve_now(self, reservation: Reservation) -> CommandOutcome:
        """ReserveNow (connector 0: any connector of the charger)."""
        return await self.request_status(
            self._call.ReserveNow(
                connector_id=reservation.connector_id or 0,
                expiry_date=ocpp_time(reservation.expires),
                id_tag=reservation.id_tag,
                reservation_id=reservation.reservation_id,
                parent_id_tag=reservation.group_id_tag,
            )
        )

    async def cancel_reservation(self, reservation_id: int) -> CommandOutcome:
        """CancelReservation."""
        return await self.request_status(
            self._call.CancelReservation(reservation_id=reservation_id)
        )

    async def update_firmware(self, request: FirmwareRequest) -> CommandOutcome:
        """UpdateFirmware; SignedUpdateFirmware for a signed image."""
        if not request.signed:
            await self.request(
                self._call.UpdateFirmware(
                    location=request.url,
                    retrieve_date=ocpp_time(request.retrieve_at),
                    retries=request.retries,
                    retry_interval=request.retry_interval_s,
                )
            )
            return CommandOutcome.ACCEPTED  # 1.6 answers UpdateFirmware with nothing
        return await self.request_status(
            self._call.SignedUpdateFirmware(
                request_id=request.request_id,
                firmware=firmware_of(request),
                retries=request.retries,
                retry_interval=request.retry_interval_s,
            )
        )

    async def upload_logs(self, request: LogRequest) -> str | None:
        """GetDiagnostics; GetLog (security extension) for the security log."""
        if request.log_type == "diagnostics":
            result = await self.request(
                self._call.GetDiagnostics(
                    location=request.location,
                    retries=request.retries,
                    retry_interval=request.retry_interval_s,
                    start_time=ocpp_time(request.oldest) if request.oldest else None,
                    stop_time=ocpp_time(request.latest) if request.latest else None,
                )
            )
            if not result.file_name:  # 1.6: no file name means nothing to upload
                raise CommandError("GetDiagnostics", "no diagnostics to upload")
            return str(result.file_name)
        return await self.get_log(request, "SecurityLog")

    async def get_installed_certificate_ids(self, types: list[str]) -> Report:
        """GetInstalledCertificateIds, once per type (1.6 asks for one at a time)."""
        found: Report = []
        for name in types or list(CERTIFICATE_TYPES):
            result = await self.request(
                self._call.GetInstalledCertificateIds(certificate_type=_certificate_type(name))
            )
            if str(result.status) == "Accepted":
                for item in result.certificate_hash_data or []:
                    found.append({"certificate_type": name, "certificate_hash_data": item})
        return found

    async def install_certificate(self, certificate_type: str, certificate: str) -> CommandOutcome:
        """InstallCertificate (security extension)."""
        return await self.request_status(
            self._call.InstallCertificate(
                certificate_type=_certificate_type(certificate_type), certificate=certificate
            )
        )

    async def delete_certificate(self, hash_data: CertificateHash) -> CommandOutcome:
        """DeleteCertificate (security extension)."""
        return await self.request_status(
            self._call.DeleteCertificate(certificate_hash_data=asdict(hash_data))
        )
