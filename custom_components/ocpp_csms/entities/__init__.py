"""What the platforms share beyond the base entity: sensor values, the CSMS's sensors."""
