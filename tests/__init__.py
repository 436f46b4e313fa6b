"""Tests for ocpp_csms."""
