"""Names of the happenings the model reports (fired on the bus as ocpp_csms_<name>)."""

EVENT_CHARGER_BOOTED = "charger_booted"
EVENT_SESSION_STARTED = "session_started"
EVENT_SESSION_ENDED = "session_ended"
EVENT_TAG_PRESENTED = "tag_presented"
EVENT_RESERVATION = "reservation"  # created, used, cancelled, expired, removed
EVENT_FIRMWARE = "firmware_status"
EVENT_LOG = "log_status"  # a log upload's progress, and the file received
EVENT_MONITOR = "monitor"  # a 2.x variable monitor was triggered
