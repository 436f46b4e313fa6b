"""Layer 1, the transport: websocket server, passwords, admission, per-connection limits.

It imports nothing from Home Assistant; the hub hands it the facts it asks.
"""
