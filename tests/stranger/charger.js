// A charger that is not built on the Python `ocpp` library the integration uses:
// ocpp-rpc (Node.js), in strict mode, so every call Home Assistant sends and every
// answer it gives is checked against ocpp-rpc's own copy of the OCPP schemas.
//
//   node charger.js <url> <identity> <1.6|2.0.1|2.1>
//
// One connector. It boots, reports its status, and then acts on what the central
// system asks: remote start and stop, charging profiles (it applies the lowest limit
// in force and reports it), composite schedules, configuration, triggers, reset
// (it closes its connection and boots again). It reports what it does as JSON
// lines on stdout for the test to follow. It stops by itself after 120 s.
"use strict";

const { RPCClient, createRPCError } = require("ocpp-rpc");
const { validators21 } = require("./schemas21");

const [url, identity, version] = process.argv.slice(2);
const V16 = version === "1.6";
const VOLTS = 230;
const PHASES = 3;
const MAX_AMPS = 16;
const SPEEDUP = 20; // its meter runs 20 s for each second (the test is short; under 350 kW)

let client = null;
let registerWh = 1000000;
let lastTick = Date.now();
let tx = null; // { id, tag, seqNo }
let seqNo = 0;
let txCounter = 0;
let bootCount = 0;
const profiles = new Map(); // id -> { stackLevel, purpose, amps }

function report(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
}

function now() {
  return new Date().toISOString();
}

function appliedAmps() {
  // the lowest limit of any profile in force: what this charger applies
  let amps = MAX_AMPS;
  for (const profile of profiles.values()) {
    if (profile.purpose === "TxProfile" && !tx) continue;
    amps = Math.min(amps, profile.amps);
  }
  return amps;
}

function tick() {
  const t = Date.now();
  if (tx) registerWh += (appliedAmps() * VOLTS * PHASES * SPEEDUP * (t - lastTick)) / 3600000;
  lastTick = t;
}

function sampled(context) {
  tick();
  const value = { value: registerWh.toFixed(1), measurand: "Energy.Active.Import.Register", unit: "Wh" };
  const power = { value: tx ? String(appliedAmps() * VOLTS * PHASES) : "0", measurand: "Power.Active.Import", unit: "W" };
  if (V16) return [{ timestamp: now(), sampledValue: [{ ...value, context }, { ...power, context }] }];
  return [{ timestamp: now(), sampledValue: [{ value: Number(value.value), measurand: value.measurand, context, unitOfMeasure: { unit: "Wh" } }, { value: Number(power.value), measurand: power.measurand, context, unitOfMeasure: { unit: "W" } }] }];
}

function amperes(unit, limit) {
  return unit === "W" ? limit / (VOLTS * PHASES) : limit;
}

// ------------------------------------------------------------ charger -> CSMS
async function status(name) {
  if (V16) {
    await client.call("StatusNotification", { connectorId: 1, errorCode: "NoError", status: name, timestamp: now() });
  } else {
    const status2x = { Available: "Available", Preparing: "Occupied", Charging: "Occupied", Finishing: "Occupied" }[name];
    await client.call("StatusNotification", { timestamp: now(), connectorStatus: status2x, evseId: 1, connectorId: 1 });
  }
}

async function boot() {
  const station = { model: "Stranger", vendorName: "ocpp-rpc" };
  const answer = V16
    ? await client.call("BootNotification", { chargePointVendor: "ocpp-rpc", chargePointModel: "Stranger", firmwareVersion: "1.0" })
    : await client.call("BootNotification", { reason: bootCount ? "RemoteReset" : "PowerUp", chargingStation: { ...station, firmwareVersion: "1.0" } });
  bootCount += 1;
  report("booted", { status: answer.status, count: bootCount });
  await status(tx ? "Charging" : "Available");
}

async function meterValues() {
  if (!tx) return;
  if (V16) {
    await client.call("MeterValues", { connectorId: 1, transactionId: tx.id, meterValue: sampled("Sample.Periodic") });
  } else {
    await transactionEvent("Updated", "MeterValuePeriodic", { chargingState: "Charging" }, sampled("Sample.Periodic"));
  }
}

