class StartupRefused(RuntimeError):
    """The gateway will not serve with this configuration or data. The message is one line."""
