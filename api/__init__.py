"""FastAPI service for hamlet-coverage (see issue: Service). Imports ``coverage``, never the reverse."""
