"""Home Assistant actions, one module per family; ``services.py`` registers them."""