async function transactionEvent(eventType, triggerReason, info, meterValue) {
  seqNo += 1;
  const body = { eventType, timestamp: now(), triggerReason, seqNo, transactionInfo: { transactionId: tx.id, ...info }, evse: { id: 1, connectorId: 1 } };
  if (meterValue) body.meterValue = meterValue;
  if (eventType === "Started") body.idToken = { idToken: tx.tag, type: "ISO14443" };
  return client.call("TransactionEvent", body);
}

async function startSession(tag, remoteStartId) {
  await status("Preparing");
  tick();
  if (V16) {
    const answer = await client.call("StartTransaction", { connectorId: 1, idTag: tag, meterStart: Math.round(registerWh), timestamp: now() });
    tx = { id: answer.transactionId, tag };
  } else {
    txCounter += 1;
    tx = { id: `stranger-${Date.now()}-${txCounter}`, tag };
    const info = { chargingState: "Charging" };
    if (remoteStartId !== undefined) info.remoteStartId = remoteStartId;
    await transactionEvent("Started", "RemoteStart", info, sampled("Transaction.Begin"));
  }
  await status("Charging");
  report("started", { transactionId: String(tx.id) });
  await meterValues();
}

async function stopSession(reason) {
  if (!tx) return;
  tick();
  const id = tx.id;
  if (V16) {
    await client.call("StopTransaction", { transactionId: id, meterStop: Math.round(registerWh), timestamp: now(), reason });
  } else {
    await transactionEvent("Ended", "RemoteStop", { stoppedReason: reason, chargingState: "EVConnected" }, sampled("Transaction.End"));
  }
  tx = null;
  for (const [key, profile] of profiles) if (profile.purpose === "TxProfile") profiles.delete(key);
  await status("Finishing");
  report("stopped", { transactionId: String(id), registerWh });
}

function later(action) {
  setTimeout(() => action().catch((err) => report("error", { message: String(err) })), 50);
}

