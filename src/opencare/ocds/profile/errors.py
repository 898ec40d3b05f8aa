"""The one error the profile builder raises."""


class ProfileError(Exception):
    """The profile cannot be built: a missing or broken extension, schema or codelist, or a $ref that resolves nowhere.

    The message says which file is at fault and what to do. The builder never falls back to an empty or partial schema.
    """
