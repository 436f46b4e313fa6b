"""The config flow's parts: the options flows of the central system and each charger."""
