"""Names of the happenings the model reports (fired on the bus as ocpp_csms_<name>)."""

EVENT_CHARGER_BOOTED = "charger_booted"
EVENT_SESSION_STARTED = "session_started"
EVENT_SESSION_ENDED = "session_ended"
EVENT_TAG_PRESENTED = "tag_presented"
