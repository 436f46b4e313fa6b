"""The simulated 2.x charger's operations beyond charging: reservations,
firmware, logs uploaded over real HTTP, display messages, variable monitors
and reports sent in parts, transaction status, customer information, charging
profiles, certificates, and (2.1) tariffs."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on

from .operations import SimOperations

PART = 2  # items per report message: every report of more comes in parts


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + PART] for i in range(0, len(items), PART)] or [[]]


class SimOps2x(SimOperations):
    """Mixed in front of the 2.x simulator's base; ``_call``/``_call_result`` are the version's."""

    _call: Any
    _call_result: Any
    call: Any
    variables: dict[str, str]
    _key: Any
    version: str
    mutability: dict[str, str]
    engine: Any
    now: Any

    def _init_sim(self, *args: Any, **kwargs: Any) -> None:
        super()._init_sim(*args, **kwargs)
        self.display_messages: dict[int, dict[str, Any]] = {}
        self.monitors: dict[int, dict[str, Any]] = {}
        self.tariffs: dict[int, dict[str, Any]] = {}  # by EVSE id
        self.customer_data = "tag TAG1: 3 sessions, 41.2 kWh; last seen 2026-11-30"

    async def _send_parts(self, make: Any, items: list[Any], seq: bool = True) -> None:
        parts = _chunks(items)
        for n, part in enumerate(parts):
            extra = {"seq_no": n} if seq else {}
            await self.call(make(part, tbc=n < len(parts) - 1, **extra))

    # ------------------------------------------------------------ reservations
    @on("ReserveNow")
    def on_reserve_now_2x(
        self, id: int, expiry_date_time: str, id_token: dict, evse_id: int | None = None, **kw: Any
    ):
        group = (kw.get("group_id_token") or {}).get("id_token")
        self._record(
            "reserve",
            connector_id=evse_id,
            id_tag=id_token["id_token"],
            reservation_id=id,
            group=group,
            expires=expiry_date_time,
        )
        status = self.take_reservation(id, evse_id, id_token["id_token"])
        return self._call_result.ReserveNow(status=status)

    @on("CancelReservation")
    def on_cancel_reservation_2x(self, reservation_id: int, **kw: Any):
        self._record("cancel_reservation", reservation_id=reservation_id)
        return self._call_result.CancelReservation(status=self.drop_reservation(reservation_id))

    async def expire_reservation(self, reservation_id: int) -> None:
        """The charger's own expiry: ReservationStatusUpdate Expired."""
        self.reservations.pop(reservation_id, None)
        await self.call(
            self._call.ReservationStatusUpdate(
                reservation_id=reservation_id, reservation_update_status="Expired"
            )
        )

    # ------------------------------------------------------------ firmware and logs
    @on("UpdateFirmware")
    def on_update_firmware_2x(self, request_id: int, firmware: dict, **kw: Any):
        self._record(
            "firmware",
            location=firmware["location"],
            signed="signature" in firmware,
            request_id=request_id,
            retries=kw.get("retries"),
        )
        self._spawn(self.run_firmware_update(request_id, self._firmware_status_2x))
        return self._call_result.UpdateFirmware(status="Accepted")

    async def _firmware_status_2x(self, status: str, request_id: int | None) -> None:
        await self.call(self._call.FirmwareStatusNotification(status=status, request_id=request_id))

    @on("GetLog")
    def on_get_log_2x(self, log: dict, log_type: str, request_id: int, **kw: Any):
        self._record(
            "logs",
            location=log["remote_location"],
            log_type=log_type,
            oldest=log.get("oldest_timestamp"),
            latest=log.get("latest_timestamp"),
        )
        self._spawn(self.run_upload(log["remote_location"], request_id, self._log_status_2x))
        return self._call_result.GetLog(status="Accepted", filename="charger.log")

    async def _log_status_2x(self, status: str, request_id: int | None) -> None:
        await self.call(self._call.LogStatusNotification(status=status, request_id=request_id))

    # ------------------------------------------------------------ display messages
    @on("SetDisplayMessage")
    def on_set_display_message(self, message: dict, **kw: Any):
        if message["priority"] not in ("AlwaysFront", "InFront", "NormalCycle"):
            return self._call_result.SetDisplayMessage(status="NotSupportedPriority")
        self.display_messages[message["id"]] = message
        return self._call_result.SetDisplayMessage(status="Accepted")

    @on("GetDisplayMessages")
    def on_get_display_messages(self, request_id: int, **kw: Any):
        wanted = [
            m
            for i, m in sorted(self.display_messages.items())
            if (not kw.get("id") or i in kw["id"])
            and kw.get("priority") in (None, m["priority"])
            and kw.get("state") in (None, m.get("state"))
        ]
        if not wanted:
            return self._call_result.GetDisplayMessages(status="Unknown")

        def make(part: list[Any], tbc: bool) -> Any:
            return self._call.NotifyDisplayMessages(
                request_id=request_id, tbc=tbc, message_info=part
            )

        self._spawn(self._send_parts(make, wanted, seq=False))
        return self._call_result.GetDisplayMessages(status="Accepted")

    @on("ClearDisplayMessage")
    def on_clear_display_message(self, id: int, **kw: Any):
        found = self.display_messages.pop(id, None) is not None
        return self._call_result.ClearDisplayMessage(status="Accepted" if found else "Unknown")

    # ------------------------------------------------------------ monitoring, reports
    @on("SetVariableMonitoring")
    def on_set_variable_monitoring(self, set_monitoring_data: list[dict[str, Any]], **kw: Any):
        results = []
        for item in set_monitoring_data:
            key = self._key(item)
            result = {
                "type": item["type"],
                "severity": item["severity"],
                "component": item["component"],
                "variable": item["variable"],
            }
            if key not in self.variables:
                result["status"] = "UnknownVariable"
            else:
                monitor_id = item.get("id") or (max(self.monitors, default=0) + 1)
                self.monitors[monitor_id] = {**item, "id": monitor_id, "key": key}
                result.update(status="Accepted", id=monitor_id)
            results.append(result)
        return self._call_result.SetVariableMonitoring(set_monitoring_result=results)

    @on("ClearVariableMonitoring")
    def on_clear_variable_monitoring(self, id: list[int], **kw: Any):
        results = [
            {"id": i, "status": "Accepted" if self.monitors.pop(i, None) else "NotFound"}
            for i in id
        ]
        return self._call_result.ClearVariableMonitoring(clear_monitoring_result=results)

    @on("GetMonitoringReport")
    def on_get_monitoring_report(self, request_id: int, **kw: Any):
        keys = {self._key(cv) for cv in kw.get("component_variable") or []}
        found = [m for m in self.monitors.values() if not keys or m["key"] in keys]
        if not found:
            return self._call_result.GetMonitoringReport(status="EmptyResultSet")
        items = [
            {
                "component": m["component"],
                "variable": m["variable"],
                "variableMonitoring": [
                    {
                        "id": m["id"],
                        "transaction": bool(m.get("transaction")),
                        "value": m["value"],
                        "type": m["type"],
                        "severity": m["severity"],
                        **(
                            {"eventNotificationType": "CustomMonitor"}
                            if self.version == "2.1"
                            else {}
                        ),
                    }
                ],
            }
            for m in found
        ]

        def make(part: list[Any], tbc: bool, seq_no: int) -> Any:
            return self._call.NotifyMonitoringReport(
                request_id=request_id, seq_no=seq_no, generated_at=self.now(), tbc=tbc, monitor=part
            )

        self._spawn(self._send_parts(make, items))
        return self._call_result.GetMonitoringReport(status="Accepted")

    async def trigger_monitor(self, monitor_id: int, value: str) -> None:
        """A monitor fires: NotifyEvent with its id (2.0.1 events carry no severity)."""
        monitor = self.monitors[monitor_id]
        await self.call(
            self._call.NotifyEvent(
                generated_at=self.now(),
                seq_no=0,
                event_data=[
                    {
                        "eventId": monitor_id * 100,
                        "timestamp": self.now(),
                        "trigger": "Alerting",
                        "actualValue": value,
                        "eventNotificationType": "CustomMonitor",
                        "variableMonitoringId": monitor_id,
                        "component": monitor["component"],
                        "variable": monitor["variable"],
                    }
                ],
            )
        )

    def report_items(self, keys: set[str]) -> list[dict[str, Any]]:
        items = []
        for key, value in self.variables.items():
            if keys and key not in keys:
                continue
            comp, var = key.split("/")
            name, _, evse = comp.partition("@")
            component: dict[str, Any] = {"name": name}
            if evse:
                component["evse"] = {"id": int(evse)}
            var_name, _, instance = var.partition(".")
            variable: dict[str, Any] = {"name": var_name}
            if instance:
                variable["instance"] = instance
            items.append(
                {
                    "component": component,
                    "variable": variable,
                    "variableAttribute": [
                        {"type": "Actual", "value": value, "mutability": self.mutability[key]}
                    ],
                }
            )
        return items

    async def send_report(self, request_id: int, items: list[dict[str, Any]]) -> None:
        def make(part: list[Any], tbc: bool, seq_no: int) -> Any:
            return self._call.NotifyReport(
                request_id=request_id,
                generated_at=self.now(),
                seq_no=seq_no,
                tbc=tbc,
                report_data=part,
            )

        await self._send_parts(make, items)

    @on("GetReport")
    def on_get_report(self, request_id: int, **kw: Any):
        keys = {self._key(cv) for cv in kw.get("component_variable") or []}
        items = self.report_items(keys)
        if not items:
            return self._call_result.GetReport(status="EmptyResultSet")
        self._spawn(self.send_report(request_id, items))
        return self._call_result.GetReport(status="Accepted")

    # ------------------------------------------------------------ the rest
    @on("GetTransactionStatus")
    def on_get_transaction_status(self, transaction_id: str | None = None, **kw: Any):
        if transaction_id is None:
            return self._call_result.GetTransactionStatus(messages_in_queue=False)
        ongoing = any(str(c.transaction_id) == transaction_id for c in self.connectors.values())
        return self._call_result.GetTransactionStatus(
            messages_in_queue=False, ongoing_indicator=ongoing
        )

    @on("CustomerInformation")
    def on_customer_information(self, request_id: int, report: bool, clear: bool, **kw: Any):
        self._record("customer_information", report=report, clear=clear, **kw)
        text = self.customer_data if report else ""
        if clear:
            self.customer_data = ""
        halves = [text[: len(text) // 2], text[len(text) // 2 :]]

        async def send() -> None:
            for n, half in enumerate(halves):
                await self.call(
                    self._call.NotifyCustomerInformation(
                        data=half,
                        seq_no=n,
                        generated_at=self.now(),
                        request_id=request_id,
                        tbc=n == 0,
                    )
                )

        self._spawn(send())
        return self._call_result.CustomerInformation(status="Accepted")

    @on("GetChargingProfiles")
    def on_get_charging_profiles(self, request_id: int, charging_profile: dict, **kw: Any):
        evse_id = kw.get("evse_id")
        found = [
            p for p in self.engine.profiles.values() if evse_id is None or p.connector_id == evse_id
        ]
        if not found:
            return self._call_result.GetChargingProfiles(status="NoProfiles")

        async def send() -> None:
            for n, p in enumerate(found):
                profile = {
                    "id": p.id,
                    "stackLevel": p.stack_level,
                    "chargingProfilePurpose": p.purpose,
                    "chargingProfileKind": p.kind,
                    "chargingSchedule": [
                        {
                            "id": p.id,
                            "chargingRateUnit": p.unit,
                            "chargingSchedulePeriod": [
                                {"startPeriod": s, "limit": lim} for s, lim, _ in p.periods
                            ],
                        }
                    ],
                }
                await self.call(
                    self._call.ReportChargingProfiles(
                        request_id=request_id,
                        charging_limit_source="CSO",
                        evse_id=p.connector_id,
                        charging_profile=[profile],
                        tbc=n < len(found) - 1,
                    )
                )

        self._spawn(send())
        return self._call_result.GetChargingProfiles(status="Accepted")

    @on("GetInstalledCertificateIds")
    def on_get_installed_certificates_2x(self, certificate_type: list | None = None, **kw: Any):
        found = [
            {"certificateType": c["type"], "certificateHashData": c["hash"]}
            for c in self.certificates
            if not certificate_type or c["type"] in certificate_type
        ]
        if not found:
            return self._call_result.GetInstalledCertificateIds(status="NotFound")
        return self._call_result.GetInstalledCertificateIds(
            status="Accepted", certificate_hash_data_chain=found
        )

    @on("InstallCertificate")
    def on_install_certificate_2x(self, certificate_type: str, certificate: str, **kw: Any):
        self._record("install_certificate", type=certificate_type)
        return self._call_result.InstallCertificate(
            status=self.add_certificate(certificate_type, certificate)
        )

    # ------------------------------------------------------------ tariffs (2.1)
    @on("SetDefaultTariff")
    def on_set_default_tariff(self, evse_id: int, tariff: dict, **kw: Any):
        self._record("set_tariff", evse_id=evse_id, tariff=tariff)
        self.tariffs[evse_id] = tariff
        return self._call_result.SetDefaultTariff(status="Accepted")

    @on("GetTariffs")
    def on_get_tariffs(self, evse_id: int, **kw: Any):
        found = [
            {"tariffId": t["tariff_id"], "tariffKind": "DefaultTariff", "evseIds": [evse]}
            for evse, t in self.tariffs.items()
            if evse_id in (0, evse)
        ]
        if not found:
            return self._call_result.GetTariffs(status="NoTariff")
        return self._call_result.GetTariffs(status="Accepted", tariff_assignments=found)

    @on("ClearTariffs")
    def on_clear_tariffs(self, tariff_ids: list | None = None, **kw: Any):
        results = []
        for evse, tariff in list(self.tariffs.items()):
            if not tariff_ids or tariff["tariff_id"] in tariff_ids:
                del self.tariffs[evse]
                results.append({"tariffId": tariff["tariff_id"], "status": "Accepted"})
        for wanted in tariff_ids or []:
            if wanted not in {r["tariffId"] for r in results}:
                results.append({"tariffId": wanted, "status": "NoTariff"})
        return self._call_result.ClearTariffs(
            clear_tariffs_result=results or [{"status": "NoTariff"}]
        )

    @on("DeleteCertificate")
    def on_delete_certificate_2x(self, certificate_hash_data: dict, **kw: Any):
        return self._call_result.DeleteCertificate(
            status=self.remove_certificate(certificate_hash_data)
        )
