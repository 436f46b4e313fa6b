"""The simulated 2.x charger's smart charging and device model: profiles installed
through the version-neutral engine, the composite schedule, Get/SetVariables on
its variables, and the local authorization list."""

from __future__ import annotations

from typing import Any

from ocpp.routing import on

from .profiles import SimProfile, parse_time


class SimDevice2x:
    """Mixed in front of SimBase by the 2.x simulator."""

    _call_result: Any
    _record: Any
    variables: dict[str, str]
    mutability: dict[str, str]
    connectors: dict[int, Any]
    engine: Any
    v2x: bool
    discharge_limits: dict[int, float]
    _install_profile: Any
    _clear_profile: Any
    apply_local_list: Any
    local_list_version: int
    cache_cleared: int

    @on("SetChargingProfile")
    def on_set_charging_profile_2x(self, evse_id: int, charging_profile: dict, **kw: Any):
        p = charging_profile
        schedule = p["charging_schedule"][0]
        periods = []
        for x in schedule["charging_schedule_period"]:
            discharge = x.get("discharge_limit")
            if discharge is not None and not self.v2x:
                return self._call_result.SetChargingProfile(status="Rejected")
            periods.append((x["start_period"], float(x.get("limit", 0.0)), x.get("number_phases")))
            if x["start_period"] == 0 and evse_id in self.connectors:  # the phase it draws on
                self.connectors[evse_id].phase_to_use = x.get("phase_to_use")
            if discharge is not None:
                self.discharge_limits[evse_id] = discharge
        profile = SimProfile(
            id=p["id"],
            connector_id=evse_id,
            purpose=p["charging_profile_purpose"],
            stack_level=p["stack_level"],
            kind=p["charging_profile_kind"],
            unit=schedule["charging_rate_unit"],
            periods=periods,
            start=parse_time(schedule.get("start_schedule")),
            transaction_id=p.get("transaction_id"),
            duration=schedule.get("duration"),
        )
        return self._call_result.SetChargingProfile(status=self._install_profile(profile))

    @on("ClearChargingProfile")
    def on_clear_charging_profile_2x(self, charging_profile_id: int | None = None, **kw: Any):
        cleared = self._clear_profile(charging_profile_id)
        return self._call_result.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @on("GetCompositeSchedule")
    def on_get_composite_schedule_2x(
        self, duration: int, evse_id: int, charging_rate_unit: str = "A", **kw: Any
    ):
        self._record("composite_schedule", connector_id=evse_id, unit=charging_rate_unit)
        conn = self.connectors.get(evse_id)
        schedule = self.engine.composite(conn, duration, charging_rate_unit) if conn else None
        if schedule is None:
            return self._call_result.GetCompositeSchedule(status="Rejected")
        return self._call_result.GetCompositeSchedule(
            status="Accepted",
            schedule={
                "evseId": evse_id,
                "duration": duration,
                "scheduleStart": schedule["start"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "chargingRateUnit": charging_rate_unit,
                "chargingSchedulePeriod": schedule["periods"],
            },
        )

    @staticmethod
    def _key(item: dict[str, Any]) -> str:
        comp, var = item["component"], item["variable"]
        evse = (comp.get("evse") or {}).get("id")
        return f"{comp['name']}{f'@{evse}' if evse else ''}/{var['name']}"

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kw: Any):
        keys = [self._key(item) for item in get_variable_data]
        self._record("get_config", keys=keys)
        results = []
        for item, key in zip(get_variable_data, keys, strict=True):
            result = {
                "attributeStatus": "Accepted" if key in self.variables else "UnknownVariable",
                "component": item["component"],
                "variable": item["variable"],
            }
            if key in self.variables:
                result["attributeValue"] = self.variables[key]
            results.append(result)
        return self._call_result.GetVariables(get_variable_result=results)

    @on("GetLocalListVersion")
    def on_get_local_list_version(self, **kw: Any):
        return self._call_result.GetLocalListVersion(version_number=self.local_list_version)

    @on("SendLocalList")
    def on_send_local_list(
        self, version_number: int, update_type: str, local_authorization_list=(), **kw: Any
    ):
        items = [
            (i["id_token"]["id_token"], i.get("id_token_info"))
            for i in local_authorization_list or []
        ]
        status = self.apply_local_list(version_number, update_type, items)
        return self._call_result.SendLocalList(status=status)

    @on("ClearCache")
    def on_clear_cache(self, **kw: Any):
        self.cache_cleared += 1
        return self._call_result.ClearCache(status="Accepted")

    @on("SetVariables")
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kw: Any):
        results = []
        for item in set_variable_data:
            key = self._key(item)
            self._record("set_config", key=key, value=item["attribute_value"])
            if key == "SecurityCtrlr/BasicAuthPassword" and not self.takes_password:
                status = "UnknownVariable"  # it cannot take a password over OCPP
            elif key == "SecurityCtrlr/BasicAuthPassword":  # write-only
                self.password_set = item["attribute_value"]
                status = "Accepted"
            elif key not in self.variables:
                status = "UnknownVariable"
            elif self.mutability[key] == "ReadOnly":
                status = "Rejected"
            else:
                self.variables[key] = item["attribute_value"]
                status = "RebootRequired" if key.startswith("SecurityCtrlr/") else "Accepted"
            results.append(
                {
                    "attributeStatus": status,
                    "component": item["component"],
                    "variable": item["variable"],
                }
            )
        return self._call_result.SetVariables(set_variable_result=results)
