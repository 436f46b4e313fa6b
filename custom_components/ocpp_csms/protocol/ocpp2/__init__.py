"""OCPP 2.0.1 and 2.1: independent parts composed by each version's adapter.

``sessions`` (TransactionEvent, MeterValues, the running cost), ``operations``
(reservations, firmware, logs, display messages, monitoring, certificates),
``reports`` (the device model inventory, events, notices, reports in parts) and
``variables`` (device-model keys); ``adapter`` composes them for 2.0.1, ``v21``
adds what 2.1 brings.
"""
