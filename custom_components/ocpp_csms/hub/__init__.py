"""Layer 4, Home Assistant's side of the central system.

The runtime (what one central system entry runs), storage, the planner, devices,
repairs and events, tags and access as Home Assistant's entries and settings say.
"""
