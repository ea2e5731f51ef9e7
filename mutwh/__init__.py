"""The core every layer imports: the data directory (``home``), the warehouse connection
(``warehouse``) and atomic file writes (``files``)."""
