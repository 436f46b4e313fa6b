"""Import our custom_components package first, so Home Assistant finds ocpp_csms
rather than the test integrations pytest-homeassistant-custom-component ships."""

import custom_components  # noqa: F401
