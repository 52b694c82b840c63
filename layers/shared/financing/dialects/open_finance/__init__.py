"""The Open Finance Brasil Invoice Financings v2.3.0 dialect: contracts, envelopes and errors."""
