"""The data standard: the social-care profile and metric catalogue, as a page for publishers and as downloads."""
