// ocpp-rpc 2.2.1 ships the 2.1 schemas under ids ("urn:BootNotificationRequest")
// its validator does not look up ("urn:BootNotification.req"): the same schemas,
// under the ids it looks up, for strict mode on 2.1 (the charger and the upstream).
"use strict";

const { createValidator } = require("ocpp-rpc");

function validators21() {
  const schemas = require("ocpp-rpc/lib/schemas/ocpp2_1.json").map((schema) => ({
    ...schema,
    $id: schema.$id.replace(/Request$/, ".req").replace(/Response$/, ".conf"),
  }));
  return [createValidator("ocpp2.1", schemas)];
}

module.exports = { validators21 };
