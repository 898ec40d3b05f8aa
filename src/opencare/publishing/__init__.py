"""Publishing: councils, NHS bodies and providers publish a contract's commitments, targets, actuals and reviews as
OCDS releases through forms, spreadsheets or an API, each reviewed before it is stored."""
