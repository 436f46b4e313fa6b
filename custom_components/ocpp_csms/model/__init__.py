"""Version-neutral charger model. No Home Assistant and no OCPP imports here."""
