"""OCPP version adapters: each translates one protocol version to the model."""
