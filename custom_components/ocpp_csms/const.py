"""Constants for ocpp_csms."""

from typing import Final

DOMAIN: Final = "ocpp_csms"
# the integration's logger, which users set in `logger:`; every package logs to it
LOGGER_NAME: Final = __package__ or "custom_components.ocpp_csms"

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

CONF_TAG_POLICY: Final = "tag_policy"  # auto / accept_all / known / ask
TAG_POLICY_AUTO: Final = "auto"
TAG_POLICIES: Final = ("auto", "accept_all", "known", "ask")
CONF_ASK_TIMEOUT: Final = "ask_timeout"
DEFAULT_ASK_TIMEOUT: Final = 2.0
SUBENTRY_TAG: Final = "tag"
SUBENTRY_CIRCUIT: Final = "circuit"
CONF_UNKNOWN_CHARGERS: Final = "unknown_chargers"  # ask / accept / refuse
CONF_NO_PASSWORD: Final = "no_password"  # auto / refuse / allow
CONF_DISCOVERY_CAP: Final = "discovery_limit"
CONF_SSL_CAFILE: Final = "ssl_cafile"  # security profile 3: client certificates
CONF_TLS_LEGACY: Final = "tls_legacy"  # allow TLS 1.0 and 1.1
# Limits on what one peer may cost
CONF_MAX_FRAME_KIB: Final = "max_frame_kib"
CONF_MESSAGES_PER_MINUTE: Final = "messages_per_minute"
CONF_MESSAGE_BURST: Final = "message_burst"
CONF_CONNECTIONS_PER_ADDRESS: Final = "connections_per_address"
CONF_CONNECTIONS_TOTAL: Final = "connections_total"
CONF_HANDSHAKE_TIMEOUT: Final = "handshake_timeout"
CONF_PING_INTERVAL: Final = "ping_interval"
CONF_PING_TIMEOUT: Final = "ping_timeout"
CONF_MAX_UPLOAD_MIB: Final = "max_upload_mib"  # a log a charger uploads to HA

# Charger entry data: the password's hash (and the previous one, after a rotation,
# until the charger logs in with the new one)
CONF_PASSWORD_HASH: Final = "password_hash"
CONF_PREVIOUS_HASH: Final = "previous_password_hash"
# Adopted with a password sent over OCPP: the access the charger had stays valid
# until it logs in once with the new password (it may not have taken it).
CONF_OPEN_UNTIL_LOGIN: Final = "open_until_login"
# A charger's option: apply the documented quirks of its firmware (charger profiles)
CONF_CHARGER_PROFILE: Final = "charger_profile"
CONF_PHASE_ROTATION: Final = "phase_rotation"
CONF_UPSTREAM_URL: Final = "upstream_url"
CONF_UPSTREAM_ID: Final = "upstream_id"
CONF_UPSTREAM_PASSWORD: Final = "upstream_password"
CONF_UPSTREAM_COMMANDS: Final = "upstream_commands"
CONF_UPSTREAM_ANSWERS: Final = "upstream_answers"
CONF_UPSTREAM_TIMEOUT: Final = "upstream_timeout"
CONF_UPSTREAM_QUEUE: Final = "upstream_queue"
CONF_UPSTREAM_CAFILE: Final = "upstream_cafile"
CONF_UPSTREAM_CERTFILE: Final = "upstream_certfile"
CONF_UPSTREAM_KEYFILE: Final = "upstream_keyfile"
PHASE_ROTATION_AUTO: Final = "auto"

# Charger options
CONF_PROTOCOL: Final = "protocol"
CONF_PRICE_ENTITY: Final = "price_entity"  # sessions costed at this entity's price
CONF_FIXED_PRICE: Final = "fixed_price"  # or at this price per kWh
# CSMS options: how long finished sessions are kept
CONF_HISTORY_DAYS: Final = "history_days"
DEFAULT_HISTORY_DAYS: Final = 730
PROTOCOL_AUTO: Final = "auto"

DEFAULT_HOST: Final = "0.0.0.0"  # noqa: S104  (chargers are on the network: every interface)
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

# CSMS options, the "site" section: the house's connection (all optional)
CONF_GRID_POWER: Final = "grid_power"  # + import, - export
CONF_GRID_IMPORT: Final = "grid_import"  # or two sensors, both positive
CONF_GRID_EXPORT: Final = "grid_export"
CONF_GRID_CURRENTS: Final = ("grid_current_l1", "grid_current_l2", "grid_current_l3")
CONF_MAIN_FUSE: Final = "main_fuse"  # A per phase
CONF_MAIN_FUSE_PHASES: Final = "main_fuse_phases"
CONF_BATTERY_POWER: Final = "battery_power"  # + charging
CONF_BATTERY_SOC: Final = "battery_soc"
CONF_BATTERY_FIRST_SOC: Final = "battery_first_soc"  # it charges first up to this %
CONF_SENSOR_TIMEOUT: Final = "sensor_timeout"
CONF_SAFE_LIMIT: Final = "safe_limit"
CONF_ENABLE_DELAY: Final = "solar_enable_delay"
CONF_DISABLE_DELAY: Final = "solar_disable_delay"
CONF_SOLAR_THRESHOLD: Final = "solar_threshold"
CONF_RESUME_HOLD: Final = "resume_hold"
CONF_FEED_IN_PRICE: Final = "feed_in_price"  # an entity: the price of exported energy
CONF_PHASE_MARGIN: Final = "phase_margin"  # W above the three-phase minimum
CONF_PHASE_INTERVAL: Final = "phase_interval"  # s between two switches
