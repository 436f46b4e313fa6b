"""Constants for ocpp_csms."""

from typing import Final

DOMAIN: Final = "ocpp_csms"

# Config entry kinds: one CSMS entry runs the server; one entry per adopted charger.
CONF_KIND: Final = "kind"
KIND_CSMS: Final = "csms"
KIND_CHARGER: Final = "charger"
CONF_CHARGER_ID: Final = "charger_id"

# CSMS options
CONF_AUTO_ACCEPT: Final = "auto_accept"
CONF_AUTH_MODE: Final = "auth_mode"
AUTH_ACCEPT_ALL: Final = "accept_all"
AUTH_ALLOW_LIST: Final = "allow_list"
CONF_ALLOWED_TAGS: Final = "allowed_tags"
CONF_DEFAULT_ID_TAG: Final = "default_id_tag"
CONF_HEARTBEAT_INTERVAL: Final = "heartbeat_interval"
CONF_CHARGER_PASSWORD: Final = "charger_password"
CONF_SSL_CERTFILE: Final = "ssl_certfile"
CONF_SSL_KEYFILE: Final = "ssl_keyfile"
CONF_RESPONSE_TIMEOUT: Final = "response_timeout"
CONF_MAX_CONNECTORS: Final = "max_connectors"
CONF_CLOCK_TOLERANCE: Final = "clock_tolerance"
CONF_VOLTAGE: Final = "nominal_voltage"
CONF_PHASES: Final = "default_phases"
CONF_MIN_CURRENT: Final = "minimum_current"
CONF_BELOW_MINIMUM: Final = "below_minimum"
BELOW_MINIMUM_PAUSE: Final = "pause"
BELOW_MINIMUM_RAISE: Final = "minimum"
CONF_LIMIT_SPACING: Final = "limit_spacing"

# Charger options
CONF_PROTOCOL: Final = "protocol"
PROTOCOL_AUTO: Final = "auto"

DEFAULT_HOST: Final = "0.0.0.0"
DEFAULT_PORT: Final = 9000
DEFAULT_ID_TAG: Final = "HomeAssistant"
DEFAULT_HEARTBEAT_INTERVAL: Final = 300
DEFAULT_RESPONSE_TIMEOUT: Final = 20
DEFAULT_MAX_CONNECTORS: Final = 32
DEFAULT_CLOCK_TOLERANCE: Final = 3600  # seconds a charger's clock may run ahead
DEFAULT_VOLTAGE: Final = 230
DEFAULT_PHASES: Final = 3
DEFAULT_MIN_CURRENT: Final = 6.0
DEFAULT_LIMIT_SPACING: Final = 10  # seconds between two writes of one profile

STORAGE_KEY: Final = f"{DOMAIN}.state"
# State is written at most this long after a change (sessions: at once).
SAVE_DELAY_S: Final = 5.0
