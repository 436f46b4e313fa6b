"""OCPP 1.6J: the adapter, and the operations beyond charging (security extension)."""
