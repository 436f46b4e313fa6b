// A second central system nobody here wrote: an ocpp-rpc (Node.js) server in strict
// mode, so every frame Home Assistant forwards to it is checked against ocpp-rpc's
// own copy of the OCPP schemas. It plays the charger's other backend (an employer's
// platform, a roaming operator) in the forwarding tests.
//
//   node upstream.js <password> [pending boots] [port] [cert key ca]
//
// With cert, key and ca it serves wss:// and asks for a client certificate the CA
// signed (security profile 3).
//
// It listens on 127.0.0.1 (a free port), accepts a client whose Basic-auth password
// is <password> ("-" for none) on ocpp1.6, ocpp2.0.1 and ocpp2.1, and answers every
// charger message as a plain CSMS would (its own transaction ids for 1.6, from 9001;
// the tags in ACCEPTED accepted, others Invalid). It reports on stdout as JSON lines:
// {"event":"listening","port"}, {"event":"connected","identity","protocol"},
// {"event":"call","method","params"}, {"event":"strictFailure"}, {"event":"closed"}. A JSON line on stdin
// {"method","params"} is sent to the connected client as a call of the upstream's
// own; its answer comes back as {"event":"answer","method","result"|"error"}.
// It stops by itself after 120 s.
"use strict";

const readline = require("readline");
const { RPCServer } = require("ocpp-rpc");
const { validators21 } = require("./schemas21");

const [password, pendingArg, portArg, certFile, keyFile, caFile] = process.argv.slice(2);
let pendingBoots = Number(pendingArg || 0); // the first boots answered Pending
const ACCEPTED = new Set(["EMPLOYER1"]);
let txCounter = 9000;
let current = null;
let slowMs = 0; // {"slow": seconds} on stdin: answer that late from then on

function report(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
}

function now() {
  return new Date().toISOString();
}

function answer(v16, method, params) {
  switch (method) {
    case "BootNotification":
      if (pendingBoots > 0) {
        pendingBoots -= 1;
        return { status: "Pending", currentTime: now(), interval: 1 };
      }
      return { status: "Accepted", currentTime: now(), interval: 30 };
    case "Heartbeat":
      return { currentTime: now() };
    case "StartTransaction":
      txCounter += 1;
      return { transactionId: txCounter, idTagInfo: { status: "Accepted" } };
    case "Authorize":
      if (v16) return { idTagInfo: { status: ACCEPTED.has(params.idTag) ? "Accepted" : "Invalid" } };
      return { idTokenInfo: { status: ACCEPTED.has(params.idToken.idToken) ? "Accepted" : "Invalid" } };
    case "DataTransfer":
      return { status: "Accepted" };
    default:
      return {}; // StatusNotification, MeterValues, StopTransaction, TransactionEvent, Notify*
  }
}

const server = new RPCServer({
  // UPSTREAM_PROTOCOLS="ocpp2.0.1": an upstream that speaks fewer versions
  protocols: (process.env.UPSTREAM_PROTOCOLS || "ocpp2.1,ocpp2.0.1,ocpp1.6").split(","),
  strictMode: true,
  strictModeValidators: validators21(),
});

server.auth((accept, reject, handshake) => {
  const given = handshake.password ? handshake.password.toString() : "-";
  if (given !== password) {
    report("refused", { identity: handshake.identity });
    reject(401, "wrong password");
    return;
  }
  accept();
});

server.on("client", (client) => {
  current = client;
  const v16 = client.protocol === "ocpp1.6";
  report("connected", { identity: client.identity, protocol: client.protocol });
  client.handle(async ({ method, params }) => {
    report("call", { method, params });
    if (slowMs) await new Promise((resolve) => setTimeout(resolve, slowMs));
    return answer(v16, method, params);
  });
  client.on("strictValidationFailure", (e) => report("strictFailure", { message: String(e.error) }));
  client.on("close", () => {
    report("closed");
    if (current === client) current = null;
  });
});

readline.createInterface({ input: process.stdin }).on("line", async (line) => {
  const { method, params, slow } = JSON.parse(line);
  if (slow !== undefined) {
    slowMs = slow * 1000;
    report("slow", { seconds: slow });
    return;
  }
  if (!current) {
    report("answer", { method, error: "no client" });
    return;
  }
  try {
    report("answer", { method, result: await current.call(method, params) });
  } catch (err) {
    report("answer", { method, error: err.rpcErrorCode || String(err.message || err) });
  }
});

if (certFile) {
  const fs = require("fs");
  const https = require("https");
  const secure = https.createServer({
    cert: fs.readFileSync(certFile),
    key: fs.readFileSync(keyFile),
    ca: fs.readFileSync(caFile),
    requestCert: true,
    rejectUnauthorized: true,
  });
  secure.on("upgrade", server.handleUpgrade);
  secure.on("tlsClientError", (err) => report("tlsRefused", { message: String(err.message) }));
  secure.listen(Number(portArg || 0), "127.0.0.1", () => {
    report("listening", { port: secure.address().port, tls: true });
  });
} else {
  server.listen(Number(portArg || 0), "127.0.0.1").then((http) => {
    report("listening", { port: http.address().port });
  });
}

setTimeout(() => process.exit(0), 120000);
