"""SealBid 密封投标: the app package (errors, CLI). The layers live beside it in crypto/,
client/, reports/, ui/ and server/."""

__version__ = "0.1.0"
