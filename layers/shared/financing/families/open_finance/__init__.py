"""The Open Finance Brasil Invoice Financings v2.3.0 family: contracts, envelopes and errors."""
