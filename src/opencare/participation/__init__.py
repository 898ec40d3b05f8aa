"""Participation: people getting and giving care say how a contract's service is doing; moderated, de-identified,
published only as counts of 5 or more and as moderated stories, with the provider's and commissioner's replies."""