// ------------------------------------------------------------ CSMS -> charger
function handlers() {
  const h = {};
  h.Reset = () => {
    later(async () => {
      report("reset");
      await client.close({ code: 1000, reason: "reset" });
      await connect();
    });
    return { status: "Accepted" };
  };
  h.ChangeAvailability = () => ({ status: "Accepted" });
  h.ClearCache = () => ({ status: "Accepted" });
  h.DataTransfer = () => ({ status: "UnknownVendorId" });
  h.GetLocalListVersion = () => (V16 ? { listVersion: 0 } : { versionNumber: 0 });
  h.SendLocalList = () => ({ status: "Accepted" });
  h.UnlockConnector = () => ({ status: "Unlocked" });
  h.TriggerMessage = ({ params }) => {
    const send = { StatusNotification: () => status(tx ? "Charging" : "Available"), Heartbeat: () => client.call("Heartbeat", {}), MeterValues: meterValues, BootNotification: boot }[params.requestedMessage];
    if (!send) return { status: "NotImplemented" };
    later(send);
    return { status: "Accepted" };
  };
  h.ClearChargingProfile = ({ params }) => {
    const id = V16 ? params.id : params.chargingProfileId;
    if (id !== undefined) profiles.delete(id); else profiles.clear();
    report("limit", { amps: appliedAmps() });
    return { status: "Accepted" };
  };
  h.SetChargingProfile = ({ params }) => {
    const profile = V16 ? params.csChargingProfiles : params.chargingProfile;
    const schedule = V16 ? profile.chargingSchedule : profile.chargingSchedule[0];
    const first = schedule.chargingSchedulePeriod[0];
    profiles.set(profile[V16 ? "chargingProfileId" : "id"], {
      stackLevel: profile.stackLevel,
      purpose: profile.chargingProfilePurpose,
      amps: amperes(schedule.chargingRateUnit, first.limit),
    });
    report("limit", { amps: appliedAmps() });
    return { status: "Accepted" };
  };
  h.GetCompositeSchedule = ({ params }) => {
    const unit = params.chargingRateUnit || "A";
    const limit = unit === "W" ? appliedAmps() * VOLTS * PHASES : appliedAmps();
    const start = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000", "");
    const periods = [{ startPeriod: 0, limit }];
    if (V16) {
      return { status: "Accepted", connectorId: params.connectorId, scheduleStart: start, chargingSchedule: { duration: params.duration, startSchedule: start, chargingRateUnit: unit, chargingSchedulePeriod: periods } };
    }
    return { status: "Accepted", schedule: { evseId: params.evseId, duration: params.duration, scheduleStart: start, chargingRateUnit: unit, chargingSchedulePeriod: periods } };
  };
  if (V16) {
    const config = { SupportedFeatureProfiles: "Core,SmartCharging,RemoteTrigger", ChargeProfileMaxStackLevel: "8", ChargingScheduleAllowedChargingRateUnit: "Current,Power", ChargingScheduleMaxPeriods: "24", MaxChargingProfilesInstalled: "10", HeartbeatInterval: "300", NumberOfConnectors: "1" };
    h.GetConfiguration = ({ params }) => {
      const keys = params.key && params.key.length ? params.key : Object.keys(config);
      return { configurationKey: keys.filter((k) => k in config).map((k) => ({ key: k, readonly: true, value: config[k] })), unknownKey: keys.filter((k) => !(k in config)) };
    };
    h.ChangeConfiguration = ({ params }) => ({ status: params.key in config ? "Rejected" : "NotSupported" });
    h.RemoteStartTransaction = ({ params }) => { later(() => startSession(params.idTag)); return { status: "Accepted" }; };
    h.RemoteStopTransaction = ({ params }) => {
      if (!tx || String(params.transactionId) !== String(tx.id)) return { status: "Rejected" };
      later(() => stopSession("Remote"));
      return { status: "Accepted" };
    };
  } else {
    const variables = { "SmartChargingCtrlr/Enabled": "true", "SmartChargingCtrlr/RateUnit": "A,W", "SmartChargingCtrlr/ProfileStackLevel": "8", "SmartChargingCtrlr/PeriodsPerSchedule": "24", "SmartChargingCtrlr/Entries": "10" };
    h.GetVariables = ({ params }) => ({
      getVariableResult: params.getVariableData.map((d) => {
        const value = variables[`${d.component.name}/${d.variable.name}`];
        return value === undefined
          ? { attributeStatus: "UnknownVariable", component: d.component, variable: d.variable }
          : { attributeStatus: "Accepted", attributeValue: value, component: d.component, variable: d.variable };
      }),
    });
    h.SetVariables = ({ params }) => ({ setVariableResult: params.setVariableData.map((d) => ({ attributeStatus: "Rejected", component: d.component, variable: d.variable })) });
    h.GetBaseReport = ({ params }) => {
      later(() => client.call("NotifyReport", {
        requestId: params.requestId, generatedAt: now(), seqNo: 0, tbc: false,
        reportData: [
          { component: { name: "EVSE", evse: { id: 1 } }, variable: { name: "Available" }, variableAttribute: [{ value: "true" }] },
          { component: { name: "SmartChargingCtrlr" }, variable: { name: "Enabled" }, variableAttribute: [{ value: "true", mutability: "ReadOnly" }] },
        ],
      }));
      return { status: "Accepted" };
    };
    h.RequestStartTransaction = ({ params }) => { later(() => startSession(params.idToken.idToken, params.remoteStartId)); return { status: "Accepted" }; };
    h.RequestStopTransaction = ({ params }) => {
      if (!tx || params.transactionId !== tx.id) return { status: "Rejected" };
      later(() => stopSession("Remote"));
      return { status: "Accepted" };
    };
  }
  return h;
}

function validators() {
  return version === "2.1" ? validators21() : [];
}

async function connect() {
  client = new RPCClient({ endpoint: url.replace(/\/[^/]*$/, ""), identity, protocols: [`ocpp${version}`], strictMode: true, strictModeValidators: validators(), reconnect: false, callTimeoutMs: 10000 });
  client.on("strictValidationFailure", (failure) => report("strictFailure", { message: String(failure.error && failure.error.message), messageType: failure.messageType, method: failure.method, outbound: failure.outbound }));
  client.on("call", ({ outbound, payload }) => { if (!outbound) report("call", { method: payload[2] }); });
  for (const [method, handler] of Object.entries(handlers())) client.handle(method, handler);
  client.handle(({ method }) => { throw createRPCError("NotImplemented", `${method} is not implemented here`); });
  await client.connect();
  await boot();
}

connect().catch((err) => { report("error", { message: String(err) }); process.exit(1); });
setInterval(() => meterValues().catch((err) => report("error", { message: String(err) })), 1000);
setTimeout(() => process.exit(0), 120000);
