"""The financing list family (Monite-shaped): FinancingInvoice, financing offers, Monite's error envelopes."""
