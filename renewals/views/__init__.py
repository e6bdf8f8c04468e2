"""Browser pages of renewals, one module per idea (`risks`: risks, reasons, risk reports)."""
