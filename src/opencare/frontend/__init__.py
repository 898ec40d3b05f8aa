"""Front-end assets: the site's Sass, compiled by npm into ``static/opencare/``."""
