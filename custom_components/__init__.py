"""Custom integrations (this repository holds one: ocpp_csms)."""
